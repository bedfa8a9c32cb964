"""Closed-loop HTTP load: N clients, each on its own keep-alive connection, for a while."""

from __future__ import annotations

import http.client
import threading
import time
from urllib.parse import urlparse


def measure(
    base_url: str, paths: list[str], *, clients: int, seconds: float, headers: dict | None = None, requests: int = 0
) -> tuple[list[float], int]:
    """Latencies in ms of GET requests cycling through `paths` (each client from its own offset),
    for `seconds` (or `requests` per client when given). Returns the samples and the error count;
    any non-200 answer counts as an error and is not sampled."""
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker(n: int) -> None:
        parsed = urlparse(base_url)
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        mine, bad, i = [], 0, n * 7919
        start.wait()
        done = 0
        while (requests and done < requests) or (not requests and time.monotonic() < stop_at[0]):
            path = paths[i % len(paths)]
            i += 1
            done += 1
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                response.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                bad += 1
                continue
            if response.status != 200:
                bad += 1
                continue
            mine.append((time.perf_counter() - t) * 1000)
        conn.close()
        with lock:
            samples.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + seconds
    start.wait()
    for thread in threads:
        thread.join()
    return samples, errors[0]
