"""Application forms are JSON Schemas; this keeps their field order through PostgreSQL's jsonb."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FIELD_ORDER_KEY = "x-field-order"


def ordered_properties(schema: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The schema's properties in the author's order. PostgreSQL's jsonb does not keep key order,
    so the catalogue stores it beside them (`x-field-order`, written on import)."""
    properties = schema.get("properties") or {}
    order = [k for k in schema.get(FIELD_ORDER_KEY) or () if k in properties]
    return [(k, properties[k]) for k in order] + [(k, v) for k, v in properties.items() if k not in order]


def with_field_order(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of `schema` (and its nested objects) that records its properties' order: the order
    it already records, if any (an exported catalogue), else the order of its keys."""
    if not isinstance(schema.get("properties"), dict):
        return schema
    ordered = ordered_properties(schema)
    copy = dict(schema)
    copy["properties"] = {k: with_field_order(v) if isinstance(v, dict) else v for k, v in ordered}
    copy[FIELD_ORDER_KEY] = [k for k, _ in ordered]
    return copy
