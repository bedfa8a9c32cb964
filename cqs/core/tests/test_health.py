import os
import subprocess
import sys

from django.conf import settings


def test_healthz_reports_database_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    # A real process pointed at a port where no server listens.
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:9/nowhere",
        "CQS_DATA_DIR": str(tmp_path),
        "CQS_DEVELOPMENT": "1",
        "DJANGO_SETTINGS_MODULE": "cqs.settings",
    }
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, cwd=settings.BASE_DIR
    )
    assert out.stdout.startswith("503"), out.stderr[-2000:]
    assert '"database": "unreachable"' in out.stdout


def test_api_documents_itself(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in [
        "/api/v1/procedures",
        "/api/v1/procedures/{code}",
        "/api/v1/units",
        "/api/v1/agencies",
        "/api/v1/calendar/deadline",
        "/api/v1/calendar/days",
    ]:
        assert path in spec["paths"], path
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    # Swagger UI from the platform's own static files, not a CDN: the docs work offline.
    page = docs.content.decode()
    assert "cdn.jsdelivr.net" not in page and "/static/ninja/swagger-ui-bundle.js" in page
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_the_portal_speaks_vietnamese_first_and_english_on_request(client, db):
    page = client.get("/thu-tuc/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="vi"' in page.content.decode() and "Thủ tục hành chính" in page.content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/thu-tuc/").content.decode()
    assert 'lang="en"' in english and "Administrative procedures" in english


def test_favicon_ico_leads_to_the_sites_icon(client, db):
    answer = client.get("/favicon.ico")

    assert answer.status_code == 301
    assert answer["Location"].endswith("favicon.svg")
    assert client.get(answer["Location"]).status_code == 200
