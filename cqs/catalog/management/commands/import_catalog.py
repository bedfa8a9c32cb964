import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cqs.catalog.services import catalog_import
from cqs.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Import a catalogue file (docs/catalog-format.md). All or nothing: a bad file writes nothing."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("path", type=Path)

    def handle(self, *args: object, path: Path, **options: object) -> None:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        try:
            report = catalog_import(actor=None, document=document)
        except ValidationFailed as exc:
            for problem in exc.details:
                self.stderr.write(f"  {problem['where']} [{problem['record']}]: {problem['message']}")
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Imported: {report.versions_created} created, {report.versions_updated} updated, "
            f"{report.versions_unchanged} unchanged."
        )
