"""`manage.py opendata_publish_platform`: publish or refresh the platform's own open datasets now."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cqs.opendata.feeds import publish_platform_datasets


class Command(BaseCommand):
    help = "Công bố hoặc cập nhật các bộ dữ liệu mở do hệ thống tự công bố (danh mục thủ tục, thống kê hồ sơ)."

    def handle(self, *args, **options) -> None:
        for name, outcome in publish_platform_datasets().items():
            self.stdout.write(f"{name}: {outcome}")
