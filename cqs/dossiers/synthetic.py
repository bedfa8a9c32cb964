"""A synthetic archive of dossiers for benchmarks: deterministic for a seed, bulk-loaded with COPY.

Rows follow the lifecycle's rules (a code and a submission moment once submitted, an appointment
computed from the procedure's statutory time once received, results only after a decision), over
the agencies and procedures already in the database. History events are not generated: the
worklists and searches measured here do not read them.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection
from django.utils import timezone

from cqs.dossiers.lifecycle import State
from cqs.dossiers.models import Channel, Dossier

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Hoàng", "Kim", "Đức", "Hồng"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hòa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Ngọc",
    "Nhung",
    "Phong",
    "Phúc",
    "Quân",
    "Quỳnh",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Trung",
    "Tuấn",
    "Vy",
    "Yến",
]
# (state, weight): most dossiers of an archive are finished and returned.
STATES = [
    (State.RETURNED, 70),
    (State.IN_PROCESS, 12),
    (State.RECEIVED, 4),
    (State.AWAITING_APPROVAL, 3),
    (State.AWAITING_RETURN, 3),
    (State.SUBMITTED, 3),
    (State.SUPPLEMENT_REQUESTED, 2),
    (State.REFUSED, 1),
    (State.WITHDRAWN, 1),
    (State.DECIDED, 1),
]
COLUMNS = [
    "id",
    "code",
    "procedure_version_id",
    "applicant_kind",
    "applicant_name",
    "applicant_identity",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "receiving_agency_id",
    "current_agency_id",
    "channel",
    "status",
    "form_data",
    "fee_lines",
    "fee_total",
    "created_by_id",
    "created_at",
    "updated_at",
    "submitted_at",
    "received_at",
    "clock_started_at",
    "due_at",
    "finished_at",
    "returned_at",
    "supplement_rounds",
    "paused_total",
    "is_overdue",
    "outcome",
    "decided_at",
    "rating",
    "rating_comment",
    "resume_state",
]


def generate(
    *, count: int, seed: int, created_by_id: int, progress: Callable[[int], None] | None = None, days: int = 730
) -> int:
    """Insert `count` dossiers spread over the last `days` days. Returns the number inserted."""
    from cqs.catalog.queries import current_versions
    from cqs.org.models import Agency, AgencyKind, UnitLevel

    rng = random.Random(seed)
    versions = list(current_versions().values_list("pk", "processing_time", "levels"))
    desks = list(Agency.objects.filter(kind=AgencyKind.ONE_STOP_DESK).values_list("pk", "parent_id"))
    departments = list(
        Agency.objects.filter(level=UnitLevel.PROVINCE, kind=AgencyKind.DEPARTMENT).values_list("pk", flat=True)
    )
    codes = dict(Agency.objects.values_list("pk", "code"))
    if not versions or not desks:
        raise RuntimeError("load the organisation and the catalogue first (demo data)")
    now = timezone.now()
    states, weights = zip(*STATES, strict=True)
    counters: dict[tuple[int, dt.date], int] = {}

    def rows() -> Iterator[tuple[Any, ...]]:
        for n in range(count):
            version_pk, days_allowed, levels = versions[rng.randrange(len(versions))]
            if "province" in levels and departments:
                receiving = holder = departments[rng.randrange(len(departments))]
            else:
                receiving, holder = desks[rng.randrange(len(desks))]
            state = rng.choices(states, weights)[0]
            age = dt.timedelta(seconds=rng.randrange(days * 86400))
            if state in (
                State.SUBMITTED,
                State.SUPPLEMENT_REQUESTED,
                State.RECEIVED,
                State.IN_PROCESS,
                State.AWAITING_APPROVAL,
                State.DECIDED,
                State.AWAITING_RETURN,
            ):
                age = dt.timedelta(seconds=rng.randrange(20 * 86400))  # open dossiers are recent
            submitted = now - age
            local_day = timezone.localtime(submitted).date()
            key = (receiving, local_day)
            counters[key] = counters.get(key, 0) + 1
            code = f"{codes[receiving]}-{local_day:%y%m%d}-{counters[key]:04d}"
            received = (
                submitted + dt.timedelta(minutes=rng.randrange(5, 600))
                if state not in (State.SUBMITTED, State.REFUSED)
                else None
            )
            due = received + dt.timedelta(days=max(1, days_allowed) * 7 / 5) if received else None
            finished = None
            if state in (State.RETURNED, State.AWAITING_RETURN, State.DECIDED) and received:
                late = rng.random() < 0.03
                span = (due - received) * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.2, 0.98))
                finished = min(received + span, now)
            returned = finished + dt.timedelta(hours=rng.randrange(1, 72)) if state == State.RETURNED else None
            if returned and returned > now:
                returned = now
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            identity = f"080{rng.randrange(10):d}{rng.randrange(40, 100):02d}{rng.randrange(10**6):06d}"
            yield (
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                code,
                version_pk,
                "citizen",
                name,
                identity,
                f"09{rng.randrange(10**8):08d}",
                "",
                "Tây Ninh",
                receiving,
                None if state in (State.SUBMITTED, State.REFUSED, State.WITHDRAWN) else holder,
                rng.choice([Channel.ONLINE, Channel.ONLINE, Channel.COUNTER, Channel.POSTAL]),
                str(state),
                "{}",
                "[]",
                0,
                created_by_id,
                submitted,
                submitted,
                submitted,
                received,
                received,
                due,
                finished,
                returned,
                1 if state == State.SUPPLEMENT_REQUESTED else 0,
                dt.timedelta(0),
                bool(due and (finished or now) > due),
                "approved" if finished else "",
                finished if finished else None,
                rng.choice(["satisfied", "satisfied", "satisfied", "normal", ""]) if returned else "",
                "",
                "",
            )
            if progress and (n + 1) % 50_000 == 0:
                progress(n + 1)

    table = Dossier._meta.db_table
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows():
                copy.write_row(row)
        cursor.execute(f"ANALYZE {table}")
    # Keep the live counters ahead of the generated codes.
    with connection.cursor() as cursor:
        for (agency, day), last in counters.items():
            cursor.execute(
                "INSERT INTO dossiers_dossiercounter (agency_id, day, last) VALUES (%s, %s, %s) "
                "ON CONFLICT (agency_id, day) DO UPDATE SET last = GREATEST(dossiers_dossiercounter.last, "
                "EXCLUDED.last)",
                [agency, day, last],
            )
    return count
