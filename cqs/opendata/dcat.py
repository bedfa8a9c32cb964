"""The catalogue as DCAT-AP 3 (`/catalog.ttl|jsonld|rdf`, `/dataset/<name>.ttl|jsonld|rdf`).

One `rdflib` graph, serialised in Turtle, JSON-LD or RDF/XML. Only public active datasets
appear. Texts are Vietnamese (`@vi`); English where given (the agency's `name_en`, a
dataset's `title_en` / `notes_en` extras). The catalogue is paged as ckanext-dcat pages it
(Hydra: `?page=N`, 100 a page, first/last/next/previous, total items), so CKAN's DCAT
harvester follows it unchanged; `?modified_since=` keeps datasets changed since then.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Max, QuerySet
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from cqs.opendata.models import LICENSE_URLS, Dataset, DatasetState, Frequency, License, Resource
from cqs.opendata.queries import org_name
from cqs.org.models import AdministrativeUnit, Agency

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
IANA_MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"

PAGE_SIZE = 100

FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml; charset=utf-8"),
}

_FREQUENCIES = {
    Frequency.CONTINUOUS: "CONT",
    Frequency.DAILY: "DAILY",
    Frequency.WEEKLY: "WEEKLY",
    Frequency.MONTHLY: "MONTHLY",
    Frequency.QUARTERLY: "QUARTERLY",
    Frequency.ANNUAL: "ANNUAL",
    Frequency.IRREGULAR: "IRREG",
    Frequency.NEVER: "NEVER",
}
# SPDX checksum algorithms by name and by the length of a bare hexadecimal digest.
_CHECKSUM_ALGORITHMS = {"md5": "md5", "sha1": "sha1", "sha-1": "sha1", "sha256": "sha256", "sha-256": "sha256"}
_DIGEST_LENGTHS = {32: "md5", 40: "sha1", 64: "sha256"}
_HEX = re.compile(r"^[0-9a-fA-F]+$")


class BadRequest(ValueError):
    """A catalogue parameter that cannot be read (`page`, `modified_since`)."""


# --- Addresses --------------------------------------------------------------------------------


def site(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def catalog_uri() -> URIRef:
    return URIRef(site("/catalog"))


def dataset_uri(dataset: Dataset) -> URIRef:
    return URIRef(site(f"/dataset/{dataset.name}"))


def distribution_uri(resource: Resource, dataset: Dataset) -> URIRef:
    return URIRef(site(f"/dataset/{dataset.name}/resource/{resource.pk}"))


def agency_uri(agency: Agency) -> URIRef:
    return URIRef(site(f"/organization/{org_name(agency)}"))


def spatial_uri(unit: AdministrativeUnit) -> URIRef:
    """The administrative unit's stable URI: the one place the pattern is written."""
    return URIRef(site(f"/don-vi-hanh-chinh/{unit.code}"))


def _absolute(url: str) -> str:
    return url if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.IGNORECASE) else site("/" + url.lstrip("/"))


# --- Graph ------------------------------------------------------------------------------------


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in {
        "dcat": DCAT,
        "dct": DCTERMS,
        "foaf": FOAF,
        "owl": OWL,
        "skos": SKOS,
        "vcard": VCARD,
        "xsd": XSD,
        "hydra": HYDRA,
        "spdx": SPDX,
    }.items():
        g.bind(prefix, ns)
    return g


def _when(value: dt.datetime) -> Literal:
    return Literal(value.astimezone(dt.UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)


def _texts(g: Graph, subject: URIRef, predicate: URIRef, vi: str, en: str = "") -> None:
    if vi:
        g.add((subject, predicate, Literal(vi, lang="vi")))
    if en:
        g.add((subject, predicate, Literal(en, lang="en")))


def _add_agent(g: Graph, agency: Agency) -> URIRef:
    agent = agency_uri(agency)
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, RDF.type, FOAF.Organization))
    _texts(g, agent, FOAF.name, agency.name, agency.name_en)
    g.add((agent, DCTERMS.identifier, Literal(agency.code)))
    return agent


def _add_license(g: Graph, subject: URIRef, license_id: str) -> None:
    url = LICENSE_URLS.get(license_id, "")
    if url:
        doc = URIRef(url)
        g.add((subject, DCTERMS.license, doc))
        g.add((doc, RDF.type, DCTERMS.LicenseDocument))
        g.add((doc, DCTERMS.title, Literal(str(dict(License.choices)[license_id]))))


def _add_checksum(g: Graph, distribution: URIRef, value: str) -> None:
    algorithm, _sep, digest = value.strip().rpartition(":")
    algorithm = _CHECKSUM_ALGORITHMS.get(algorithm.lower()) if algorithm else _DIGEST_LENGTHS.get(len(digest))
    if not algorithm or not digest or not _HEX.match(digest):
        return
    checksum = BNode()
    g.add((distribution, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX[f"checksumAlgorithm_{algorithm}"]))
    g.add((SPDX[f"checksumAlgorithm_{algorithm}"], RDF.type, SPDX.ChecksumAlgorithm))
    g.add((checksum, SPDX.checksumValue, Literal(digest.lower(), datatype=XSD.hexBinary)))


