"""A rate limiter shared by every web process, kept in PostgreSQL.

Counters live in `core_ratelimitbucket`, one row per key and window, incremented with one
atomic upsert, so limits hold across web server processes and hosts without a cache server.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from cqs.core.errors import DomainError


class RateLimited(DomainError):
    code = "rate_limited"
    http_status = 429


def hit(key: str, *, limit: int, window: dt.timedelta) -> int:
    """Count one attempt for `key` in the current window and return the count so far.

    Raises `RateLimited` once the count exceeds `limit` (the attempt is still counted, so a
    client that keeps trying stays limited until the window ends).
    """
    now = timezone.now()
    seconds = int(window.total_seconds())
    window_start = dt.datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO core_ratelimitbucket (key, window_start, count) VALUES (%s, %s, 1)
            ON CONFLICT (key, window_start) DO UPDATE SET count = core_ratelimitbucket.count + 1
            RETURNING count
            """,
            [key[:200], window_start],
        )
        count = cursor.fetchone()[0]
    if count > limit:
        retry_after = int((window_start + window - now).total_seconds()) + 1
        raise RateLimited(
            _("Bạn đã thử quá nhiều lần; vui lòng thử lại sau %(s)d giây.") % {"s": retry_after},
            details={"retry_after": retry_after},
        )
    return count


def prune(older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete finished windows (run by the periodic maintenance task)."""
    from cqs.core.models import RateLimitBucket

    deleted, _ = RateLimitBucket.objects.filter(window_start__lt=timezone.now() - older_than).delete()
    return deleted
