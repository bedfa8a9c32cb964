"""Property-based: whatever sequence of actions officials and applicants take, at whatever moments,
the fact rows and monthly summaries kept current inside each use case equal a recomputation
from the dossier table."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqs.core.errors import DomainError
from cqs.dossiers import services
from cqs.dossiers.models import Dossier
from cqs.dossiers.tests.conftest import attach_all, pdf_bytes
from cqs.warehouse.queries import warehouse_differences

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ACTIONS = [
    ("reception", "accept"),
    ("reception", "request_supplement"),
    ("specialist", "request_supplement"),
    ("citizen", "supplement"),
    ("reception", "refuse"),
    ("specialist", "forward"),
    ("specialist", "transfer"),
    ("dept_specialist", "return_transfer"),
    ("leader", "approve"),
    ("leader", "reject"),
    ("specialist", "record_result"),
    ("reception", "return_result"),
    ("specialist", "request_payment"),
    ("reception", "record_payment"),
    ("reception", "record_payment_online"),
    ("leader", "apologize"),
    ("leader", "stop"),
    ("citizen", "withdraw"),
    ("citizen", "rate"),
    ("citizen", "update_form"),
]
# The usual road, so that random sequences reach results, payments and ratings often enough.
HAPPY = [
    ("reception", "accept"),
    ("specialist", "forward"),
    ("leader", "approve"),
    ("specialist", "record_result"),
    ("reception", "return_result"),
    ("citizen", "rate"),
]


def _do(action: str, actor, dossier: Dossier, org) -> None:
    s, pk = services, dossier.pk
    if action == "accept":
        s.dossier_accept(actor=actor, dossier=pk)
    elif action == "request_supplement":
        s.dossier_request_supplement(actor=actor, dossier=pk, items=[{"message": "Bổ sung"}])
    elif action == "supplement":
        s.dossier_supplement(actor=actor, dossier=pk)
    elif action == "refuse":
        s.dossier_refuse(actor=actor, dossier=pk, reasons="Không hợp lệ")
    elif action == "forward":
        s.dossier_forward(actor=actor, dossier=pk)
    elif action == "transfer":
        s.dossier_transfer(actor=actor, dossier=pk, agency=org.justice)
    elif action == "return_transfer":
        s.dossier_return_transfer(actor=actor, dossier=pk)
    elif action in ("approve", "reject"):
        s.dossier_decide(actor=actor, dossier=pk, approve=action == "approve", note="Lý do")
    elif action == "record_result":
        s.dossier_record_result(actor=actor, dossier=pk, stream=io.BytesIO(pdf_bytes(2500)), filename="kq.pdf")
    elif action == "return_result":
        s.dossier_return_result(actor=actor, dossier=pk)
    elif action == "request_payment":
        s.dossier_request_payment(actor=actor, dossier=pk)
    elif action == "record_payment":
        s.dossier_record_payment(actor=actor, dossier=pk)
    elif action == "record_payment_online":
        s.dossier_record_payment(actor=actor, dossier=pk, online=True)
    elif action == "apologize":
        s.dossier_apologize(
            actor=actor,
            dossier=pk,
            new_due_at=(dossier.due_at or dossier.created_at) + dt.timedelta(days=5),
            reason="Chậm",
        )
    elif action == "stop":
        s.dossier_stop(actor=actor, dossier=pk, reasons="Dừng")
    elif action == "withdraw":
        s.dossier_withdraw(actor=actor, dossier=pk)
    elif action == "rate":
        s.dossier_rate(actor=actor, dossier=pk, rating="satisfied")
    elif action == "update_form":
        s.dossier_update_form(actor=actor, dossier=pk, form=dossier.form_data | {"so_ban_sao": 3})


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    start=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 20)),
    happy=st.integers(min_value=0, max_value=len(HAPPY)),
    moves=st.lists(
        st.tuples(st.sampled_from(ACTIONS + HAPPY), st.integers(min_value=0, max_value=24 * 20)),
        min_size=1,
        max_size=12,
    ),
    pauses=st.lists(st.integers(min_value=0, max_value=24 * 20), min_size=len(HAPPY), max_size=len(HAPPY)),
)
def test_summaries_agree_with_a_recomputation_after_random_actions(
    start, happy, moves, pauses, catalog_once, org, personas
):
    moment = start.replace(tzinfo=TZ)
    with time_machine.travel(moment, tick=False) as traveller:
        draft = services.dossier_create_draft(
            actor=personas.citizen,
            procedure_code="1.001193",
            form={"ho_ten_tre": "Bé Na", "ngay_sinh": "2025-11-01", "so_ban_sao": 1},
            agency_code=org.committee_a.code,
        )
        attach_all(draft, personas.citizen)
        dossier = services.dossier_submit(actor=personas.citizen, dossier=draft)
        # A random number of steps down the usual road, then anything at all.
        for (who, action), hours in list(zip(HAPPY[:happy], pauses, strict=False)) + moves:
            moment += dt.timedelta(hours=hours)
            traveller.move_to(moment)
            try:
                _do(action, getattr(personas, who), Dossier.objects.get(pk=dossier.pk), org)
            except DomainError:
                continue
    assert warehouse_differences() == []
