"""The database backend (cqs/core/postgresql). Its health check: no round trip for a kept
connection in steady use, a packet after a quiet while, and a connection whose server went away is
found unusable and replaced. Its cursors: a closed one serves the next statement, never two
statements at once."""

import select
import time

import psycopg
import pytest
from django.db import connection, connections, transaction
from django.db.backends.postgresql import base as django_postgresql

from cqs.core.postgresql.base import PACKET_CHECK_INTERVAL_SECONDS


def _other_connection():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.fixture
def packet_checks(monkeypatch):
    """Counts the checks that send `SELECT 1` (Django's own `is_usable`)."""
    sent = []
    original = django_postgresql.DatabaseWrapper.is_usable

    def counting(self):
        sent.append(1)
        return original(self)

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", counting)
    return sent


@pytest.mark.django_db(transaction=True)
def test_a_connection_checked_moments_ago_is_trusted_on_its_quiet_socket(packet_checks):
    connection.close()
    connection.ensure_connection()
    assert connection.is_usable() and connection.is_usable()
    assert packet_checks == []  # the socket alone: nothing sent
    assert select.select([connection.connection.fileno()], [], [], 0)[0] == []


@pytest.mark.django_db(transaction=True)
def test_after_a_quiet_while_or_inside_a_transaction_the_check_sends_a_packet(packet_checks):
    connection.ensure_connection()
    connection._packet_checked_at = time.monotonic() - PACKET_CHECK_INTERVAL_SECONDS - 1
    assert connection.is_usable() and len(packet_checks) == 1
    with transaction.atomic():
        connection.cursor().execute("SELECT 1")
        assert connection.is_usable() and len(packet_checks) == 2


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_closed_is_unusable_and_the_next_request_reconnects(client):
    connection.ensure_connection()
    old_backend = connection.connection.info.backend_pid
    with _other_connection() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [old_backend])
    deadline = time.monotonic() + 5
    while not select.select([connection.connection.fileno()], [], [], 0.1)[0] and time.monotonic() < deadline:
        pass
    assert not connection.is_usable()
    # Django's request cycle closes an unusable kept connection and opens a new one.
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert connection.connection is None
    assert client.get("/healthz").status_code == 200
    assert connection.connection.info.backend_pid != old_backend


@pytest.mark.django_db(transaction=True)
def test_a_connection_on_a_descriptor_above_1024_is_kept(packet_checks):
    """A busy web process holds many sockets; select() cannot watch descriptor 1024 or more."""
    import os
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip("this machine allows fewer than 1,200 open files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    connection.close()
    fillers = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        connection.ensure_connection()
        assert connection.connection.fileno() >= 1024
        backend = connection.connection.info.backend_pid
        assert connection.is_usable() and connection.is_usable()
        assert packet_checks == []
        assert connection.connection.info.backend_pid == backend
    finally:
        connection.close()
        for fd in fillers:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.django_db
def test_the_cursor_of_a_finished_statement_serves_the_next_one():
    with connection.cursor() as first:
        first.execute("SELECT 1")
        used = first.cursor
    with connection.cursor() as second:
        second.execute("SELECT %s::int", [2])
        assert second.cursor is used and second.fetchone() == (2,)


@pytest.mark.django_db
def test_cursors_open_at_the_same_time_are_distinct_and_keep_their_own_rows():
    from cqs.accounts.models import User

    with connection.cursor() as outer:
        outer.execute("SELECT generate_series(1, 3)")
        assert outer.fetchone() == (1,)
        with connection.cursor() as inner:
            assert inner.cursor is not outer.cursor
            inner.execute("SELECT 10")
            assert inner.fetchone() == (10,)
        assert outer.fetchall() == [(2,), (3,)]
    # The ORM reading in chunks while other statements run, each on a cursor of its own.
    for n in range(3):
        User.objects.create(username=f"doc-gia-{n}")
    names = list(User.objects.filter(username__startswith="doc-gia-").order_by("username"))
    read = [
        User.objects.get(pk=user.pk).username
        for user in User.objects.filter(username__startswith="doc-gia-").order_by("username").iterator(chunk_size=1)
    ]
    assert read == [u.username for u in names] and len(read) == 3


@pytest.mark.django_db
def test_a_cursor_closed_twice_is_handed_back_once():
    wrapper = connection.cursor()
    wrapper.execute("SELECT 1")
    wrapper.close()
    taken = connection.cursor()  # the handed-back cursor, now in use
    wrapper.close()  # a second close of the first wrapper must not give it away again
    other = connection.cursor()
    assert other.cursor is not taken.cursor
    taken.execute("SELECT 3")
    other.execute("SELECT 4")
    assert (taken.fetchone(), other.fetchone()) == ((3,), (4,))
    taken.close()
    other.close()


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_does_not_use_the_old_connections_cursor():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        old = cursor.cursor
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.cursor is not old and cursor.fetchone() == (2,)


@pytest.mark.django_db
def test_a_statement_of_sixty_parameters_is_converted_once_then_taken_from_psycopgs_cache():
    from psycopg import _queries

    sql = "SELECT " + ", ".join(["%s::int"] * 60)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(range(60)))
        before = _queries._query2pg.cache_info()
        cursor.execute(sql, list(range(60)))
        after = _queries._query2pg.cache_info()
        assert cursor.fetchone()[59] == 59
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


@pytest.mark.django_db
def test_a_cursor_made_before_the_connections_time_zone_changed_is_not_used_after(monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        old = cursor.cursor
    # DATABASES[...]["TIME_ZONE"]: the zone of the moments this connection reads (UTC by default).
    wrapper = connections[connection.alias]
    monkeypatch.setitem(wrapper.settings_dict, "TIME_ZONE", "Asia/Ho_Chi_Minh")
    wrapper.__dict__.pop("timezone", None)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT '2026-12-07 02:00:00+00'::timestamptz")
            assert cursor.cursor is not old
            assert cursor.fetchone()[0].utcoffset().total_seconds() == 7 * 3600
    finally:
        monkeypatch.undo()
        wrapper.__dict__.pop("timezone", None)
