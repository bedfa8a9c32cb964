import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cqs.accounts.models import User
from cqs.dossiers.synthetic import generate


class Command(BaseCommand):
    help = "Bulk-load a deterministic synthetic archive of dossiers (benchmarks). Needs the demo data."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--count", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: object, count: int, seed: int, **options: object) -> None:
        creator = User.objects.filter(is_active=True).order_by("pk").first()
        if creator is None:
            raise CommandError("no user to record as creator: load the demo data first")
        began = time.monotonic()

        def progress(n: int) -> None:
            rate = n / (time.monotonic() - began)
            self.stdout.write(f"  {n:,}/{count:,} dossiers ({rate:,.0f}/s)")

        with transaction.atomic():
            generate(count=count, seed=seed, created_by_id=creator.pk, progress=progress)
        self.stdout.write(f"{count:,} dossiers loaded in {time.monotonic() - began:.0f} s")
