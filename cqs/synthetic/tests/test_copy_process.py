"""The large-load path: indexes dropped and rebuilt, batches copied by a process of their own.

In a module of its own: these tests commit (the COPY process has its own connection), which must
not run while `test_generator`'s module-wide province is held open in a transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from cqs.dossiers.models import Dossier
from cqs.synthetic.checks import check_province
from cqs.synthetic.generator import _Writer, generate_province

UNTIL = dt.date(2026, 6, 1)


@pytest.mark.django_db(transaction=True)
def test_a_large_load_through_the_copy_process_passes_the_check() -> None:
    """The path of a large load, on a small one: indexes dropped and rebuilt, each batch copied
    by its own process on its own connection, committed batch by batch."""
    figures = generate_province(
        dossiers=800, seed=11, years=1, until=UNTIL, batch=200, drop_indexes=True, parallel=True
    )
    assert figures["dossiers"] == Dossier.objects.count() == 800
    assert figures["copy_idle_seconds"] is not None
    assert check_province() == []


@pytest.mark.django_db(transaction=True)
def test_a_failed_copy_is_reported_and_writes_nothing() -> None:
    writer = _Writer(parallel=True)
    writer.put(("not a dossier row\n", "", "", "", ""))
    with pytest.raises(RuntimeError, match="bulk load failed in the COPY process"):
        writer.close()
    assert not writer.process.is_alive()
    assert not Dossier.objects.exists()
