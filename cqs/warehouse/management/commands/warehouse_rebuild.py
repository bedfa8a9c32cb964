"""`manage.py warehouse_rebuild [--check]`: recompute the warehouse, or check it."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Recompute the dossier facts and monthly summaries from scratch (or, with --check, compare them)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--check", action="store_true", help="compare with a recomputation; exit 1 if they differ")

    def handle(self, *args, check: bool = False, **options):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        if check:
            from cqs.warehouse.queries import warehouse_differences

            self.stdout.write("Comparing the warehouse with a fresh recomputation…")
            differences = warehouse_differences()
            for line in differences:
                self.stdout.write(line)
            if differences:
                raise CommandError(f"{len(differences)} differences (showing at most 50 per kind)")
            self.stdout.write(self.style.SUCCESS(f"The warehouse agrees ({time.monotonic() - started:.1f} s)."))
            return
        from cqs.warehouse.services import warehouse_rebuild

        counts = warehouse_rebuild(progress=lambda message: self.stdout.write(message, ending="\n"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt in {time.monotonic() - started:.1f} s: "
                + ", ".join(f"{table} {rows:,}" for table, rows in counts.items())
            )
        )
