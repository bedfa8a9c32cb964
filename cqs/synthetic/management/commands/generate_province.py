"""`manage.py generate_province --dossiers 100000 --seed 1 [--years N] [--until YYYY-MM-DD] [--batch 50000]`"""

from __future__ import annotations

import datetime as dt
import os
import time

from django.core.management.base import BaseCommand, CommandError

from cqs.synthetic.generator import generate_province


class Command(BaseCommand):
    help = "Load a synthetic province: organisation, officials, catalogue, people and years of dossiers."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dossiers", type=int, default=100_000, help="how many (up to 12,000,000)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--years", type=int, default=None, help="default: 3, or 1.2 million dossiers a year")
        parser.add_argument("--until", type=dt.date.fromisoformat, default=None, help="horizon (default: today)")
        parser.add_argument("--batch", type=int, default=50_000, help="dossiers per COPY batch")
        parser.add_argument(
            "--drop-indexes",
            choices=["auto", "yes", "no"],
            default="auto",
            help="drop secondary indexes during the load and rebuild them after (auto: from 50,000 dossiers)",
        )
        parser.add_argument("--no-rebuild", action="store_true", help="skip the warehouse rebuild")

    def handle(self, *args, **options) -> None:
        if not 1 <= options["dossiers"] <= 12_000_000:
            raise CommandError("--dossiers must be between 1 and 12,000,000")
        say = lambda message: self.stdout.write(message)  # noqa: E731
        load = os.getloadavg()
        say(f"generating {options['dossiers']:,} dossiers (seed {options['seed']}); load average "
            f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")  # fmt: skip
        try:
            figures = generate_province(
                dossiers=options["dossiers"],
                seed=options["seed"],
                years=options["years"],
                until=options["until"],
                batch=options["batch"],
                drop_indexes={"auto": None, "yes": True, "no": False}[options["drop_indexes"]],
                progress=say,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        say(
            f"loaded {figures['dossiers']:,} dossiers, {figures['steps']:,} steps, {figures['documents']:,} documents, "
            f"{figures['events']:,} events "
            f"({figures['from']} .. {figures['until']}) in {figures['load_seconds']} s "
            f"({figures['dossiers_per_second']:,}/s); indexes {figures['index_seconds']} s, "
            f"ANALYZE {figures['analyze_seconds']} s; total {figures['total_seconds']} s; CPU during the load: "
            f"this process {figures['load_cpu_seconds']} s, database {figures['database_cpu_seconds']} s"
        )
        load = os.getloadavg()
        say(f"load average now {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        if options["no_rebuild"]:
            return
        try:
            from cqs.warehouse.services import warehouse_rebuild
        except ImportError:
            say("warehouse: cqs.warehouse.services.warehouse_rebuild is not available yet; rebuild skipped")
            return
        began = time.monotonic()
        warehouse_rebuild(progress=say)
        say(f"warehouse rebuilt in {time.monotonic() - began:.1f} s")
