"""User accounts: citizens, enterprises and officials all sign in as a `User`."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from cqs.accounts.validators import validate_identity_number, validate_tax_code


class UserKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ENTERPRISE = "enterprise", _("Doanh nghiệp, tổ chức")
    OFFICIAL = "official", _("Cán bộ, công chức")


class User(AbstractUser):
    """A person or organisation that signs in ("người dùng").

    Officials' agencies and roles are `org.Membership` rows, not flags on the user. E-mail
    addresses are stored lower-case and phone numbers as `0xxxxxxxxx`, each unique when given,
    so either one identifies the account at sign-in.
    """

    kind = models.CharField(_("loại tài khoản"), max_length=20, choices=UserKind.choices, default=UserKind.CITIZEN)
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    email_verified = models.BooleanField(
        _("đã xác thực thư điện tử"),
        default=False,
        help_text=_("Người dùng đã mở liên kết xác thực gửi tới địa chỉ này."),
    )
    # No SMS provider yet: set by officials (or a future one-time-code flow), never by the user.
    phone_verified = models.BooleanField(_("đã xác thực số điện thoại"), default=False)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("Địa chỉ thư điện tử này đã được dùng cho một tài khoản khác."),
            ),
            models.UniqueConstraint(
                fields=["phone"],
                condition=~models.Q(phone=""),
                name="accounts_user_phone_unique",
                violation_error_message=_("Số điện thoại này đã được dùng cho một tài khoản khác."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_official(self) -> bool:
        return self.kind == UserKind.OFFICIAL


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


def _current_commune() -> models.Q:
    return models.Q(level="commune", is_current=True)


class CitizenProfile(models.Model):
    """A citizen's identity and address ("thông tin công dân"), used to prefill applications."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen_profile", verbose_name=_("tài khoản")
    )
    identity_number = models.CharField(
        _("số định danh cá nhân (CCCD)"), max_length=12, unique=True, validators=[validate_identity_number]
    )
    full_name = models.CharField(_("họ và tên"), max_length=200)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=10, choices=Sex.choices, blank=True)
    address_unit = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        limit_choices_to=_current_commune,
        related_name="+",
        verbose_name=_("xã, phường nơi cư trú"),
    )
    address_street = models.CharField(_("số nhà, đường, ấp/khu phố"), max_length=300)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("thông tin công dân")
        verbose_name_plural = _("thông tin công dân")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(identity_number__regex=r"^[0-9]{12}$"), name="accounts_citizen_identity_12_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.identity_number})"


class EnterpriseProfile(models.Model):
    """An enterprise's or organisation's registration ("thông tin doanh nghiệp, tổ chức")."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enterprise_profile",
        verbose_name=_("tài khoản"),
    )
    tax_code = models.CharField(_("mã số thuế"), max_length=14, unique=True, validators=[validate_tax_code])
    name = models.CharField(_("tên doanh nghiệp, tổ chức"), max_length=300)
    legal_representative = models.CharField(_("người đại diện theo pháp luật"), max_length=200)
    representative_identity = models.CharField(
        _("số định danh của người đại diện"), max_length=12, validators=[validate_identity_number]
    )
    address_unit = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        limit_choices_to=_current_commune,
        related_name="+",
        verbose_name=_("xã, phường nơi đặt trụ sở"),
    )
    address_street = models.CharField(_("số nhà, đường, ấp/khu phố"), max_length=300)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("thông tin doanh nghiệp, tổ chức")
        verbose_name_plural = _("thông tin doanh nghiệp, tổ chức")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tax_code__regex=r"^[0-9]{10}(-[0-9]{3})?$"), name="accounts_enterprise_tax_code_form"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.tax_code})"


class ApiToken(models.Model):
    """A bearer token for the API ("mã truy cập"). Only its SHA-256 is stored: the token itself is
    shown once, when issued, so a copy of the database gives nobody access."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("tài khoản")
    )
    key_hash = models.CharField(_("mã băm SHA-256"), max_length=64, unique=True)
    created = models.DateTimeField(_("cấp lúc"), auto_now_add=True)
    expires = models.DateTimeField(_("hết hạn lúc"), db_index=True)
    last_used = models.DateTimeField(_("dùng gần nhất"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.user} – {self.key_hash[:8]}…"