def _add_distribution(g: Graph, resource: Resource, dataset: Dataset) -> URIRef:
    dist = distribution_uri(resource, dataset)
    g.add((dist, RDF.type, DCAT.Distribution))
    _texts(g, dist, DCTERMS.title, resource.name)
    _texts(g, dist, DCTERMS.description, resource.description)
    if resource.url:
        url = URIRef(_absolute(resource.url))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.downloadURL, url))
        g.add((url, RDF.type, RDFS.Resource))  # the shapes ask for the class explicitly
    if resource.format:
        fmt = EU_FILE_TYPE[re.sub(r"[^A-Z0-9_]", "_", resource.format.upper())]
        g.add((dist, DCTERMS.format, fmt))
        g.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
    if resource.mimetype and "/" in resource.mimetype:
        media = URIRef(IANA_MEDIA_TYPE + resource.mimetype.strip().lower())
        g.add((dist, DCAT.mediaType, media))
        g.add((media, RDF.type, DCTERMS.MediaType))
    if resource.size is not None:
        g.add((dist, DCAT.byteSize, Literal(resource.size, datatype=XSD.nonNegativeInteger)))
    if resource.hash:
        _add_checksum(g, dist, resource.hash)
    g.add((dist, DCTERMS.issued, _when(resource.created)))
    if resource.last_modified:
        g.add((dist, DCTERMS.modified, _when(resource.last_modified)))
    _add_license(g, dist, dataset.license_id)
    return dist


def add_dataset(g: Graph, dataset: Dataset) -> URIRef:
    """Add one dataset with its distributions, publisher, contact point and themes."""
    ds = dataset_uri(dataset)
    extras = dataset.extras or {}
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.identifier, Literal(str(dataset.pk))))
    _texts(g, ds, DCTERMS.title, dataset.title, extras.get("title_en", ""))
    # DCAT-AP requires a description: the title stands in when the publisher gave none.
    _texts(g, ds, DCTERMS.description, dataset.notes or dataset.title, extras.get("notes_en", ""))
    for tag in dataset.tags:
        g.add((ds, DCAT.keyword, Literal(tag, lang="vi")))
    g.add((ds, DCTERMS.publisher, _add_agent(g, dataset.owner_org)))
    _add_contact(g, ds, dataset)
    _add_license(g, ds, dataset.license_id)
    g.add((ds, DCTERMS.issued, _when(dataset.metadata_created)))
    g.add((ds, DCTERMS.modified, _when(dataset.metadata_modified)))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        g.add((ds, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            g.add((period, DCAT.startDate, Literal(dataset.temporal_start, datatype=XSD.date)))
        if dataset.temporal_end:
            g.add((period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date)))
    if dataset.spatial:
        place = spatial_uri(dataset.spatial)
        g.add((ds, DCTERMS.spatial, place))
        g.add((place, RDF.type, DCTERMS.Location))
        g.add((place, SKOS.prefLabel, Literal(dataset.spatial.name, lang="vi")))
        g.add((place, DCTERMS.identifier, Literal(dataset.spatial.code)))
    if dataset.frequency in _FREQUENCIES:
        frequency = EU_FREQUENCY[_FREQUENCIES[dataset.frequency]]
        g.add((ds, DCTERMS.accrualPeriodicity, frequency))
        g.add((frequency, RDF.type, DCTERMS.Frequency))
    if dataset.version:
        g.add((ds, OWL.versionInfo, Literal(dataset.version)))
    if dataset.url:
        g.add((ds, DCAT.landingPage, URIRef(dataset.url)))
        g.add((URIRef(dataset.url), RDF.type, FOAF.Document))
    scheme = URIRef(site("/group"))
    for group in dataset.groups.all():
        theme = URIRef(site(f"/group/{group.name}"))
        g.add((ds, DCAT.theme, theme))
        g.add((theme, RDF.type, SKOS.Concept))
        g.add((theme, SKOS.prefLabel, Literal(group.title, lang="vi")))
        g.add((theme, SKOS.inScheme, scheme))
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        g.add((scheme, DCTERMS.title, Literal("Chủ đề dữ liệu", lang="vi")))
    for resource in sorted(dataset.resources.all(), key=lambda r: r.position):
        g.add((ds, DCAT.distribution, _add_distribution(g, resource, dataset)))
    return ds


def _add_contact(g: Graph, ds: URIRef, dataset: Dataset) -> None:
    name = dataset.maintainer or dataset.author or dataset.owner_org.name
    email = dataset.maintainer_email or dataset.author_email or dataset.owner_org.email
    contact = BNode()
    g.add((ds, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(name, lang="vi")))
    if email:
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))


