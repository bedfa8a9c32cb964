"""The command that serves the platform over HTTP: granian, a Rust HTTP server, on the WSGI app.

One definition for `cqs run` and the benchmarks, so what is measured is what is run. Granian parses
HTTP and manages connections in Rust, outside the GIL; in the full benchmark runs of 2026-12-07 it
served package_show at 2,255 /s against gunicorn's 1,406 /s (README, Benchmarks). Request
bodies reach Django as a stream (an upload is not held in memory), and static files are still
served by WhiteNoise inside the app, so the server can be swapped without touching the site.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request


def web_server_command(*, host: str, port: int, workers: int, threads: int, access_log: bool = False) -> list[str]:
    """Arguments for a subprocess serving `cqs.wsgi:application` on host:port.

    `threads` is the number of requests each worker process runs at once (granian's blocking
    threads); further requests wait in the server. Granian's `--backpressure` is left at its
    default (the backlog shared out over the workers): it counts open connections, not requests
    in progress, so a limit as low as `threads` let idle keep-alive connections lock out new
    clients (measured: with 2, the third of six keep-alive clients waited until timeout).
    """
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "cqs.wsgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--no-ws",
        "--workers-kill-timeout",
        "10",
        "--log-level",
        "warning",
        "--access-log" if access_log else "--no-access-log",
    ]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server started next)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(base_url: str, process: subprocess.Popen, timeout: float = 60) -> bool:
    """Wait until the server at `base_url` answers `/healthz` with 200. False if `process` exits
    first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False
