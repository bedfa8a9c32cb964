"""`python -m bench.profile_submission` — where a submission's CPU and SQL go, in-process.

Runs the benchmark's create → attach → submit flow through Django's test client (the full
middleware stack, no HTTP server) against `DATABASE_URL` (default: a `cqs_profile` database on the
local server), and prints per request: CPU milliseconds, SQL statements and the database server's CPU
milliseconds (when it runs on this machine). With `--profile` it
also prints the top functions by cumulative time (`PROFILE_SORT=tottime` to sort otherwise,
`PROFILE_FILTER=cqs/` to keep only matching lines, `PROFILE_LINES=70` for more of them). Used to
find what to cut on the hot path; the throughput benchmark itself is `python -m bench submission`.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
import uuid
from collections import defaultdict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_submission", description=__doc__)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true", help="print the statements of the last submission")
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/cqs_profile")
    os.environ.setdefault("CQS_DEVELOPMENT", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cqs.settings")
    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench import submission
    from bench.cpu import process_cpu

    call_command("migrate", interactive=False, verbosity=0)
    agency, usernames = submission.prepare(1)
    client = Client()
    response = client.post(
        "/api/v1/auth/token",
        {"username": usernames[0], "password": submission.PASSWORD},
        content_type="application/json",
    )
    token = response.json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    pdf_200kb = submission.pdf_200kb  # a new file for every attach, as citizens send
    payload = {"procedure": submission.PROCEDURE_CODE, "agency": agency, "form": {"ho_ten": "Nguyễn Văn Đo"}}
    cpu: dict[str, float] = defaultdict(float)
    database_cpu: dict[str, float] = defaultdict(float)
    statements: dict[str, int] = defaultdict(int)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    last_sql: dict[str, list[str]] = {}

    def backend_cpu() -> float:
        # The server process serving this connection, when it runs on this machine (Linux).
        if connection.connection is None:
            return 0.0
        return process_cpu(connection.connection.info.backend_pid) or 0.0

    def timed(step: str, call):
        # An execute wrapper rather than Django's query capture: the capture renders every statement
        # with its parameters (mogrify), which costs more than some of the statements themselves.
        executed: list[str] = []

        def record(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            backend_began = backend_cpu()
            began = time.process_time()
            if profiler:
                profiler.enable()
            response = call()
            if profiler:
                profiler.disable()
            cpu[step] += time.process_time() - began
            database_cpu[step] += backend_cpu() - backend_began
        statements[step] += len(executed)  # BEGIN and COMMIT go by the connection, not counted
        last_sql[step] = executed
        return response

    from django.core.files.uploadedfile import SimpleUploadedFile

    for _ in range(args.count):
        created = timed(
            "create",
            lambda: client.post(
                "/api/v1/dossiers",
                payload,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
                **auth,
            ),
        )
        assert created.status_code == 201, created.content
        ref = created.json()["id"]
        attached = timed(
            "attach",
            lambda ref=ref: client.post(
                f"/api/v1/dossiers/{ref}/documents",
                {
                    "requirement": "TK",
                    "file": SimpleUploadedFile("to-khai.pdf", pdf_200kb(uuid.uuid4().hex), "application/pdf"),
                },
                **auth,
            ),
        )
        assert attached.status_code == 201, attached.content
        submitted = timed(
            "submit",
            lambda ref=ref: client.post(
                f"/api/v1/dossiers/{ref}/submit",
                b"",
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
                **auth,
            ),
        )
        assert submitted.status_code == 200, submitted.content
    print(f"{'request':<8} {'CPU ms':>8} {'SQL':>5} {'database CPU ms':>16}")
    for step in ("create", "attach", "submit"):
        print(
            f"{step:<8} {1000 * cpu[step] / args.count:>8.1f} {statements[step] / args.count:>5.1f}"
            f" {1000 * database_cpu[step] / args.count:>16.1f}"
        )
    total_cpu = 1000 * sum(cpu.values()) / args.count
    total_sql = sum(statements.values()) / args.count
    total_database = 1000 * sum(database_cpu.values()) / args.count
    print(f"{'total':<8} {total_cpu:>8.1f} {total_sql:>5.1f} {total_database:>16.1f}")
    if args.sql:
        for step, sqls in last_sql.items():
            print(f"-- {step}")
            for sql in sqls:
                print(f"   {sql[:300]}")
    if profiler:
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
        stats.print_stats(os.environ.get("PROFILE_FILTER", ""), int(os.environ.get("PROFILE_LINES", "40")))
    return 0


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    raise SystemExit(main())
