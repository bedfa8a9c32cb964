"""The synthetic province ("tỉnh mô phỏng"): years of a province's dossiers, deterministic for a seed.

Set-up goes through the platform's own loaders and services (administrative units, agencies,
the demo catalogue, officials and their roles, the result file). The bulk — citizens, enterprises,
dossiers, their steps, supplement requests and full history — is simulated here: each dossier
walks the lifecycle as the services in `cqs.dossiers.services` would move it (same transitions,
same fields written, same calendar arithmetic, same event rows), its timeline is cut at the
horizon (so recent dossiers are still open), and the rows are written with PostgreSQL `COPY`.
`cqs.synthetic.checks` verifies that the result is data the services could have produced.

Shapes: procedure popularity follows Zipf's law; the online share rises over the years (a
logistic curve); volume grows by year and peaks in the weeks before Tết; counters are busy on
working days only; most dossiers finish on time, a few late; some are refused, withdrawn,
sent back for supplements (a few twice), transferred to another agency ("liên thông"), pay
fees during processing, and rate the service.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cqs.synthetic import copier
from cqs.synthetic.calendar import DAY, MinuteCalendar

REFORM_DAY = dt.date(2025, 7, 1)  # districts abolished, two-level local government
RESULT_NAME = "ket-qua-giai-quyet.pdf"
# First day of Tết (lunar new year): the weeks before it are the year's peak.
TET = {
    2015: dt.date(2015, 2, 19), 2016: dt.date(2016, 2, 8), 2017: dt.date(2017, 1, 28), 2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5), 2020: dt.date(2020, 1, 25), 2021: dt.date(2021, 2, 12), 2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6), 2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13), 2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
}  # fmt: skip

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]  # fmt: skip
FAMILY_WEIGHTS = [38, 11, 9.5, 7, 5, 5, 4.5, 3.9, 3, 2.1, 2, 1.4, 1.3, 1.3, 1, 0.5]
FAMILY_CUM = list(itertools.accumulate(FAMILY_WEIGHTS))
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Hoàng", "Kim", "Đức", "Hồng", "Thị Ngọc",
          "Văn Minh", "Thị Thu"]  # fmt: skip
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương", "Khánh", "Lan", "Linh",
         "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Nhung", "Phong", "Phúc", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo",
         "Thắng", "Trang", "Trung", "Tuấn", "Vy", "Yến", "Đạt", "Hiếu", "Lộc", "Tài", "Thủy", "Vân"]  # fmt: skip
STREETS = ["Đường 30 Tháng 4", "Đường Cách Mạng Tháng 8", "Đường Trưng Nữ Vương", "Đường Nguyễn Trãi",
           "Quốc lộ 22B", "Đường Hùng Vương", "Ấp Thạnh Hiệp", "Khu phố 2", "Ấp Bến Cừ",
           "Đường Võ Văn Truyện"]  # fmt: skip
BIRTH_PROVINCES = ["072", "080", "079", "074", "070", "086", "087", "089", "082", "083"]
COMPANY_FORMS = ["Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân", "Hợp tác xã"]
COMPANY_TRADES = ["Nông sản", "Xây dựng", "Thương mại Dịch vụ", "Vận tải", "Chế biến Mì", "Cao su", "Du lịch", "Cơ khí"]
SUPPLEMENT_ITEMS = [
    "Bản sao giấy tờ chưa rõ nét, đề nghị nộp lại bản rõ nét.",
    "Tờ khai thiếu chữ ký của người yêu cầu.",
    "Thông tin trên tờ khai không khớp với giấy tờ tùy thân.",
    "Thiếu giấy tờ chứng minh nơi cư trú.",
]
REFUSE_REASONS = ["Thủ tục không thuộc thẩm quyền giải quyết của cơ quan.", "Hồ sơ không đúng thủ tục yêu cầu."]
REJECT_REASONS = ["Không đủ điều kiện theo quy định.", "Thông tin kê khai không chính xác sau khi thẩm định."]


@dataclass
class Version:
    """What the simulation needs of one procedure version (read once)."""

    pk: int
    code: str
    levels: list[str]
    online_level: str
    processing_time: int
    processing_unit: str
    cutoff: int | None  # minute of the day
    effective_from: dt.date
    electronic_result: bool
    form: dict[str, Any]
    fee_lines: list[dict[str, Any]]
    fee_total: int
    steps: list[tuple[int, str, str, int | None, int]]  # position, name, role, agency id, budget minutes
    implementing: list[int] = field(default_factory=list)
    leader_position: int = 0
    document_codes: list[str] = field(default_factory=list)
    document_ids: dict[str, int] = field(default_factory=dict)
    required_documents: list[tuple[int, str]] = field(default_factory=list)  # what the applicant attaches


@dataclass
class Place:
    """A receiving agency and who acts there."""

    pk: int
    code: str
    parent: int | None
    level: str
    weight: float
    reception: list[int]
    processing: list[int]
    approval: list[int]
    returning: list[int]
    unit_code: str


@dataclass
class Stats:
    dossiers: int = 0
    events: int = 0
    steps: int = 0
    documents: int = 0
    users: int = 0


def default_years(count: int) -> int:
    """Ten years of a 1.7-million-people province is about 12 million dossiers (1.2 million a year)."""
    return min(10, max(3, math.ceil(count / 1_200_000)))


# --- set-up through the platform's own loaders --------------------------------------------------


def _district_agencies(province_code: int) -> list[int]:
    """The former districts' People's Committees and one-stop desks (inactive since the reform)."""
    from cqs.org.demo import PROVINCE_SUFFIX
    from cqs.org.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel

    desks = []
    for unit in AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT).order_by("code"):
        number = int(unit.code)
        committee, _ = Agency.objects.update_or_create(
            code=f"{number:03d}.00.99.{PROVINCE_SUFFIX}",
            defaults={
                "name": f"Ủy ban nhân dân {unit.name}",
                "kind": AgencyKind.PEOPLES_COMMITTEE,
                "level": UnitLevel.DISTRICT,
                "unit": unit,
                "is_active": False,
            },
        )
        desk, _ = Agency.objects.update_or_create(
            code=f"{number:03d}.01.99.{PROVINCE_SUFFIX}",
            defaults={
                "name": f"Bộ phận Một cửa {unit.name}",
                "kind": AgencyKind.ONE_STOP_DESK,
                "level": UnitLevel.DISTRICT,
                "unit": unit,
                "parent": committee,
                "is_active": False,
            },
        )
        desks.append(desk.pk)
    return desks


def _catalog(start: dt.date) -> None:
    """The demo catalogue, in force from the first simulated day (the synthetic province had the
    same procedures throughout; later versions keep their own dates)."""
    from cqs.catalog.services import catalog_import
    from cqs.core.demo import demo_catalog_document

    document = demo_catalog_document()
    firsts: dict[str, int] = {}
    for record in document["procedures"]:
        firsts[record["code"]] = min(firsts.get(record["code"], record["version"]), record["version"])
    for record in document["procedures"]:
        if record["version"] == firsts[record["code"]] and dt.date.fromisoformat(record["effective_from"]) > start:
            record["effective_from"] = start.isoformat()
    catalog_import(actor=None, document=document)


OFFICIAL_ROLES = {  # per agency kind: (role, how many)
    "one_stop_desk": [("reception", 2), ("clerk", 1)],
    "peoples_committee": [("specialist", 3), ("leader", 1)],
    "department": [("reception", 2), ("specialist", 3), ("leader", 1)],
    "service_centre": [("reception", 3), ("specialist", 2), ("leader", 1)],
}


def _officials(rng: random.Random) -> None:
    """Officials with roles at every agency (idempotent; usernames `cb.<agency code>.<role>.<n>`)."""
    from cqs.accounts.models import User, UserKind
    from cqs.org.models import Agency, Membership

    existing = set(User.objects.filter(username__startswith="cb.").values_list("username", flat=True))
    new_users = []
    wanted = []
    for agency in Agency.objects.order_by("code"):
        for role, n in OFFICIAL_ROLES.get(agency.kind, []):
            for i in range(1, n + 1):
                username = f"cb.{agency.code.lower()}.{role}.{i}"
                wanted.append((username, agency.pk, role))
                if username not in existing:
                    user = User(username=username, kind=UserKind.OFFICIAL, full_name=_name(rng), is_active=True)
                    user.set_unusable_password()
                    new_users.append(user)
    User.objects.bulk_create(new_users, batch_size=1000)
    ids = dict(User.objects.filter(username__startswith="cb.").values_list("username", "pk"))
    have = set(Membership.objects.values_list("user_id", "agency_id", "role"))
    Membership.objects.bulk_create(
        [Membership(user_id=ids[u], agency_id=a, role=r) for u, a, r in wanted if (ids[u], a, r) not in have],
        batch_size=1000,
    )


def _result_file(comment: bytes = b"ket qua giai quyet thu tuc hanh chinh", name: str = RESULT_NAME) -> str:
    """A small PDF every simulated result (or attachment) points to, stored once by its SHA-256
    through the same checks and storage as an upload."""
    import io

    from cqs.dossiers import files
    from cqs.dossiers.models import StoredFile

    head = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    pdf = head + b"% " + comment + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    upload = files.check_upload(io.BytesIO(pdf), name, field="result")
    files.store(upload)
    StoredFile.objects.get_or_create(
        sha256=upload.sha256, defaults={"size": upload.size, "content_type": upload.content_type}
    )
    return upload.sha256


def _name(rng: random.Random) -> str:
    return f"{rng.choices(FAMILY, cum_weights=FAMILY_CUM)[0]} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _sample_value(name: str, spec: dict[str, Any]) -> Any:
    """A valid answer for one form field (`cqs.dossiers.forms` checks it at set-up)."""
    if "enum" in spec:
        return spec["enum"][0]
    if "const" in spec:
        return spec["const"]
    kind = spec.get("type", "string")
    if kind == "integer" or kind == "number":
        return max(1, int(spec.get("minimum", 1)))
    if kind == "boolean":
        return True
    if kind == "array":
        item = spec.get("items", {})
        return [_sample_value(name, item)] * max(1, int(spec.get("minItems", 1)))
    if kind == "object":
        return {k: _sample_value(k, v) for k, v in spec.get("properties", {}).items() if k in spec.get("required", [])}
    fmt = spec.get("format")
    if fmt == "date":
        return "2020-01-15"
    if fmt == "email":
        return "nguoidan@example.vn"
    pattern = spec.get("pattern", "")
    if "[0-9]{12}" in pattern:
        return "080190123456"
    if pattern.startswith("^0"):
        return "0912345678"
    if "[0-9]{10}" in pattern:
        return "0312345679"
    if "[A-Z]{1,2}" in pattern:
        return "70A-12345"
    if "[A-Z0-9]{6,12}" in pattern:
        return "C1234567"
    if pattern:
        return None
    return "Nguyễn Văn An" if "ho_ten" in name else "Thông tin kê khai"


def _form_for(version: Any) -> dict[str, Any]:
    from cqs.dossiers.forms import validate_answers

    schema = version.form_schema or {}
    props = schema.get("properties", {})
    answers = {}
    for name in schema.get("required", []):
        value = _sample_value(name, props.get(name, {}))
        if value is not None:
            answers[name] = value
    errors = validate_answers(schema, answers, partial=False)
    if errors:
        raise RuntimeError(f"no valid sample answers for {version.procedure.code}: {errors}")
    return answers


def _versions() -> list[Version]:
    from cqs.catalog.fees import fee_lines
    from cqs.catalog.models import ProcedureVersion

    out = []
    for v in ProcedureVersion.objects.select_related("procedure").prefetch_related("steps", "agencies", "documents"):
        form = _form_for(v)
        lines = [{"name": x.name, "kind": x.kind, "amount": x.amount} for x in fee_lines(v.fees, form)]
        steps = [
            (s.position, s.name, s.role, s.agency_id, max(1, round(float(s.budget_hours) * 60)))
            for s in sorted(v.steps.all(), key=lambda s: s.position)
        ]
        version = Version(
            pk=v.pk,
            code=v.procedure.code,
            levels=list(v.levels),
            online_level=v.online_level,
            processing_time=v.processing_time,
            processing_unit=v.processing_unit,
            cutoff=v.cutoff_time.hour * 60 + v.cutoff_time.minute if v.cutoff_time else None,
            effective_from=v.effective_from,
            electronic_result=v.electronic_result,
            form=form,
            fee_lines=lines,
            fee_total=sum(x["amount"] for x in lines),
            steps=steps,
            implementing=sorted(a.pk for a in v.agencies.all() if a.is_active),
            document_codes=[d.code for d in v.documents.all()],
            document_ids={d.code: d.pk for d in v.documents.all()},
            # Documents a national database supplies are not asked from the applicant.
            required_documents=[
                (d.pk, d.code)
                for d in sorted(v.documents.all(), key=lambda d: d.position)
                if d.required and not d.national_source
            ],
        )
        leaders = [p for p, _n, role, _a, _b in steps if role == "leader" and p >= 2]
        version.leader_position = leaders[0] if leaders else 0
        out.append(version)
    out.sort(key=lambda v: (v.code, v.effective_from))
    return out


def _places(rng: random.Random, district_desks: list[int]) -> tuple[dict[int, Place], list[int], list[int]]:
    """Receiving agencies with the officials who act there (by the real permission check).
    Returns the places, the current commune desks and the former district desks."""
    from cqs.accounts.models import User
    from cqs.org.models import Agency, AgencyKind, Membership, UnitLevel
    from cqs.org.permissions import Action, has_permission

    members: dict[int, list[int]] = {}
    for user_id, agency_id in Membership.objects.filter(is_active=True).values_list("user_id", "agency_id"):
        members.setdefault(agency_id, []).append(user_id)
    users = {u.pk: u for u in User.objects.filter(memberships__isnull=False).distinct()}
    places: dict[int, Place] = {}
    for agency in Agency.objects.select_related("unit").order_by("code"):
        candidates = sorted(set(members.get(agency.pk, []) + members.get(agency.parent_id, [])))
        if not candidates:
            continue

        def able(action: Action, agency: Agency = agency, candidates: list[int] = candidates) -> list[int]:
            # Sign-in state is irrelevant here; the check reads memberships only.
            return [pk for pk in candidates if has_permission(users[pk], action, agency)]

        place = Place(
            pk=agency.pk,
            code=agency.code,
            parent=agency.parent_id,
            level=agency.level,
            weight=rng.lognormvariate(0, 0.6),
            reception=able(Action.RECEIVE_DOSSIER),
            processing=able(Action.PROCESS_DOSSIER),
            approval=able(Action.APPROVE_DOSSIER),
            returning=able(Action.RETURN_RESULT),
            unit_code=agency.unit.code,
        )
        if place.reception and place.processing and place.approval and place.returning:
            places[agency.pk] = place
    desks = [
        p.pk
        for p in places.values()
        if p.level == UnitLevel.COMMUNE and Agency.objects.filter(pk=p.pk, kind=AgencyKind.ONE_STOP_DESK).exists()
    ]
    return places, sorted(desks), [d for d in district_desks if d in places]


# --- people -----------------------------------------------------------------------------------


def _identity(i: int, rng: random.Random) -> tuple[str, int, str]:
    """A unique, valid CCCD number for the i-th person: (number, birth year, sex)."""
    block, serial = divmod(i, 1_000_000)
    province = BIRTH_PROVINCES[block % len(BIRTH_PROVINCES)]
    serial = (serial * 7919 + 12345) % 1_000_000  # a bijection: unique and not sequential
    year = rng.randint(1950, 2006)
    female = rng.random() < 0.52
    digit = (0 if year < 2000 else 2) + (1 if female else 0)
    return f"{province}{digit}{year % 100:02d}{serial:06d}", year, "female" if female else "male"


def _tax_codes(start: int):
    from cqs.accounts.validators import tax_code_check_digit

    n = start
    while True:
        first = f"39{n:07d}"
        check = tax_code_check_digit(first)
        n += 1
        if check is not None:
            yield f"{first}{check}"


@dataclass(slots=True)
class Person:
    user_id: int | None
    kind: str
    name: str
    identity: str
    phone: str
    address: str
    unit_code: str


def _people(
    rng: random.Random, *, citizens: int, enterprises: int, units: list[tuple[int, str, str]], joined: dt.datetime
) -> tuple[list[Person], list[Person], int]:
    """Citizen and enterprise accounts with their profiles, COPYed. Returns them and the rows written."""
    from cqs.accounts.models import CitizenProfile, EnterpriseProfile, User

    province = settings.CQS_PROVINCE_NAME if hasattr(settings, "CQS_PROVINCE_NAME") else "Tây Ninh"
    already = User.objects.filter(username__startswith="cd.").count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
        next_id = cursor.fetchone()[0] + 1
    people: list[Person] = []
    firms: list[Person] = []
    user_rows, citizen_rows, enterprise_rows = [], [], []
    stamp = joined.isoformat()
    taxes = _tax_codes(already + 1)
    for i in range(citizens + enterprises):
        uid = next_id + i
        unit_id, unit_code, unit_name = units[rng.randrange(len(units))]
        street = f"Số {rng.randint(1, 400)}, {rng.choice(STREETS)}"
        address = f"{street}, {unit_name}, {province}"
        phone = f"09{(uid * 7717 + 3) % 10**8:08d}"
        if i < citizens:
            number, year, sex = _identity(already + i, rng)
            name = _name(rng)
            user_rows.append((uid, f"cd.{number}", "citizen", name, phone))
            birth = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            citizen_rows.append((uid, number, name, birth.isoformat(), sex, unit_id, street))
            people.append(Person(uid, "citizen", name, number, phone, address, unit_code))
        else:
            tax = next(taxes)
            name = f"{rng.choice(COMPANY_FORMS)} {rng.choice(COMPANY_TRADES)} {rng.choice(GIVEN)} {rng.choice(GIVEN)}"
            rep_number, _y, _s = _identity(already + 5_000_000 + i, rng)
            user_rows.append((uid, f"dn.{tax}", "enterprise", name, phone))
            enterprise_rows.append((uid, tax, name, _name(rng), rep_number, unit_id, street))
            firms.append(Person(uid, "enterprise", name, tax, phone, address, unit_code))
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY accounts_user (id, username, kind, full_name, phone, password, is_superuser, first_name, "
            "last_name, email, is_staff, is_active, date_joined, email_verified, phone_verified) FROM STDIN"
        ) as copy:
            for uid, username, kind, name, phone in user_rows:
                # An unusable password: these accounts sign in through the identity provider.
                copy.write_row(
                    (uid, username, kind, name, phone, "!", False, "", "", "", False, True, stamp, False, True)
                )
        with cursor.copy(
            f"COPY {CitizenProfile._meta.db_table} (user_id, identity_number, full_name, date_of_birth, sex, "
            "address_unit_id, address_street, updated_at) FROM STDIN"
        ) as copy:
            for row in citizen_rows:
                copy.write_row((*row, stamp))
        with cursor.copy(
            f"COPY {EnterpriseProfile._meta.db_table} (user_id, tax_code, name, legal_representative, "
            "representative_identity, address_unit_id, address_street, updated_at) FROM STDIN"
        ) as copy:
            for row in enterprise_rows:
                copy.write_row((*row, stamp))
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), (SELECT MAX(id) FROM accounts_user))"
        )
    return people, firms, len(user_rows) * 2


# --- the simulation -------------------------------------------------------------------------


def _esc(text: str) -> str:
    """A value for COPY's text format."""
    # Most values need no escaping: testing is cheaper than four replacements (millions of calls).
    if "\\" not in text and "\t" not in text and "\n" not in text and "\r" not in text:
        return text
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)


