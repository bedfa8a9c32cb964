"""Django's PostgreSQL backend with a health check that usually costs no round trip, a cursor
that is used again rather than made anew for every statement, and psycopg's cache of converted
statements open to the submission path's longer writes.

With `CONN_HEALTH_CHECKS`, Django checks a kept connection before its first use in each request
by sending `SELECT 1`: one more round trip for every request, three for every online submission.
A connection whose server went away (a restart, a failover that closed it) has its socket
readable: the server's goodbye or the end of the stream is waiting there, while a healthy idle
connection has nothing to say. So the socket is polled without waiting, and Django's own check
runs only when something is waiting there, when the connection is not idle between transactions,
or when it has not been checked for a few seconds: a peer that vanished without closing (a host
that rebooted, a firewall that dropped an idle connection) leaves nothing to read, and only a
packet sent finds it out. A connection in steady use is thus checked by a packet every few
seconds, not before every request.
"""

from __future__ import annotations

import select
import time
from functools import lru_cache

from django.db.backends import utils
from django.db.backends.postgresql import base
from psycopg import _queries
from psycopg.pq import Format, TransactionStatus

# psycopg converts each statement's `%s` placeholders to `$n` with a regular expression and keeps
# the result in a 128-entry cache, but only for statements of at most 4,096 bytes and 50
# parameters (so that one-off bulk statements cannot fill it). The statements that write a
# dossier with its event, or an event with the warehouse's rows, have 52 to 60: converted anew
# every time (the 54-parameter one in 67 µs, against a dictionary lookup from the cache). The
# limits are raised for statements like these and the cache enlarged so that the ORM's many
# statements cannot push them out. `test_database_backend` fails if psycopg stops reading these
# names.
_queries.MAX_CACHED_STATEMENT_LENGTH = 16 * 1024
_queries.MAX_CACHED_STATEMENT_PARAMS = 200
_queries._query2pg = lru_cache(maxsize=1024)(_queries._query2pg_nocache)

# How long a connection may go on being trusted on its quiet socket alone.
PACKET_CHECK_INTERVAL_SECONDS = 5.0


class _SpareOnClose:
    """Django's cursor wrapper, except that closing it hands its psycopg cursor back to the
    connection for the next statement instead of closing it. Django makes a cursor for every
    statement and closes it straight after; making one costs about 15–20 µs of the 75 µs a short
    statement takes this side (twenty-odd statements per online submission). Only the plain
    cursor of the connection is handed back, and only once per wrapper, so that a wrapper
    closed twice cannot give away a cursor somebody else is using."""

    _handed_back = False

    def close(self) -> None:
        if self._handed_back:
            return
        self._handed_back = True
        cursor, connection = self.cursor, self.db.connection
        if (
            self.db._spare_cursor is None
            and connection is not None
            and type(cursor) is connection.cursor_factory
            and cursor.connection is connection
            and not cursor.closed
        ):
            cursor._reset()  # what closing does first: the last result is let go
            self.db._spare_cursor = cursor
        else:
            cursor.close()


class _CursorWrapper(_SpareOnClose, utils.CursorWrapper):
    pass


class _CursorDebugWrapper(_SpareOnClose, base.CursorDebugWrapper):
    pass


class DatabaseWrapper(base.DatabaseWrapper):
    _packet_checked_at = float("-inf")
    _spare_cursor = None

    def create_cursor(self, name=None):
        spare, self._spare_cursor = self._spare_cursor, None
        if (
            name is None
            and spare is not None
            and spare.connection is self.connection
            # Django gives a cursor the time zone of the moment (a test may change it in between).
            and spare.adapters.get_loader(base.TIMESTAMPTZ_OID, Format.TEXT).timezone == self.timezone
        ):
            return spare
        return super().create_cursor(name)

    def make_cursor(self, cursor):
        return _CursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor):
        return _CursorDebugWrapper(cursor, self)

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self._packet_checked_at = time.monotonic()  # the handshake just went both ways
        return connection

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        now = time.monotonic()
        if (
            connection.info.transaction_status == TransactionStatus.IDLE
            and now - self._packet_checked_at < PACKET_CHECK_INTERVAL_SECONDS
            and not _readable(connection.fileno())
        ):
            return True
        usable = super().is_usable()
        if usable:
            self._packet_checked_at = now
        return usable


def _readable(fd: int) -> bool:
    """Whether something (or the end of the stream) waits on the socket. poll, not select:
    select cannot watch a descriptor numbered 1024 or more, which a busy web process reaches."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))
