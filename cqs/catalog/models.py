"""The procedure catalogue ("danh mục thủ tục hành chính"), versioned by effective date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from cqs.core.search import Normalized
from cqs.org.models import Agency, UnitLevel

NATIONAL_CODE_PATTERN = r"^\d\.\d{6}$"
PROCEDURE_CODE_PATTERN = r"^\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?$"


class Sector(models.Model):
    """A field of state management ("lĩnh vực"), e.g. Hộ tịch."""

    code = models.CharField(_("mã"), max_length=20, unique=True, validators=[RegexValidator(r"^[A-Z0-9_]{1,20}$")])
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """An administrative procedure ("thủ tục hành chính"): the identity its versions share."""

    code = models.CharField(
        _("mã thủ tục"), max_length=30, unique=True, validators=[RegexValidator(PROCEDURE_CODE_PATTERN)]
    )
    national_code = models.CharField(
        _("mã thủ tục quốc gia"), max_length=10, db_index=True, validators=[RegexValidator(NATIONAL_CODE_PATTERN)]
    )
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")

    def __str__(self) -> str:
        return self.code


class OnlineLevel(models.TextChoices):
    """Online public service level per Decree 42/2022 (replacing the old levels 2/3/4)."""

    NONE = "none", _("Không trực tuyến")
    PARTIAL = "partial", _("Trực tuyến một phần")
    FULL = "full", _("Trực tuyến toàn trình")


LEGACY_LEVEL = {OnlineLevel.NONE: 2, OnlineLevel.PARTIAL: 3, OnlineLevel.FULL: 4}


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")
    WORKING_HOURS = "working_hours", _("giờ làm việc")


class SupplementClock(models.TextChoices):
    PAUSE = "pause", _("Tạm dừng tính thời gian")
    RESTART = "restart", _("Tính lại từ đầu")


# The parts of a procedure the catalogue may mark as sample data (docs/catalog-format.md, `sample`).
SAMPLE_PART_LABELS = {
    "fees": _("phí, lệ phí"),
    "form_schema": _("biểu mẫu điện tử"),
    "process": _("quy trình nội bộ"),
    "documents": _("thành phần hồ sơ"),
    "processing_time": _("thời hạn giải quyết"),
    "code": _("mã thủ tục"),
}


class ProcedureVersion(models.Model):
    """One version of a procedure's definition, applying to dossiers filed from `effective_from`.

    A dossier keeps a reference to the version it was filed under, so a later version never
    changes the rules of a dossier already in progress.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("phiên bản"))
    effective_from = models.DateField(_("hiệu lực từ ngày"))
    name = models.CharField(_("tên thủ tục"), max_length=500)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=500, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="procedure_versions")
    levels = ArrayField(models.CharField(max_length=20, choices=UnitLevel.choices), verbose_name=_("cấp thực hiện"))
    agencies = models.ManyToManyField(
        Agency, blank=True, related_name="procedure_versions", verbose_name=_("cơ quan thực hiện")
    )
    online_level = models.CharField(_("mức độ trực tuyến"), max_length=10, choices=OnlineLevel.choices)
    processing_time = models.PositiveIntegerField(_("thời hạn giải quyết"), validators=[MinValueValidator(1)])
    processing_unit = models.CharField(_("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices)
    cutoff_time = models.TimeField(_("giờ tiếp nhận cuối ngày"), null=True, blank=True)
    supplement_clock = models.CharField(
        _("khi yêu cầu bổ sung"), max_length=10, choices=SupplementClock.choices, default=SupplementClock.PAUSE
    )
    fees = models.JSONField(_("phí, lệ phí"), default=list, blank=True)
    form_schema = models.JSONField(_("biểu mẫu điện tử (JSON Schema)"), default=dict)
    legal_basis = ArrayField(models.TextField(), default=list, blank=True, verbose_name=_("căn cứ pháp lý"))
    electronic_result = models.BooleanField(_("trả kết quả điện tử"), default=False)
    sample_parts = ArrayField(
        models.CharField(max_length=30), default=list, blank=True, verbose_name=_("phần là dữ liệu mẫu")
    )
    search_name = models.GeneratedField(expression=Normalized("name"), output_field=models.TextField(), db_persist=True)
    search_text = models.GeneratedField(
        expression=Normalized(
            Concat(
                "name", models.Value(" "), "name_en", models.Value(" "), "description", output_field=models.TextField()
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["procedure__code", "-effective_from"]
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="procedure_version_unique"),
            models.UniqueConstraint(fields=["procedure", "effective_from"], name="procedure_version_unique_date"),
            models.CheckConstraint(
                condition=models.Q(online_level__in=OnlineLevel.values), name="procedure_version_online_level"
            ),
        ]
        indexes = [
            GinIndex(OpClass("search_name", name="gin_trgm_ops"), name="procedure_search_name_trgm"),
            GinIndex(OpClass("search_text", name="gin_trgm_ops"), name="procedure_search_text_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.version} – {self.name}"

    @property
    def legacy_level(self) -> int:
        return LEGACY_LEVEL[OnlineLevel(self.online_level)]

    @property
    def statutory_hours(self) -> Decimal:
        """The statutory time in working hours, the unit in which step budgets are checked."""
        if self.processing_unit == TimeUnit.WORKING_HOURS:
            return Decimal(self.processing_time)
        return Decimal(self.processing_time * 8)

    def is_effective_on(self, day: dt.date) -> bool:
        return self.effective_from <= day

    @property
    def level_labels(self) -> list[str]:
        """The levels that handle it, as people read them ("Cấp xã")."""
        return [str(UnitLevel(level).label) if level in UnitLevel.values else level for level in self.levels]

    @property
    def sample_part_labels(self) -> list[str]:
        """The parts that are sample data, as people read them (the catalogue format's `sample`)."""
        return [str(SAMPLE_PART_LABELS.get(part, part)) for part in self.sample_parts]


class DocumentForm(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    COPY = "copy", _("Bản sao")
    CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")


class NationalSource(models.TextChoices):
    POPULATION = "population", _("CSDL quốc gia về dân cư")
    LAND = "land", _("CSDL quốc gia về đất đai")
    BUSINESS = "business", _("CSDL quốc gia về đăng ký doanh nghiệp")
    FINANCE = "finance", _("CSDL quốc gia về tài chính")
    INSURANCE = "insurance", _("CSDL quốc gia về bảo hiểm")
    CIVIL_STATUS = "civil_status", _("CSDL hộ tịch điện tử")


class RequiredDocument(models.Model):
    """A document the applicant must supply ("thành phần hồ sơ")."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    code = models.CharField(_("mã"), max_length=20, validators=[RegexValidator(r"^[A-Z0-9_]{1,20}$")])
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    form = models.CharField(_("loại bản"), max_length=20, choices=DocumentForm.choices)
    electronic_copy_accepted = models.BooleanField(_("chấp nhận bản điện tử"), default=True)
    national_source = models.CharField(
        _("khai thác từ CSDL"), max_length=20, choices=NationalSource.choices, blank=True
    )
    required = models.BooleanField(_("bắt buộc"), default=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="required_document_unique_code")]

    def __str__(self) -> str:
        return self.name


class StepRole(models.TextChoices):
    RECEPTION = "reception", _("Cán bộ tiếp nhận")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    LEADER = "leader", _("Lãnh đạo phê duyệt")
    CLERK = "clerk", _("Văn thư")


class ProcessStep(models.Model):
    """One step of the internal process ("bước của quy trình nội bộ") with its budget of working hours."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=300)
    role = models.CharField(_("vai trò thực hiện"), max_length=20, choices=StepRole.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan thực hiện"),
        help_text=_("Để trống: cơ quan đang giữ hồ sơ."),
    )
    budget_hours = models.DecimalField(
        _("thời gian (giờ làm việc)"), max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("quy trình nội bộ")
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="process_step_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"
