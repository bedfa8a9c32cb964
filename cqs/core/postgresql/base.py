"""Django's PostgreSQL backend with a health check that usually costs no round trip.

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

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

# How long a connection may go on being trusted on its quiet socket alone.
PACKET_CHECK_INTERVAL_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    _packet_checked_at = float("-inf")

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
