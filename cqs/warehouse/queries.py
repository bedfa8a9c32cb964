# ruff: noqa: S608 - SQL text built from constants and model table names only; values are bound
"""Reads of the warehouse: the check that the tables agree with a fresh recomputation."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

from cqs.warehouse import sql


def warehouse_differences(*, limit: int = 50) -> list[str]:
    """Rows where the stored warehouse differs from a recomputation from the dossier table
    (empty when they agree). Summary rows whose counters are all zero are ignored: a dossier
    that moved out of a month leaves such a row behind, and it changes no figure."""
    tz = settings.TIME_ZONE
    found: list[str] = []
    with transaction.atomic(), connection.cursor() as cursor:
        # Dropped explicitly too: inside an outer transaction (tests) ON COMMIT never comes.
        cursor.execute("DROP TABLE IF EXISTS fresh_fact")
        cursor.execute(f"CREATE TEMP TABLE fresh_fact ON COMMIT DROP AS {sql.FACT_SELECT}")
        checks = [
            (
                "fact",
                f"SELECT {sql.FACT_COLUMNS} FROM warehouse_dossier_fact",
                f"SELECT {sql.FACT_COLUMNS} FROM fresh_fact",
            ),
            (
                "agency_month",
                _nonzero(f"SELECT {sql.AGENCY_COLUMNS} FROM warehouse_agency_month", sql.AGENCY_COLUMNS, 5),
                sql.agency_month_select("fresh_fact", tz),
            ),
            (
                "procedure_month",
                _nonzero(f"SELECT {sql.PROCEDURE_COLUMNS} FROM warehouse_procedure_month", sql.PROCEDURE_COLUMNS, 3),
                sql.procedure_month_select("fresh_fact", tz),
            ),
        ]
        for name, stored, fresh in checks:
            for label, a, b in (("stored, not recomputed", stored, fresh), ("recomputed, not stored", fresh, stored)):
                cursor.execute(f"({a}) EXCEPT ({b}) LIMIT %s", [limit])
                found.extend(f"{name} {label}: {row}" for row in cursor.fetchall())
        cursor.execute("DROP TABLE fresh_fact")
    return found


def _nonzero(select: str, columns: str, keys: int) -> str:
    counters = [c.strip() for c in columns.split(",")][keys:]
    return f"{select} WHERE NOT ({' AND '.join(f'{c} = 0' for c in counters)})"
