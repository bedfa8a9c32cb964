import datetime as dt
import hashlib

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from cqs.accounts.models import ApiToken
from cqs.accounts.tests.factories import PASSWORD, citizen_payload, register


@pytest.fixture
def mai(org):
    return register(citizen_payload())


def issue(client, username, password=PASSWORD):
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


def me(client, token):
    return client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_token_is_issued_and_opens_me(client, mai):
    response = issue(client, "tran.thi.mai@example.vn")
    assert response.status_code == 200
    body = response.json()
    expires = dt.datetime.fromisoformat(body["expires"])
    assert dt.timedelta(hours=11, minutes=59) < expires - timezone.now() <= dt.timedelta(hours=12)
    profile = me(client, body["token"])
    assert profile.status_code == 200
    assert profile.json()["email"] == "tran.thi.mai@example.vn"
    assert profile.json()["profile"]["identity_number"] == "079300001234"


def test_only_the_tokens_hash_is_stored(client, mai):
    token = issue(client, "0987654321").json()["token"]
    record = ApiToken.objects.get(user=mai)
    assert record.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ApiToken.objects.values()))


def test_token_use_is_noted(client, mai):
    token = issue(client, "0987654321").json()["token"]
    me(client, token)
    assert ApiToken.objects.get().last_used is not None


def test_officials_get_tokens_the_same_way(client, personas):
    response = issue(client, "tiepnhan", "Mat-khau-that-dai-2026")
    assert response.status_code == 200
    assert me(client, response.json()["token"]).json()["kind"] == "official"


def test_bad_credentials_get_401_json(client, mai):
    response = issue(client, "tran.thi.mai@example.vn", "wrong-password-1")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert issue(client, "nobody@example.vn").status_code == 401


@override_settings(CQS_API_TOKEN_HOURS=2)
def test_token_lifetime_is_a_setting(client, mai):
    expires = dt.datetime.fromisoformat(issue(client, mai.email).json()["expires"])
    assert expires - timezone.now() <= dt.timedelta(hours=2)


def test_expired_token_is_refused(client, mai):
    token = issue(client, mai.email).json()["token"]
    with time_machine.travel(timezone.now() + dt.timedelta(hours=12, seconds=1)):
        response = me(client, token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_tampered_token_is_refused(client, mai):
    token = issue(client, mai.email).json()["token"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert me(client, tampered).status_code == 401
    assert me(client, "not-even-ours").status_code == 401


def test_token_of_an_inactive_account_is_refused(client, mai):
    token = issue(client, mai.email).json()["token"]
    mai.is_active = False
    mai.save()
    assert me(client, token).status_code == 401


def test_revoked_token_is_refused(client, mai):
    token = issue(client, mai.email).json()["token"]
    response = client.delete("/api/v1/auth/token", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 204
    assert me(client, token).status_code == 401


def test_changing_the_password_revokes_tokens(client, mai):
    from cqs.accounts.services import password_change

    token = issue(client, mai.email).json()["token"]
    password_change(actor=mai, user=mai, new_password="Mot-mat-khau-moi-2027")
    assert me(client, token).status_code == 401


def test_me_needs_authentication(client, db):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_session_opens_me(client, mai):
    client.force_login(mai)
    assert client.get("/api/v1/auth/me").json()["id"] == mai.pk


def test_session_post_without_csrf_token_is_refused(mai):
    client = Client(enforce_csrf_checks=True)
    client.force_login(mai)
    response = client.post("/api/v1/auth/me/verification-email")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    response = client.patch("/api/v1/auth/me", {"address_street": "Số 9"}, content_type="application/json")
    assert response.status_code == 403


def test_session_post_with_csrf_token_is_accepted(mai):
    client = Client(enforce_csrf_checks=True)
    client.force_login(mai)
    client.get("/tai-khoan/")  # the page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post("/api/v1/auth/me/verification-email", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 202


def test_bearer_post_needs_no_csrf_token(mai):
    client = Client(enforce_csrf_checks=True)
    token = issue(client, mai.email).json()["token"]
    response = client.post("/api/v1/auth/me/verification-email", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 202


def test_token_endpoint_needs_no_csrf_token(mai):
    assert issue(Client(enforce_csrf_checks=True), mai.email).status_code == 200


def test_profile_is_changed_through_the_api(client, mai):
    token = issue(client, mai.email).json()["token"]
    response = client.patch(
        "/api/v1/auth/me",
        {"address_unit": "28159", "address_street": "Ấp 3"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    assert response.json()["profile"]["address_unit_name"] == "Xã Cần Giuộc"
    assert response.json()["profile"]["identity_number"] == "079300001234"
    bad = client.patch(
        "/api/v1/auth/me",
        {"identity_number": "079399001234", "phone": "12"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert bad.status_code == 400
    assert {d["field"] for d in bad.json()["error"]["details"]} == {"identity_number", "phone"}


def test_optional_auth_lets_anonymous_requests_through(rf, db):
    from django.contrib.auth.models import AnonymousUser

    from cqs.accounts.auth import api_auth_optional

    request = rf.get("/api/v1/anything")
    request.user = AnonymousUser()
    results = [auth(request) for auth in api_auth_optional]
    assert results[:2] == [None, None]
    assert results[2].is_anonymous


def test_openapi_documents_the_auth_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/auth/token", "/api/v1/auth/register", "/api/v1/auth/me"} <= set(paths)
