import contextlib
import io
import unicodedata

import pytest
from pypdf import PdfReader

from cqs.core.errors import NotFound
from cqs.core.ratelimit import RateLimited
from cqs.dossiers import queries, services


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


def test_receipt_carries_the_applicant_name_with_diacritics_and_the_code(submitted):
    text = pdf_text(queries.receipt_pdf(submitted))
    assert "Nguyễn Thị Hồng Nhung" in text
    assert submitted.code in text
    assert "chờ tiếp nhận" in text  # online, not yet accepted: no appointment yet


def test_receipt_after_acceptance_shows_the_appointment(submitted, personas):
    from django.utils import timezone

    accepted = services.dossier_accept(actor=personas.reception, dossier=submitted)
    text = pdf_text(queries.receipt_pdf(accepted))
    assert timezone.localtime(accepted.due_at).strftime("%d/%m/%Y") in text


def test_public_lookup_needs_the_last_four_digits_and_shows_no_personal_data(submitted):
    submitted.applicant_identity = "080195012345"
    submitted.applicant_phone = "0912 345 678"
    submitted.save()
    by_identity = queries.track(submitted.code, "2345", client="203.0.113.1")
    by_phone = queries.track(submitted.code, "5678", client="203.0.113.1")
    assert by_identity["status"] == by_phone["status"] == "submitted"
    flat = str(by_identity)
    for secret in ("Nguyễn", "080195012345", "0912", "@"):
        assert secret not in flat
    with pytest.raises(NotFound):
        queries.track(submitted.code, "0000", client="203.0.113.1")
    with pytest.raises(NotFound):
        queries.track("000.00.00.H53-260101-0001", "2345", client="203.0.113.1")


def test_public_lookup_is_rate_limited_against_enumeration(submitted):
    for _ in range(5):
        with pytest.raises(NotFound):
            queries.track(submitted.code, "9999", client="198.51.100.7")
    with pytest.raises(RateLimited):
        queries.track(submitted.code, "9999", client="198.51.100.8")  # per code, whatever the address


def test_public_lookup_limits_each_address(submitted):
    with pytest.raises(RateLimited):
        for n in range(31):
            with contextlib.suppress(NotFound):
                queries.track(f"X-{n}", "1234", client="192.0.2.9")
