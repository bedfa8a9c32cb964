"""Where the CPU of a measurement went: the web server's process tree, the database server's and
the load generator itself, read from Linux's /proc around the measured window.

Throughput on a small machine is CPU divided by CPU per operation; these figures say which side
to cut. Elsewhere than Linux they are absent, not wrong.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) of a live process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a live process (None when it is gone or not on this machine)."""
    found = _stat(pid)
    return found[1] if found else None


def _tree_cpu(roots: set[int]) -> float:
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(int(entry))
            if found:
                parents[int(entry)], cpu[int(entry)] = found
    total = 0.0
    for pid, seconds in cpu.items():
        walk = pid
        while walk not in roots and walk in parents and walk > 1:
            walk = parents[walk]
        if walk in roots:
            total += seconds
    return total


def _postgres_roots() -> set[int]:
    """Every postmaster on the machine (the embedded one, or the external local server): a
    `postgres` process whose parent is not one; its backends are its children."""
    return {
        int(entry)
        for entry in os.listdir("/proc")
        if entry.isdigit() and _comm(int(entry)) == "postgres" and _comm((_stat(int(entry)) or (0, 0))[0]) != "postgres"
    }


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


@dataclass
class CpuSample:
    web: float
    database: float
    generator: float


class CpuMeter:
    """`start()` before the measured window, `stop()` after: CPU seconds spent in between."""

    def __init__(self, web_pid: int) -> None:
        self.web_pid = web_pid
        self.available = Path("/proc/self/stat").exists()
        self._start: CpuSample | None = None

    def _sample(self) -> CpuSample:
        own = resource.getrusage(resource.RUSAGE_SELF)
        return CpuSample(
            web=_tree_cpu({self.web_pid}),
            database=_tree_cpu(_postgres_roots()),
            generator=own.ru_utime + own.ru_stime,
        )

    def start(self) -> None:
        if self.available:
            self._start = self._sample()

    def stop(self) -> CpuSample | None:
        if not self.available or self._start is None:
            return None
        end = self._sample()
        return CpuSample(
            web=end.web - self._start.web,
            database=end.database - self._start.database,
            generator=end.generator - self._start.generator,
        )
