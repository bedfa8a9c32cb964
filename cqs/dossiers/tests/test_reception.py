"""Reception: accept (the clock starts), supplement requests and the citizen's supplement, refusal."""

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine

from cqs.core.errors import PermissionRefused, ValidationFailed
from cqs.dossiers import services
from cqs.dossiers.lifecycle import IllegalTransition, State
from cqs.dossiers.models import DossierEvent, SupplementRequest
from cqs.dossiers.tests.conftest import attach_all, pdf_bytes

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


def test_accept_starts_the_clock_and_sets_the_appointment_by_the_calendar(draft, personas):
    attach_all(draft, personas.citizen)
    with time_machine.travel(at(2026, 8, 21, 10, 0), tick=False):  # Friday
        services.dossier_submit(actor=personas.citizen, dossier=draft)
    # Accepted Friday 14:00, before the 15:00 cut-off: 1 working day -> Saturday 22 Aug is a working Saturday.
    with time_machine.travel(at(2026, 8, 21, 14, 0), tick=False):
        accepted = services.dossier_accept(actor=personas.reception, dossier=draft)
    assert accepted.status == State.RECEIVED and accepted.national_status == 2
    assert accepted.clock_started_at == at(2026, 8, 21, 14, 0)
    assert accepted.due_at == at(2026, 8, 22, 14, 0)


def test_accepted_after_the_cutoff_counts_from_the_next_working_morning(draft, personas):
    attach_all(draft, personas.citizen)
    services.dossier_submit(actor=personas.citizen, dossier=draft)
    with time_machine.travel(at(2026, 8, 28, 15, 30), tick=False):  # Friday, after the 15:00 cut-off
        accepted = services.dossier_accept(actor=personas.reception, dossier=draft)
    # Next working day: Mon 31 Aug is the swapped day off, 1-2 Sep are holidays -> Thu 3 Sep 07:00.
    assert accepted.clock_started_at == at(2026, 9, 3, 7, 0)
    assert accepted.due_at == at(2026, 9, 3, 17, 0)


def test_supplement_loop_lists_what_is_missing_and_returns_to_the_office(submitted, personas):
    request = services.dossier_request_supplement(
        actor=personas.reception,
        dossier=submitted,
        items=[
            {"requirement": "GCS", "message": "Giấy chứng sinh bị mờ, nộp lại bản rõ"},
            {"message": "Ghi rõ quê quán của trẻ"},
        ],
    )
    submitted.refresh_from_db()
    assert submitted.status == State.SUPPLEMENT_REQUESTED and submitted.national_status == 5
    assert not request.is_beyond_first
    # The citizen cannot send it back before replacing the document asked for.
    with pytest.raises(ValidationFailed) as refused:
        services.dossier_supplement(actor=personas.citizen, dossier=submitted)
    assert refused.value.details[0]["field"] == "documents.GCS"
    services.dossier_attach(
        actor=personas.citizen,
        dossier=submitted,
        requirement_code="GCS",
        stream=io.BytesIO(pdf_bytes(4000)),
        filename="giay-chung-sinh.pdf",
    )
    services.dossier_supplement(actor=personas.citizen, dossier=submitted, note="Đã nộp bản rõ")
    submitted.refresh_from_db()
    assert submitted.status == State.SUPPLEMENTED
    assert submitted.documents.filter(requirement__code="GCS", is_current=True).get().round == 1
    accepted = services.dossier_accept(actor=personas.reception, dossier=submitted)
    assert accepted.status == State.RECEIVED
    assert SupplementRequest.objects.get(dossier=submitted).answered_at is not None


def test_a_second_supplement_request_is_possible_but_flagged(submitted, personas):
    services.dossier_request_supplement(
        actor=personas.reception, dossier=submitted, items=[{"requirement": "TK", "message": "Thiếu chữ ký"}]
    )
    services.dossier_attach(
        actor=personas.citizen,
        dossier=submitted,
        requirement_code="TK",
        stream=io.BytesIO(pdf_bytes(4100)),
        filename="tk.pdf",
    )
    services.dossier_supplement(actor=personas.citizen, dossier=submitted)
    second = services.dossier_request_supplement(
        actor=personas.reception, dossier=submitted, items=[{"message": "Thiếu trang 2"}]
    )
    assert second.number == 2 and second.is_beyond_first


def test_a_supplement_request_must_list_something(submitted, personas):
    with pytest.raises(ValidationFailed):
        services.dossier_request_supplement(actor=personas.reception, dossier=submitted, items=[])
    with pytest.raises(ValidationFailed):
        services.dossier_request_supplement(
            actor=personas.reception, dossier=submitted, items=[{"requirement": "XX", "message": "?"}]
        )
    assert SupplementRequest.objects.count() == 0


def test_refusal_needs_reasons_and_ends_the_dossier(submitted, personas):
    with pytest.raises(ValidationFailed):
        services.dossier_refuse(actor=personas.reception, dossier=submitted, reasons=" ")
    refused = services.dossier_refuse(
        actor=personas.reception, dossier=submitted, reasons="Không thuộc thẩm quyền giải quyết"
    )
    assert refused.status == State.REFUSED and refused.national_status == 3
    with pytest.raises(IllegalTransition):
        services.dossier_accept(actor=personas.reception, dossier=submitted)


@pytest.mark.parametrize("who", ["other_admin", "citizen", "specialist", "dept_specialist"])
def test_only_reception_of_the_receiving_agency_accepts(submitted, personas, who):
    events = DossierEvent.objects.count()
    with pytest.raises(PermissionRefused):
        services.dossier_accept(actor=getattr(personas, who), dossier=submitted)
    submitted.refresh_from_db()
    assert submitted.status == State.SUBMITTED and DossierEvent.objects.count() == events


def test_the_applicant_may_withdraw_until_the_result(submitted, personas):
    with pytest.raises(PermissionRefused):
        services.dossier_withdraw(actor=personas.enterprise, dossier=submitted)
    withdrawn = services.dossier_withdraw(actor=personas.citizen, dossier=submitted, reason="Nộp nhầm")
    assert withdrawn.status == State.WITHDRAWN and withdrawn.national_status == 7
