"""Delivery channels behind one interface, so a provider (an SMS gateway, Zalo OA) is one class."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage

from cqs.notify.models import Notification


class DeliveryError(Exception):
    """The channel could not deliver now; the worker retries."""


class Channel(Protocol):
    def deliver(self, notification: Notification) -> None: ...


class EmailChannel:
    """Django's mail backend: files in development, SMTP in production (EMAIL_* settings)."""

    def deliver(self, notification: Notification) -> None:
        from cqs.notify.services import attachment_content

        message = EmailMessage(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient],
        )
        for attachment in notification.attachments:
            content = attachment_content(attachment)
            message.attach(attachment["filename"], content, attachment.get("mimetype", "application/pdf"))
        try:
            message.send(fail_silently=False)
        except OSError as exc:
            raise DeliveryError(str(exc)) from exc


class NoSmsProvider:
    """No SMS provider is contracted yet: SMS notifications are kept, marked failed, and can be
    re-sent once a provider class is configured in CQS_SMS_CHANNEL."""

    def deliver(self, notification: Notification) -> None:
        raise DeliveryError("no SMS provider configured")


def channel_for(name: str) -> Channel:
    if name == "email":
        return EmailChannel()
    return NoSmsProvider()
