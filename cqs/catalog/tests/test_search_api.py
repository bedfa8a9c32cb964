import copy

import pytest

from cqs.catalog.services import catalog_import
from tests.catalog_samples import BIRTH, ENTERPRISE, catalog_document

DEATH = copy.deepcopy(BIRTH) | {
    "code": "1.000656",
    "national_code": "1.000656",
    "name": "Đăng ký khai tử",
    "name_en": "Death registration",
    "description": "Đăng ký khai tử cho người chết.",
}
MARRIAGE = copy.deepcopy(BIRTH) | {
    "code": "1.000894",
    "national_code": "1.000894",
    "name": "Đăng ký kết hôn",
    "name_en": "Marriage registration",
    "description": "Đăng ký kết hôn; kèm trích lục khai sinh nếu cần.",
}


@pytest.fixture
def catalog(personas):
    catalog_import(actor=personas.system_admin, document=catalog_document(BIRTH, DEATH, MARRIAGE, ENTERPRISE))


def names(client, **params):
    response = client.get("/api/v1/procedures", params)
    assert response.status_code == 200, response.content
    return [r["name"] for r in response.json()["results"]]


@pytest.mark.parametrize(
    "query", ["dang ky khai sinh", "khai sin", "Đăng ký khai sinh", "DANG KY KHAI SINH", "khai sinhh"]
)
def test_search_finds_birth_registration_without_accents_or_with_typos(client, catalog, query):
    assert names(client, q=query)[0] == "Đăng ký khai sinh"


def test_name_matches_rank_above_description_matches(client, catalog):
    # "khai sinh" is in the marriage procedure's description only.
    found = names(client, q="khai sinh")
    assert found[0] == "Đăng ký khai sinh"
    assert "Đăng ký khai tử" not in found[:1]


def test_filters_by_sector_level_and_online_level(client, catalog):
    assert names(client, sector="DKKD") == ["Đăng ký thành lập doanh nghiệp tư nhân"]
    assert names(client, level="province") == ["Đăng ký thành lập doanh nghiệp tư nhân"]
    assert "Đăng ký thành lập doanh nghiệp tư nhân" not in names(client, online="full")


def test_listing_is_paginated_with_links(client, catalog):
    body = client.get("/api/v1/procedures", {"page_size": 2}).json()
    assert body["count"] == 4
    assert body["previous"] is None
    assert "page=2" in body["next"]
    second = client.get(body["next"]).json()
    assert second["next"] is None and "page=1" in second["previous"]


def test_whole_definition_by_code(client, catalog):
    body = client.get("/api/v1/procedures/1.001193").json()
    assert body["name"] == "Đăng ký khai sinh"
    assert body["form_schema"]["properties"]["ho_ten_tre"]["title"] == "Họ và tên trẻ"
    assert body["process"][0]["role"] == "reception"
    assert body["legacy_level"] == 4
    assert client.get("/api/v1/procedures/9.999999").status_code == 404


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"level": "district-ish"}, "level"),
        ({"page": "x"}, "page"),
        ({"page_size": 500}, "page_size"),
        ({"online": "level4"}, "online"),
        ({"page": 99}, "page"),
    ],
)
def test_bad_parameters_get_400_naming_the_parameter(client, catalog, params, parameter):
    response = client.get("/api/v1/procedures", params)
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["parameter"] == parameter
