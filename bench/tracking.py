"""Tracking lookup: the public `GET /api/v1/track/{code}?verify=<last 4 digits>` at N clients, over
codes sampled across the whole data set (the per-address limit is raised for the run:
`CQS_TRACK_LIMIT_PER_ADDRESS`, set by `python -m bench` before the server starts)."""

from __future__ import annotations

from urllib.parse import quote

from bench.load import measure
from bench.report import Row, latency_rows

SAMPLE = 5_000


def paths(sample: int = SAMPLE) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dossiers_dossier WHERE code IS NOT NULL")
        (total,) = cursor.fetchone()
        percent = min(100.0, max(0.01, 100.0 * sample * 3 / max(total, 1)))
        cursor.execute(
            f"SELECT code, applicant_identity FROM dossiers_dossier TABLESAMPLE SYSTEM ({percent}) REPEATABLE (1) "
            "WHERE code IS NOT NULL AND length(applicant_identity) >= 4 LIMIT %s",
            [sample],
        )
        rows = cursor.fetchall()
    return [f"/api/v1/track/{quote(code)}?verify={identity[-4:]}" for code, identity in rows]


def run(base_url: str, *, clients: int, seconds: float) -> tuple[list[Row], dict]:
    lookups = paths()
    if not lookups:
        raise RuntimeError("tracking: no submitted dossiers to look up")
    measure(base_url, lookups[:clients], clients=clients, seconds=0, requests=2)  # warm-up, not sampled
    samples, errors = measure(base_url, lookups, clients=clients, seconds=seconds)
    rows = latency_rows(f"tracking lookup ({clients} clients)", samples)  # the issues set no target
    rows.append(Row(f"tracking lookup ({clients} clients)", "lookups/s", round(len(samples) / seconds, 1), "/s", ""))
    return rows, {"clients": clients, "seconds": seconds, "codes": len(lookups), "errors": errors}
