"""The command that serves the platform over HTTP: granian, a Rust HTTP server, on the WSGI app.

One definition for `cqs run` and the benchmarks, so what is measured is what is run. Granian parses
HTTP and manages connections in Rust, outside the GIL; measured on the same data it served the
open-data reads about 25 % faster than gunicorn's threaded workers (README, benchmarks). Request
bodies reach Django as a stream (an upload is not held in memory), and static files are still
served by WhiteNoise inside the app, so the server can be swapped without touching the site.
"""

from __future__ import annotations

import sys


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
