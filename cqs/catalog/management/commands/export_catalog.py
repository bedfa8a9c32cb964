import json

from django.core.management.base import BaseCommand

from cqs.catalog.queries import catalog_export, catalog_export_csv


class Command(BaseCommand):
    help = "Write the catalogue to standard output as JSON (every version) or, with --csv, flat CSV."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--csv", action="store_true")

    def handle(self, *args: object, csv: bool = False, **options: object) -> None:
        if csv:
            self.stdout.write(catalog_export_csv(), ending="")
        else:
            self.stdout.write(json.dumps(catalog_export(), ensure_ascii=False, indent=1))
