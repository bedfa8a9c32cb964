"""Scorecard latency: p50/p95 of the scorecard API (province and one agency), the Decision 766
index API and the public scorecard page, over HTTP; the baseline is the same figures computed
by a plain GROUP BY over the dossier table (`cqs.scorecard.queries.plain_group_by`), timed in
the same run on the same data."""

from __future__ import annotations

import datetime as dt
import statistics
import time

from bench.load import measure
from bench.report import Row, percentile

TARGET = "<= 100"  # issue 5: any scorecard page or API call answers in <= 100 ms


def available() -> str:
    """'' when the scorecard can be measured, else why not."""
    try:
        from cqs.scorecard.queries import plain_group_by  # noqa: F401
    except ImportError as exc:
        return f"cqs.scorecard.queries.plain_group_by is not available ({exc})"
    return ""


def last_full_quarter() -> str:
    """The last quarter that ended before the newest dossier, as `2026-Q3`."""
    from django.db.models import Max

    from cqs.dossiers.models import Dossier

    newest = Dossier.objects.aggregate(m=Max("submitted_at"))["m"] or dt.datetime.now(dt.UTC)
    quarter = (newest.month - 1) // 3  # the current quarter's index 0..3; the previous one is complete
    year = newest.year if quarter else newest.year - 1
    return f"{year}-Q{quarter if quarter else 4}"


def _rows(name: str, samples: list[float], baseline_p95: float | None, *, target: str) -> list[Row]:
    p50 = round(statistics.median(samples), 1) if samples else float("nan")
    p95 = round(percentile(samples, 95), 1)
    return [
        Row(name, "p50 latency", p50, "ms", ""),
        Row(name, "p95 latency", p95, "ms", target, "GROUP BY p95 ms", baseline_p95),
    ]


def run(base_url: str, token: str, *, clients: int, seconds: float, baseline_runs: int = 10) -> tuple[list[Row], dict]:
    from django.urls import NoReverseMatch, reverse

    from cqs.core.demo import PILOT_COMMUNE
    from cqs.org.demo import commune_agency_codes
    from cqs.scorecard.queries import parse_period, plain_group_by

    period = last_full_quarter()
    committee, _desk = commune_agency_codes(PILOT_COMMUNE)
    baseline = []
    for _ in range(baseline_runs):
        began = time.perf_counter()
        plain_group_by(period=parse_period(period))
        baseline.append((time.perf_counter() - began) * 1000)
    base_p95 = round(percentile(baseline, 95), 1)
    rows = [
        Row("scorecard baseline: plain GROUP BY", "p50 latency", round(statistics.median(baseline), 1), "ms", ""),
        Row("scorecard baseline: plain GROUP BY", "p95 latency", base_p95, "ms", ""),
    ]
    auth = {"Authorization": f"Bearer {token}"}
    targets = [
        ("scorecard API, province", f"/api/v1/scorecard?period={period}&unit=province", auth),
        ("scorecard API, one agency", f"/api/v1/scorecard?period={period}&unit={committee}", auth),
        ("index 766 API", f"/api/v1/scorecard/index766?period={period}", auth),
    ]
    context: dict = {"period": period, "clients": clients, "seconds_each": seconds, "errors": {}, "skipped": []}
    try:
        targets.append(("public scorecard page", reverse("scorecard:scorecard"), {}))
    except NoReverseMatch:
        context["skipped"].append("public scorecard page: not wired in cqs/urls.py")
    for name, path, headers in targets:
        # Warm-up: each web worker's first request pays for imports and caches, not the scorecard.
        measure(base_url, [path], clients=clients, seconds=0, headers=headers, requests=2)
        # The figure is the time one request takes to answer ("answers in <= 100 ms"):
        # one client at a time. The same call under `clients` concurrent clients is reported
        # beside it; on two cores shared with the load generator that figure is mostly queueing.
        for concurrency, target in ((1, TARGET), (clients, "")):
            samples, errors = measure(base_url, [path], clients=concurrency, seconds=seconds / 2, headers=headers)
            context["errors"][f"{name}, {concurrency} clients"] = errors
            if not samples:
                # Reported, not fatal: the other benchmarks' figures still count.
                print(f"scorecard: {path} answered no request with 200; not measured", flush=True)
                context["skipped"].append(f"{name}: no 200 answer from {path}")
                break
            label = "1 client" if concurrency == 1 else f"{concurrency} clients"
            rows += _rows(f"{name} ({label})", samples, base_p95, target=target)
    return rows, context
