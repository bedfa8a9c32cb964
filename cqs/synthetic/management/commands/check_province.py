"""`manage.py check_province`: exits 1 listing every violation, 0 when the data are consistent."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from cqs.synthetic.checks import check_province


class Command(BaseCommand):
    help = "Verify that the dossiers are data the platform's services could have produced."

    def handle(self, *args, **options) -> None:
        violations = check_province(progress=lambda m: self.stdout.write(m))
        if not violations:
            self.stdout.write("check_province: no violations")
            return
        for v in violations:
            self.stdout.write(f"VIOLATION {v.rule}: {v.count:,} row(s), e.g. {', '.join(v.examples)}")
        self.stderr.write(f"check_province: {len(violations)} rule(s) violated")
        sys.exit(1)
