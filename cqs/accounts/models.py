"""User accounts: citizens, enterprises and officials all sign in as a `User`."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ENTERPRISE = "enterprise", _("Doanh nghiệp, tổ chức")
    OFFICIAL = "official", _("Cán bộ, công chức")


class User(AbstractUser):
    """A person or organisation that signs in ("người dùng").

    Officials' agencies and roles are `org.Membership` rows, not flags on the user.
    """

    kind = models.CharField(_("loại tài khoản"), max_length=20, choices=UserKind.choices, default=UserKind.CITIZEN)
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_official(self) -> bool:
        return self.kind == UserKind.OFFICIAL
