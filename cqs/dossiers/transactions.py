"""Transaction plumbing of the API's write requests: one transaction per request, no savepoints
inside it, and the dossier row locked and loaded once.

An API write (`run_once`, the upload handler) opens `request_transaction()`; every error escaping
it rolls the whole request back. A use case called directly inside it (`use_case_transaction()`)
therefore joins it without a savepoint: a savepoint only helps a caller that catches the error and
carries on, and this caller never does. Anywhere else a use case behaves like `atomic()`.

The handler finds the dossier (`queries.dossier_for(..., for_update=True)`) with its row lock and
marks it; the use case takes the marked instance as it is instead of reading the row again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction

_errors_abort_request: ContextVar[bool] = ContextVar("cqs_errors_abort_request", default=False)


@contextmanager
def request_transaction() -> Iterator[None]:
    """The whole request's transaction. Its body must let every error propagate (never catch an
    error from a use case and go on), since use cases inside it have no savepoint of their own."""
    with transaction.atomic():
        token = _errors_abort_request.set(True)
        try:
            yield
        finally:
            _errors_abort_request.reset(token)


@contextmanager
def use_case_transaction() -> Iterator[None]:
    """`transaction.atomic()` for one use case; directly inside `request_transaction()` it joins
    the request's transaction without a savepoint. Use cases nested in this one get their own
    savepoints again, since this use case might catch their errors."""
    joins = _errors_abort_request.get()
    token = _errors_abort_request.set(False)
    try:
        with transaction.atomic(savepoint=not joins):
            yield
    finally:
        _errors_abort_request.reset(token)


def mark_locked(instance: Any) -> None:
    """Note that `instance` was just read with `SELECT ... FOR UPDATE` in the transaction in progress."""
    instance._cqs_locked_in = _current_transaction()


def take_locked(instance: Any) -> bool:
    """Whether `instance` was marked by `mark_locked` in the transaction in progress. The mark is
    used once: a later call reads the row again, so an instance kept around never goes stale."""
    marked = instance.__dict__.pop("_cqs_locked_in", None)
    return marked is not None and marked is _current_transaction()


def _current_transaction() -> object | None:
    # The outermost atomic block stands for the database transaction while it lasts.
    return connection.atomic_blocks[0] if connection.in_atomic_block and connection.atomic_blocks else None
