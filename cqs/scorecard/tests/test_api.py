"""The public scorecard API: targets and the 766 index as JSON, bad parameters in the project's
error format."""

import pytest

from cqs.scorecard.tests.test_indicators import province  # noqa: F401


@pytest.mark.django_db
def test_scorecard_api_lists_every_target_with_value_or_null(client, province):  # noqa: F811
    response = client.get("/api/v1/scorecard", {"period": "2026-11", "unit": "level:commune"})
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"kind": "month", "start": "2026-11-01", "end": "2026-12-01", "label": "11/2026"}
    assert body["unit"]["code"] == "level:commune"
    targets = {t["code"]: t for t in body["targets"]}
    assert len(targets) == 16
    assert targets["ho-so-truc-tuyen"]["current"] == 80.0
    assert targets["ho-so-truc-tuyen"]["status"] == "met"
    assert targets["kinh-te-so-grdp"]["current"] is None
    assert targets["kinh-te-so-grdp"]["status"] == "no_data"


@pytest.mark.django_db
def test_index766_api_gives_scores_per_indicator_group_and_total(client, province):  # noqa: F811
    body = client.get("/api/v1/scorecard/index766", {"period": "2026-Q4"}).json()
    assert body["total"] == 42.08
    assert body["maximum"] == 66.0
    assert body["nominal_maximum"] == 100.0
    group2 = next(g for g in body["groups"] if g["code"] == "2")
    assert group2["score"] == 13.0
    assert [i["code"] for i in group2["indicators"]] == ["2.1", "2.2"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [({"period": "2026-13"}, "period"), ({"period": "Q3"}, "period"), ({"period": "2026", "unit": "nowhere"}, "unit")],
)
def test_bad_period_or_unit_is_a_400_in_the_error_format(client, plan, params, field):
    response = client.get("/api/v1/scorecard", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["details"][0]["field"] == field


@pytest.mark.django_db
def test_missing_period_is_a_400(client, plan):
    response = client.get("/api/v1/scorecard/index766")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"
