"""DCAT-AP 3 output: every format parses back, the fields round-trip, paging, filtering,
visibility, and the catalogue conforms to the official SHACL shapes."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest
from django.conf import settings
from django.utils import timezone
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, SKOS

from cqs.opendata import dcat
from cqs.opendata.models import Dataset, Group
from cqs.opendata.services import dataset_create

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),  # rdflib's JSON-LD parser
]

# Open namespaces: pytest's collection probes module attributes, which closed ones warn about.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SHACL = "/work/shared/standards/dcat-ap-3.0.0/dcat-ap-SHACL.ttl"
PARSERS = {
    "ttl": ("turtle", "text/turtle"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
}
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@cache
def shapes() -> Graph:
    return Graph().parse(SHACL)


def fetch(client, path: str, fmt: str = "ttl") -> Graph:
    response = client.get(path)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].split(";")[0] == PARSERS[fmt][1]
    return Graph().parse(data=response.content, format=PARSERS[fmt][0])


@pytest.fixture
def ho_tich(publisher, org) -> Dataset:
    group = Group.objects.create(name="dan-cu", title="Dân cư")
    return dataset_create(
        actor=publisher.user,
        data={
            "name": "ho-tich-2025",
            "title": "Số liệu hộ tịch năm 2025",
            "notes": "Số đăng ký khai sinh, kết hôn, khai tử theo xã.",
            "owner_org": "000-10-00-h53",
            "license_id": "cc-by",
            "tags": [{"name": "hộ tịch"}, {"name": "thống kê"}],
            "groups": [{"name": group.name}],
            "spatial": "80",
            "temporal_start": "2025-01-01",
            "temporal_end": "2025-12-31",
            "frequency": "annual",
            "version": "1.0",
            "maintainer": "Phòng Hộ tịch",
            "maintainer_email": "sotuphap@tayninh.gov.vn",
            "extras": [{"key": "title_en", "value": "Civil registration figures 2025"}],
            "resources": [
                {
                    "name": "Bảng số liệu",
                    "url": "https://example.gov.vn/ho-tich-2025.csv",
                    "mimetype": "text/csv",
                    "size": 2048,
                    "hash": f"sha256:{SHA256}",
                },
                {"name": "Bản JSON", "url": "https://example.gov.vn/ho-tich-2025.json"},
            ],
        },
    )


def _make(publisher, name: str, **data) -> Dataset:
    return dataset_create(
        actor=publisher.user, data={"name": name, "title": name, "owner_org": "000-10-00-h53", **data}
    )


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdf"])
def test_every_format_parses_back_with_the_dataset(client, ho_tich, fmt):
    uri = URIRef(f"{settings.SITE_URL}/dataset/ho-tich-2025")
    catalog = fetch(client, f"/catalog.{fmt}", fmt)
    assert (dcat.catalog_uri(), DCAT.dataset, uri) in catalog
    single = fetch(client, f"/dataset/ho-tich-2025.{fmt}", fmt)
    assert (uri, RDF.type, DCAT.Dataset) in single
    assert single.value(uri, DCTERMS.title) is not None


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdf"])
def test_the_dataset_fields_round_trip(client, ho_tich, org, fmt):
    g = fetch(client, f"/dataset/ho-tich-2025.{fmt}", fmt)
    ds = URIRef(f"{settings.SITE_URL}/dataset/ho-tich-2025")
    assert set(g.objects(ds, DCTERMS.title)) == {
        Literal("Số liệu hộ tịch năm 2025", lang="vi"),
        Literal("Civil registration figures 2025", lang="en"),
    }
    assert set(g.objects(ds, DCTERMS.description)) == {
        Literal("Số đăng ký khai sinh, kết hôn, khai tử theo xã.", lang="vi")
    }
    assert set(g.objects(ds, DCAT.keyword)) == {Literal("hộ tịch", lang="vi"), Literal("thống kê", lang="vi")}
    publisher = g.value(ds, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in g
    assert Literal("Sở Tư pháp", lang="vi") in set(g.objects(publisher, FOAF.name))
    assert g.value(ds, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert g.value(ds, DCTERMS.spatial) == dcat.spatial_uri(org.province)
    assert str(g.value(ds, DCTERMS.spatial)) == f"{settings.SITE_URL}/don-vi-hanh-chinh/80"
    period = g.value(ds, DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in g
    assert g.value(period, DCAT.startDate).toPython() == dt.date(2025, 1, 1)
    assert g.value(period, DCAT.endDate).toPython() == dt.date(2025, 12, 31)
    assert g.value(ds, DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
    )
    assert g.value(ds, OWL.versionInfo) == Literal("1.0")
    assert g.value(ds, DCTERMS.issued).datatype == XSD.dateTime
    assert g.value(ds, DCTERMS.modified).datatype == XSD.dateTime
    theme = g.value(ds, DCAT.theme)
    assert g.value(theme, SKOS.prefLabel) == Literal("Dân cư", lang="vi")
    contact = g.value(ds, DCAT.contactPoint)
    assert g.value(contact, VCARD.fn) == Literal("Phòng Hộ tịch", lang="vi")
    assert g.value(contact, VCARD.hasEmail) == URIRef("mailto:sotuphap@tayninh.gov.vn")

    distributions = {str(g.value(d, DCAT.downloadURL)): d for d in g.objects(ds, DCAT.distribution)}
    assert set(distributions) == {"https://example.gov.vn/ho-tich-2025.csv", "https://example.gov.vn/ho-tich-2025.json"}
    csv = distributions["https://example.gov.vn/ho-tich-2025.csv"]
    assert g.value(csv, DCAT.accessURL) == URIRef("https://example.gov.vn/ho-tich-2025.csv")
    assert g.value(csv, DCTERMS.title) == Literal("Bảng số liệu", lang="vi")
    assert g.value(csv, DCTERMS.format) == URIRef("http://publications.europa.eu/resource/authority/file-type/CSV")
    assert g.value(csv, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/csv")
    assert g.value(csv, DCAT.byteSize).toPython() == 2048
    checksum = g.value(csv, SPDX.checksum)
    assert g.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert str(g.value(checksum, SPDX.checksumValue)) == SHA256
    json_dist = distributions["https://example.gov.vn/ho-tich-2025.json"]
    assert g.value(json_dist, DCTERMS.format).endswith("/file-type/JSON")
    assert g.value(json_dist, SPDX.checksum) is None and g.value(json_dist, DCAT.byteSize) is None


def test_private_draft_and_deleted_datasets_never_appear(client, publisher, ho_tich):
    _make(publisher, "rieng-tu", private=True)
    _make(publisher, "ban-nhap", state="draft")
    _make(publisher, "da-xoa", state="deleted")
    g = fetch(client, "/catalog.ttl")
    names = {str(o).rsplit("/", 1)[-1] for o in g.objects(dcat.catalog_uri(), DCAT.dataset)}
    assert names == {"ho-tich-2025"}
    for name in ("rieng-tu", "ban-nhap", "da-xoa", "khong-co"):
        for fmt in PARSERS:
            assert client.get(f"/dataset/{name}.{fmt}").status_code == 404


def test_catalogue_pages_with_hydra(client, publisher, org):
    owner = org.justice
    Dataset.objects.bulk_create(
        Dataset(name=f"bo-du-lieu-{i:03}", title=f"Bộ {i}", owner_org=owner) for i in range(205)
    )
    _make(publisher, "rieng-tu", private=True)
    base = f"{settings.SITE_URL}/catalog.ttl"
    seen: set = set()
    for number, expected in ((1, 100), (2, 100), (3, 5)):
        g = fetch(client, f"/catalog.ttl?page={number}")
        seen |= set(g.objects(dcat.catalog_uri(), DCAT.dataset))
        assert len(list(g.objects(dcat.catalog_uri(), DCAT.dataset))) == expected
        view = g.value(dcat.catalog_uri(), HYDRA.view)
        assert view == URIRef(f"{base}?page={number}")
        assert (view, RDF.type, HYDRA.PagedCollection) in g and (view, RDF.type, HYDRA.PartialCollectionView) in g
        assert g.value(view, HYDRA.totalItems).toPython() == 205
        assert g.value(view, HYDRA.itemsPerPage).toPython() == 100
        assert str(g.value(view, HYDRA.firstPage)) == f"{base}?page=1"
        assert str(g.value(view, HYDRA.lastPage)) == f"{base}?page=3"
        assert g.value(view, HYDRA.first) == URIRef(f"{base}?page=1")
        next_page = g.value(view, HYDRA.nextPage)
        previous = g.value(view, HYDRA.previousPage)
        assert (str(next_page) if next_page else None) == (f"{base}?page={number + 1}" if number < 3 else None)
        assert (str(previous) if previous else None) == (f"{base}?page={number - 1}" if number > 1 else None)
    assert len(seen) == 205
    assert client.get("/catalog.ttl?page=4").status_code == 404
    assert client.get("/catalog.ttl?page=0").status_code == 400
    assert client.get("/catalog.ttl?page=abc").status_code == 400


def test_modified_since_keeps_recent_changes(client, publisher):
    old = _make(publisher, "cu")
    _make(publisher, "moi")
    Dataset.objects.filter(pk=old.pk).update(metadata_modified=timezone.now() - dt.timedelta(days=30))
    since = (timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    g = fetch(client, f"/catalog.jsonld?modified_since={since}", "jsonld")
    names = {str(o).rsplit("/", 1)[-1] for o in g.objects(dcat.catalog_uri(), DCAT.dataset)}
    assert names == {"moi"}
    view = g.value(dcat.catalog_uri(), HYDRA.view)
    assert g.value(view, HYDRA.totalItems).toPython() == 1
    assert "modified_since=" in str(view)
    all_names = {
        str(o).rsplit("/", 1)[-1] for o in fetch(client, "/catalog.ttl").objects(dcat.catalog_uri(), DCAT.dataset)
    }
    assert all_names == {"cu", "moi"}
    assert client.get("/catalog.ttl?modified_since=hom-qua").status_code == 400


def test_no_redirect_and_only_reads(client, ho_tich):
    assert client.get("/catalog.rdf", follow=False).status_code == 200
    assert client.post("/catalog.ttl").status_code == 405


def test_catalogue_conforms_to_dcat_ap_3_shacl(client, publisher, ho_tich):
    _make(publisher, "toi-thieu")  # only what the model requires
    g = fetch(client, "/catalog.ttl")
    conforms, _report_graph, report = validate(g, shacl_graph=shapes())
    assert conforms, report
