"""Delivery jobs run by the procrastinate worker."""

from __future__ import annotations

import logging

from django.db import close_old_connections, transaction
from django.utils import timezone
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from cqs.notify.channels import DeliveryError, channel_for
from cqs.notify.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


@app.task(
    queue="notify",
    retry=RetryStrategy(max_attempts=MAX_ATTEMPTS, exponential_wait=5, retry_exceptions={DeliveryError}),
    pass_context=False,
)
def deliver_notification(notification_id: int) -> None:
    """Deliver one notification; a DeliveryError is retried with exponential back-off."""
    # Jobs run on the worker's threads: treat each like a request for connection hygiene.
    close_old_connections()
    try:
        _deliver(notification_id)
    finally:
        close_old_connections()


def _deliver(notification_id: int) -> None:
    failure: DeliveryError | None = None
    with transaction.atomic():
        notification = Notification.objects.select_for_update(skip_locked=True).filter(pk=notification_id).first()
        if notification is None or notification.status == NotificationStatus.SENT:
            return
        notification.attempts += 1
        try:
            channel_for(notification.channel).deliver(notification)
        except DeliveryError as exc:
            failure = exc
            notification.last_error = str(exc)[:500]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = NotificationStatus.FAILED
        else:
            notification.status = NotificationStatus.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    if failure is not None:
        # Log the notification id only: recipients are personal data.
        logger.warning("notification %s not delivered (attempt %s)", notification_id, notification.attempts)
        if notification.status != NotificationStatus.FAILED:
            raise failure
