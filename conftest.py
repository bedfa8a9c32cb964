"""Shared personas for every test: built with the real models on the real database."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from cqs.accounts.models import User, UserKind
from cqs.core.web_server import free_port, wait_healthy, web_server_command
from cqs.org.models import AdministrativeUnit, Agency, AgencyKind, Membership, Role, UnitLevel


@dataclass
class Org:
    province: AdministrativeUnit
    commune_a: AdministrativeUnit
    commune_b: AdministrativeUnit
    committee_a: Agency
    desk_a: Agency
    committee_b: Agency
    justice: Agency
    finance: Agency


@dataclass
class Personas:
    citizen: User
    enterprise: User
    reception: User
    specialist: User
    leader: User
    agency_admin: User
    other_admin: User
    dept_specialist: User
    system_admin: User


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in Vietnamese: a request with Accept-Language: en leaves English active
    in the thread, which would leak into the next test now that the catalogue translates it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def make_user(username: str, kind: str = UserKind.OFFICIAL, **extra: object) -> User:
    user = User(username=username, kind=kind, full_name=extra.pop("full_name", username.title()), **extra)
    user.set_password("Mat-khau-that-dai-2026")
    user.save()
    return user


@pytest.fixture
def org(db) -> Org:
    province = AdministrativeUnit.objects.create(code="80", name="Tây Ninh", level=UnitLevel.PROVINCE)
    commune_a = AdministrativeUnit.objects.create(
        code="27712", name="Phường Tân An", level=UnitLevel.COMMUNE, parent=province
    )
    commune_b = AdministrativeUnit.objects.create(
        code="28159", name="Xã Cần Giuộc", level=UnitLevel.COMMUNE, parent=province
    )
    committee_a = Agency.objects.create(
        code="277.12.00.H53",
        name="UBND Phường Tân An",
        kind=AgencyKind.PEOPLES_COMMITTEE,
        level=UnitLevel.COMMUNE,
        unit=commune_a,
    )
    desk_a = Agency.objects.create(
        code="277.12.01.H53",
        name="Bộ phận Một cửa Phường Tân An",
        kind=AgencyKind.ONE_STOP_DESK,
        level=UnitLevel.COMMUNE,
        unit=commune_a,
        parent=committee_a,
    )
    committee_b = Agency.objects.create(
        code="281.59.00.H53",
        name="UBND Xã Cần Giuộc",
        kind=AgencyKind.PEOPLES_COMMITTEE,
        level=UnitLevel.COMMUNE,
        unit=commune_b,
    )
    justice = Agency.objects.create(
        code="000.10.00.H53", name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT, level=UnitLevel.PROVINCE, unit=province
    )
    finance = Agency.objects.create(
        code="000.11.00.H53", name="Sở Tài chính", kind=AgencyKind.DEPARTMENT, level=UnitLevel.PROVINCE, unit=province
    )
    return Org(province, commune_a, commune_b, committee_a, desk_a, committee_b, justice, finance)


@pytest.fixture
def personas(org: Org) -> Personas:
    def official(username: str, agency: Agency, role: str, **extra: object) -> User:
        user = make_user(username, **extra)
        Membership.objects.create(user=user, agency=agency, role=role)
        return user

    return Personas(
        citizen=make_user("congdan", UserKind.CITIZEN, full_name="Nguyễn Thị Hồng Nhung", email="nhung@example.com"),
        enterprise=make_user("doanhnghiep", UserKind.ENTERPRISE),
        reception=official("tiepnhan", org.desk_a, Role.RECEPTION),
        specialist=official("chuyenvien", org.committee_a, Role.SPECIALIST),
        leader=official("lanhdao", org.committee_a, Role.LEADER),
        agency_admin=official("quantri.a", org.committee_a, Role.AGENCY_ADMIN, is_staff=True),
        other_admin=official("quantri.b", org.committee_b, Role.AGENCY_ADMIN, is_staff=True),
        dept_specialist=official("chuyenvien.so", org.justice, Role.SPECIALIST),
        system_admin=official("quantri.hethong", org.finance, Role.SYSTEM_ADMIN, is_staff=True),
    )


# --- Browser tests: Debian's chromium driven by Playwright ------------------------------------
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """A fresh browser context per actor, at a phone-sized viewport by default."""
    contexts = []

    def make(width: int = 360, height: int = 740, locale: str = "vi-VN"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True, scope="session")
def _private_media_root(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Stored files of a test run live in their own folder: never the development data, and never
    another concurrent run's (tests that assert "no orphan file" look at the whole folder)."""
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


def _test_database_url() -> str:
    """The URL of the database this test runs on, for a server process of its own."""
    params = connection.get_connection_params()  # psycopg's view: a socket directory lands in "host"
    user = quote(params.get("user") or "", safe="")
    password = f":{quote(params['password'], safe='')}" if params.get("password") else ""
    host = quote(str(params.get("host") or ""), safe="")
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgresql://{user}{password}@{host}{port}/{quote(params['dbname'], safe='')}"


@pytest.fixture
def web_server(transactional_db):
    """The production web server (`cqs.core.web_server`, as `cqs run` starts it) in a process of
    its own on the test database; yields its address. Data must be committed to be seen by it."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "CQS_SITE_URL": f"http://127.0.0.1:{port}"}
    command = web_server_command(host="127.0.0.1", port=port, workers=1, threads=2)
    process = subprocess.Popen(command, env=env)  # noqa: S603 - our own command line
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_healthy(base, process), "the web server exited or did not answer /healthz"
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
