"""Loading the plan's targets and the Decision 766 definitions from `data/plan.json`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

PLAN = Path(__file__).parent / "data" / "plan.json"


def load_plan(apps: Any = None) -> None:
    """Create or update the targets, reported indicators and index definitions by code
    (callable from a data migration with its `apps`, or with None for the current models)."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    model = lambda name: apps.get_model("scorecard", name)  # noqa: E731
    data = json.loads(PLAN.read_text(encoding="utf-8"))
    for position, item in enumerate(data["targets"]):
        fields = {k: v for k, v in item.items() if k != "code"} | {"position": position}
        fields["value"] = Decimal(fields["value"])
        model("Target").objects.update_or_create(code=item["code"], defaults=fields)
    for item in data["reported_indicators"]:
        fields = {k: v for k, v in item.items() if k != "code"}
        model("ReportedIndicator").objects.update_or_create(code=item["code"], defaults=fields)
    for g_position, group in enumerate(data["index_groups"]):
        saved, _created = model("IndexGroup").objects.update_or_create(
            code=group["code"],
            defaults={
                "title": group["title"],
                "title_en": group["title_en"],
                "points": Decimal(group["points"]),
                "position": g_position,
            },
        )
        for position, item in enumerate(group["indicators"]):
            fields = {k: v for k, v in item.items() if k != "code"}
            fields |= {"group": saved, "position": position}
            fields["weight"], fields["threshold"] = Decimal(fields["weight"]), Decimal(fields["threshold"])
            model("IndexIndicator").objects.update_or_create(code=item["code"], defaults=fields)
