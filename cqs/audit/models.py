"""The append-only audit trail ("nhật ký kiểm tra")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Tạo mới")
    UPDATE = "update", _("Sửa")
    DELETE = "delete", _("Xoá")
    IMPORT = "import", _("Nhập dữ liệu")


class AuditEvent(models.Model):
    """Who changed what, when, with the state before and after.

    The table is created by its migration rather than by Django (managed = False) so that its
    append-only triggers are part of its definition, and so that the test runner's TRUNCATE
    between transactional tests leaves it alone instead of being refused by them.
    """

    occurred_at = models.DateTimeField(_("thời điểm"), db_default=models.functions.Now())
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    actor_label = models.CharField(_("tài khoản"), max_length=150, blank=True)
    action = models.CharField(_("hành động"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("loại đối tượng"), max_length=100)
    object_id = models.CharField(_("mã đối tượng"), max_length=100)
    object_repr = models.CharField(_("đối tượng"), max_length=300)
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField(_("sau"), null=True, blank=True)
    context = models.JSONField(_("ngữ cảnh"), default=dict, blank=True)

    class Meta:
        managed = False
        db_table = "audit_event"
        ordering = ["-id"]
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký thay đổi")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
