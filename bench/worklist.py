"""Worklist latency at scale: an official's "my agency's overdue dossiers, first page" and a search
by applicant name, over HTTP, on a synthetic province (`manage.py generate_province`)."""

from __future__ import annotations

import http.client
import threading
import time
from urllib.parse import urlencode, urlparse

from bench.report import Row, latency_rows


def prepare(count: int, seed: int = 1) -> str:
    """Demo data and a synthetic province of `count` dossiers (kept with --keep). Returns a bearer token."""
    from bench import dataset

    dataset.ensure(count, seed=seed)
    return dataset.official_token()


def _measure(base_url: str, token: str, path: str, params: dict, *, clients: int, requests: int) -> list[float]:
    samples: list[float] = []
    lock = threading.Lock()
    url = f"{path}?{urlencode(params)}"

    def worker() -> None:
        parsed = urlparse(base_url)
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        mine = []
        for _ in range(requests):
            t = time.perf_counter()
            conn.request("GET", url, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: {response.status} {body[:200]!r}")
            mine.append((time.perf_counter() - t) * 1000)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def run(base_url: str, token: str, *, clients: int = 2, requests: int = 200) -> tuple[list[Row], dict]:
    overdue = _measure(
        base_url,
        token,
        "/api/v1/office/worklist",
        {"scope": "agency", "due": "overdue"},
        clients=clients,
        requests=requests,
    )
    by_name = _measure(
        base_url,
        token,
        "/api/v1/office/worklist",
        {"scope": "agency", "q": "nguyen thi lan"},
        clients=clients,
        requests=requests,
    )
    rows = latency_rows("worklist: agency overdue, first page", overdue, p95_target="<= 50")
    rows += latency_rows("worklist: search by applicant name", by_name, p95_target="<= 50")
    return rows, {"clients": clients, "requests_each": requests}


def dataset_size() -> int:
    from cqs.dossiers.models import Dossier

    return Dossier.objects.count()
