"""Page-only middleware stays off the JSON API and keeps doing its work for the pages."""

import pytest
from django.conf import settings
from django.core.checks import run_checks

pytestmark = pytest.mark.django_db


def test_pages_are_refused_to_frames_and_get_their_trailing_slash(client):
    page = client.get("/tai-khoan/dang-nhap/")
    assert page.status_code == 200
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Content-Language"] == "vi"
    redirected = client.get("/tai-khoan/dang-nhap")
    assert redirected.status_code == 301 and redirected.headers["Location"] == "/tai-khoan/dang-nhap/"


def test_the_api_skips_the_page_middleware_but_keeps_the_rest(client):
    answer = client.get("/api/v1/procedures")
    assert answer.status_code == 200
    assert "X-Frame-Options" not in answer.headers  # a JSON answer is not a page to frame
    assert answer.headers["Content-Language"] == "vi"  # the language still chosen for it
    assert answer.headers["X-Content-Type-Options"] == "nosniff"  # Django's security headers kept
    assert not hasattr(answer.wsgi_request, "_messages")  # no flash-message storage made for it


def test_the_api_documentation_is_a_page_and_refuses_frames(client):
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert docs.headers["X-Frame-Options"] == "DENY"


def test_django_still_finds_the_middleware_its_apps_need():
    assert "cqs.core.middleware.PagesOnlyMessageMiddleware" in settings.MIDDLEWARE
    assert not [m for m in run_checks() if m.id.startswith("admin.")]
