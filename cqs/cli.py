"""`cqs run`: the platform on one machine, on its embedded PostgreSQL unless DATABASE_URL is set.

It prepares the database (migrations, demo data in demo mode), prints the address and the demo
accounts, then runs the web server until interrupted, and stops the embedded server on the way out.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys

from cqs.core.web_server import wait_healthy, web_server_command


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cqs.settings")
    import django

    django.setup()


def _port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on host:port.

    Granian binds with SO_REUSEPORT, so a second `cqs run` on a busy port would not fail: it would
    silently share the port with the first. SO_REUSEADDR alone still refuses a listening socket.
    """
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def _stop_on_sigterm(signum, frame) -> None:
    # SystemExit unwinds through run()'s finally (stopping the web server and the worker) and then
    # the embedded database's exit hook; the default action would orphan all three.
    raise SystemExit(0)


def run(args: argparse.Namespace) -> int:
    if _port_in_use(args.host, args.port):
        print(
            f"Port {args.port} on {args.host} is already in use (another `cqs run`?). "
            "Stop that server or choose another port with --port.",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    address = f"http://{args.host}:{args.port}"
    # Links the platform writes (DCAT URIs, e-mails, receipts' QR codes) name the address it serves
    # unless the public address is configured.
    os.environ.setdefault("CQS_SITE_URL", address)
    if args.demo:
        os.environ.setdefault("CQS_DEMO", "1")
    _django_setup()
    from django.conf import settings
    from django.core.management import call_command

    # Child processes reuse the server this process started rather than starting their own.
    if not os.environ.get("DATABASE_URL"):
        from cqs.core.embedded_db import embedded_database_url

        os.environ["DATABASE_URL"] = embedded_database_url(settings.DATA_DIR)
    call_command("migrate", interactive=False, verbosity=0)
    (settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    if settings.DEMO_MODE:
        call_command("load_demo")
    command = web_server_command(
        host=args.host, port=args.port, workers=args.workers, threads=args.threads, access_log=args.access_log
    )
    web = subprocess.Popen(command, env=os.environ.copy())
    # The task queue's worker: notifications, periodic jobs. Same database, same code.
    worker = subprocess.Popen(
        [sys.executable, "-m", "django", "procrastinate", "worker", "--concurrency", "4"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cqs.settings"},
    )
    try:
        if not wait_healthy(address, web):
            print("The web server did not become healthy; see the messages above.", file=sys.stderr)
            return 1
        print(f"\nChính Quyền Số is running at {address}  (admin: {address}/admin/, API: {address}/api/v1/docs)")
        print("Press Ctrl+C to stop.", flush=True)
        return web.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for process in (web, worker):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cqs", description="Chính Quyền Số platform")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="migrate, load demo data (demo mode) and serve")
    run_parser.add_argument("--host", default=os.environ.get("CQS_HOST", "127.0.0.1"))
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("CQS_PORT", "8000")))
    # One web process per core: more only adds context switches (granian warns about it).
    default_workers = os.environ.get("CQS_WEB_WORKERS") or str(max(2, os.cpu_count() or 2))
    run_parser.add_argument("--workers", type=int, default=int(default_workers))
    run_parser.add_argument("--threads", type=int, default=int(os.environ.get("CQS_WEB_THREADS", "4")))
    run_parser.add_argument("--no-demo", dest="demo", action="store_false", help="do not load demo data")
    run_parser.add_argument("--access-log", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
