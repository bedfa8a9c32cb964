"""Notifications to citizens and officials ("thông báo"), delivered by the task queue."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")


class Notification(models.Model):
    """One message to one recipient. Written in the transaction of the change it announces, and
    delivered by a worker after commit, with retries."""

    channel = models.CharField(_("kênh"), max_length=10, choices=NotificationChannel.choices)
    recipient = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=300, blank=True)
    body = models.TextField(_("nội dung"))
    attachments = models.JSONField(_("tệp đính kèm"), default=list, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    topic = models.CharField(_("chủ đề"), max_length=100, blank=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}: {self.subject}"
