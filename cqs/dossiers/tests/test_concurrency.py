"""Concurrent users on a real PostgreSQL: codes never repeat or skip; a key runs once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from cqs.dossiers import services
from cqs.dossiers.idempotency import run_once
from cqs.dossiers.models import Dossier, IdempotencyRecord
from cqs.dossiers.tests.conftest import BIRTH_FORM, attach_all

SUBMISSIONS = 100
THREADS = 25  # concurrent database sessions: well under max_connections on a default server


def _in_thread(barrier: threading.Barrier, fn, *args):
    try:
        barrier.wait(timeout=60)
        return fn(*args)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_to_one_agency_get_codes_0001_to_0100(catalog, org, personas):
    drafts = []
    for _ in range(SUBMISSIONS):
        draft = services.dossier_create_draft(
            actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_a.code
        )
        attach_all(draft, personas.citizen)
        drafts.append(draft.pk)
    start = threading.Event()

    def submit(pk):
        start.wait(timeout=60)  # all workers start together, then keep the queue full
        try:
            return services.dossier_submit(actor=personas.citizen, dossier=pk).code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(submit, pk) for pk in drafts]
        start.set()
        codes = [f.result() for f in futures]
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert len(set(codes)) == SUBMISSIONS
    assert numbers == list(range(1, SUBMISSIONS + 1))
    assert all(code.startswith(org.desk_a.code + "-") for code in codes)


@pytest.mark.django_db(transaction=True)
def test_the_same_idempotency_key_sent_ten_times_at_once_creates_one_dossier(catalog, org, personas):
    barrier = threading.Barrier(10)
    payload = {"procedure": "1.001193", "form": BIRTH_FORM, "agency": org.committee_a.code}

    def create():
        def work():
            dossier = services.dossier_create_draft(
                actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_a.code
            )
            return 201, {"id": str(dossier.pk)}

        return run_once(user=personas.citizen, key="nop-lan-1", scope="dossier.create", payload=payload, work=work)

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: _in_thread(barrier, create), range(10)))
    assert Dossier.objects.count() == 1
    assert {body["id"] for _status, body in answers} == {str(Dossier.objects.get().pk)}
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_submit_sent_five_times_at_once_answers_each_with_the_one_code(catalog, org, personas):
    """The duplicates wait on the dossier's row lock, find it submitted, and are answered from
    the first one's record instead of with a conflict."""
    from cqs.dossiers import queries

    draft = services.dossier_create_draft(
        actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_a.code
    )
    attach_all(draft, personas.citizen)
    barrier = threading.Barrier(5)

    def submit():
        def work():
            dossier = queries.dossier_for(personas.citizen, str(draft.pk), for_update=True)
            return 200, {"code": services.dossier_submit(actor=personas.citizen, dossier=dossier).code}

        return run_once(user=personas.citizen, key="nop-1", scope="dossier.submit", payload={"ref": "x"}, work=work)

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(lambda _: _in_thread(barrier, submit), range(5)))
    draft.refresh_from_db()
    assert answers == [(200, {"code": draft.code})] * 5
    assert draft.events.filter(action="submit").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_of_one_draft_submit_it_once(catalog, org, personas):
    from cqs.dossiers.lifecycle import IllegalTransition

    draft = services.dossier_create_draft(
        actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_a.code
    )
    attach_all(draft, personas.citizen)
    barrier = threading.Barrier(5)

    def submit():
        try:
            return services.dossier_submit(actor=personas.citizen, dossier=draft.pk).code
        except IllegalTransition:
            return None

    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(lambda _: _in_thread(barrier, submit), range(5)))
    assert len([r for r in results if r]) == 1
    assert draft.events.filter(action="submit").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_officials_acting_at_once_one_wins_the_other_gets_a_conflict(catalog, org, personas):
    from cqs.accounts.models import User
    from cqs.dossiers.lifecycle import IllegalTransition
    from cqs.dossiers.models import DossierEvent
    from cqs.org.models import Membership, Role

    second = User.objects.create(username="chuyenvien2", kind="official", full_name="Chuyên viên 2")
    Membership.objects.create(user=second, agency=org.committee_a, role=Role.SPECIALIST)
    draft = services.dossier_create_draft(
        actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_a.code
    )
    attach_all(draft, personas.citizen)
    services.dossier_submit(actor=personas.citizen, dossier=draft)
    services.dossier_accept(actor=personas.reception, dossier=draft)
    barrier = threading.Barrier(2)

    def forward(user):
        try:
            services.dossier_forward(actor=user, dossier=draft.pk, note=user.username)
            return "ok"
        except IllegalTransition as conflict:
            assert conflict.http_status == 409
            return "conflict"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(lambda u: _in_thread(barrier, forward, u), [personas.specialist, second]))
    assert outcomes == ["conflict", "ok"]
    assert DossierEvent.objects.filter(dossier=draft, action="forward").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_submission_locks_the_days_counter_before_the_months_summary(catalog, org, personas):
    """Every submission takes the two rows all submissions to an agency share in the same order
    (the counter, then the warehouse's monthly summary), so two submissions cannot deadlock.
    PostgreSQL does not promise an order among a statement's WITH clauses: this pins the one the
    submission statement gets."""
    from django.db import OperationalError, transaction

    from cqs.warehouse.models import AgencyMonth

    drafts = []
    for _ in range(2):
        draft = services.dossier_create_draft(
            actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_a.code
        )
        attach_all(draft, personas.citizen)
        drafts.append(draft.pk)
    services.dossier_submit(actor=personas.citizen, dossier=drafts[0])  # the month's summary row exists
    summary_held, release = threading.Event(), threading.Event()

    def hold_summary():
        try:
            with transaction.atomic():
                list(AgencyMonth.objects.select_for_update())
                summary_held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def submit():
        try:
            return services.dossier_submit(actor=personas.citizen, dossier=drafts[1]).code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        holder = pool.submit(hold_summary)
        assert summary_held.wait(timeout=30)
        submitted = pool.submit(submit)
        try:
            with connection.cursor() as cursor:
                for _ in range(200):  # until the submission waits for the summary's row
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH %%'"
                    )
                    if cursor.fetchone()[0]:
                        break
                    threading.Event().wait(0.05)
                else:
                    pytest.fail("the submission never waited for the summary's row")
            with pytest.raises(OperationalError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM dossiers_dossiercounter FOR UPDATE NOWAIT")  # taken already
        finally:
            release.set()
        holder.result()
        assert submitted.result().endswith("-0002")
