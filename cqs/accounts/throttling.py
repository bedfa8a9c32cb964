"""Limits on the account pages that send e-mail or create accounts (sign-in is django-axes').

Counted per client address in the shared PostgreSQL limiter (`cqs.core.ratelimit`), outside the
use case's transaction so a refused attempt still counts.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest

from cqs.core.ratelimit import hit

REGISTRATIONS_PER_HOUR = 30
EMAILS_PER_HOUR = 10


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def throttle_registration(request: HttpRequest) -> None:
    """Raises `RateLimited` (429) after too many registrations from one address in an hour."""
    hit(f"accounts.register:{client_address(request)}", limit=REGISTRATIONS_PER_HOUR, window=dt.timedelta(hours=1))


def throttle_email(request: HttpRequest, purpose: str) -> None:
    """Raises `RateLimited` after too many reset or verification mails requested from one address."""
    hit(f"accounts.{purpose}:{client_address(request)}", limit=EMAILS_PER_HOUR, window=dt.timedelta(hours=1))
