"""Counter and postal reception on the office pages ("tiếp nhận hồ sơ trực tiếp"): a reception
officer registers a walk-in applicant's dossier through the same services as an online one."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cqs.core.errors import ValidationFailed
from cqs.dossiers import services
from cqs.dossiers.lifecycle import State
from cqs.dossiers.models import Channel, Dossier
from cqs.dossiers.tests.conftest import pdf_bytes

APPLICANT = {
    "applicant_full_name": "Trần  Văn Tư",
    "applicant_identity_number": "080090001234",
    "applicant_phone": "091 234 5678",
    "applicant_email": "Tu.Tran@Example.com",
    "applicant_address": "Số 8 đường Nguyễn Huệ, Phường Tân An",
}


@pytest.fixture
def desk(client, personas):
    client.force_login(personas.reception)
    return client


def start(desk, org, **changes) -> object:
    return desk.post(
        reverse("office:intake"),
        {"procedure": "1.000656 – Đăng ký khai tử", "agency": org.desk_a.code, "channel": "1", **APPLICANT} | changes,
    )


def test_a_reception_officer_registers_a_walk_in_dossier_and_it_waits_for_reception(desk, catalog, org):
    page = desk.get(reverse("office:worklist"))
    assert reverse("office:intake") in page.content.decode()
    form = desk.get(reverse("office:intake"))
    assert form.status_code == 200
    assert "1.000656 – Đăng ký khai tử" in form.content.decode()  # a procedure offered only at the counter

    created = start(desk, org)

    dossier = Dossier.objects.get()
    assert created.status_code == 302
    assert created["Location"] == reverse("office:intake_form", args=[dossier.pk])
    assert dossier.channel == Channel.COUNTER and dossier.applicant is None and dossier.status == State.DRAFT
    # the applicant as the platform stores them
    assert (dossier.applicant_name, dossier.applicant_phone, dossier.applicant_email) == (
        "Trần Văn Tư",
        "0912345678",
        "tu.tran@example.com",
    )
    upload = {f"doc_{requirement.code}": _pdf() for requirement in dossier.procedure_version.documents.all()}

    filed = desk.post(
        reverse("office:intake_form", args=[dossier.pk]),
        {"ho_ten_tre": "Trần Văn Tư", "ngay_sinh": "2026-11-20", "file": "1", "idempotency_key": "k-1", **upload},
    )

    dossier.refresh_from_db()
    assert dossier.status == State.SUBMITTED and dossier.code
    assert filed.status_code == 302 and filed["Location"] == reverse("office:dossier", args=[dossier.code])
    # on its page the officer is offered "Tiếp nhận", as for an online dossier
    assert 'data-action="accept"' in desk.get(filed["Location"]).content.decode()


def test_the_walk_in_applicants_bad_fields_are_each_shown_and_nothing_is_written(desk, catalog, org):
    answer = start(
        desk,
        org,
        applicant_full_name="",
        applicant_identity_number="12345",
        applicant_phone="12",
        applicant_email="not-an-address",
    )

    assert answer.status_code == 200
    html = answer.content.decode()
    for anchor in ("a-full_name", "a-identity_number", "a-phone", "a-email"):
        assert f'href="#{anchor}"' in html
        assert re.search(rf'id="{anchor}"[^>]*aria-invalid="true"', html, re.S)
    assert Dossier.objects.count() == 0


def test_an_unknown_procedure_is_named_by_its_field(desk, catalog, org):
    answer = start(desk, org, procedure="9.999999")

    assert 'id="procedure-error"' in answer.content.decode()
    assert Dossier.objects.count() == 0


def test_filing_an_incomplete_walk_in_dossier_keeps_it_a_draft_and_says_what_is_missing(desk, catalog, org):
    start(desk, org)
    dossier = Dossier.objects.get()

    answer = desk.post(reverse("office:intake_form", args=[dossier.pk]), {"ho_ten_tre": "", "file": "1"})

    assert answer.status_code == 200
    assert "Chưa đính kèm" in answer.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == State.DRAFT and not dossier.code


def test_only_reception_officers_open_the_counter_intake(client, catalog, personas):
    client.force_login(personas.specialist)
    assert client.get(reverse("office:intake")).status_code == 403
    assert 'href="/can-bo/tiep-nhan/"' not in client.get(reverse("office:worklist")).content.decode()
    client.force_login(personas.citizen)
    assert client.get(reverse("office:intake")).status_code == 403


def test_an_online_draft_is_not_opened_on_the_counter_form(desk, draft):
    assert desk.get(reverse("office:intake_form", args=[draft.pk])).status_code == 404


def test_the_service_refuses_an_identity_number_that_is_not_one(catalog, org, personas):
    with pytest.raises(ValidationFailed) as refused:
        services.dossier_create_draft(
            actor=personas.reception,
            procedure_code="1.000656",
            agency_code=org.committee_a.code,
            channel=Channel.POSTAL,
            applicant_data={"full_name": "Trần Văn Tư", "identity_number": "999990001234"},
        )

    assert [d["field"] for d in refused.value.details] == ["applicant.identity_number"]
    assert Dossier.objects.count() == 0


def test_an_enterprise_walks_in_with_its_tax_code(catalog, org, personas):
    dossier = services.dossier_create_draft(
        actor=personas.reception,
        procedure_code="1.000656",
        agency_code=org.committee_a.code,
        channel=Channel.COUNTER,
        applicant_data={"full_name": "Công ty TNHH Tân An", "identity_number": "0100109106"},
    )

    assert (dossier.applicant_kind, dossier.applicant_identity) == ("enterprise", "0100109106")


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("to-khai.pdf", pdf_bytes(), content_type="application/pdf")


def test_a_reception_officer_starting_an_online_application_is_sent_to_the_counter_form(desk, catalog):
    answer = desk.post(reverse("dossiers:start", args=["1.001193"]))

    assert answer.status_code == 302
    page = desk.get(answer["Location"])
    html = page.content.decode()
    assert 'value="1.001193 – Đăng ký khai sinh"' in html  # the procedure already chosen
    assert "hãy tiếp nhận hồ sơ tại quầy" in html
    assert Dossier.objects.count() == 0


def test_another_official_is_told_why_on_the_procedure_page(client, catalog, personas):
    client.force_login(personas.specialist)

    answer = client.post(reverse("dossiers:start", args=["1.001193"]), follow=True)

    assert answer.redirect_chain[-1][0] == reverse("portal:procedure", args=["1.001193"])
    assert "Tài khoản cán bộ không nộp hồ sơ trực tuyến." in answer.content.decode()


def test_an_empty_page_lists_every_missing_field_at_once(desk, catalog, org):
    answer = desk.post(reverse("office:intake"), {"procedure": "", "agency": org.desk_a.code, "channel": "1"})

    html = answer.content.decode()
    for anchor in ("procedure", "a-full_name", "a-identity_number"):
        assert f'href="#{anchor}"' in html
    assert "Chọn thủ tục hành chính." in html
    assert Dossier.objects.count() == 0
