"""Queueing notifications. Callers run inside their use case's transaction: the notification row
and its delivery job are written with the change and become visible only when it commits, so a
rolled-back change never announces itself, and a committed one is always announced."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from cqs.notify.models import Notification, NotificationChannel


def email_queue(
    *, to: str, subject: str, body: str, topic: str = "", attachments: Iterable[dict[str, Any]] = ()
) -> Notification | None:
    """Queue one e-mail. `attachments` are descriptors resolved at delivery time, e.g.
    `{"kind": "receipt", "dossier": "<uuid>", "filename": "...pdf"}`. Returns None without an address."""
    if not to:
        return None
    return _queue(NotificationChannel.EMAIL, to, subject, body, topic, list(attachments))


def sms_queue(*, to: str, body: str, topic: str = "") -> Notification | None:
    if not to:
        return None
    return _queue(NotificationChannel.SMS, to, "", body, topic, [])


def _queue(channel: str, to: str, subject: str, body: str, topic: str, attachments: list) -> Notification:
    from cqs.notify.tasks import deliver_notification

    # The caller's transaction if there is one, without a savepoint: no caller goes on after a
    # failed queueing, and the savepoint would cost two statements on every announced step.
    with transaction.atomic(savepoint=False):
        notification = Notification.objects.create(
            channel=channel, recipient=to, subject=subject[:300], body=body, topic=topic, attachments=attachments
        )
        # Deferred through Django's own connection: the job commits (or not) with the caller.
        deliver_notification.defer(notification_id=notification.pk)
    return notification


_ATTACHMENT_RESOLVERS: dict[str, Any] = {}


def register_attachment_resolver(kind: str, resolver: Any) -> None:
    """Contexts register how to rebuild an attachment (e.g. dossiers: the receipt PDF)."""
    _ATTACHMENT_RESOLVERS[kind] = resolver


def attachment_content(descriptor: dict[str, Any]) -> bytes:
    return _ATTACHMENT_RESOLVERS[descriptor["kind"]](descriptor)
