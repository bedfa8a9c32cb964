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
    assert answer.headers["X-Frame-Options"] == "DENY"  # it also answers with PDFs
    assert answer.headers["Content-Language"] == "vi"  # the language still chosen for it
    assert answer.headers["X-Content-Type-Options"] == "nosniff"  # Django's security headers kept
    assert not hasattr(answer.wsgi_request, "_messages")  # no flash-message storage made for it


def test_the_api_refuses_a_host_it_does_not_serve(client):
    assert client.get("/api/v1/procedures", headers={"host": "evil.example.com"}).status_code == 400
    assert client.get("/tai-khoan/dang-nhap/", headers={"host": "evil.example.com"}).status_code == 400


def test_the_api_documentation_is_a_page(client):
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert hasattr(docs.wsgi_request, "_messages")  # the page middleware ran for it


def test_django_still_finds_the_middleware_its_apps_need():
    assert "cqs.core.middleware.PagesOnlyMessageMiddleware" in settings.MIDDLEWARE
    assert not [m for m in run_checks() if m.id.startswith("admin.")]
