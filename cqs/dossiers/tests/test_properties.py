"""Property-based: random sequences of actions by random actors never reach an illegal state,
the history always replays to the current state, and national codes stay consistent."""

import io
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqs.core.errors import DomainError
from cqs.dossiers import services
from cqs.dossiers.lifecycle import NATIONAL_STATUS, TRANSITIONS, State, national_status
from cqs.dossiers.models import Dossier, DossierEvent
from cqs.dossiers.tests.conftest import attach_all, pdf_bytes

ACTORS = ["citizen", "reception", "specialist", "leader", "other_admin", "dept_specialist"]
ACTIONS = [
    "accept",
    "request_supplement",
    "supplement",
    "refuse",
    "forward",
    "send_back",
    "transfer",
    "return_transfer",
    "approve",
    "reject",
    "record_result",
    "return_result",
    "request_payment",
    "record_payment",
    "stop",
    "withdraw",
    "rate",
    "apologize",
]


def _do(action: str, actor, dossier: Dossier, org, personas) -> None:
    s = services
    if action == "accept":
        s.dossier_accept(actor=actor, dossier=dossier.pk)
    elif action == "request_supplement":
        s.dossier_request_supplement(actor=actor, dossier=dossier.pk, items=[{"message": "Bổ sung"}])
    elif action == "supplement":
        s.dossier_supplement(actor=actor, dossier=dossier.pk)
    elif action == "refuse":
        s.dossier_refuse(actor=actor, dossier=dossier.pk, reasons="Không hợp lệ")
    elif action == "forward":
        s.dossier_forward(actor=actor, dossier=dossier.pk)
    elif action == "send_back":
        s.dossier_send_back(actor=actor, dossier=dossier.pk, reason="Xem lại")
    elif action == "transfer":
        s.dossier_transfer(actor=actor, dossier=dossier.pk, agency=org.justice)
    elif action == "return_transfer":
        s.dossier_return_transfer(actor=actor, dossier=dossier.pk)
    elif action in ("approve", "reject"):
        s.dossier_decide(actor=actor, dossier=dossier.pk, approve=action == "approve", note="Lý do")
    elif action == "record_result":
        s.dossier_record_result(actor=actor, dossier=dossier.pk, stream=io.BytesIO(pdf_bytes(2500)), filename="kq.pdf")
    elif action == "return_result":
        s.dossier_return_result(actor=actor, dossier=dossier.pk)
    elif action == "request_payment":
        s.dossier_request_payment(actor=actor, dossier=dossier.pk)
    elif action == "record_payment":
        s.dossier_record_payment(actor=actor, dossier=dossier.pk)
    elif action == "stop":
        s.dossier_stop(actor=actor, dossier=dossier.pk, reasons="Dừng")
    elif action == "withdraw":
        s.dossier_withdraw(actor=actor, dossier=dossier.pk)
    elif action == "rate":
        s.dossier_rate(actor=actor, dossier=dossier.pk, rating="normal")
    elif action == "apologize":
        from datetime import timedelta

        s.dossier_apologize(
            actor=actor,
            dossier=dossier.pk,
            new_due_at=(dossier.due_at or dossier.created_at) + timedelta(days=5),
            reason="Chậm",
        )


def _reachable_targets(state: str) -> set[str]:
    return {target for t in TRANSITIONS if state in t.sources for target in t.targets}


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(moves=st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(ACTIONS)), min_size=1, max_size=14))
def test_random_actions_keep_the_lifecycle_invariants(moves, catalog_once, org, personas):
    draft = services.dossier_create_draft(
        actor=personas.citizen,
        procedure_code="1.001193",
        form={"ho_ten_tre": "Bé Na", "ngay_sinh": "2026-11-01"},
        agency_code=org.committee_a.code,
    )
    attach_all(draft, personas.citizen)
    dossier = services.dossier_submit(actor=personas.citizen, dossier=draft)
    for who, action in moves:
        before_state = Dossier.objects.get(pk=dossier.pk).status
        before_events = DossierEvent.objects.filter(dossier=dossier).count()
        try:
            _do(action, getattr(personas, who), Dossier.objects.get(pk=dossier.pk), org, personas)
        except DomainError:
            # Refused: nothing changed.
            assert Dossier.objects.get(pk=dossier.pk).status == before_state
            assert DossierEvent.objects.filter(dossier=dossier).count() == before_events
            continue
        current = Dossier.objects.get(pk=dossier.pk)
        assert current.status in State.values
        assert current.status == before_state or current.status in _reachable_targets(before_state)
    current = Dossier.objects.get(pk=dossier.pk)
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("at", "id"))
    assert events[0].to_status == State.DRAFT
    for earlier, later in itertools.pairwise(events):
        assert later.from_status in (earlier.to_status, "")
    assert events[-1].to_status == current.status
    expected = NATIONAL_STATUS[State(current.status)]
    assert current.national_status == (int(expected) if expected is not None else None)
    assert national_status(current.status) == current.national_status
    if current.status in (State.RECEIVED, State.IN_PROCESS, State.AWAITING_APPROVAL):
        assert current.due_at is not None and current.clock_started_at is not None
