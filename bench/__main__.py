"""`python -m bench` — run the platform's benchmarks and print one table (README, "Benchmarks").

Each run starts the platform on a fresh benchmark database (`var/bench`, or DATABASE_URL),
measures, and measures the baselines (`pgbench` TPC-B and select-only) on the same server in the
same run, so the figures are comparable across machines.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from bench import harness
from bench.report import Row, render, write_json

BENCHMARKS = ["submission", "worklist", "tracking", "scorecard", "opendata"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path("bench/results/latest.json"))
    parser.add_argument(
        "--dossiers", type=int, default=1_000_000, help="synthetic province size (worklist, tracking, scorecard)"
    )
    parser.add_argument("--datasets", type=int, default=20_000, help="catalogue size for the opendata benchmark")
    parser.add_argument("--keep", action="store_true", help="reuse the benchmark database of the last run")
    args = parser.parse_args(argv)
    names = args.names or BENCHMARKS
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}")
    # A benchmark stopped with SIGTERM (kill, a CI timeout) still stops its web server and its
    # embedded database on the way out, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    rows: list[Row] = []
    context: dict = {"web_workers": args.web_workers, "web_threads": args.web_threads}
    # Every tracking lookup comes from this one address: the per-address limit must not throttle it.
    os.environ["CQS_TRACK_LIMIT_PER_ADDRESS"] = str(10**9)
    with harness.instance(fresh=not args.keep, workers=args.web_workers, threads=args.web_threads) as platform:
        print(f"platform at {platform.base_url}; measuring the pgbench baselines ...", flush=True)
        tpcb = harness.pgbench(platform.database_url, clients=8, seconds=15)
        select_only = harness.pgbench(platform.database_url, clients=8, seconds=10, select_only=True)
        rows.append(Row("baseline", "pgbench TPC-B (8 clients)", tpcb, "tx/s", ""))
        rows.append(Row("baseline", "pgbench select-only (8 clients)", select_only, "tx/s", ""))
        # The synthetic province first: it is generated only into an empty database, and the
        # submission benchmark below adds dossiers of its own.
        if {"worklist", "tracking", "scorecard"} & set(names):
            from bench import dataset

            context["dossiers"] = dataset.ensure(args.dossiers)
        if "submission" in names:
            from bench import submission

            agency, usernames = submission.prepare(args.clients)
            print(f"submission: {args.clients} clients for {args.seconds:.0f} s ...", flush=True)
            sub_rows, sub_context = submission.run(
                platform.base_url,
                clients=args.clients,
                seconds=args.seconds,
                agency=agency,
                usernames=usernames,
                web_pid=platform.web_pid,
            )
            sub_rows[0].baseline_name, sub_rows[0].baseline = "TPC-B tx/s", tpcb
            rows += sub_rows
            context["submission"] = sub_context
        if "worklist" in names:
            from bench import worklist

            token = worklist.prepare(args.dossiers)
            print(f"worklist: {worklist.dataset_size():,} dossiers ...", flush=True)
            wl_rows, wl_context = worklist.run(platform.base_url, token)
            rows += wl_rows
            context["worklist"] = wl_context | {"dossiers": worklist.dataset_size()}
        if "tracking" in names:
            from bench import tracking

            print(f"tracking: {args.clients} clients for {args.seconds:.0f} s ...", flush=True)
            tr_rows, tr_context = tracking.run(platform.base_url, clients=args.clients, seconds=args.seconds)
            rows += tr_rows
            context["tracking"] = tr_context
        if "scorecard" in names:
            from bench import dataset, scorecard

            missing = scorecard.available()
            if missing:
                print(f"scorecard: skipped, {missing}", flush=True)
                context["scorecard"] = {"skipped": missing}
            else:
                print(f"scorecard: {args.clients} clients, {args.seconds:.0f} s per call ...", flush=True)
                sc_rows, sc_context = scorecard.run(
                    platform.base_url, dataset.official_token(), clients=args.clients, seconds=args.seconds
                )
                rows += sc_rows
                context["scorecard"] = sc_context
        if "opendata" in names:
            from bench import opendata

            print(f"opendata: generating up to {args.datasets:,} datasets ...", flush=True)
            opendata.generate(args.datasets)
            print(f"opendata: {args.clients} clients for {args.seconds:.0f} s per action ...", flush=True)
            od_rows, od_context = opendata.run(
                platform.base_url, platform.database_url, clients=args.clients, seconds=args.seconds
            )
            rows += od_rows
            context["opendata"] = od_context
    print()
    print(render(rows))
    print()
    print(f"context: {context}")
    write_json(rows, args.out, context)
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
