"""Fixtures of the dossiers context: a small catalogue, files, and a submitted dossier."""

from __future__ import annotations

import copy
import io

import pytest

from cqs.catalog.services import catalog_import
from cqs.dossiers import services
from tests.catalog_samples import BIRTH, ENTERPRISE, catalog_document

COUNTER_ONLY = copy.deepcopy(BIRTH) | {
    "code": "1.000656",
    "national_code": "1.000656",
    "name": "Đăng ký khai tử",
    "online_level": "none",
}


def pdf_bytes(size: int = 2048) -> bytes:
    """A small but well-formed PDF (header, one empty page, trailer), padded to `size` bytes."""
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    )
    padding = b"%" + b"x" * max(0, size - len(body) - 40) + b"\n"
    return body + padding + b"trailer<</Root 1 0 R>>\n%%EOF\n"


PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def catalog(personas):
    catalog_import(actor=personas.system_admin, document=catalog_document(BIRTH, ENTERPRISE, COUNTER_ONLY))


BIRTH_FORM = {"ho_ten_tre": "Nguyễn Minh Khang", "ngay_sinh": "2026-11-20", "so_ban_sao": 2}


@pytest.fixture
def draft(catalog, org, personas):
    return services.dossier_create_draft(
        actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_a.code
    )


def attach_all(dossier, actor, content: bytes | None = None) -> None:
    for requirement in dossier.procedure_version.documents.all():
        services.dossier_attach(
            actor=actor,
            dossier=dossier,
            requirement_code=requirement.code,
            stream=io.BytesIO(content or pdf_bytes()),
            filename=f"{requirement.code.lower()}.pdf",
        )


@pytest.fixture
def submitted(draft, personas):
    attach_all(draft, personas.citizen)
    return services.dossier_submit(actor=personas.citizen, dossier=draft)


@pytest.fixture
def catalog_once(catalog):
    """The catalogue for hypothesis examples (the database fixture is shared by the examples)."""
    return catalog
