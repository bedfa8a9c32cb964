"""Administrators edit the targets and enter reported figures; each change is audited, and the
scorecard shows who entered a figure and from which document."""

from decimal import Decimal

import pytest

from cqs.audit.models import AuditEvent
from cqs.scorecard import queries
from cqs.scorecard.models import ReportedIndicator, ReportedValue, Target


@pytest.mark.django_db
def test_system_administrator_edits_a_target_and_the_change_is_audited(client, plan, personas):
    target = Target.objects.get(code="dvc-toan-trinh")
    client.force_login(personas.system_admin)
    url = f"/admin/scorecard/target/{target.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "code": target.code,
            "title": target.title,
            "title_en": target.title_en,
            "year": 2030,
            "value": "95",
            "unit": "%",
            "comparison": "gte",
            "indicator": target.indicator,
            "level": "",
            "source_document": target.source_document,
            "source_section": target.source_section,
            "position": target.position,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    target.refresh_from_db()
    assert (target.year, target.value) == (2030, Decimal("95.00"))
    assert AuditEvent.objects.filter(object_type__icontains="target", object_id=str(target.pk)).exists()


@pytest.mark.django_db
def test_agency_administrator_cannot_edit_targets(client, plan, personas):
    client.force_login(personas.agency_admin)
    target = Target.objects.first()
    assert client.get(f"/admin/scorecard/target/{target.pk}/change/").status_code in (302, 403)


@pytest.mark.django_db
def test_entered_figure_is_shown_with_its_source_and_who_entered_it(client, plan, personas):
    client.force_login(personas.system_admin)
    indicator = ReportedIndicator.objects.get(code="digital_economy_grdp")
    response = client.post(
        "/admin/scorecard/reportedvalue/add/",
        {
            "indicator": indicator.pk,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "value": "12.5",
            "source_document": "Báo cáo số 123/BC-CTK của Cục Thống kê",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert ReportedValue.objects.get().entered_by == personas.system_admin
    card = queries.scorecard(period=queries.parse_period("2026"), unit=queries.parse_unit(None))
    grdp = next(t for t in card.targets if t.code == "kinh-te-so-grdp")
    assert grdp.current == Decimal("12.50")
    assert grdp.computed is False
    assert grdp.reported_source == "Báo cáo số 123/BC-CTK của Cục Thống kê"
    assert grdp.reported_by == personas.system_admin.get_full_name() or personas.system_admin.username
    assert grdp.status == "not_met" and grdp.gap == Decimal("7.50")