def _uuid4(rng: random.Random) -> str:
    """`str(uuid.UUID(int=rng.getrandbits(128), version=4))`, without building the object."""
    h = f"{(rng.getrandbits(128) & _UUID_CLEAR) | _UUID_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _json(value: Any) -> str:
    return _esc(json.dumps(value, ensure_ascii=False, separators=(", ", ": ")))


DOSSIER_COLUMNS = (
    "id, code, procedure_version_id, applicant_id, applicant_kind, applicant_name, applicant_identity, "
    "applicant_phone, applicant_email, applicant_address, receiving_agency_id, channel, status, form_data, fee_lines, "
    "fee_total, created_by_id, created_at, updated_at, submitted_at, received_at, clock_started_at, due_at, "
    "finished_at, returned_at, supplement_rounds, current_agency_id, current_step_id, paused_at, resume_state, "
    "paused_total, original_due_at, apologized_at, is_overdue, outcome, decided_at, result_file_id, rating, "
    "rating_comment, rated_at"
)
# Columns of the warehouse-facing fields, written when the model has them.
EXTRA_DOSSIER_COLUMNS = ("processing_time", "fee_paid_at", "fee_paid_online")


def _dossier_extras() -> tuple[str, ...]:
    from cqs.dossiers.models import Dossier

    names = {f.name for f in Dossier._meta.get_fields()}
    return tuple(c for c in EXTRA_DOSSIER_COLUMNS if c in names)


