"""Demo data: the organisation, one account per persona, the demo catalogue, a calendar override.

Only loaded in demo mode (`CQS_DEMO=1`): a production database never gets these accounts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from django.conf import settings
from django.db import transaction

from cqs.accounts.models import User, UserKind
from cqs.calendar.models import CalendarOverride
from cqs.catalog.services import ImportReport, catalog_import
from cqs.core.errors import DomainError
from cqs.org.demo import commune_agency_codes, demo_agencies_load
from cqs.org.models import Agency, Membership, Role
from cqs.org.services import units_load

DEMO_PASSWORD = "ChinhQuyenSo@2026"  # noqa: S105 - printed on purpose: demo mode only
PILOT_COMMUNE = "27712"  # Phường Tân An, one of the plan's pilot units


@dataclass(frozen=True)
class Persona:
    username: str
    full_name: str
    kind: str
    description: str
    agency: str | None = None  # agency code, or "commune"/"commune_desk" for the pilot commune's
    role: str | None = None


def _personas() -> list[Persona]:
    return [
        Persona("congdan", "Nguyễn Thị Hồng Nhung", UserKind.CITIZEN, "Công dân / citizen"),
        Persona("doanhnghiep", "Công ty TNHH Nông sản Vàm Cỏ", UserKind.ENTERPRISE, "Doanh nghiệp / enterprise"),
        Persona(
            "tiepnhan.xa",
            "Trần Văn Bình",
            UserKind.OFFICIAL,
            "Tiếp nhận – phường / commune reception officer",
            "commune_desk",
            Role.RECEPTION,
        ),
        Persona(
            "chuyenvien.xa",
            "Lê Thị Cúc",
            UserKind.OFFICIAL,
            "Chuyên viên – phường / commune specialist",
            "commune",
            Role.SPECIALIST,
        ),
        Persona(
            "lanhdao.xa",
            "Phạm Quốc Dũng",
            UserKind.OFFICIAL,
            "Lãnh đạo – phường / commune leader",
            "commune",
            Role.LEADER,
        ),
        Persona(
            "tiepnhan.so",
            "Võ Thị Én",
            UserKind.OFFICIAL,
            "Tiếp nhận – Sở Tư pháp / department reception officer",
            "000.10.00.H53",
            Role.RECEPTION,
        ),
        Persona(
            "chuyenvien.so",
            "Đặng Minh Phúc",
            UserKind.OFFICIAL,
            "Chuyên viên – Sở Tư pháp / department specialist",
            "000.10.00.H53",
            Role.SPECIALIST,
        ),
        Persona(
            "lanhdao.so",
            "Huỳnh Thanh Giang",
            UserKind.OFFICIAL,
            "Lãnh đạo – Sở Tư pháp / department leader",
            "000.10.00.H53",
            Role.LEADER,
        ),
        Persona(
            "quantri.coquan",
            "Ngô Văn Hải",
            UserKind.OFFICIAL,
            "Quản trị cơ quan – phường / agency administrator",
            "commune",
            Role.AGENCY_ADMIN,
        ),
        Persona(
            "congbo.dulieu",
            "Bùi Thị Kim",
            UserKind.OFFICIAL,
            "Công bố dữ liệu mở / open-data publisher",
            "000.19.00.H53",
            Role.PUBLISHER,
        ),
        Persona(
            "quantri.hethong",
            "Đỗ Văn Long",
            UserKind.OFFICIAL,
            "Quản trị hệ thống / system administrator",
            "000.19.00.H53",
            Role.SYSTEM_ADMIN,
        ),
    ]


def personas() -> list[Persona]:
    return _personas()


def demo_catalog_document() -> dict:
    path = resources.files("cqs.catalog") / "demo" / "catalog.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _agency_for(persona: Persona) -> Agency | None:
    if persona.agency is None:
        return None
    committee, desk = commune_agency_codes(PILOT_COMMUNE)
    code = {"commune": committee, "commune_desk": desk}.get(persona.agency, persona.agency)
    return Agency.objects.get(code=code)


def demo_load() -> ImportReport:
    """Load (or refresh) the demo data. Idempotent. Refused outside demo mode."""
    if not settings.DEMO_MODE:
        raise DomainError("Demo data is only loaded in demo mode (CQS_DEMO=1).", code="not_demo_mode")
    with transaction.atomic():
        units_load(province_code=settings.CQS_PROVINCE_CODE)
        demo_agencies_load(province_code=settings.CQS_PROVINCE_CODE)
        for persona in _personas():
            user = User.objects.filter(username=persona.username).first()
            if user is None:
                user = User(
                    username=persona.username,
                    full_name=persona.full_name,
                    kind=persona.kind,
                    email=f"{persona.username}@demo.chinhquyenso.local",
                )
                user.set_password(DEMO_PASSWORD)
                # Officials with administration roles use the Django admin.
                user.is_staff = persona.role in (Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN)
                user.save()
            agency = _agency_for(persona)
            if agency is not None and persona.role:
                Membership.objects.get_or_create(user=user, agency=agency, role=persona.role)
        from cqs.accounts.demo import demo_profiles_load

        demo_profiles_load()
        CalendarOverride.objects.get_or_create(
            day="2025-02-08",
            defaults={
                "working": True,
                "reason": "Làm bù cho ngày nghỉ Tết Ất Tỵ 31/01/2025",
                "source_document": "Thông báo 6150/TB-BLĐTBXH ngày 12/11/2024",
            },
        )
        return catalog_import(actor=None, document=demo_catalog_document())
