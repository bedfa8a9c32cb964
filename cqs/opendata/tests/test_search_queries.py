"""The catalogue's reads cost a constant number of queries, however many datasets, resources,
groups and facets there are (the open-data benchmark depends on it)."""

from __future__ import annotations

import json

import pytest

from cqs.opendata.models import Group
from cqs.opendata.services import dataset_create

FACETS = json.dumps(["organization", "groups", "tags", "res_format", "license_id"])


@pytest.fixture(autouse=True)
def answers_are_built(settings):
    """What building an answer costs: with the read cache on, a miss adds its lookup and its
    store and a hit costs one query (`test_cache.py`)."""
    settings.CQS_OPENDATA_CACHE_BYTES = 0


@pytest.fixture
def many_datasets(publisher, org):
    groups = [Group.objects.create(name=f"chu-de-{i}", title=f"Chủ đề {i}") for i in range(3)]
    for i in range(12):
        dataset_create(
            actor=publisher.user,
            data={
                "name": f"khai-sinh-{i}",
                "title": f"Số lượt đăng ký khai sinh đợt {i}",
                "notes": "Hộ tịch điện tử",
                "owner_org": "000-10-00-h53",
                "tags": [{"name": "hộ tịch"}, {"name": f"năm {2010 + i}"}],
                "license_id": "cc-by",
                "groups": [{"name": g.name} for g in groups[: 1 + i % 3]],
                "resources": [
                    {"url": f"https://example.org/{i}-{n}.{fmt}", "format": fmt}
                    for n, fmt in enumerate(["csv", "json", "pdf"][: 1 + i % 3])
                ],
            },
        )


@pytest.mark.django_db
def test_package_show_costs_a_constant_number_of_queries(client, many_datasets, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/api/3/action/package_show", {"id": "khai-sinh-5"})
    assert response.status_code == 200
    result = response.json()["result"]
    assert len(result["resources"]) == 3 and len(result["groups"]) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["khai sinh", "khai sihn", ""])
def test_package_search_with_facets_costs_a_constant_number_of_queries(
    client, many_datasets, django_assert_max_num_queries, query
):
    # The count and all five facets in one query (two when typos are tolerated), the page, and
    # the page's resources and groups.
    with django_assert_max_num_queries(5):
        response = client.get("/api/3/action/package_search", {"q": query, "facet.field": FACETS, "rows": 20})
    result = response.json()["result"]
    assert result["count"] == 12
    assert result["facets"]["organization"] == {"000-10-00-h53": 12}
    assert result["facets"]["groups"] == {"chu-de-0": 12, "chu-de-1": 8, "chu-de-2": 4}
    assert result["facets"]["tags"]["hộ tịch"] == 12
    assert result["facets"]["res_format"] == {"CSV": 12, "JSON": 8, "PDF": 4}
    assert result["facets"]["license_id"] == {"cc-by": 12}


@pytest.mark.django_db
def test_a_word_that_exists_is_not_taken_for_a_typo(publisher, org):
    from cqs.opendata.queries import search_datasets

    for name, title in {"gia-dat": "Bảng giá đất", "gia-loc": "Chợ phường Gia Lộc"}.items():
        dataset_create(actor=publisher.user, data={"name": name, "title": title, "owner_org": "000-10-00-h53"})
    found = search_datasets(user=None, data={"q": "gia dat"}).datasets
    assert [d.name for d in found] == ["gia-dat"]