STEP_COLUMNS = (
    "id, dossier_id, position, name, role, agency_id, assignee_id, budget, started_at, due_at, completed_at, "
    "completed_by_id, note"
)
EVENT_COLUMNS = "dossier_id, at, actor_id, action, from_status, to_status, agency_id, note, data"
SUPPLEMENT_COLUMNS = "dossier_id, number, items, note, requested_by_id, requested_at, answered_at, is_beyond_first"
DOCUMENT_COLUMNS = (
    "id, original_name, round, is_current, uploaded_at, dossier_id, requirement_id, uploaded_by_id, file_id"
)
N = "\\N"
# Event data that repeat, serialised once (as `_json` would).
RESULT_DATA = _json({"file": RESULT_NAME})
RATING_DATA = {r: _json({"rating": r}) for r in ("satisfied", "normal", "unsatisfied")}


class Simulator:
    """Walks one dossier at a time through the lifecycle, writing rows as the services would."""

    def __init__(self, *, cal: MinuteCalendar, horizon: int, result_sha: str, departments: dict[int, str],
                 agency_codes: dict[int, str], processors: dict[int, list[int]],
                 next_step_id: int) -> None:  # fmt: skip
        self.cal = cal
        self.horizon = horizon
        self.result_sha = result_sha
        self.departments = departments  # transfer targets ("liên thông"): pk -> name
        self.agency_codes = agency_codes
        self.transfer_data = {pk: _json({"to": code}) for pk, code in agency_codes.items()}
        self.processors = processors
        self.next_step_id = next_step_id
        self.day_str = [f"{cal.base + dt.timedelta(days=i):%Y-%m-%d} " for i in range(cal.days)]
        self.min_str = [f"{t // 60:02d}:{t % 60:02d}:00+07" for t in range(DAY)]
        self.dossiers: list[str] = []
        self.steps: list[str] = []
        self.events: list[str] = []
        self.supplements: list[str] = []
        self.documents: list[str] = []
        self.scan_sha = ""
        self.extras = _dossier_extras()

    def ts(self, m: int | None) -> str:
        if m is None:
            return N
        return self.day_str[m // DAY] + self.min_str[m % DAY]

    def iso(self, m: int) -> str:
        return f"{self.day_str[m // DAY].strip()}T{self.min_str[m % DAY][:-3]}+07:00"

    @staticmethod
    def dur(minutes: int) -> str:
        return f"{minutes * 60} seconds" if minutes else "00:00:00"

    def run(self, rng: random.Random, d: dict[str, Any], v: Version, place: Place, progress: float) -> None:
        """Simulate dossier `d` (its identity, applicant, channel, submission moment and code are set)."""
        cal, H = self.cal, self.horizon
        ev = self.events
        did = d["id"]
        agency = place.pk
        online = d["channel"] == 3
        applicant_actor = d["applicant_id"] if online else rng.choice(place.reception)
        receptionist = rng.choice(place.reception)
        specialist = rng.choice(place.processing)
        leader = rng.choice(place.approval)
        returner = rng.choice(place.returning)
        status = "draft"
        last = d["created"]
        floor = 0  # processing starts no earlier than the clock (after a cut-off: the next morning)

        def event(at: int, actor: int | None, action: str, to: str, note: str = "", data: str = "{}") -> None:
            nonlocal status, last
            ev.append(f"{did}\t{self.ts(at)}\t{actor if actor else N}\t{action}\t{'' if action == 'create' else status}"
                      f"\t{to}\t{agency}\t{_esc(note)}\t{data}\n")  # fmt: skip
            status, last = to, at

        f: dict[str, Any] = {
            "received": None, "clock": None, "due": None, "finished": None, "returned": None, "rounds": 0,
            "current_agency": None, "current_step": None, "paused": None, "resume": "", "paused_total": 0,
            "overdue": False, "paid": None, "paid_online": False, "processing": None, "outcome": "",
            "decided": None, "result": None, "rating": "", "rated": None,
        }  # fmt: skip
        steps: list[list[Any]] = []  # [id, position, name, role, agency, budget, started, due, completed, by, note]

        def begin(position: int, at: int, *, agency_id: int | None = None, name: str | None = None,
                  role: str | None = None, budget: int | None = None) -> None:  # fmt: skip
            definition = next((s for s in v.steps if s[0] == position), None)
            start = cal.effective_start(at)
            b = budget if budget is not None else definition[4]
            step_agency = agency_id or (definition[3] if definition and definition[3] else agency)
            sid = self.next_step_id
            self.next_step_id += 1
            steps.append([sid, position, name or definition[1], role or definition[2], step_agency, b, start,
                          cal.add_working_time(start, b), None, None, ""])  # fmt: skip
            f["current_step"], f["current_agency"] = len(steps) - 1, step_agency

        def finish_step(actor: int, at: int, note: str = "") -> list[Any] | None:
            if f["current_step"] is None:
                return None
            step = steps[f["current_step"]]
            if step[8] is None:
                step[8], step[9], step[10] = at, actor, note
            return step

        def act(gap: int, base: int | None = None) -> int:
            """An official's action `gap` working minutes after `base` (default: the last event)."""
            return cal.at_work(cal.work(max(last, floor) if base is None else base) + max(1, gap))

        event(d["created"], d["created_by"], "create", "draft")
        # The required documents, attached to the draft before it is submitted.
        docs = self._docs = [
            [_uuid4(rng), req, code, 0, True, d["created_by"], d["created"] + 1] for req, code in v.required_documents
        ]
        event(d["submitted"], applicant_actor, "submit", "submitted")
        sub = d["submitted"]

        # Reception: refused, withdrawn, supplements asked, then accepted.
        gap = rng.randint(2, 25) if not online else rng.randint(20, 720)
        t = act(gap)
        roll = rng.random()
        if roll < 0.015:
            if t <= H:
                f["finished"] = t
                event(t, receptionist, "refuse", "refused", rng.choice(REFUSE_REASONS))
            return self._emit(d, v, f, steps, status, last)
        if roll < 0.02 and online:
            t = last + rng.randint(30, 3 * DAY)
            if t <= H:
                f["finished"] = t
                event(t, applicant_actor, "withdraw", "withdrawn", "Không có nhu cầu giải quyết nữa.")
            return self._emit(d, v, f, steps, status, last)
        rounds = 0
        if roll < 0.09:
            rounds = 2 if rng.random() < 0.12 else 1
        for number in range(1, rounds + 1):
            if t > H:
                return self._emit(d, v, f, steps, status, last)
            f["rounds"] = number
            items = [{"requirement": rng.choice(v.document_codes) if v.document_codes else None,
                      "message": rng.choice(SUPPLEMENT_ITEMS)}]  # fmt: skip
            data = _json({"items": items, "number": number, "beyond_first": number > 1})
            event(t, receptionist, "request_supplement", "supplement_requested", "", data)
            asked = t
            answer = t + rng.randint(60, 6 * DAY)
            answer = answer if online else act(rng.randint(60, 5 * 480))
            if answer > H:
                self.supplements.append(f"{did}\t{number}\t{_json(items)}\t\t{receptionist}\t{self.ts(asked)}"
                                        f"\t{N}\t{'t' if number > 1 else 'f'}\n")  # fmt: skip
                return self._emit(d, v, f, steps, status, last)
            self.supplements.append(f"{did}\t{number}\t{_json(items)}\t\t{receptionist}\t{self.ts(asked)}"
                                    f"\t{self.ts(answer)}\t{'t' if number > 1 else 'f'}\n")  # fmt: skip
            wanted = items[0]["requirement"]
            if wanted:
                # The applicant attaches a new file for the document asked for; the old one stays.
                for doc in docs:
                    if doc[2] == wanted and doc[4]:
                        doc[4] = False
                docs.append([_uuid4(rng), v.document_ids[wanted], wanted,
                             number, True, applicant_actor, answer - 1])  # fmt: skip
            event(answer, applicant_actor, "supplement", "supplemented")
            t = act(rng.randint(10, 480))
        if t > H:
            return self._emit(d, v, f, steps, status, last)

        # Accepted: the clock starts, the appointment is set, the internal process begins.
        received = t
        clock = cal.effective_start(received)
        if v.cutoff is not None and received % DAY >= v.cutoff and cal.working[received // DAY]:
            i = received // DAY + 1
            while not cal.working[i]:
                i += 1
            clock = cal.effective_start(i * DAY)
        if v.processing_unit == "working_days":
            due = cal.add_working_time(clock, v.processing_time * cal.daily)
        elif v.processing_unit == "calendar_days":
            due = cal.add_calendar_days(clock, v.processing_time)
        else:
            due = cal.add_working_time(clock, v.processing_time * 60)
        f["received"], f["clock"], f["due"] = received, clock, due
        if v.steps:
            first = v.steps[0][0]
            begin(first, sub)
            finish_step(receptionist, received)
            if any(s[0] == first + 1 for s in v.steps):
                begin(first + 1, clock)
        event(received, receptionist, "accept", "received", "", f'{{"due_at": "{self.iso(due)}"}}')
        floor = clock

        # Processing: forwards through the steps to the leader, a transfer, approval, fees, result.
        budget = max(1, cal.work(due) - cal.work(clock))
        late = rng.random() < (0.09 - 0.06 * progress)  # lateness falls as the platform matures
        span = budget * (rng.uniform(1.03, 1.6) if late else rng.betavariate(2.2, 2.0) * 0.95 + 0.02)
        position = steps[f["current_step"]][1] if steps else 2
        leader_at = v.leader_position or position + 1
        hops = max(0, leader_at - position)
        transfer = place.level != "district" and rng.random() < 0.08 and hops > 1 and self.departments
        pay = v.fee_total > 0 and rng.random() < 0.5
        n_moves = hops + (2 if transfer else 0) + 1 + (2 if pay else 0) + 1
        weights = [rng.random() + 0.2 for _ in range(n_moves)]
        total = sum(weights)
        gaps = [max(1, int(span * w / total)) for w in weights]
        g = iter(gaps)
        moved_transfer = False
        while position < leader_at:
            t = act(next(g, 60))
            if t > H:
                return self._emit(d, v, f, steps, status, last)
            if transfer and not moved_transfer:
                moved_transfer = True
                other = rng.choice([a for a in self.departments if a != (f["current_agency"] or agency)])
                current = finish_step(specialist, t)
                name = f"Xử lý liên thông tại {self.departments[other]}"
                begin(current[1] if current else 2, t, agency_id=other, name=name,
                      role="specialist", budget=current[5] if current else 480)  # fmt: skip
                event(t, specialist, "transfer", "at_other_agency", "", self.transfer_data[other])
                t = act(next(g, 60))
                if t > H:
                    return self._emit(d, v, f, steps, status, last)
                helper = rng.choice(self.processors[other])
                current = finish_step(helper, t)
                nxt = current[1] + 1 if any(s[0] == current[1] + 1 for s in v.steps) else current[1]
                begin(nxt, t, agency_id=agency)
                position = nxt
                event(t, helper, "return_transfer", "in_process")
                continue
            current = finish_step(specialist, t)
            position = (current[1] if current else 1) + 1
            begin(position, t)
            role = next((s[2] for s in v.steps if s[0] == position), "")
            event(t, specialist, "forward", "awaiting_approval" if role == "leader" else "in_process")
        if status not in ("awaiting_approval",):
            # A process without a leader's step: the leader decides on the last step.
            pass
        t = act(next(g, rng.randint(10, 240)))
        if t > H:
            return self._emit(d, v, f, steps, status, last)
        approve = rng.random() > 0.025
        note = "" if approve else rng.choice(REJECT_REASONS)
        finish_step(leader, t, note)
        f["current_step"] = None
        f["outcome"], f["decided"] = ("approved" if approve else "rejected"), t
        if status == "awaiting_approval":
            event(t, leader, "approve" if approve else "reject", "decided", note)
        else:
            return self._emit(d, v, f, steps, status, last)  # pragma: no cover - every demo process has a leader
        if pay:
            t = act(next(g, 60))
            if t > H:
                return self._emit(d, v, f, steps, status, last)
            f["paused"], f["resume"] = t, "decided"
            event(t, specialist, "request_payment", "payment_requested", "Đề nghị nộp phí, lệ phí.")
            t = act(next(g, 60)) if not online else t + rng.randint(5, 2 * DAY)
            t = cal.at_work(cal.work(t))
            if t > H:
                return self._emit(d, v, f, steps, status, last)
            paused = cal.work(t) - cal.work(f["paused"])
            f["due"] = cal.add_working_time(f["due"], paused)
            f["paused_total"] += paused
            f["paused"], f["resume"] = None, ""
            f["paid"], f["paid_online"] = t, online
            event(t, receptionist, "record_payment", "decided", "Đã nộp phí, lệ phí.")
        t = act(next(g, rng.randint(10, 240)))
        if t > H:
            return self._emit(d, v, f, steps, status, last)
        f["finished"], f["result"] = t, self.result_sha
        f["overdue"] = t > f["due"]
        f["processing"] = max(0, cal.work(t) - cal.work(f["clock"]) - f["paused_total"])
        event(t, specialist, "record_result", "awaiting_return", "", RESULT_DATA)

        # Returned: electronically soon after for online dossiers, at the counter within days.
        wait = rng.randint(5, 240) if online and v.electronic_result else rng.randint(30, 6 * cal.daily)
        t = act(wait)
        if t > H:
            return self._emit(d, v, f, steps, status, last)
        f["returned"] = t
        event(t, returner, "return_result", "returned")
        if rng.random() < 0.25 + 0.45 * progress:
            t = t + rng.randint(1, 3 * DAY)
            if t <= H:
                rating = rng.choices(("satisfied", "normal", "unsatisfied"), (86, 11, 3))[0]
                f["rating"], f["rated"] = rating, t
                event(t, applicant_actor, "rate", "returned", "", RATING_DATA[rating])
        return self._emit(d, v, f, steps, status, last)

    def _emit(self, d: dict[str, Any], v: Version, f: dict[str, Any], steps: list[list[Any]], status: str,
              last: int) -> None:  # fmt: skip
        ts = self.ts
        running = status in ("received", "in_process", "awaiting_approval", "at_other_agency", "decided")
        overdue = f["overdue"] or (running and f["paused"] is None and f["due"] is not None and f["due"] < self.horizon)
        current_step = steps[f["current_step"]][0] if f["current_step"] is not None else None
        self.dossiers.append(
            "\t".join(
                (
                    d["id"],
                    d["code"],
                    str(v.pk),
                    str(d["applicant_id"]) if d["applicant_id"] else N,
                    d["kind"],
                    _esc(d["name"]),
                    d["identity"],
                    d["phone"],
                    "",
                    _esc(d["address"]),
                    str(d["agency"]),
                    str(d["channel"]),
                    status,
                    d["form"],
                    d["fees"],
                    str(v.fee_total),
                    str(d["created_by"]),
                    ts(d["created"]),
                    ts(last),
                    ts(d["submitted"]),
                    ts(f["received"]),
                    ts(f["clock"]),
                    ts(f["due"]),
                    ts(f["finished"]),
                    ts(f["returned"]),
                    str(f["rounds"]),
                    str(f["current_agency"]) if f["current_agency"] else N,
                    str(current_step) if current_step else N,
                    ts(f["paused"]),
                    f["resume"],
                    self.dur(f["paused_total"]),
                    N,
                    N,
                    "t" if overdue else "f",
                    f["outcome"],
                    ts(f["decided"]),
                    f["result"] or N,
                    f["rating"],
                    "",
                    ts(f["rated"]),
                    *self._extras(f),
                )
            )
            + "\n"
        )
        for doc in self._docs:
            self.documents.append(
                f"{doc[0]}\t{doc[2]}.pdf\t{doc[3]}\t{'t' if doc[4] else 'f'}\t{ts(doc[6])}\t{d['id']}\t{doc[1]}"
                f"\t{doc[5]}\t{self.scan_sha}\n"
            )
        for s in steps:
            self.steps.append(
                f"{s[0]}\t{d['id']}\t{s[1]}\t{_esc(s[2])}\t{s[3]}\t{s[4]}\t{N}\t{self.dur(s[5])}\t{ts(s[6])}"
                f"\t{ts(s[7])}\t{ts(s[8])}\t{s[9] if s[9] else N}\t{_esc(s[10])}\n"
            )

    def _extras(self, f: dict[str, Any]) -> list[str]:
        values = {
            "processing_time": self.dur(f["processing"]) if f["processing"] is not None else N,
            "fee_paid_at": self.ts(f["paid"]),
            "fee_paid_online": "t" if f["paid_online"] else "f",
        }
        return [values[c] for c in self.extras]

    def take(self) -> tuple[str, str, str, str]:
        out = (
            "".join(self.dossiers),
            "".join(self.steps),
            "".join(self.events),
            "".join(self.supplements),
            "".join(self.documents),
        )
        self.dossiers, self.steps, self.events, self.supplements, self.documents = [], [], [], [], []
        return out


# --- volume shapes --------------------------------------------------------------------------


def online_share(day: dt.date) -> float:
    """The share of dossiers filed online for procedures offered online: a logistic rise."""
    year = day.year + (day.timetuple().tm_yday - 1) / 365.25
    return 0.88 / (1 + math.exp(-(year - 2023.6) / 1.4))


def day_weight(day: dt.date, working: bool) -> float:
    """Relative volume of a day: growth over the years, the weeks before Tết, days off."""
    weight = 1.06 ** (day.year - 2016)
    tet = TET.get(day.year if day.month < 6 else day.year + 1)
    if tet is not None and 0 < (tet - day).days <= 24:
        weight *= 1.7
    if not working:
        weight *= 0.12
    return weight


def _allocate(count: int, weights: list[float]) -> list[int]:
    """Split `count` over days in proportion to `weights` (largest remainders, deterministic)."""
    total = sum(weights)
    exact = [count * w / total for w in weights]
    out = [int(x) for x in exact]
    rest = count - sum(out)
    order = sorted(range(len(weights)), key=lambda i: (out[i] - exact[i], i))
    for i in order[:rest]:
        out[i] += 1
    return out


# --- the command's engine ------------------------------------------------------------------------


SECONDARY_TABLES = (
    "dossiers_dossier",
    "dossiers_dossierstep",
    "dossiers_dossierevent",
    "dossiers_supplementrequest",
    "dossiers_dossierdocument",
)


def _secondary_indexes() -> list[tuple[str, str]]:
    """Plain (non-unique, non-constraint) indexes of the bulk tables: dropped during a large load
    and rebuilt once at the end, which is much faster than maintaining them row by row."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            JOIN pg_class c ON c.relname = i.indexname
            JOIN pg_index x ON x.indexrelid = c.oid
            WHERE i.tablename = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary
            ORDER BY i.indexname
            """,
            [list(SECONDARY_TABLES)],
        )
        return cursor.fetchall()


def _conninfo() -> dict[str, Any]:
    """Django's database settings as psycopg keywords, for the load's extra connections."""
    params = connection.get_connection_params()
    return {k: params[k] for k in ("dbname", "user", "password", "host", "port") if params.get(k)}


def _rebuild_indexes(dropped: list[tuple[str, str]], say: Callable[[str], None]) -> None:
    """Recreate the dropped indexes on two connections at once: a trigram (GIN) build uses one
    core, so two builds side by side keep both cores of the machine busy."""
    import psycopg

    conninfo = _conninfo()
    # Largest tables first, so the two connections finish at about the same time.
    order = {t: n for n, t in enumerate(("dossiers_dossierevent", "dossiers_dossier", "dossiers_dossierstep"))}
    work: queue.Queue = queue.Queue()
    for item in sorted(dropped, key=lambda nd: order.get(nd[1].split(" ON ")[1].split()[0].split(".")[-1], 9)):
        work.put(item)
    errors: list[BaseException] = []

    def build() -> None:
        try:
            with psycopg.connect(**conninfo, autocommit=True) as conn:
                conn.execute("SET maintenance_work_mem = '1GB'")
                while True:
                    try:
                        name, definition = work.get_nowait()
                    except queue.Empty:
                        return
                    began = time.monotonic()
                    conn.execute(definition)
                    say(f"  index {name} rebuilt in {time.monotonic() - began:.1f} s")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _autovacuum(enabled: bool) -> None:
    with connection.cursor() as cursor:
        for table in SECONDARY_TABLES:
            if enabled:
                cursor.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")
            else:
                cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")


class _Writer:
    """COPYs batches. In parallel mode a process of its own (`copier.py`) takes each batch over a
    pipe and COPYs it on its own connection while the next batch is being simulated, so the
    simulation, the COPY client and the server use the two cores at once; otherwise inline on
    Django's connection (inside the caller's transaction, as tests need)."""

    TABLES = (
        ("dossiers_dossier", DOSSIER_COLUMNS),
        ("dossiers_dossierstep", STEP_COLUMNS),
        ("dossiers_dossierevent", EVENT_COLUMNS),
        ("dossiers_supplementrequest", SUPPLEMENT_COLUMNS),
        ("dossiers_dossierdocument", DOCUMENT_COLUMNS),
    )

    def __init__(self, *, parallel: bool) -> None:
        self.parallel = parallel
        # Which side is the bottleneck: the simulation waiting for the COPY process to take a
        # batch (shown with the progress), or the COPY process waiting for the next batch (known
        # at the end).
        self.sim_blocked = 0.0
        self.db_idle: float | None = None
        self.database_cpu: float | None = None
        extras = _dossier_extras()
        self.statements = []
        for table, columns in self.TABLES:
            if table == "dossiers_dossier" and extras:
                columns = f"{columns}, {', '.join(extras)}"
            self.statements.append(f"COPY {table} ({columns}) FROM STDIN")
        if parallel:
            import multiprocessing

            # spawn, not fork: the child must not inherit Django's open connection.
            context = multiprocessing.get_context("spawn")
            self.channel, child_end = context.Pipe(duplex=True)
            self.process = context.Process(
                target=copier.serve, args=(_conninfo(), self.statements, child_end), daemon=True
            )
            self.process.start()
            child_end.close()
            self._answer("ready")

    def _answer(self, expected: str) -> tuple[Any, ...]:
        """The child's next message, which must be `expected`; its error is raised here."""
        try:
            message = self.channel.recv()
        except EOFError:
            message = ("error", f"the COPY process ended unexpectedly (exit code {self.process.exitcode})")
        if message[0] == "error":
            raise RuntimeError(f"bulk load failed in the COPY process:\n{message[1]}")
        if message[0] != expected:
            raise RuntimeError(f"bulk load: unexpected message {message[0]!r} from the COPY process")
        return message

    def put(self, batch: tuple[str, ...]) -> None:
        if not self.parallel:
            # One transaction per batch: the dossier -> current step key is checked at commit.
            with transaction.atomic(), connection.cursor() as cursor:
                for statement, data in zip(self.statements, batch, strict=True):
                    if data:
                        with cursor.copy(statement) as copy:
                            copy.write(data.encode())
            return
        if self.channel.poll():  # the child speaks before the end only to report a failure
            self._answer("finished")
        payloads = [data.encode() for data in batch]
        blocked = time.monotonic()
        try:
            self.channel.send_bytes(copier.BATCH)
            for payload in payloads:
                self.channel.send_bytes(payload)
        except OSError:
            self._answer("finished")  # raises the child's error
            raise
        self.sim_blocked += time.monotonic() - blocked

    def close(self) -> None:
        if not self.parallel:
            return
        try:
            self.channel.send_bytes(copier.END)
            _finished, self.database_cpu, self.db_idle = self._answer("finished")
        finally:
            self.channel.close()
            self.process.join(timeout=60)

    def abandon(self) -> None:
        """After a failure in the simulation: end the COPY process (its open batch rolls back)."""
        if self.parallel and self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=30)


