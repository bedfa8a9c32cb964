from django.core.management.base import BaseCommand, CommandError

from cqs.core.demo import DEMO_PASSWORD, demo_load, personas
from cqs.core.errors import DomainError


class Command(BaseCommand):
    help = "Load the demo organisation, accounts and catalogue (demo mode only; idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        try:
            report = demo_load()
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.details or ''}") from exc
        self.stdout.write(
            f"Demo data ready: {report.versions_created} procedure versions created, "
            f"{report.versions_updated} updated, {report.versions_unchanged} unchanged."
        )
        # The Open Data Portal of a demo is not empty until the first night: the platform's own
        # datasets (procedure catalogue, dossier statistics) are published now. Idempotent.
        from cqs.opendata.feeds import publish_platform_datasets

        outcomes = publish_platform_datasets()
        self.stdout.write(
            f"Open data: the platform's {len(outcomes)} datasets published "
            f"({', '.join(f'{name}: {outcome}' for name, outcome in outcomes.items())})."
        )
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for p in personas():
            self.stdout.write(f"  {p.username:<18} {p.description}")
