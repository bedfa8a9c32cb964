"""The synthetic province: deterministic, consistent, realistically shaped, and usable by the services."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction

from cqs.calendar.queries import working_calendar
from cqs.synthetic.calendar import DAY, MinuteCalendar
from cqs.synthetic.checks import check_province
from cqs.synthetic.generator import TET, generate_province

UNTIL = dt.date(2026, 6, 1)
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def fingerprint() -> str:
    """Everything generated except database sequence numbers (event ids)."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for sql in (
            "SELECT id, code, status, channel, applicant_identity, submitted_at, received_at, due_at, finished_at, "
            "returned_at, rating, fee_total FROM dossiers_dossier ORDER BY code",
            "SELECT d.code, e.at, e.action, e.to_status, e.actor_id FROM dossiers_dossierevent e "
            "JOIN dossiers_dossier d ON d.id = e.dossier_id ORDER BY d.code, e.at, e.action",
            "SELECT id, dossier_id, position, agency_id, started_at, due_at, completed_at FROM dossiers_dossierstep "
            "ORDER BY id",
        ):
            cursor.execute(sql)
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    """2,000 dossiers over three years, generated once for the module and rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        figures = generate_province(dossiers=2_000, seed=7, years=3, until=UNTIL, parallel=False)
        yield figures
        transaction.set_rollback(True)


def test_minute_calendar_agrees_with_the_working_calendar(db) -> None:
    calendar = working_calendar()
    base = dt.date(2025, 1, 1)
    fast = MinuteCalendar(calendar, base, dt.date(2027, 12, 31))
    rng = random.Random(3)
    for _ in range(400):
        m = rng.randrange(700 * DAY)
        moment = dt.datetime.combine(base, dt.time(0), tzinfo=VN) + dt.timedelta(minutes=m)
        minutes = rng.choice([0, 1, 59, 270, 480, 481, 960, 4 * 480 + 17])
        expected = calendar.add_working_time(moment, dt.timedelta(minutes=minutes))
        assert fast.minute(expected) == fast.add_working_time(m, minutes)
        assert fast.minute(calendar.effective_start(moment)) == fast.effective_start(m)
        days = rng.randint(1, 30)
        assert fast.minute(calendar.add_calendar_days(moment, days)) == fast.add_calendar_days(m, days)


def test_generated_province_passes_the_check(province, db) -> None:
    assert province["dossiers"] == 2_000
    assert check_province() == []


def test_a_broken_row_fails_the_check(province, db) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE dossiers_dossier SET returned_at = NULL WHERE id = "
            "(SELECT id FROM dossiers_dossier WHERE status = 'returned' ORDER BY code LIMIT 1)"
        )
        cursor.execute(
            "UPDATE dossiers_dossier SET code = code || '9' WHERE id = "
            "(SELECT id FROM dossiers_dossier WHERE status = 'received' ORDER BY code LIMIT 1)"
        )
        cursor.execute(
            "UPDATE dossiers_dossier SET due_at = due_at + interval '1 day' WHERE id = (SELECT id FROM "
            "dossiers_dossier WHERE status = 'returned' AND paused_total = interval '0' ORDER BY code OFFSET 5 LIMIT 1)"
        )
    rules = {v.rule for v in check_province()}
    assert "returned exactly when it has a return moment" in rules
    assert any(rule.startswith("clock start and appointment follow the working calendar") for rule in rules)
    assert "codes of an agency-day run 1..n without gaps and the counter is at n" in rules


def test_same_seed_gives_the_same_province(province, db) -> None:
    first = fingerprint()
    sid = transaction.savepoint()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending before TRUNCATE
        cursor.execute(
            "TRUNCATE dossiers_dossierdocument, dossiers_dossierevent, dossiers_supplementrequest, "
            "dossiers_dossierstep, dossiers_dossier, dossiers_dossiercounter, accounts_citizenprofile, "
            "accounts_enterpriseprofile CASCADE"
        )
        cursor.execute("DELETE FROM accounts_user WHERE username LIKE 'cd.%%' OR username LIKE 'dn.%%'")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    generate_province(dossiers=2_000, seed=7, years=3, until=UNTIL, parallel=False)
    again = fingerprint()
    transaction.savepoint_rollback(sid)
    with connection.cursor() as cursor:  # sequences are not transactional: put them back after the rollback
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('dossiers_dossierstep', 'id'), "
            "(SELECT MAX(id) FROM dossiers_dossierstep))"
        )
    assert again == first


def test_online_share_rises_and_volume_peaks_before_tet(province, db) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extract(year FROM submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::int, "
            "avg((channel = 3)::int) FROM dossiers_dossier GROUP BY 1 ORDER BY 1"
        )
        shares = cursor.fetchall()
        cursor.execute(
            "SELECT (submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, count(*) FROM dossiers_dossier GROUP BY 1"
        )
        per_day = dict(cursor.fetchall())
    assert float(shares[-1][1]) > float(shares[0][1]) + 0.15
    tet = TET[2025]
    before = [per_day.get(tet - dt.timedelta(days=k), 0) for k in range(1, 25)]
    later = [per_day.get(tet + dt.timedelta(days=40 + k), 0) for k in range(1, 25)]
    assert sum(before) > 1.2 * sum(later)


def test_outcomes_are_mixed(province, db) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM dossiers_dossier GROUP BY 1")
        statuses = dict(cursor.fetchall())
        cursor.execute(
            "SELECT avg((finished_at > due_at)::int), count(*) FILTER (WHERE rating <> ''), "
            "count(*) FILTER (WHERE supplement_rounds > 0), count(*) FILTER (WHERE supplement_rounds > 1) "
            "FROM dossiers_dossier WHERE status = 'returned'"
        )
        late, rated, supplemented, twice = cursor.fetchone()
        cursor.execute("SELECT count(DISTINCT action) FROM dossiers_dossierevent")
        (actions,) = cursor.fetchone()
    assert statuses["returned"] > 1_500
    assert statuses.get("refused", 0) > 0
    assert 0 < late < 0.15
    assert rated > 300 and supplemented > 50 and twice > 0
    assert actions >= 12  # create, submit, accept, forward, approve, record_result, return_result, rate, ...


def test_an_official_processes_a_generated_dossier_further(province, db) -> None:
    from cqs.accounts.models import User
    from cqs.dossiers.models import Dossier
    from cqs.dossiers.services import dossier_forward
    from cqs.org.models import Membership, Role

    dossier = Dossier.objects.filter(status="received").select_related("current_agency").order_by("code").first()
    assert dossier is not None
    holder = dossier.current_agency
    specialist = User.objects.get(
        pk=Membership.objects.filter(
            role=Role.SPECIALIST, agency_id__in=[holder.pk, holder.parent_id or holder.pk]
        ).values_list("user_id", flat=True)[0]
    )
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=VN), tick=False):
        moved = dossier_forward(actor=specialist, dossier=dossier.pk, note="Đã thẩm định")
    assert moved.status in ("in_process", "awaiting_approval")
    assert moved.events.order_by("-at", "-id").first().action == "forward"
    assert check_province() == []


def test_people_carry_valid_identity_numbers_and_tax_codes(province, db) -> None:
    from cqs.accounts.models import CitizenProfile, EnterpriseProfile
    from cqs.accounts.validators import validate_identity_number, validate_tax_code

    numbers = list(CitizenProfile.objects.values_list("identity_number", flat=True))
    codes = list(EnterpriseProfile.objects.values_list("tax_code", flat=True))
    assert len(numbers) >= 500 and len(codes) >= 20
    for number in numbers:
        validate_identity_number(number)
    for code in codes:
        validate_tax_code(code)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM dossiers_dossier WHERE channel <> 3 AND applicant_identity !~ '^[0-9]{12}$'"
        )
        assert cursor.fetchone()[0] == 0


def test_officials_hold_roles_at_every_level(province, db) -> None:
    from cqs.org.models import Membership

    levels = set(Membership.objects.values_list("agency__level", flat=True))
    roles = set(Membership.objects.values_list("role", flat=True))
    assert {"province", "district", "commune"} <= levels
    assert {"reception", "specialist", "leader", "clerk"} <= roles