def generate_province(
    *,
    dossiers: int,
    seed: int = 1,
    years: int | None = None,
    until: dt.date | None = None,
    batch: int = 50_000,
    drop_indexes: bool | None = None,
    parallel: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Load a synthetic province with `dossiers` dossiers over `years` years ending the day
    before `until` (default: today). Deterministic for `seed` on an empty database. Returns
    figures (rows, seconds, rate). Refused when dossiers already exist in the period."""
    from cqs.calendar.queries import working_calendar
    from cqs.dossiers.models import Dossier
    from cqs.org.demo import demo_agencies_load
    from cqs.org.models import AdministrativeUnit, Agency, UnitLevel
    from cqs.org.services import units_load

    say = progress or (lambda _m: None)
    began = time.monotonic()
    rng = random.Random(seed)
    until = until or timezone.localdate()
    years = years or default_years(dossiers)
    start = dt.date(until.year - years, until.month, min(until.day, 28))
    if Dossier.objects.filter(submitted_at__date__gte=start).exists():
        raise RuntimeError("dossiers already exist in the period; generate into an empty database")
    province_code = settings.CQS_PROVINCE_CODE
    with transaction.atomic():
        units_load(province_code=province_code)
        demo_agencies_load(province_code=province_code)
        district_desks = _district_agencies(province_code)
        _catalog(start)
        # Each part draws from its own stream, so an idempotent set-up step that has nothing left
        # to create does not shift the random numbers of the dossiers.
        _officials(random.Random(f"{seed}:officials"))
        result_sha = _result_file()
        scan_sha = _result_file(b"ban chup giay to", "giay-to.pdf")
    versions = _versions()
    places, commune_desks, district_desk_ids = _places(random.Random(f"{seed}:places"), district_desks)
    if not commune_desks:
        raise RuntimeError("no commune one-stop desk with officials; load the organisation first")
    names = dict(Agency.objects.values_list("pk", "name"))
    departments = [p.pk for p in places.values() if p.level == UnitLevel.PROVINCE]
    units = list(
        AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, is_current=True)
        .order_by("code")
        .values_list("pk", "code", "name")
    )
    n_citizens = max(200, min(dossiers // 4, 1_200_000))
    n_firms = max(20, n_citizens // 25)
    joined = dt.datetime.combine(start, dt.time(8), tzinfo=timezone.get_current_timezone())
    people, firms, user_rows = _people(
        random.Random(f"{seed}:people"), citizens=n_citizens, enterprises=n_firms, units=units, joined=joined
    )
    say(f"set-up: organisation, catalogue, {len(places)} agencies with officials, {n_citizens:,} citizens, "
        f"{n_firms:,} enterprises ({time.monotonic() - began:.1f} s)")  # fmt: skip

    cal = MinuteCalendar(working_calendar(), start, until + dt.timedelta(days=800))
    days = (until - start).days
    horizon = days * DAY - 1  # the last minute before `until`
    weights = [day_weight(start + dt.timedelta(days=i), cal.working[i]) for i in range(days)]
    per_day = _allocate(dossiers, weights)
    # Procedure popularity: Zipf over a seed-shuffled ranking of the procedures.
    procedure_codes = sorted({v.code for v in versions})
    rng.shuffle(procedure_codes)
    popularity = {c: 1 / (rank + 1) ** 1.1 for rank, c in enumerate(procedure_codes)}
    commune_weights = list(itertools.accumulate(places[p].weight for p in commune_desks))
    district_weights = list(itertools.accumulate(places[p].weight for p in district_desk_ids))
    with connection.cursor() as cursor:
        cursor.execute("SELECT agency_id, day, last FROM dossiers_dossiercounter WHERE day >= %s", [start])
        counters: dict[tuple[int, int], int] = {(a, (day - start).days): n for a, day, n in cursor.fetchall()}
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM dossiers_dossierstep")
        next_step_id = cursor.fetchone()[0] + 1
    sim = Simulator(cal=cal, horizon=horizon, result_sha=result_sha, departments={p: names[p] for p in departments},
                    agency_codes=dict(Agency.objects.values_list("pk", "code")),
                    processors={p: places[p].processing for p in departments},
                    next_step_id=next_step_id)  # fmt: skip
    sim.scan_sha = scan_sha
    form_cache = {v.pk: (_json(v.form), _json(v.fee_lines)) for v in versions}

    drop = drop_indexes if drop_indexes is not None else dossiers >= 50_000
    dropped = _secondary_indexes() if drop else []
    if dropped:
        with connection.cursor() as cursor:
            for name, _definition in dropped:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        say(f"dropped {len(dropped)} secondary indexes for the load")
    if drop:
        # Autovacuum would scan the growing tables again and again while they load (an insert-only
        # table is vacuumed every few million rows), taking a core from the load; ANALYZE runs
        # once at the end and autovacuum is switched back on for the tables' normal life.
        _autovacuum(False)
    parallel = parallel if parallel is not None else dossiers >= 50_000
    writer = _Writer(parallel=parallel)

    version_by_code: dict[str, list[Version]] = {}
    for v in versions:
        version_by_code.setdefault(v.code, []).append(v)
    made = 0
    loaded_at = time.monotonic()
    cpu_at = time.process_time()
    pending = 0
    stats = Stats(users=user_rows)
    clock = {"last": loaded_at}

    def flush(*, final: bool = False) -> None:
        out = sim.take()
        stats.events += out[2].count("\n")
        stats.steps += out[1].count("\n")
        stats.documents += out[4].count("\n")
        writer.put(out)
        now = time.monotonic()
        if now - clock["last"] >= 5 or final:
            rate = made / (now - loaded_at)
            eta = (dossiers - made) / rate if rate else 0
            say(
                f"  {made:,}/{dossiers:,} dossiers ({rate:,.0f}/s, {stats.events / (now - loaded_at):,.0f} "
                f"events/s), ETA {eta / 60:.1f} min; waited for the COPY process {writer.sim_blocked:.0f} s"
            )
            clock["last"] = now

    try:
        for i, n in enumerate(per_day):
            if not n:
                continue
            day = start + dt.timedelta(days=i)
            working = cal.working[i]
            share = online_share(day)
            in_force = []
            for c in procedure_codes:
                current = [v for v in version_by_code[c] if v.effective_from <= day]
                if current:
                    in_force.append(max(current, key=lambda v: v.effective_from))
            pop = list(itertools.accumulate(popularity[v.code] for v in in_force))
            online_offered = [x for x in in_force if x.online_level != "none"]
            before_reform = day < REFORM_DAY
            progress_share = i / max(1, days - 1)
            batch_items = []
            for _ in range(n):
                v = rng.choices(in_force, cum_weights=pop)[0]
                offered = v.online_level != "none"
                p_online = 0 if not offered else min(0.97, share * (1.15 if v.online_level == "full" else 0.85))
                online = (not working and offered) or rng.random() < p_online
                if not working and not online:
                    v = online_offered[rng.randrange(len(online_offered))]
                    online = True
                if "province" in v.levels:
                    target = v.implementing[0] if v.implementing else rng.choice(departments)
                    if target not in places:
                        target = rng.choice(departments)
                elif before_reform and district_desk_ids and rng.random() < 0.45:
                    target = rng.choices(district_desk_ids, cum_weights=district_weights)[0]
                else:
                    target = rng.choices(commune_desks, cum_weights=commune_weights)[0]
                minute = (
                    rng.randint(360, 1379) if online else cal.at_work(cal.cum[i] + rng.randrange(cal.daily)) - i * DAY
                )
                batch_items.append((i * DAY + minute, v, target, online))
            batch_items.sort(key=lambda x: x[0])
            for submitted, v, target, online in batch_items:
                key = (target, i)
                counters[key] = number = counters.get(key, 0) + 1
                place = places[target]
                if online:
                    enterprise = rng.random() < 0.08
                    person = (firms if enterprise else people)[rng.randrange(len(firms if enterprise else people))]
                    created_by = person.user_id
                    created = submitted - rng.randint(3, 90)
                    applicant_id = person.user_id
                    name, identity, phone, address, kind = (
                        person.name, person.identity, person.phone, person.address, person.kind
                    )  # fmt: skip
                else:
                    created_by = rng.choice(place.reception)
                    created = submitted - rng.randint(2, 10)
                    applicant_id = None
                    number_id, _y, _s = _identity(rng.randrange(9_000_000), rng)
                    name, identity, phone, address, kind = (
                        _name(rng), number_id, f"09{rng.randrange(10**8):08d}", "", ""
                    )  # fmt: skip
                form, fees = form_cache[v.pk]
                d = {
                    "id": _uuid4(rng),
                    "code": f"{place.code}-{day:%y%m%d}-{number:04d}",
                    "applicant_id": applicant_id, "kind": kind, "name": name, "identity": identity, "phone": phone,
                    "address": address, "agency": target, "channel": 3 if online else (2 if rng.random() < 0.03 else 1),
                    "form": form, "fees": fees, "created_by": created_by, "created": created, "submitted": submitted,
                }  # fmt: skip
                sim.run(rng, d, v, place, progress_share)
                made += 1
                pending += 1
            if pending >= batch:
                flush()
                pending = 0
        flush(final=True)
        writer.close()
    except BaseException:
        writer.abandon()
        # A failed load must not leave the tables without their indexes.
        if dropped:
            say("load failed; rebuilding the dropped indexes before giving up")
            _rebuild_indexes(dropped, say)
        if drop:
            _autovacuum(True)
        raise
    stats.dossiers = made
    load_seconds = time.monotonic() - loaded_at
    load_cpu = time.process_time() - cpu_at

    with connection.cursor() as cursor:
        # The live counters continue after the generated codes: no number reused, none skipped.
        cursor.execute("CREATE TEMP TABLE synthetic_counter (agency_id bigint, day date, last integer)")
        with cursor.copy("COPY synthetic_counter (agency_id, day, last) FROM STDIN") as copy:
            for (agency_id, day_index), last in counters.items():
                copy.write_row((agency_id, start + dt.timedelta(days=day_index), last))
        cursor.execute(
            "INSERT INTO dossiers_dossiercounter (agency_id, day, last) SELECT agency_id, day, last "
            "FROM synthetic_counter ON CONFLICT (agency_id, day) DO UPDATE SET last = EXCLUDED.last"
        )
        cursor.execute("DROP TABLE synthetic_counter")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('dossiers_dossierstep', 'id'), "
            "(SELECT COALESCE(MAX(id), 1) FROM dossiers_dossierstep))"
        )
        index_began = time.monotonic()
        if dropped:
            _rebuild_indexes(dropped, say)
        index_seconds = time.monotonic() - index_began
        if drop:
            _autovacuum(True)
        analyze_began = time.monotonic()
        for table in (*SECONDARY_TABLES, "accounts_user", "accounts_citizenprofile", "dossiers_dossiercounter"):
            cursor.execute(f"ANALYZE {table}")
        analyze_seconds = time.monotonic() - analyze_began
    total = time.monotonic() - began
    figures = {
        "dossiers": made,
        "events": stats.events,
        "steps": stats.steps,
        "documents": stats.documents,
        "accounts": n_citizens + n_firms,
        "years": years,
        "from": start.isoformat(),
        "until": until.isoformat(),
        "load_seconds": round(load_seconds, 1),
        # Where the load's time went: this process (the simulation), the server process that took
        # the COPY, and how long the COPY process waited for batches (near zero: the database
        # side was the bottleneck; near load_seconds: the simulation was).
        "load_cpu_seconds": round(load_cpu, 1),
        "database_cpu_seconds": round(writer.database_cpu, 1) if writer.database_cpu is not None else None,
        "copy_idle_seconds": round(writer.db_idle, 1) if writer.db_idle is not None else None,
        "index_seconds": round(index_seconds, 1),
        "analyze_seconds": round(analyze_seconds, 1),
        "total_seconds": round(total, 1),
        "dossiers_per_second": round(made / load_seconds) if load_seconds else 0,
    }
    return figures
