"""Administrator overrides of the official working-day calendar ("lịch làm việc")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """One day whose status the province sets by decision, over what the `holidays` package says:
    an extra day off, or an extra working day (a Saturday worked to pay back a swapped day)."""

    day = models.DateField(_("ngày"), unique=True)
    working = models.BooleanField(_("là ngày làm việc"))
    reason = models.CharField(_("lý do"), max_length=200)
    source_document = models.CharField(
        _("văn bản căn cứ"), max_length=300, help_text=_("Số, ký hiệu văn bản quyết định việc điều chỉnh.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("điều chỉnh lịch làm việc")
        verbose_name_plural = _("điều chỉnh lịch làm việc")

    def __str__(self) -> str:
        kind = _("ngày làm việc") if self.working else _("ngày nghỉ")
        return f"{self.day:%d/%m/%Y}: {kind} – {self.reason}"
