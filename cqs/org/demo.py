"""The demo organisation of Tây Ninh (province 80): provincial departments and every commune's
People's Committee with its one-stop desk. Agency codes follow QCVN 102's pattern; the province
suffix H53 and the numbering are samples, not the officially assigned identifiers."""

from __future__ import annotations

from django.db import transaction

from cqs.audit.models import AuditAction
from cqs.audit.services import audit_record
from cqs.org.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel

PROVINCE_SUFFIX = "H53"

PROVINCIAL_AGENCIES = [
    ("000.00.00.H53", "Ủy ban nhân dân tỉnh Tây Ninh", "People's Committee of Tây Ninh", AgencyKind.PEOPLES_COMMITTEE),
    (
        "000.01.00.H53",
        "Trung tâm Phục vụ hành chính công tỉnh Tây Ninh",
        "Provincial Public Administration Service Centre",
        AgencyKind.SERVICE_CENTRE,
    ),
    ("000.10.00.H53", "Sở Tư pháp", "Department of Justice", AgencyKind.DEPARTMENT),
    ("000.11.00.H53", "Sở Tài chính", "Department of Finance", AgencyKind.DEPARTMENT),
    (
        "000.12.00.H53",
        "Sở Nông nghiệp và Môi trường",
        "Department of Agriculture and Environment",
        AgencyKind.DEPARTMENT,
    ),
    ("000.13.00.H53", "Sở Xây dựng", "Department of Construction", AgencyKind.DEPARTMENT),
    ("000.14.00.H53", "Sở Giáo dục và Đào tạo", "Department of Education and Training", AgencyKind.DEPARTMENT),
    ("000.15.00.H53", "Sở Y tế", "Department of Health", AgencyKind.DEPARTMENT),
    ("000.16.00.H53", "Sở Nội vụ", "Department of Home Affairs", AgencyKind.DEPARTMENT),
    ("000.17.00.H53", "Sở Công Thương", "Department of Industry and Trade", AgencyKind.DEPARTMENT),
    (
        "000.18.00.H53",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Department of Culture, Sports and Tourism",
        AgencyKind.DEPARTMENT,
    ),
    ("000.19.00.H53", "Sở Khoa học và Công nghệ", "Department of Science and Technology", AgencyKind.DEPARTMENT),
]


def commune_agency_codes(ward_code: str) -> tuple[str, str]:
    """(People's Committee, one-stop desk) codes of a commune, derived from its 5-digit unit code."""
    number = int(ward_code)
    stem = f"{number // 100:03d}.{number % 100:02d}"
    return f"{stem}.00.{PROVINCE_SUFFIX}", f"{stem}.01.{PROVINCE_SUFFIX}"


@transaction.atomic
def demo_agencies_load(*, province_code: int) -> int:
    """Create the demo agencies (idempotent). Needs the administrative units loaded first."""
    province = AdministrativeUnit.objects.get(code=str(province_code), level=UnitLevel.PROVINCE)
    created = 0
    committee = None
    for code, name, name_en, kind in PROVINCIAL_AGENCIES:
        agency, was_created = Agency.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "kind": kind,
                "level": UnitLevel.PROVINCE,
                "unit": province,
                "parent": committee if kind != AgencyKind.PEOPLES_COMMITTEE else None,
            },
        )
        committee = committee or agency
        created += int(was_created)
    for unit in AdministrativeUnit.objects.filter(parent=province, level=UnitLevel.COMMUNE, is_current=True):
        committee_code, desk_code = commune_agency_codes(unit.code)
        commune_committee, was_created = Agency.objects.update_or_create(
            code=committee_code,
            defaults={
                "name": f"Ủy ban nhân dân {unit.name}",
                "name_en": f"People's Committee of {unit.name}",
                "kind": AgencyKind.PEOPLES_COMMITTEE,
                "level": UnitLevel.COMMUNE,
                "unit": unit,
            },
        )
        created += int(was_created)
        _desk, was_created = Agency.objects.update_or_create(
            code=desk_code,
            defaults={
                "name": f"Bộ phận Một cửa {unit.name}",
                "name_en": f"One-stop desk of {unit.name}",
                "kind": AgencyKind.ONE_STOP_DESK,
                "level": UnitLevel.COMMUNE,
                "unit": unit,
                "parent": commune_committee,
            },
        )
        created += int(was_created)
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        object_type="org.agency",
        object_id="demo",
        object_repr="Demo organisation",
        after={"created": created},
    )
    return created
