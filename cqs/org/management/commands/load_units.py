from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cqs.core.errors import DomainError
from cqs.org.services import units_load


class Command(BaseCommand):
    help = "Load the province's administrative units from vietnam-provinces (default: CQS_PROVINCE_CODE)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--province", type=int, default=None)

    def handle(self, *args: object, province: int | None = None, **options: object) -> None:
        code = province or settings.CQS_PROVINCE_CODE
        try:
            counts = units_load(province_code=code)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Province {code}: {counts['commune']} communes and wards, {counts['district']} former districts."
        )
