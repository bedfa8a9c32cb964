"""The benchmark data set: the demo accounts plus a synthetic province of the chosen size
(`cqs.synthetic`), generated once and reused with `--keep`."""

from __future__ import annotations

import time

DEMO_OFFICIAL = "chuyenvien.xa"  # the demo specialist of Phường Tân An


def ensure(count: int, *, seed: int = 1) -> int:
    """Demo data and about `count` dossiers. Returns the number of dossiers present.

    A generated province cannot be topped up (its codes and counters are per day), so a kept
    database of another size is reused as it is, and said so."""
    from cqs.accounts.models import User
    from cqs.core.demo import demo_load
    from cqs.dossiers.models import Dossier
    from cqs.synthetic.generator import generate_province

    if not User.objects.filter(username=DEMO_OFFICIAL).exists():
        demo_load()
    have = Dossier.objects.count()
    generated = have == 0 and count > 0
    if generated:
        began = time.monotonic()
        print(f"generating a synthetic province of {count:,} dossiers ...", flush=True)
        figures = generate_province(dossiers=count, seed=seed, progress=lambda m: print(m, flush=True))
        print(f"generated in {time.monotonic() - began:.0f} s: {figures}", flush=True)
    elif abs(have - count) > 0.05 * count:
        print(f"reusing the kept data set of {have:,} dossiers (asked for {count:,}; drop --keep to regenerate)")
    _warehouse(rebuild=generated)
    if generated:
        _settle()
    return Dossier.objects.count()


def _settle() -> None:
    """Measure the steady state, not the load's aftermath: vacuum the new tables (visibility map,
    hint bits) and write the load's dirty pages out now, rather than letting autovacuum and the
    checkpointer compete with the first benchmarks for the disk."""
    from django.db import connection

    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")
    print(f"vacuumed and checkpointed in {time.monotonic() - began:.1f} s", flush=True)


def _warehouse(*, rebuild: bool) -> None:
    """Rebuild the summary tables after a load, or when a kept database has none yet."""
    try:
        from cqs.warehouse.models import DossierFact
        from cqs.warehouse.services import warehouse_rebuild
    except ImportError:
        print("warehouse: not available; rebuild skipped", flush=True)
        return
    if rebuild or not DossierFact.objects.exists():
        began = time.monotonic()
        warehouse_rebuild()
        print(f"warehouse rebuilt in {time.monotonic() - began:.1f} s", flush=True)


def official_token() -> str:
    from cqs.accounts.models import User
    from cqs.accounts.services import api_token_issue

    return api_token_issue(user=User.objects.get(username=DEMO_OFFICIAL)).token