# --- Catalogue --------------------------------------------------------------------------------


def public_datasets() -> QuerySet[Dataset]:
    """What the DCAT output shows: active public datasets, never private, draft or deleted."""
    return (
        Dataset.objects.filter(state=DatasetState.ACTIVE, private=False)
        .select_related("owner_org", "spatial")
        .prefetch_related("resources", "groups")
    )


def public_dataset(name: str) -> Dataset | None:
    return public_datasets().filter(name=name).first()


def dataset_graph(dataset: Dataset) -> Graph:
    g = new_graph()
    add_dataset(g, dataset)
    return g


def parse_page(value: str | None) -> int:
    if value in (None, ""):
        return 1
    if not str(value).isdigit() or int(value) < 1:
        raise BadRequest("`page` phải là số nguyên dương.")
    return int(value)


def parse_modified_since(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest("`modified_since` phải là thời điểm ISO 8601.") from exc
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


@dataclass
class Page:
    number: int
    last: int
    total: int
    size: int


def catalog_graph(
    *, page: int = 1, modified_since: dt.datetime | None = None, page_size: int = PAGE_SIZE, base: str = ""
) -> tuple[Graph, Page]:
    """The catalogue's page `page`, newest change first; `base` is the page URL without query."""
    datasets = public_datasets()
    if modified_since is not None:
        datasets = datasets.filter(metadata_modified__gte=modified_since)
    total = datasets.count()
    last = max(1, math.ceil(total / page_size))
    rows = list(datasets.order_by("-metadata_modified", "name")[(page - 1) * page_size : page * page_size])

    g = new_graph()
    cat = catalog_uri()
    g.add((cat, RDF.type, DCAT.Catalog))
    _texts(g, cat, DCTERMS.title, "Cổng dữ liệu mở – Chính Quyền Số", "Open Data Portal – Chính Quyền Số")
    _texts(
        g,
        cat,
        DCTERMS.description,
        "Dữ liệu mở do các cơ quan nhà nước của tỉnh công bố.",
        "Open data published by the province's agencies.",
    )
    publisher = URIRef(site("/#publisher"))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("Chính Quyền Số", lang="vi")))
    g.add((cat, DCTERMS.publisher, publisher))
    g.add((cat, FOAF.homepage, URIRef(site("/"))))
    g.add((URIRef(site("/")), RDF.type, FOAF.Document))
    g.add((cat, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/VIE")))
    g.add((URIRef("http://publications.europa.eu/resource/authority/language/VIE"), RDF.type, DCTERMS.LinguisticSystem))
    newest = Dataset.objects.filter(state=DatasetState.ACTIVE, private=False).aggregate(m=Max("metadata_modified"))["m"]
    if newest:
        g.add((cat, DCTERMS.modified, _when(newest)))
    for dataset in rows:
        g.add((cat, DCAT.dataset, add_dataset(g, dataset)))
    _add_paging(g, cat, Page(page, last, total, page_size), base or site("/catalog.ttl"), modified_since)
    return g, Page(page, last, total, page_size)


def _add_paging(g: Graph, cat: URIRef, page: Page, base: str, modified_since: dt.datetime | None) -> None:
    """Hydra paging as ckanext-dcat writes it (`hydra:PagedCollection` with literal page URLs,
    which its harvester follows), and as Hydra now names it (`hydra:PartialCollectionView`)."""

    def url(number: int) -> str:
        query = {"modified_since": modified_since.isoformat()} if modified_since else {}
        query["page"] = str(number)
        return f"{base}?{urlencode(query)}"

    view = URIRef(url(page.number))
    g.add((cat, HYDRA.view, view))
    g.add((view, RDF.type, HYDRA.PagedCollection))
    g.add((view, RDF.type, HYDRA.PartialCollectionView))
    g.add((view, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer)))
    g.add((view, HYDRA.itemsPerPage, Literal(page.size, datatype=XSD.integer)))
    links = {"first": 1, "last": page.last}
    if page.number > 1:
        links["previous"] = min(page.number - 1, page.last)
    if page.number < page.last:
        links["next"] = page.number + 1
    for key, number in links.items():
        g.add((view, HYDRA[f"{key}Page"], Literal(url(number))))
        g.add((view, HYDRA[key], URIRef(url(number))))


def serialize(g: Graph, fmt: str) -> bytes:
    rdf_format = FORMATS[fmt][0]
    if rdf_format == "json-ld":
        context = {prefix: str(ns) for prefix, ns in g.namespaces() if prefix in _JSONLD_PREFIXES}
        return g.serialize(format="json-ld", context=context, encoding="utf-8")
    return g.serialize(format=rdf_format, encoding="utf-8")


_JSONLD_PREFIXES = {"dcat", "dct", "foaf", "owl", "skos", "vcard", "xsd", "hydra", "spdx", "rdf"}
