"""`Idempotency-Key` handling: a retried or double-clicked request returns the first answer.

The key is claimed by inserting its row inside the request's transaction. A concurrent request
with the same key blocks on the unique index until the first commits, then reads its answer; if
the first failed and rolled back, the second claims the key and does the work itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from cqs.core.errors import Conflict, DomainError
from cqs.dossiers.models import IdempotencyRecord
from cqs.dossiers.transactions import request_transaction

MAX_KEY_LENGTH = 200


def request_fingerprint(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run_once(
    *, user: Any, key: str | None, scope: str, payload: Any, work: Callable[[], tuple[int, dict[str, Any]]]
) -> tuple[int, dict[str, Any]]:
    """Run `work` (returning status code and JSON body) once per (user, scope, key).

    Without a key, `work` simply runs. A key reused with a different payload is a conflict.
    Domain errors are not remembered: the client may fix the request and retry with the same key.
    `work` runs in the request's transaction (`request_transaction`): any error it raises rolls
    back everything, the claim included.
    """
    if not key:
        with request_transaction():
            return work()
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError(_("Idempotency-Key quá dài (tối đa 200 ký tự)."), code="invalid_idempotency_key")
    fingerprint = request_fingerprint(payload)
    with request_transaction():
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {IdempotencyRecord._meta.db_table} (user_id, key, scope, request_hash, created_at)
                VALUES (%s, %s, %s, %s, now())
                ON CONFLICT (user_id, scope, key) DO NOTHING
                RETURNING id
                """,  # noqa: S608 - table name from the model, values bound
                [user.pk, key, scope, fingerprint],
            )
            claimed = cursor.fetchone()
        if claimed is None:
            record = IdempotencyRecord.objects.get(user=user, scope=scope, key=key)
            if record.request_hash != fingerprint:
                raise Conflict(
                    _("Idempotency-Key này đã được dùng cho một yêu cầu khác."), code="idempotency_key_reused"
                )
            return record.status_code or 200, record.response or {}
        # A refused attempt (a DomainError) rolls back with the claim, so a corrected retry can
        # use the same key.
        status, body = work()
        IdempotencyRecord.objects.filter(pk=claimed[0]).update(status_code=status, response=body)
        return status, body
