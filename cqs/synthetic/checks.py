# ruff: noqa: S608 - the SQL is fixed text of this module, no user input
"""Checks that the dossier tables hold data the services could have produced ("kiểm tra dữ liệu").

Each rule is one SQL query returning the offending rows' identifiers (set-based, one pass each,
so it runs at millions of dossiers); `check_province` reports every rule that finds any.
Used on the synthetic province after a bulk load, and useful on any database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

RUNNING = "('received', 'in_process', 'at_other_agency', 'awaiting_approval', 'decided')"
ACCEPTED = (
    "('received', 'in_process', 'at_other_agency', 'awaiting_approval', 'decided', 'payment_requested', "
    "'awaiting_return', 'returned')"
)
NOT_FINISHED = "('submitted', 'supplement_requested', 'supplemented') "

D = "dossiers_dossier"
RULES: list[tuple[str, str]] = [
    # State and fields agree.
    (
        "submitted dossier has a code and a submission moment",
        f"SELECT id::text FROM {D} WHERE status <> 'draft' AND (code IS NULL OR submitted_at IS NULL)",
    ),
    (
        "accepted dossier has reception, clock start and appointment",
        f"SELECT code FROM {D} WHERE status IN {ACCEPTED} AND "
        "(received_at IS NULL OR clock_started_at IS NULL OR due_at IS NULL)",
    ),
    (
        "dossier not yet accepted has no reception moment",
        f"SELECT code FROM {D} WHERE status IN ('draft', 'submitted', 'refused') AND received_at IS NOT NULL",
    ),
    (
        "closed or resulted dossier has a finishing moment",
        f"SELECT code FROM {D} WHERE status IN ('awaiting_return', 'returned', 'refused', 'withdrawn', 'stopped') "
        "AND finished_at IS NULL",
    ),
    (
        "open dossier has no finishing moment",
        f"SELECT code FROM {D} WHERE (status IN {RUNNING} OR status IN {NOT_FINISHED} "
        "OR status = 'payment_requested') AND finished_at IS NOT NULL",
    ),
    (
        "returned exactly when it has a return moment",
        f"SELECT code FROM {D} WHERE (status = 'returned') <> (returned_at IS NOT NULL)",
    ),
    (
        "resulted dossier has a decision and a result file",
        f"SELECT code FROM {D} WHERE status IN ('awaiting_return', 'returned') AND "
        "(outcome NOT IN ('approved', 'rejected') OR decided_at IS NULL OR result_file_id IS NULL)",
    ),
    (
        "decided dossier has a decision",
        f"SELECT code FROM {D} WHERE status = 'decided' AND (outcome = '' OR decided_at IS NULL)",
    ),
    (
        "dossier being processed has a holder",
        f"SELECT code FROM {D} WHERE status IN {RUNNING} AND current_agency_id IS NULL",
    ),
    (
        "paused exactly while waiting for the applicant",
        f"SELECT code FROM {D} WHERE paused_at IS NOT NULL AND (status NOT IN "
        "('supplement_requested', 'supplemented', 'payment_requested') OR resume_state = '')",
    ),
    (
        "rating only on a returned dossier, with its moment",
        f"SELECT code FROM {D} WHERE rating <> '' AND (status <> 'returned' OR rated_at IS NULL "
        "OR rating NOT IN ('satisfied', 'normal', 'unsatisfied'))",
    ),
    (
        "overdue flag agrees with the result moment",
        f"SELECT code FROM {D} WHERE finished_at IS NOT NULL AND result_file_id IS NOT NULL "
        "AND is_overdue <> (finished_at > due_at)",
    ),
    # Moments in order.
    (
        "moments in order: created <= submitted <= received <= clock start <= due",
        f"SELECT code FROM {D} WHERE submitted_at < created_at OR received_at < submitted_at "
        "OR clock_started_at < received_at OR due_at < received_at",
    ),
    (
        "moments in order: decided <= finished <= returned <= rated",
        f"SELECT code FROM {D} WHERE decided_at > finished_at OR finished_at > returned_at "
        "OR rated_at < returned_at OR finished_at < submitted_at",
    ),
    (
        "procedure version in force on the submission day",
        f"SELECT d.code FROM {D} d JOIN catalog_procedureversion v ON v.id = d.procedure_version_id "
        "WHERE d.submitted_at IS NOT NULL "
        "AND v.effective_from > (d.submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date",
    ),
    # Codes: `<agency>-<yyMMdd>-<NNNN>`, the receiving agency and the local submission day.
    (
        "code is <receiving agency>-<yyMMdd of submission>-<NNNN>",
        f"SELECT d.code FROM {D} d JOIN org_agency a ON a.id = d.receiving_agency_id WHERE d.status <> 'draft' AND "
        "(split_part(d.code, '-', 1) <> a.code OR split_part(d.code, '-', 2) <> "
        "to_char(d.submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') "
        "OR split_part(d.code, '-', 3) !~ '^[0-9]{4,}$')",
    ),
    (
        "codes of an agency-day run 1..n without gaps and the counter is at n",
        f"""SELECT q.agency_id || ' ' || q.day FROM (
            SELECT receiving_agency_id AS agency_id, (submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
                   count(*) AS n, max(split_part(code, '-', 3)::int) AS top, min(split_part(code, '-', 3)::int) AS low
            FROM {D} WHERE status <> 'draft' GROUP BY 1, 2) q
        LEFT JOIN dossiers_dossiercounter c ON c.agency_id = q.agency_id AND c.day = q.day
        WHERE q.n <> q.top OR q.low <> 1 OR c.last IS DISTINCT FROM q.top""",
    ),
    # History agrees with the state.
    (
        "history starts with the draft's creation and chains from one state to the next",
        """SELECT dossier_id::text FROM (
            SELECT dossier_id, action, from_status, to_status,
                   lag(to_status) OVER w AS previous, row_number() OVER w AS n
            FROM dossiers_dossierevent WINDOW w AS (PARTITION BY dossier_id ORDER BY at, id)) e
        WHERE (n = 1 AND (action <> 'create' OR to_status <> 'draft'))
           OR (n > 1 AND from_status <> previous)""",
    ),
    (
        "last history event leads to the dossier's state",
        f"""SELECT d.code FROM {D} d LEFT JOIN LATERAL (
            SELECT to_status FROM dossiers_dossierevent e WHERE e.dossier_id = d.id ORDER BY at DESC, id DESC LIMIT 1
        ) last ON true WHERE last.to_status IS DISTINCT FROM d.status""",
    ),
    (
        "submitted dossier has its submit event at its submission moment",
        f"""SELECT d.code FROM {D} d WHERE d.status <> 'draft' AND NOT EXISTS (
            SELECT 1 FROM dossiers_dossierevent e WHERE e.dossier_id = d.id AND e.action = 'submit'
            AND e.at = d.submitted_at)""",
    ),
    (
        "submitted dossier has a current file for each document the applicant must attach",
        f"""SELECT d.code FROM {D} d JOIN catalog_requireddocument r ON r.version_id = d.procedure_version_id
            AND r.required AND r.national_source = ''
        WHERE d.status <> 'draft' AND NOT EXISTS (SELECT 1 FROM dossiers_dossierdocument x
            WHERE x.dossier_id = d.id AND x.requirement_id = r.id AND x.is_current)""",
    ),
    (
        "supplement rounds equal the supplement requests",
        f"""SELECT d.code FROM {D} d LEFT JOIN (
            SELECT dossier_id, count(*) AS n FROM dossiers_supplementrequest GROUP BY dossier_id) s
        ON s.dossier_id = d.id WHERE d.supplement_rounds <> COALESCE(s.n, 0)""",
    ),
    (
        "current step belongs to the dossier and is open",
        f"SELECT d.code FROM {D} d JOIN dossiers_dossierstep s ON s.id = d.current_step_id "
        "WHERE s.dossier_id <> d.id OR s.completed_at IS NOT NULL",
    ),
    (
        "steps start before they are due and complete after they start",
        "SELECT id::text FROM dossiers_dossierstep WHERE due_at < started_at OR completed_at < started_at",
    ),
]
# Foreign keys (the bulk load may run without trigger checks; verify them here).
FOREIGN_KEYS = [
    (D, "procedure_version_id", "catalog_procedureversion", "id"),
    (D, "applicant_id", "accounts_user", "id"),
    (D, "created_by_id", "accounts_user", "id"),
    (D, "receiving_agency_id", "org_agency", "id"),
    (D, "current_agency_id", "org_agency", "id"),
    (D, "current_step_id", "dossiers_dossierstep", "id"),
    (D, "result_file_id", "dossiers_storedfile", "sha256"),
    ("dossiers_dossierevent", "dossier_id", D, "id"),
    ("dossiers_dossierevent", "actor_id", "accounts_user", "id"),
    ("dossiers_dossierevent", "agency_id", "org_agency", "id"),
    ("dossiers_dossierstep", "dossier_id", D, "id"),
    ("dossiers_dossierstep", "agency_id", "org_agency", "id"),
    ("dossiers_dossierstep", "completed_by_id", "accounts_user", "id"),
    ("dossiers_supplementrequest", "dossier_id", D, "id"),
    ("dossiers_supplementrequest", "requested_by_id", "accounts_user", "id"),
    ("dossiers_dossiercounter", "agency_id", "org_agency", "id"),
    ("dossiers_dossierdocument", "dossier_id", D, "id"),
    ("dossiers_dossierdocument", "requirement_id", "catalog_requireddocument", "id"),
    ("dossiers_dossierdocument", "uploaded_by_id", "accounts_user", "id"),
    ("dossiers_dossierdocument", "file_id", "dossiers_storedfile", "sha256"),
]
for _table, _column, _target, _key in FOREIGN_KEYS:
    RULES.append(
        (
            f"foreign key {_table}.{_column} -> {_target}",
            f"SELECT t.{_column}::text FROM {_table} t LEFT JOIN {_target} r ON r.{_key} = t.{_column} "
            f"WHERE t.{_column} IS NOT NULL AND r.{_key} IS NULL",
        )
    )


@dataclass(frozen=True)
class Violation:
    rule: str
    count: int
    examples: list[str]


def _calendar_sample(size: int) -> Violation | None:
    """The clock start and appointment of a sample of accepted dossiers, recomputed with the
    services' own functions (`clock_start`, `statutory_deadline`) from the reception moment.
    Dossiers whose clock was paused (fees, supplements during processing) or whose appointment
    was moved by an apology are left out: their appointment moved on purpose."""
    from cqs.catalog.models import ProcedureVersion
    from cqs.dossiers.models import Dossier
    from cqs.dossiers.services import clock_start, statutory_deadline

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {D} WHERE received_at IS NOT NULL AND paused_total = interval '0' "
            "AND paused_at IS NULL AND apologized_at IS NULL"
        )
        (total,) = cursor.fetchone()
    if not total:
        return None
    percent = min(100.0, max(0.001, 100.0 * size * 3 / total))
    sample = list(
        Dossier.objects.raw(
            f"SELECT id, code, procedure_version_id, received_at, clock_started_at, due_at FROM {D} "
            f"TABLESAMPLE SYSTEM ({percent}) REPEATABLE (7) WHERE received_at IS NOT NULL "
            "AND paused_total = interval '0' AND paused_at IS NULL AND apologized_at IS NULL LIMIT %s",
            [size],
        )
    )
    versions = ProcedureVersion.objects.in_bulk({d.procedure_version_id for d in sample})
    wrong = []
    for d in sample:
        version = versions[d.procedure_version_id]
        start = clock_start(version, d.received_at)
        if start != d.clock_started_at or statutory_deadline(version, start) != d.due_at:
            wrong.append(d.code)
    return Violation(f"clock start and appointment follow the working calendar (sample of {len(sample)})",
                     len(wrong), wrong[:5]) if wrong else None  # fmt: skip


def check_province(*, progress: Callable[[str], None] | None = None, calendar_sample: int = 2_000) -> list[Violation]:
    """Every rule broken by the current data, with a count and up to five examples each."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'") if not connection.get_autocommit() else None
        for rule, sql in RULES:
            cursor.execute(f"SELECT count(*), (array_agg(x))[1:5] FROM ({sql}) AS q(x)")
            count, examples = cursor.fetchone()
            if progress:
                progress(f"  {'ok ' if not count else 'BAD'} {rule}")
            if count:
                found.append(Violation(rule, count, [str(e) for e in examples or []]))
    if calendar_sample:
        violation = _calendar_sample(calendar_sample)
        if progress:
            progress(f"  {'ok ' if violation is None else 'BAD'} clock start and appointment (sampled)")
        if violation is not None:
            found.append(violation)
    return found
