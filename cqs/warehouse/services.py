"""Keeping the warehouse current ("cập nhật kho dữ liệu").

`dossier_fact_refresh` runs inside every dossier use case's transaction (called from
`dossiers.services._record`): it rewrites the dossier's fact row and applies the difference
between the old and the new fact to the monthly summaries with one upsert per table, rows taken
in sorted key order so two officials changing dossiers of the same agency never deadlock.
`warehouse_rebuild` recomputes everything from the dossier table in set-based SQL.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cqs.core import rows
from cqs.warehouse import sql
from cqs.warehouse.models import AgencyMonth, DossierFact, ProcedureMonth

FINISHED_STATES = ("awaiting_return", "returned")
ONLINE_CHANNEL = 3
SECONDS_PER_WORKING_DAY = 8 * 3600


def statutory_seconds(processing_time: int, processing_unit: str) -> int:
    """The statutory processing time in working seconds: a working day is 8 working hours, and
    calendar days count 5/7 of their number as working days (the SQL in `sql.py` says the same)."""
    if processing_unit == "working_hours":
        return processing_time * 3600
    if processing_unit == "calendar_days":
        return processing_time * SECONDS_PER_WORKING_DAY * 5 // 7
    return processing_time * SECONDS_PER_WORKING_DAY


def fact_values(dossier: Any) -> dict[str, Any]:
    """The fact row of `dossier` (the Python twin of `sql.FACT_SELECT`)."""
    version = dossier.procedure_version
    finished = dossier.status in FINISHED_STATES
    on_time = bool(
        finished
        and dossier.finished_at is not None
        and dossier.due_at is not None
        and dossier.finished_at <= dossier.due_at
        and dossier.apologized_at is None
        and dossier.supplement_rounds <= 1
    )
    processing = dossier.processing_time
    return {
        "dossier_id": dossier.pk,
        "procedure_id": version.procedure_id,
        "procedure_code": version.procedure.code,
        "online_level": version.online_level,
        "agency_id": dossier.receiving_agency_id,
        "agency_level": dossier.receiving_agency.level,
        "channel": dossier.channel,
        "status": dossier.status,
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "finished_at": dossier.finished_at,
        "processing_seconds": int(processing.total_seconds()) if processing is not None else None,
        "statutory_seconds": statutory_seconds(version.processing_time, version.processing_unit),
        "supplement_rounds": dossier.supplement_rounds,
        "apologized": dossier.apologized_at is not None,
        "outcome": dossier.outcome,
        "fee_total": dossier.fee_total,
        "fee_paid": dossier.fee_paid_at is not None,
        "fee_paid_online": dossier.fee_paid_online,
        "electronic_result": bool(finished and dossier.result_file_id is not None and version.electronic_result),
        "rating": dossier.rating,
        "is_finished": finished,
        "on_time": on_time,
    }


FACT_COLUMNS = [f.column for f in DossierFact._meta.fields]
AGENCY_KEY = ("month", "agency_id", "agency_level", "channel", "online_level")
AGENCY_COUNTERS = tuple(f.column for f in AgencyMonth._meta.fields if f.column not in (*AGENCY_KEY, "id"))
PROCEDURE_KEY = ("month", "procedure_id", "agency_level")
PROCEDURE_COUNTERS = tuple(f.column for f in ProcedureMonth._meta.fields if f.column not in (*PROCEDURE_KEY, "id"))


def _month(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def contributions(fact: dict[str, Any] | None) -> tuple[dict[tuple, dict[str, int]], dict[tuple, dict[str, int]]]:
    """What one fact adds to the summaries: (agency rows, procedure rows), counters by key.
    The Python twin of `sql.AGENCY_MONTH_SELECT` / `sql.PROCEDURE_MONTH_SELECT`."""
    agency: dict[tuple, dict[str, int]] = {}
    procedure: dict[tuple, dict[str, int]] = {}
    if fact is None:
        return agency, procedure

    def add(summary: dict[tuple, dict[str, int]], key: tuple, **counters: int) -> None:
        row = summary.setdefault(key, {})
        for name, value in counters.items():
            row[name] = row.get(name, 0) + int(value)

    dims = (fact["agency_id"], fact["agency_level"], fact["channel"], fact["online_level"])
    add(agency, (_month(fact["submitted_at"]), *dims), filed=1, filed_online=fact["channel"] == ONLINE_CHANNEL)
    if fact["is_finished"]:
        month = _month(fact["finished_at"])
        timed = fact["processing_seconds"] is not None
        processing = fact["processing_seconds"] or 0
        statutory = fact["statutory_seconds"] if timed else 0
        rating = fact["rating"]
        add(
            agency,
            (month, *dims),
            finished=1,
            finished_on_time=fact["on_time"],
            finished_late=not fact["on_time"],
            timed=timed,
            processing_seconds=processing,
            statutory_seconds=statutory,
            with_fee=fact["fee_total"] > 0,
            paid=fact["fee_paid"],
            paid_online=fact["fee_paid_online"],
            electronic_results=fact["electronic_result"],
            rated=rating != "",
            rated_satisfied=rating == "satisfied",
            rated_normal=rating == "normal",
            rated_unsatisfied=rating == "unsatisfied",
        )
        add(
            procedure,
            (month, fact["procedure_id"], fact["agency_level"]),
            finished=1,
            finished_on_time=fact["on_time"],
            timed=timed,
            processing_seconds=processing,
            statutory_seconds=statutory,
        )
    return agency, procedure


def _delta(old: dict[tuple, dict[str, int]], new: dict[tuple, dict[str, int]], counters: tuple[str, ...]) -> list:
    changes = []
    for key in sorted(set(old) | set(new)):
        values = [new.get(key, {}).get(c, 0) - old.get(key, {}).get(c, 0) for c in counters]
        if any(values):
            changes.append((*key, *values))
    return changes


def _upsert(table: str, key: tuple[str, ...], counters: tuple[str, ...], changes: list) -> tuple[str, list] | None:
    if not changes:
        return None
    columns = key + counters
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(changes))
    updates = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in counters)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders} "  # noqa: S608 - names from the models
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}",
        [value for row in changes for value in row],
    )


def dossier_fact_refresh(
    dossier: Any,
    *,
    had_fact: bool | None = None,
    together: Sequence[tuple[str, Sequence[Any]]] = (),
    named: Sequence[tuple[str, str, Sequence[Any]]] = (),
    answer: str = "",
) -> tuple[Any, ...] | None:
    """Bring the dossier's fact row and the monthly summaries up to date after a change, inside
    the caller's transaction (the caller holds the dossier's row lock, so one change at a time
    per dossier). Drafts have no fact. Three statements at most, whatever the archive's size: the
    fact as it was, the fact written with the agency's monthly summary, the procedure's; the read
    is skipped when the caller knows the dossier had no fact before (`had_fact=False`: it was a
    draft), and the procedure's summary only changes when the dossier is finished. The caller's
    own writes in `together` (`rows.execute_together`: independent of these rows) go in the
    same statement as the fact's, and so do its `named` clauses when it asks for an `answer`
    (returned: the row of that statement)."""
    fact_table = DossierFact._meta.db_table
    new = fact_values(dossier) if dossier.status != "draft" and dossier.submitted_at else None
    with connection.cursor() as cursor:
        found = None
        if had_fact is not False:
            cursor.execute(
                f"SELECT {', '.join(FACT_COLUMNS)} FROM {fact_table} WHERE dossier_id = %s",  # noqa: S608
                [dossier.pk],
            )
            found = cursor.fetchone()
        old = dict(zip(FACT_COLUMNS, found, strict=True)) if found else None
        writes = list(together)
        if old == new:
            return rows.execute_together(writes, named=named, answer=answer)
        if new is None:
            writes.append((f"DELETE FROM {fact_table} WHERE dossier_id = %s", [dossier.pk]))  # noqa: S608
        else:
            names = list(new)
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in names if c != "dossier_id")
            writes.append(
                (
                    f"INSERT INTO {fact_table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))}) "  # noqa: S608
                    f"ON CONFLICT (dossier_id) DO UPDATE SET {updates}",
                    list(new.values()),
                )
            )
        old_agency, old_procedure = contributions(old)
        new_agency, new_procedure = contributions(new)
        agency_rows = _delta(old_agency, new_agency, AGENCY_COUNTERS)
        writes.append(_upsert(AgencyMonth._meta.db_table, AGENCY_KEY, AGENCY_COUNTERS, agency_rows))
        # The fact row is the dossier's own (its row lock is held); the summaries' rows are shared,
        # so they are locked in a fixed order (agency month, then procedure month), each table in
        # key order: the procedure's summary is a statement of its own, after.
        answered = rows.execute_together([w for w in writes if w is not None], named=named, answer=answer)
        procedure_rows = _delta(old_procedure, new_procedure, PROCEDURE_COUNTERS)
        procedure_write = _upsert(ProcedureMonth._meta.db_table, PROCEDURE_KEY, PROCEDURE_COUNTERS, procedure_rows)
        if procedure_write is not None:
            cursor.execute(*procedure_write)
        return answered


def warehouse_rebuild(*, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Recompute the facts and the monthly summaries from the dossier table, from scratch, in
    one transaction of set-based SQL (no row goes through Python). Concurrent dossier changes wait
    for it on the warehouse tables' lock and then apply their own difference on top.
    Returns the row counts."""
    say = progress or (lambda _message: None)
    tz = settings.TIME_ZONE
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(
            f"TRUNCATE {DossierFact._meta.db_table}, {AgencyMonth._meta.db_table}, {ProcedureMonth._meta.db_table}"
        )
        steps = [
            ("facts", DossierFact._meta.db_table, sql.fact_insert()),
            ("agency months", AgencyMonth._meta.db_table, sql.agency_month_insert(DossierFact._meta.db_table, tz)),
            (
                "procedure months",
                ProcedureMonth._meta.db_table,
                sql.procedure_month_insert(DossierFact._meta.db_table, tz),
            ),
        ]
        for label, table, statement in steps:
            started = time.monotonic()
            say(f"{label}: computing…")
            cursor.execute(statement)
            counts[table] = cursor.rowcount
            say(f"{label}: {cursor.rowcount:,} rows in {time.monotonic() - started:.1f} s")
    with connection.cursor() as cursor:
        for table in counts:
            cursor.execute(f"ANALYZE {table}")
    return counts
