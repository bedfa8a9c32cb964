"""`Idempotency-Key` handling: a retried or double-clicked request returns the first answer.

The request does its work and, in the same transaction, records its answer under the key. A
concurrent request with the same key blocks on the key's unique index until the first commits;
finding the key taken, it rolls its own work back and answers with the first's. If the first
failed and rolled back, the second's record goes in and its work stands. A retry that cannot do
the work again (a second submit finds the dossier submitted) is answered from the record too.
Recording the answer with the key, rather than claiming the key first and filling in the answer
after, is one statement per request instead of two.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb

from cqs.core.errors import Conflict, DomainError
from cqs.dossiers.models import IdempotencyRecord
from cqs.dossiers.transactions import request_transaction

MAX_KEY_LENGTH = 200


def _dumps(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder)


def request_fingerprint(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class _AlreadyAnswered(Exception):
    """Raised inside the request's transaction to roll its work back: the key was taken."""


def run_once(
    *, user: Any, key: str | None, scope: str, payload: Any, work: Callable[[], tuple[int, dict[str, Any]]]
) -> tuple[int, dict[str, Any]]:
    """Run `work` (returning status code and JSON body) once per (user, scope, key).

    Without a key, `work` simply runs. A key reused with a different payload is a conflict.
    Domain errors are not remembered: the client may fix the request and retry with the same key.
    `work` runs in the request's transaction (`request_transaction`): any error it raises rolls
    back everything, the record included.
    """
    if not key:
        with request_transaction():
            return work()
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError(_("Idempotency-Key quá dài (tối đa 200 ký tự)."), code="invalid_idempotency_key")
    fingerprint = request_fingerprint(payload)
    try:
        with request_transaction():
            status, body = work()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    INSERT INTO {IdempotencyRecord._meta.db_table}
                        (user_id, key, scope, request_hash, status_code, response, created_at)
                    VALUES (%s, %s, %s, %s, %s, %s, now())
                    ON CONFLICT (user_id, scope, key) DO NOTHING
                    RETURNING id
                    """,  # noqa: S608 - table name from the model, values bound
                    [user.pk, key, scope, fingerprint, status, Jsonb(body, dumps=_dumps)],
                )
                if cursor.fetchone() is None:
                    raise _AlreadyAnswered
            return status, body
    except (_AlreadyAnswered, DomainError):
        # The key taken, or this request refused: the first answer under the key, if there is one.
        record = IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()
        if record is None:
            raise  # a refusal of this request's own: not remembered, the client may correct it
    if record.request_hash != fingerprint:
        raise Conflict(_("Idempotency-Key này đã được dùng cho một yêu cầu khác."), code="idempotency_key_reused")
    return record.status_code or 200, record.response or {}
