from collections import Counter

from cqs.catalog.validation import catalog_problems
from cqs.core.demo import demo_catalog_document
from cqs.org.demo import PROVINCIAL_AGENCIES

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
