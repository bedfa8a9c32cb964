"""The office's half: the internal process step by step, pauses and the clock, decision, result,
return and rating; lateness and apology; who may do what."""

import datetime as dt
import io
import itertools
import zoneinfo

import pytest
import time_machine

from cqs.calendar.queries import working_calendar
from cqs.core.errors import PermissionRefused, ValidationFailed
from cqs.dossiers import services
from cqs.dossiers.lifecycle import IllegalTransition, State
from cqs.dossiers.models import DossierEvent
from cqs.dossiers.tests.conftest import attach_all, pdf_bytes

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


@pytest.fixture
def received(submitted, personas):
    return services.dossier_accept(actor=personas.reception, dossier=submitted)


def test_the_whole_way_from_reception_to_rating(received, personas):
    assert received.status == State.RECEIVED and received.current_step.role == "specialist"
    moved = services.dossier_forward(actor=personas.specialist, dossier=received, note="Hồ sơ hợp lệ")
    assert moved.status == State.AWAITING_APPROVAL and moved.current_step.role == "leader"
    decided = services.dossier_decide(actor=personas.leader, dossier=moved, approve=True)
    assert decided.status == State.DECIDED and decided.national_status == 4 and decided.outcome == "approved"
    finished = services.dossier_record_result(
        actor=personas.specialist, dossier=decided, stream=io.BytesIO(pdf_bytes(6000)), filename="trich-luc.pdf"
    )
    assert finished.status == State.AWAITING_RETURN and finished.national_status == 9 and finished.finished_at
    returned = services.dossier_return_result(actor=personas.reception, dossier=finished, note="Trả trực tuyến")
    assert returned.status == State.RETURNED and returned.national_status == 10 and returned.returned_at
    rated = services.dossier_rate(actor=personas.citizen, dossier=returned, rating="satisfied", comment="Nhanh")
    assert rated.rating == "satisfied"
    with pytest.raises(IllegalTransition):
        services.dossier_rate(actor=personas.citizen, dossier=returned, rating="normal")
    actions = list(received.events.order_by("id").values_list("action", flat=True))
    assert actions == ["create", "submit", "accept", "forward", "approve", "record_result", "return_result", "rate"]


def test_history_replays_to_the_current_state(received, personas):
    services.dossier_forward(actor=personas.specialist, dossier=received)
    services.dossier_send_back(actor=personas.leader, dossier=received, reason="Bổ sung ý kiến thẩm định")
    received.refresh_from_db()
    events = list(received.events.order_by("at", "id"))
    for earlier, later in itertools.pairwise(events):
        assert later.from_status == earlier.to_status
    assert events[-1].to_status == received.status


def test_supplement_during_processing_pauses_the_clock_over_a_weekend_and_a_holiday(catalog, org, personas, draft):
    attach_all(draft, personas.citizen)
    with time_machine.travel(at(2026, 4, 27, 8, 0), tick=False):  # Monday after Hùng Kings' day
        services.dossier_submit(actor=personas.citizen, dossier=draft)
    with time_machine.travel(at(2026, 4, 28, 8, 0), tick=False):
        accepted = services.dossier_accept(actor=personas.reception, dossier=draft)
    due_before = accepted.due_at
    assert due_before == at(2026, 4, 29, 8, 0)  # 1 working day
    with time_machine.travel(at(2026, 4, 28, 16, 0), tick=False):  # Tuesday 16:00
        services.dossier_request_supplement(
            actor=personas.specialist, dossier=draft, items=[{"requirement": "GCS", "message": "Nộp lại bản rõ"}]
        )
    services.dossier_attach(
        actor=personas.citizen,
        dossier=draft,
        requirement_code="GCS",
        stream=io.BytesIO(pdf_bytes(4500)),
        filename="gcs.pdf",
    )
    services.dossier_supplement(actor=personas.citizen, dossier=draft)
    # Resumed on Monday 4 May 10:00: 30/4, 1/5 (holidays) and the weekend are not working time.
    with time_machine.travel(at(2026, 5, 4, 10, 0), tick=False):
        resumed = services.dossier_accept(actor=personas.reception, dossier=draft)
    calendar = working_calendar()
    paused = calendar.working_time_between(at(2026, 4, 28, 16, 0), at(2026, 5, 4, 10, 0))
    assert paused == dt.timedelta(hours=1 + 8 + 3)  # Tue 16-17, Wed 29/4 all day, Mon 07:00-10:00
    assert resumed.status == State.RECEIVED
    assert calendar.working_time_between(due_before, resumed.due_at) == paused
    assert resumed.paused_total == paused


