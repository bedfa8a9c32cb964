import pytest
from django.core import mail
from django.db import transaction

from cqs.notify.models import Notification, NotificationStatus
from cqs.notify.services import email_queue, sms_queue
from cqs.notify.worker import drain


@pytest.mark.django_db(transaction=True)
def test_an_email_is_delivered_by_the_worker_after_commit(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with transaction.atomic():
        notification = email_queue(to="nhung@example.com", subject="Hồ sơ đã được tiếp nhận", body="Kính gửi ...")
    assert mail.outbox == []  # nothing is sent inside the request
    drain()
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and notification.attempts == 1
    assert mail.outbox[0].subject == "Hồ sơ đã được tiếp nhận" and mail.outbox[0].to == ["nhung@example.com"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_announces_nothing(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with pytest.raises(RuntimeError), transaction.atomic():
        email_queue(to="nhung@example.com", subject="x", body="y")
        raise RuntimeError("the use case failed")
    drain()
    assert Notification.objects.count() == 0 and mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_channel_is_retried_and_the_error_kept():
    with transaction.atomic():
        notification = sms_queue(to="0912345678", body="Hồ sơ của bạn đã có kết quả")
    drain()
    notification.refresh_from_db()
    # No SMS provider yet: the first attempt fails and a retry is scheduled with back-off.
    assert notification.status == NotificationStatus.QUEUED
    assert notification.attempts == 1 and "no SMS provider" in notification.last_error
