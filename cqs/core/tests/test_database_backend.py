"""The database backend's health check (cqs/core/postgresql): no round trip for a healthy kept
connection, and a connection whose server went away is found unusable and replaced."""

import select
import time

import psycopg
import pytest
from django.db import connection


def _other_connection():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.mark.django_db(transaction=True)
def test_a_healthy_connection_is_usable_without_a_statement():
    connection.ensure_connection()
    before = connection.connection.info.transaction_status
    assert connection.is_usable()
    # Nothing was sent: the connection is still idle and has nothing waiting to be read.
    assert connection.connection.info.transaction_status == before
    assert select.select([connection.connection.fileno()], [], [], 0)[0] == []


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
