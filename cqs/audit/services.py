"""Writing the audit trail. Every use case that changes organisation, calendar or catalogue data calls
`audit_record` inside its own transaction, so the event and the change commit or fail together."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models, transaction
from django.forms.models import model_to_dict

from cqs.audit.middleware import audit_context
from cqs.audit.models import AuditAction, AuditEvent

# Never copied into the trail, even hashed.
_SECRET_FIELDS = {"password"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The audited state of a model instance: its concrete and many-to-many fields, JSON-ready."""
    data = model_to_dict(instance)
    for field in instance._meta.concrete_fields:
        data.setdefault(field.name, getattr(instance, field.attname))
    return {k: _jsonable(v) for k, v in data.items() if k not in _SECRET_FIELDS}


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    instance: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the trail. Must run inside the use case's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the use case's transaction")
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)
    context = dict(audit_context.get() or {"channel": "system"})
    if extra:
        context.update(_jsonable(extra))
    actor_obj = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_label=getattr(actor_obj, "username", "") if actor_obj else "system",
        action=str(action),
        object_type=object_type or "",
        object_id=object_id or "",
        object_repr=(object_repr or "")[:300],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        context=context,
    )


def audited_save(*, actor: Any, instance: models.Model, m2m: dict[str, Any] | None = None) -> models.Model:
    """Save `instance` (and optional many-to-many values) and record the change with before/after."""
    with transaction.atomic():
        before = None
        if instance.pk is not None:
            previous = type(instance)._default_manager.filter(pk=instance.pk).first()
            before = snapshot(previous) if previous is not None else None
        instance.full_clean()
        instance.save()
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before is not None else AuditAction.CREATE,
            instance=instance,
            before=before,
            after=snapshot(instance),
        )
    return instance


def audited_delete(*, actor: Any, instance: models.Model) -> None:
    """Delete `instance` and record what it was."""
    with transaction.atomic():
        before = snapshot(instance)
        audit_record(actor=actor, action=AuditAction.DELETE, instance=instance, before=before)
        instance.delete()
