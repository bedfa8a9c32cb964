from collections import Counter

import pytest

from cqs.catalog.services import catalog_import
from cqs.catalog.validation import catalog_problems
from cqs.core.demo import demo_catalog_document
from cqs.org.demo import PROVINCIAL_AGENCIES, demo_agencies_load
from cqs.org.services import units_load

REQUIRED_SECTOR_WORDS = ["HT", "DKKD", "DD", "XD", "GT", "BTXH", "GD", "YT"]


def test_demo_catalogue_is_valid_and_covers_the_sectors():
    document = demo_catalog_document()
    problems = catalog_problems(
        document, known_sectors=[], known_agencies=[code for code, *_rest in PROVINCIAL_AGENCIES]
    )
    assert problems == []
    current = {p["code"] for p in document["procedures"]}
    assert len(current) >= 40
    per_sector = Counter(p["sector"] for p in document["procedures"] if p["version"] == 1)
    for sector in REQUIRED_SECTOR_WORDS:
        assert per_sector[sector] >= 3, (sector, per_sector)


@pytest.fixture
def demo_catalog(db):
    units_load(province_code=80)
    demo_agencies_load(province_code=80)
    catalog_import(actor=None, document=demo_catalog_document())


@pytest.mark.parametrize("query", ["dang ky khai sinh", "khai sin", "Đăng ký khai sinh", "dang ki khai sinh"])
def test_birth_registration_comes_first_in_the_demo_catalogue(client, demo_catalog, query):
    results = client.get("/api/v1/procedures", {"q": query}).json()["results"]
    assert results[0]["national_code"] == "1.001193", [r["name"] for r in results[:3]]


def test_demo_catalogue_has_every_online_level_and_both_levels(demo_catalog):
    from cqs.catalog.queries import current_versions

    versions = current_versions()
    assert {v.online_level for v in versions} == {"none", "partial", "full"}
    assert {lv for v in versions for lv in v.levels} >= {"province", "commune"}
    assert versions.count() >= 40