def test_a_late_step_is_traced_to_its_step(received, personas):
    step = received.current_step
    with time_machine.travel(step.due_at + dt.timedelta(days=3), tick=False):
        services.dossier_forward(actor=personas.specialist, dossier=received)
    step.refresh_from_db()
    assert step.is_late and step.completed_by == personas.specialist
    assert not received.steps.order_by("position").first().is_late  # the reception step was on time


def test_an_apology_can_be_issued_only_once(received, personas):
    new_due = received.due_at + dt.timedelta(days=3)
    apologized = services.dossier_apologize(
        actor=personas.leader, dossier=received, new_due_at=new_due, reason="Chờ xác minh của cơ quan khác"
    )
    assert apologized.original_due_at == received.due_at and apologized.due_at == new_due
    with pytest.raises(IllegalTransition):
        services.dossier_apologize(
            actor=personas.leader, dossier=received, new_due_at=new_due + dt.timedelta(days=1), reason="Lần hai"
        )


def test_transfer_to_another_agency_and_back_keeps_one_code(received, personas, org):
    code = received.code
    moved = services.dossier_transfer(
        actor=personas.specialist, dossier=received, agency=org.justice, note="Xin ý kiến Sở Tư pháp"
    )
    assert moved.status == State.AT_OTHER_AGENCY and moved.current_agency == org.justice
    with pytest.raises(PermissionRefused):  # the commune's specialist no longer holds it
        services.dossier_return_transfer(actor=personas.specialist, dossier=received)
    back = services.dossier_return_transfer(actor=personas.dept_specialist, dossier=received, note="Đồng ý")
    # The other agency did the specialist's step; the next one is the leader's: it awaits approval.
    assert back.status == State.AWAITING_APPROVAL and back.code == code
    decided = services.dossier_decide(actor=personas.leader, dossier=received, approve=True)
    assert decided.status == State.DECIDED


def test_payment_request_pauses_and_recording_it_resumes(received, personas):
    paused = services.dossier_request_payment(actor=personas.specialist, dossier=received, note="Nộp lệ phí")
    assert paused.status == State.PAYMENT_REQUESTED and paused.national_status == 6 and paused.paused_at
    resumed = services.dossier_record_payment(actor=personas.reception, dossier=received, note="Biên lai 0001")
    assert resumed.status == State.RECEIVED and resumed.paused_at is None


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("other_admin", "forward"),
        ("dept_specialist", "forward"),
        ("citizen", "forward"),
        ("specialist", "approve"),
        ("reception", "approve"),
        ("citizen", "approve"),
    ],
)
def test_refused_actors_change_nothing(received, personas, who, action):
    if action == "approve":
        services.dossier_forward(actor=personas.specialist, dossier=received)
    received.refresh_from_db()
    before = (received.status, DossierEvent.objects.count(), received.current_step_id)
    with pytest.raises(PermissionRefused):
        if action == "forward":
            services.dossier_forward(actor=getattr(personas, who), dossier=received)
        else:
            services.dossier_decide(actor=getattr(personas, who), dossier=received, approve=True)
    received.refresh_from_db()
    assert (received.status, DossierEvent.objects.count(), received.current_step_id) == before


def test_reject_needs_reasons(received, personas):
    services.dossier_forward(actor=personas.specialist, dossier=received)
    with pytest.raises(ValidationFailed):
        services.dossier_decide(actor=personas.leader, dossier=received, approve=False, note="")
    rejected = services.dossier_decide(
        actor=personas.leader, dossier=received, approve=False, note="Không đủ điều kiện"
    )
    assert rejected.outcome == "rejected"


def test_stop_ends_processing_with_reasons(received, personas):
    stopped = services.dossier_stop(actor=personas.leader, dossier=received, reasons="Người nộp không bổ sung")
    assert stopped.status == State.STOPPED and stopped.national_status == 8
    with pytest.raises(IllegalTransition):
        services.dossier_forward(actor=personas.specialist, dossier=received)


