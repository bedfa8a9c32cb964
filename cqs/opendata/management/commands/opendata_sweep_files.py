"""`manage.py opendata_sweep_files [--dry-run] [--older-than-hours N]`: delete uploaded open-data
files no resource uses any more, now (the nightly job `tasks.sweep_files` does it every night)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cqs.opendata.services import stored_files_sweep


def _hours(value: str) -> float:
    hours = float(value)
    if hours < 0:
        raise ValueError(value)
    return hours


class Command(BaseCommand):
    help = "Xoá các tệp dữ liệu mở đã tải lên mà không còn tài nguyên nào dùng (quá thời gian chờ)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Chỉ đếm, không xoá.")
        parser.add_argument(
            "--older-than-hours",
            type=_hours,
            default=24.0,
            help="Chỉ xoá tệp cũ hơn số giờ này (mặc định 24): tệp mới có thể thuộc một lần tải lên chưa xong.",
        )

    def handle(self, *args, **options) -> None:
        try:
            older_than = dt.timedelta(hours=options["older_than_hours"])
        except OverflowError as exc:
            raise CommandError("--older-than-hours") from exc
        result = stored_files_sweep(older_than=older_than, dry_run=options["dry_run"])
        if result.dry_run:
            message = _("Chạy thử: sẽ xoá %(files)d tệp, giải phóng %(bytes)d byte.")
        else:
            message = _("Đã xoá %(files)d tệp, giải phóng %(bytes)d byte.")
        self.stdout.write(message % {"files": result.files, "bytes": result.bytes})
