import json

import pytest

from cqs.accounts.tests.factories import PASSWORD, citizen_payload, register


@pytest.fixture
def mai(org):
    return register(citizen_payload())


def sign_in_page(client, username, password, next=None, **meta):
    data = {"username": username, "password": password} | ({"next": next} if next else {})
    return client.post("/tai-khoan/dang-nhap/", data, **meta)


def token(client, username, password):
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


@pytest.mark.parametrize("identifier", ["Tran.Thi.Mai@example.vn", "0987654321", "+84 987 654 321"])
def test_citizen_signs_in_with_email_or_phone(client, mai, identifier):
    response = sign_in_page(client, identifier, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/tai-khoan/").context["account"] == mai


def test_officials_sign_in_with_their_username_and_start_at_their_worklist(client, personas):
    response = sign_in_page(client, "tiepnhan", "Mat-khau-that-dai-2026")
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/"


def test_sign_in_goes_back_to_a_safe_next(client, mai):
    response = sign_in_page(client, mai.email, PASSWORD, next="/thu-tuc/?q=khai+sinh")
    assert response["Location"] == "/thu-tuc/?q=khai+sinh"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_sign_in_ignores_a_next_to_another_site(client, mai, target):
    response = sign_in_page(client, mai.email, PASSWORD, next=target)
    assert response["Location"] == "/"


def test_wrong_password_is_refused_with_a_vietnamese_message(client, mai):
    response = sign_in_page(client, mai.email, "wrong-password-1")
    assert response.status_code == 401
    assert "Thông tin đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_inactive_account_cannot_sign_in(client, mai):
    mai.is_active = False
    mai.save()
    assert sign_in_page(client, mai.email, PASSWORD).status_code == 401
    assert token(client, mai.email, PASSWORD).status_code == 401


def test_sign_in_page_is_locked_after_five_failures_even_for_the_right_password(client, mai):
    for _attempt in range(4):
        assert sign_in_page(client, mai.email, "wrong-password-1").status_code == 401
    fifth = sign_in_page(client, mai.email, "wrong-password-1")
    assert fifth.status_code == 429
    sixth = sign_in_page(client, mai.email, PASSWORD)
    assert sixth.status_code == 429
    html = sixth.content.decode()
    assert "quá nhiều lần" in html and "15 phút" in html
    assert not sixth.wsgi_request.user.is_authenticated


def test_failures_by_email_and_by_phone_count_together(client, mai):
    for identifier in ["tran.thi.mai@example.vn", "0987654321", "+84987654321", "tran.thi.mai@example.vn"]:
        assert sign_in_page(client, identifier, "wrong-password-1").status_code == 401
    assert sign_in_page(client, "0987654321", "wrong-password-1").status_code == 429
    assert sign_in_page(client, mai.username, PASSWORD).status_code == 429


def test_api_token_endpoint_is_locked_after_five_failures(client, mai):
    for _attempt in range(4):
        response = token(client, "0987654321", "wrong-password-1")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_credentials"
    assert token(client, "0987654321", "wrong-password-1").status_code == 429
    sixth = token(client, "0987654321", PASSWORD)
    assert sixth.status_code == 429
    error = sixth.json()["error"]
    assert error["code"] == "rate_limited"
    assert "quá nhiều lần" in error["message"]
    assert error["details"]["retry_after"] == 15 * 60


def test_a_lockout_is_per_account_and_address(client, mai, personas):
    for _attempt in range(5):
        sign_in_page(client, mai.email, "wrong-password-1")
    assert sign_in_page(client, "tiepnhan", "Mat-khau-that-dai-2026").status_code == 302
    assert sign_in_page(client, mai.email, PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_success_before_the_limit_forgets_earlier_failures(client, mai):
    for _attempt in range(4):
        token(client, mai.email, "wrong-password-1")
    assert token(client, mai.email, PASSWORD).status_code == 200
    for _attempt in range(4):
        assert token(client, mai.email, "wrong-password-1").status_code == 401


def test_sign_out_needs_a_post(client, mai):
    client.force_login(mai)
    page = client.get("/tai-khoan/dang-xuat/")
    assert page.status_code == 200
    assert client.get("/tai-khoan/").status_code == 200
    client.post("/tai-khoan/dang-xuat/")
    response = client.get("/tai-khoan/")
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/dang-nhap/?next=")


def test_navigation_shows_account_links_by_sign_in_state(client, mai):
    html = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert "Đăng ký" in html and "Hồ sơ của tôi" not in html
    client.force_login(mai)
    html = client.get("/tai-khoan/").content.decode()
    assert 'href="/ho-so/"' in html and "Đăng xuất" in html


def test_lockout_answer_for_other_sign_in_forms_is_vietnamese(rf, db):
    from cqs.accounts.identity import lockout_response

    page = lockout_response(rf.post("/admin/login/"))
    assert page.status_code == 429
    assert "quá nhiều lần" in page.content.decode()
    api = lockout_response(rf.post("/api/v1/auth/token"))
    assert api.status_code == 429
    assert json.loads(api.content)["error"]["code"] == "rate_limited"
