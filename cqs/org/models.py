"""The organisation: administrative units, agencies and officials' positions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# QCVN 102:2016 electronic agency identifier, e.g. 000.00.01.H22 (at most 13 characters).
AGENCY_CODE_PATTERN = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$"
agency_code_validator = RegexValidator(
    AGENCY_CODE_PATTERN, _("Mã định danh cơ quan phải có dạng 000.00.00.H00 (QCVN 102:2016).")
)


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện (trước 01/7/2025)")
    COMMUNE = "commune", _("Cấp xã")


class AdministrativeUnit(models.Model):
    """An administrative unit ("đơn vị hành chính") with its official code.

    Since 1 July 2025 there are two levels (province, commune); former districts are kept,
    marked not current, because historical dossiers and targets still name them.
    """

    code = models.CharField(_("mã"), max_length=10, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    division_type = models.CharField(_("loại"), max_length=50, blank=True)
    level = models.CharField(_("cấp"), max_length=20, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("trực thuộc")
    )
    is_current = models.BooleanField(_("đang hiệu lực"), default=True)
    abolished_on = models.DateField(_("ngày giải thể / sáp nhập"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        indexes = [models.Index(fields=["level", "is_current"])]

    def __str__(self) -> str:
        return self.name


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
    ONE_STOP_DESK = "one_stop_desk", _("Bộ phận Một cửa")
    OTHER = "other", _("Đơn vị khác")


class Agency(models.Model):
    """A state agency ("cơ quan, đơn vị") identified by its QCVN 102 electronic code."""

    code = models.CharField(_("mã định danh"), max_length=13, unique=True, validators=[agency_code_validator])
    name = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    kind = models.CharField(_("loại cơ quan"), max_length=30, choices=AgencyKind.choices)
    level = models.CharField(_("cấp"), max_length=20, choices=UnitLevel.choices)
    unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("địa bàn")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("cơ quan chủ quản"),
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        indexes = [models.Index(fields=["level", "kind"])]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What an official may do at an agency; permissions per role live in `org.permissions`."""

    RECEPTION = "reception", _("Cán bộ tiếp nhận")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    LEADER = "leader", _("Lãnh đạo phê duyệt")
    CLERK = "clerk", _("Văn thư")
    AGENCY_ADMIN = "agency_admin", _("Quản trị cơ quan")
    PUBLISHER = "publisher", _("Cán bộ công bố dữ liệu mở")
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")


class Membership(models.Model):
    """An official's role at an agency ("vị trí công tác"). One person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("cán bộ")
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("cơ quan"))
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("đang hiệu lực"), default=True)

    class Meta:
        verbose_name = _("vị trí công tác")
        verbose_name_plural = _("vị trí công tác")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique_role_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency}"
