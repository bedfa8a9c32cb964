"""The digital-transformation scorecard ("bảng chỉ tiêu chuyển đổi số"): the plan's targets, the
figures the platform cannot compute and are entered by hand, and the Decision 766 index
definitions. All of it is data, edited by administrators; formulas are named, not coded here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cqs.org.models import UnitLevel


class Comparison(models.TextChoices):
    AT_LEAST = "gte", _("Tối thiểu (≥)")
    AT_MOST = "lte", _("Tối đa (≤)")


class TargetYear(models.IntegerChoices):
    Y2025 = 2025, "2025"
    Y2030 = 2030, "2030"


class Target(models.Model):
    """One numeric target of the plan ("chỉ tiêu"): e.g. 80 % of online services end-to-end by 2025.

    `indicator` names either a computed indicator (`scorecard.indicators.REGISTRY`) or a
    `ReportedIndicator` code; `level` narrows a target to the agencies of one level.
    """

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    title = models.CharField(_("tên chỉ tiêu"), max_length=300)
    title_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"), choices=TargetYear.choices)
    value = models.DecimalField(_("giá trị"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("đơn vị"), max_length=20, default="%")
    comparison = models.CharField(_("so sánh"), max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST)
    indicator = models.CharField(_("chỉ số đo"), max_length=60)
    level = models.CharField(_("cấp"), max_length=20, choices=UnitLevel.choices, blank=True)
    source_document = models.CharField(_("văn bản nguồn"), max_length=300)
    source_section = models.CharField(_("mục"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class ReportedIndicator(models.Model):
    """An indicator the platform cannot compute from its own data ("chỉ số báo cáo"), such as the
    digital economy's share of GRDP: its values are entered by period, with their source."""

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    title = models.CharField(_("tên chỉ số"), max_length=300)
    title_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    definition = models.TextField(_("định nghĩa"), blank=True)
    unit = models.CharField(_("đơn vị"), max_length=20, default="%")

    class Meta:
        ordering = ["code"]
        verbose_name = _("chỉ số báo cáo")
        verbose_name_plural = _("chỉ số báo cáo")

    def __str__(self) -> str:
        return self.title


class ReportedValue(models.Model):
    """One entered value of a reported indicator for a period ("số liệu báo cáo"), with the
    document it comes from and the official who entered it."""

    indicator = models.ForeignKey(ReportedIndicator, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    value = models.DecimalField(_("giá trị"), max_digits=12, decimal_places=2)
    source_document = models.CharField(_("văn bản nguồn"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhập"),
    )
    entered_at = models.DateTimeField(_("thời điểm nhập"), auto_now=True)

    class Meta:
        ordering = ["indicator", "-period_end"]
        verbose_name = _("số liệu báo cáo")
        verbose_name_plural = _("số liệu báo cáo")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="reported_value_period_order"
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end"], name="reported_value_unique_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_start}–{self.period_end}: {self.value}"


class IndexGroup(models.Model):
    """A group of the Decision 766 index ("nhóm chỉ số"), with its points out of 100."""

    code = models.CharField(_("mã"), max_length=10, unique=True)
    title = models.CharField(_("tên nhóm"), max_length=300)
    title_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("nhóm chỉ số 766")
        verbose_name_plural = _("nhóm chỉ số 766")

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class IndexIndicator(models.Model):
    """An indicator of the Decision 766 index ("chỉ số thành phần"): its weight (points), the rate
    at which it earns full points, and the named formula computing its rate. Below the threshold
    the score is `rate × weight ÷ threshold`."""

    group = models.ForeignKey(IndexGroup, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("mã"), max_length=10, unique=True)
    title = models.CharField(_("tên chỉ số"), max_length=300)
    title_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    definition = models.TextField(_("cách tính"), blank=True)
    weight = models.DecimalField(_("điểm"), max_digits=6, decimal_places=2)
    threshold = models.DecimalField(_("ngưỡng đạt điểm tối đa (%)"), max_digits=6, decimal_places=2)
    formula = models.CharField(_("công thức"), max_length=60)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["group__position", "position", "code"]
        verbose_name = _("chỉ số 766")
        verbose_name_plural = _("chỉ số 766")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
