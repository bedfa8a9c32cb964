import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from cqs.accounts.models import User
from cqs.accounts.tests.factories import PASSWORD, citizen_payload, register
from cqs.notify.models import Notification, NotificationChannel


@pytest.fixture
def mai(org):
    return register(citizen_payload())


def link_in(notification: Notification) -> str:
    """The path of the link a queued e-mail carries."""
    match = re.search(r"https?://[^/\s]+(/\S+)", notification.body)
    assert match, notification.body
    return match.group(1)


def last_mail(topic: str) -> Notification:
    return Notification.objects.filter(topic=topic).latest("id")


# --- E-mail verification ------------------------------------------------------------------------
def test_registration_queues_a_verification_email(mai):
    mail = last_mail("account.verify")
    assert mail.channel == NotificationChannel.EMAIL
    assert mail.recipient == "tran.thi.mai@example.vn"
    assert "/tai-khoan/xac-thuc/" in mail.body


def test_verification_link_works_once(client, mai):
    path = link_in(last_mail("account.verify"))
    first = client.get(path)
    assert first.status_code == 200
    assert "đã được xác thực" in first.content.decode()
    mai.refresh_from_db()
    assert mai.email_verified
    second = client.get(path)
    assert second.status_code == 400
    assert "đã được sử dụng" in second.content.decode()


def test_tampered_verification_link_is_refused(client, mai):
    path = link_in(last_mail("account.verify"))
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    response = client.get(f"/tai-khoan/xac-thuc/{tampered}/")
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()
    mai.refresh_from_db()
    assert not mai.email_verified


def test_expired_verification_link_is_refused(client, mai):
    path = link_in(last_mail("account.verify"))
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, minutes=1)):
        response = client.get(path)
    assert response.status_code == 400
    assert "hết hạn" in response.content.decode()
    mai.refresh_from_db()
    assert not mai.email_verified


def test_link_for_an_old_address_does_not_verify_the_new_one(client, mai):
    from cqs.accounts.services import account_update

    old_link = link_in(last_mail("account.verify"))
    account_update(actor=mai, user=mai, email="mai.moi@example.vn")
    assert client.get(old_link).status_code == 400
    new_mail = last_mail("account.verify")
    assert new_mail.recipient == "mai.moi@example.vn"
    assert client.get(link_in(new_mail)).status_code == 200
    mai.refresh_from_db()
    assert mai.email_verified and mai.email == "mai.moi@example.vn"


def test_verification_email_can_be_sent_again_from_the_account_page(client, mai):
    client.force_login(mai)
    assert "Chưa xác thực" in client.get("/tai-khoan/").content.decode()
    client.post("/tai-khoan/gui-lai-xac-thuc/")
    assert Notification.objects.filter(topic="account.verify").count() == 2


def test_changing_the_phone_number_clears_its_verification(mai):
    from cqs.accounts.services import account_update

    User.objects.filter(pk=mai.pk).update(phone_verified=True)
    mai.refresh_from_db()
    account_update(actor=mai, user=mai, phone="+84 901 234 567")
    mai.refresh_from_db()
    assert mai.phone == "0901234567"
    assert not mai.phone_verified


# --- Password reset -----------------------------------------------------------------------------
def test_password_reset_end_to_end(client, mai):
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "TRAN.THI.MAI@example.vn"})
    assert response.status_code == 302
    mail = last_mail("account.password_reset")
    assert mail.recipient == "tran.thi.mai@example.vn"
    path = link_in(mail)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    set_password_url = form_page.redirect_chain[-1][0]
    new_password = "Cay-da-dau-lang-2027"
    done = client.post(set_password_url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert done["Location"] == "/tai-khoan/dat-lai-mat-khau/xong/"
    mai.refresh_from_db()
    assert mai.check_password(new_password)
    signed_in = client.post("/tai-khoan/dang-nhap/", {"username": "0987654321", "password": new_password})
    assert signed_in.status_code == 302
    # The link was used: it does not work again.
    client.post("/tai-khoan/dang-xuat/")
    again = client.get(path, follow=True)
    assert not again.context["validlink"]


def test_reset_page_answers_the_same_for_unknown_addresses(client, mai):
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "ai.do@example.vn"})
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/quen-mat-khau/da-gui/"
    assert not Notification.objects.filter(topic="account.password_reset").exists()


def test_reset_refuses_a_weak_password(client, mai):
    client.post("/tai-khoan/quen-mat-khau/", {"email": mai.email})
    form_page = client.get(link_in(last_mail("account.password_reset")), follow=True)
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": "12345", "new_password2": "12345"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    mai.refresh_from_db()
    assert mai.check_password(PASSWORD)


def test_password_is_changed_on_the_account_page(client, mai):
    client.force_login(mai)
    new_password = "Cay-da-dau-lang-2027"
    wrong = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": "not-it", "new_password1": new_password, "new_password2": new_password},
    )
    assert wrong.status_code == 400
    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    # Still signed in on this device.
    assert client.get("/tai-khoan/").status_code == 200
    mai.refresh_from_db()
    assert mai.check_password(new_password)
