# ruff: noqa: S608 - SQL text built from constants and model table names only; values are bound
"""The warehouse's set-based SQL: the same rules as `services.fact_values` / `services.contributions`,
written once for the rebuild and the check. Keep the two in step (the property test does)."""

from __future__ import annotations

FINISHED = "d.status IN ('awaiting_return', 'returned')"

FACT_COLUMNS = (
    "dossier_id, procedure_id, procedure_code, online_level, agency_id, agency_level, channel, status, "
    "submitted_at, received_at, due_at, finished_at, processing_seconds, statutory_seconds, supplement_rounds, "
    "apologized, outcome, fee_total, fee_paid, fee_paid_online, electronic_result, rating, is_finished, on_time"
)

FACT_SELECT = f"""
SELECT d.id AS dossier_id, v.procedure_id AS procedure_id, p.code AS procedure_code, v.online_level AS online_level,
       d.receiving_agency_id AS agency_id, a.level AS agency_level, d.channel AS channel, d.status AS status,
       d.submitted_at AS submitted_at, d.received_at AS received_at, d.due_at AS due_at,
       d.finished_at AS finished_at,
       floor(extract(epoch FROM d.processing_time))::bigint AS processing_seconds,
       CASE v.processing_unit
            WHEN 'working_hours' THEN v.processing_time::bigint * 3600
            WHEN 'calendar_days' THEN v.processing_time::bigint * 28800 * 5 / 7
            ELSE v.processing_time::bigint * 28800 END AS statutory_seconds,
       d.supplement_rounds AS supplement_rounds, d.apologized_at IS NOT NULL AS apologized, d.outcome AS outcome,
       d.fee_total AS fee_total, d.fee_paid_at IS NOT NULL AS fee_paid, d.fee_paid_online AS fee_paid_online,
       ({FINISHED} AND d.result_file_id IS NOT NULL AND v.electronic_result) AS electronic_result,
       d.rating AS rating,
       {FINISHED} AS is_finished,
       ({FINISHED} AND d.finished_at IS NOT NULL AND d.due_at IS NOT NULL AND d.finished_at <= d.due_at
        AND d.apologized_at IS NULL AND d.supplement_rounds <= 1) AS on_time
  FROM dossiers_dossier d
  JOIN catalog_procedureversion v ON v.id = d.procedure_version_id
  JOIN catalog_procedure p ON p.id = v.procedure_id
  JOIN org_agency a ON a.id = d.receiving_agency_id
 WHERE d.status <> 'draft' AND d.submitted_at IS NOT NULL
"""

AGENCY_COLUMNS = (
    "month, agency_id, agency_level, channel, online_level, filed, filed_online, finished, finished_on_time, "
    "finished_late, timed, processing_seconds, statutory_seconds, with_fee, paid, paid_online, electronic_results, "
    "rated, rated_satisfied, rated_normal, rated_unsatisfied"
)

PROCEDURE_COLUMNS = (
    "month, procedure_id, agency_level, finished, finished_on_time, timed, processing_seconds, statutory_seconds"
)


def _month(column: str, tz: str) -> str:
    return f"date_trunc('month', {column} AT TIME ZONE '{tz}')::date"


def agency_month_select(facts: str, tz: str) -> str:
    """The agency-month rows of the facts in relation `facts`: filing counted in the submission
    month, everything else in the month processing finished."""
    timed = "(f.processing_seconds IS NOT NULL)"
    return f"""
SELECT month, agency_id, agency_level, channel, online_level,
       sum(filed), sum(filed_online), sum(finished), sum(finished_on_time), sum(finished_late), sum(timed),
       sum(processing_seconds), sum(statutory_seconds), sum(with_fee), sum(paid), sum(paid_online),
       sum(electronic_results), sum(rated), sum(rated_satisfied), sum(rated_normal), sum(rated_unsatisfied)
  FROM (
    SELECT {_month("f.submitted_at", tz)} AS month, f.agency_id, f.agency_level, f.channel, f.online_level,
           1 AS filed, (f.channel = 3)::int AS filed_online, 0 AS finished, 0 AS finished_on_time,
           0 AS finished_late, 0 AS timed, 0::bigint AS processing_seconds, 0::bigint AS statutory_seconds,
           0 AS with_fee, 0 AS paid, 0 AS paid_online, 0 AS electronic_results, 0 AS rated,
           0 AS rated_satisfied, 0 AS rated_normal, 0 AS rated_unsatisfied
      FROM {facts} f
    UNION ALL
    SELECT {_month("f.finished_at", tz)}, f.agency_id, f.agency_level, f.channel, f.online_level,
           0, 0, 1, f.on_time::int, (NOT f.on_time)::int, {timed}::int,
           coalesce(f.processing_seconds, 0), CASE WHEN {timed} THEN f.statutory_seconds ELSE 0 END,
           (f.fee_total > 0)::int, f.fee_paid::int, f.fee_paid_online::int, f.electronic_result::int,
           (f.rating <> '')::int, (f.rating = 'satisfied')::int, (f.rating = 'normal')::int,
           (f.rating = 'unsatisfied')::int
      FROM {facts} f
     WHERE f.is_finished
  ) s
 GROUP BY month, agency_id, agency_level, channel, online_level
"""


def procedure_month_select(facts: str, tz: str) -> str:
    timed = "(f.processing_seconds IS NOT NULL)"
    return f"""
SELECT {_month("f.finished_at", tz)} AS month, f.procedure_id, f.agency_level,
       count(*), sum(f.on_time::int), sum({timed}::int), sum(coalesce(f.processing_seconds, 0)),
       sum(CASE WHEN {timed} THEN f.statutory_seconds ELSE 0 END)
  FROM {facts} f
 WHERE f.is_finished
 GROUP BY 1, 2, 3
"""


def fact_insert() -> str:
    return f"INSERT INTO warehouse_dossier_fact ({FACT_COLUMNS}) {FACT_SELECT}"


def agency_month_insert(facts: str, tz: str) -> str:
    return f"INSERT INTO warehouse_agency_month ({AGENCY_COLUMNS}) {agency_month_select(facts, tz)}"


def procedure_month_insert(facts: str, tz: str) -> str:
    return f"INSERT INTO warehouse_procedure_month ({PROCEDURE_COLUMNS}) {procedure_month_select(facts, tz)}"