def test_office_forms_and_register_are_generated_from_the_dossier(received, personas, client):
    import datetime as _dt

    from django.utils import timezone

    from cqs.accounts.services import api_token_issue

    services.dossier_apologize(
        actor=personas.leader,
        dossier=received,
        new_due_at=received.due_at + _dt.timedelta(days=2),
        reason="Chờ xác minh",
    )
    token = api_token_issue(user=personas.reception).token
    headers = {"Authorization": f"Bearer {token}"}
    for number in ("04", "06"):
        response = client.get(f"/api/v1/office/dossiers/{received.code}/forms/{number}.pdf", headers=headers)
        assert response.status_code == 200 and response.content.startswith(b"%PDF"), number
    assert client.get(f"/api/v1/office/dossiers/{received.code}/forms/03.pdf", headers=headers).status_code == 404
    today = timezone.localdate()
    register = client.get(
        "/api/v1/office/register.xlsx",
        {"agency": received.receiving_agency.code, "start": str(today), "end": str(today)},
        headers=headers,
    )
    assert register.status_code == 200 and register.content[:2] == b"PK"
    other = api_token_issue(user=personas.other_admin).token
    refused = client.get(
        "/api/v1/office/register.xlsx",
        {"agency": received.receiving_agency.code, "start": str(today), "end": str(today)},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert refused.status_code == 403


def test_the_periodic_job_flags_overdue_dossiers_once(received, personas):
    assert services.dossiers_mark_overdue(now=received.due_at - dt.timedelta(minutes=1)) == 0
    assert services.dossiers_mark_overdue(now=received.due_at + dt.timedelta(minutes=1)) == 1
    assert services.dossiers_mark_overdue(now=received.due_at + dt.timedelta(days=1)) == 0
    received.refresh_from_db()
    assert received.is_overdue


@pytest.fixture
def working_morning():
    """Received on a working morning: after the procedure's 15:00 cut-off the clock would start the
    next working day, and the one-day dossier would not be due within a working day of now."""
    with time_machine.travel(at(2026, 11, 25, 9, 0), tick=True):  # a Wednesday
        yield


def test_worklists_page_by_due_moment_and_find_by_name_without_accents(working_morning, received, personas, client):
    from cqs.accounts.services import api_token_issue
    from cqs.dossiers import queries

    rows, cursor = queries.worklist(personas.specialist, scope="agency")
    assert [d.pk for d in rows] == [received.pk] and cursor is None
    found, _ = queries.worklist(personas.specialist, q="nguyen thi hong")
    assert [d.pk for d in found] == [received.pk]
    assert queries.worklist(personas.other_admin, scope="agency")[0] == []
    token = api_token_issue(user=personas.specialist).token
    body = client.get("/api/v1/office/worklist", {"due": "soon"}, headers={"Authorization": f"Bearer {token}"}).json()
    assert body["results"][0]["code"] == received.code and body["results"][0]["lateness"] == "soon"
    citizen = api_token_issue(user=personas.citizen).token
    assert client.get("/api/v1/office/worklist", headers={"Authorization": f"Bearer {citizen}"}).status_code == 403


def test_keyset_paging_walks_every_row_once(catalog, org, personas):
    from cqs.dossiers import queries
    from cqs.dossiers.tests.conftest import BIRTH_FORM

    codes = set()
    for _ in range(7):
        d = services.dossier_create_draft(
            actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_a.code
        )
        attach_all(d, personas.citizen)
        codes.add(services.dossier_submit(actor=personas.citizen, dossier=d).code)
    seen, cursor = [], None
    while True:
        rows, cursor = queries.worklist(personas.reception, scope="reception", cursor=cursor, limit=3)
        seen += [d.code for d in rows]
        if cursor is None:
            break
    assert sorted(seen) == sorted(codes) and len(seen) == 7


def test_officials_of_the_agency_holding_a_transferred_dossier_can_open_it(received, personas, org):
    from cqs.dossiers import queries

    services.dossier_transfer(actor=personas.specialist, dossier=received, agency=org.justice)
    assert queries.dossier_for(personas.dept_specialist, received.code).pk == received.pk
