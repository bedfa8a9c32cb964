from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarehouseConfig(AppConfig):
    name = "cqs.warehouse"
    label = "warehouse"
    verbose_name = _("Kho dữ liệu dùng chung")
