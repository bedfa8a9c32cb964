import pytest

from cqs.scorecard import queries


@pytest.mark.django_db
def test_every_query_answers_on_an_empty_province(plan, org):
    period = queries.parse_period("2026-Q3")
    for unit_text in (None, "level:commune", org.committee_a.code):
        unit = queries.parse_unit(unit_text)
        card = queries.scorecard(period=period, unit=unit)
        assert len(card.targets) == 16
        assert all(t.status == "no_data" or t.computed for t in card.targets)
        assert len(queries.trend(indicator="ho-so-dung-han", unit=unit, end=period)) == 12
        index = queries.index766(period=period, unit=unit)
        assert index.nominal_maximum == 100
        queries.procedure_times(period=period, unit=unit)
    assert queries.breakdown(indicator="on_time", period=period, by="agency") == []
    assert queries.index766_by_agency(period=period) == []
    queries.plain_group_by(period=period)
