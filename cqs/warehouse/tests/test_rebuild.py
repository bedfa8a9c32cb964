"""The rebuild recomputes what the use cases kept current; the check finds any drift."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cqs.warehouse.models import AgencyMonth, DossierFact
from cqs.warehouse.queries import warehouse_differences
from cqs.warehouse.services import warehouse_rebuild


@pytest.mark.django_db
def test_rebuild_reproduces_the_incrementally_kept_tables(submitted, personas):
    from cqs.dossiers import services

    services.dossier_accept(actor=personas.reception, dossier=submitted.pk)
    before = list(AgencyMonth.objects.values().order_by("month", "agency_id", "channel"))
    facts = list(DossierFact.objects.values())
    assert len(facts) == 1 and before[0]["filed"] == 1
    messages = []
    counts = warehouse_rebuild(progress=messages.append)
    assert counts["warehouse_dossier_fact"] == 1
    assert any("facts" in m for m in messages)
    after = list(AgencyMonth.objects.values().order_by("month", "agency_id", "channel"))
    assert [{k: v for k, v in row.items() if k != "id"} for row in after] == [
        {k: v for k, v in row.items() if k != "id"} for row in before
    ]
    assert list(DossierFact.objects.values()) == facts


@pytest.mark.django_db
def test_check_reports_drift_and_exits_non_zero(submitted, capsys):
    call_command("warehouse_rebuild", "--check")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE warehouse_agency_month SET filed = filed + 1")
    assert warehouse_differences()
    with pytest.raises(CommandError):
        call_command("warehouse_rebuild", "--check")
    assert "agency_month stored, not recomputed" in capsys.readouterr().out
    call_command("warehouse_rebuild")
    assert warehouse_differences() == []
