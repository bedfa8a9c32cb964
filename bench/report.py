"""One table for every benchmark: figure, target, baseline measured in the same run, ratio."""

from __future__ import annotations

import json
import platform
import statistics
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo


@dataclass
class Row:
    benchmark: str
    figure: str
    value: float
    unit: str
    target: str
    baseline_name: str = ""
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None

    @property
    def met(self) -> str:
        if not self.target:
            return ""
        op, number = self.target.split(" ", 1)
        threshold = float(number)
        ok = self.value >= threshold if op == ">=" else self.value <= threshold
        return "yes" if ok else "NO"


def percentile(samples: list[float], p: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def latency_rows(benchmark: str, samples_ms: list[float], *, p95_target: str = "", p99_target: str = "") -> list[Row]:
    return [
        Row(benchmark, "p50 latency", round(statistics.median(samples_ms), 1), "ms", ""),
        Row(benchmark, "p95 latency", round(percentile(samples_ms, 95), 1), "ms", p95_target),
        Row(benchmark, "p99 latency", round(percentile(samples_ms, 99), 1), "ms", p99_target),
    ]


def render(rows: list[Row]) -> str:
    header = ["benchmark", "figure", "value", "unit", "target", "met", "baseline (same run)", "ratio"]
    lines = [header]
    for r in rows:
        baseline = f"{r.baseline_name} {r.baseline:,.0f}" if r.baseline is not None else ""
        ratio = f"{r.ratio:.3f}" if r.ratio is not None else ""
        lines.append([r.benchmark, r.figure, f"{r.value:,.1f}", r.unit, r.target, r.met, baseline, ratio])
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def write_json(rows: list[Row], path: Path, context: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "measured_at": datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": _cpus()},
        "context": context,
        "rows": [asdict(r) | {"ratio": r.ratio, "met": r.met} for r in rows],
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0
