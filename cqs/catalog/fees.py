"""Fees ("lệ phí") and charges ("phí") of a procedure, fixed or computed from the form's answers.

A fee is `{"name", "kind", "amount"}` or `{"name", "kind", "rule"}` where the rule is one of
  {"type": "per_unit", "field": F, "amount": A}         A × answers[F]
  {"type": "by_value", "field": F, "amounts": {v: A}}   amounts[answers[F]] (0 when not listed)
Amounts are integer VND.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RULE_TYPES = ("per_unit", "by_value")


@dataclass(frozen=True)
class FeeLine:
    name: str
    kind: str
    amount: int


def fee_lines(fees: list[dict[str, Any]], answers: dict[str, Any] | None = None) -> list[FeeLine]:
    """The amount of each fee for these form answers (fixed fees need no answers)."""
    answers = answers or {}
    lines = []
    for fee in fees:
        rule = fee.get("rule")
        if rule is None:
            amount = int(fee.get("amount", 0))
        elif rule["type"] == "per_unit":
            units = answers.get(rule["field"]) or 0
            amount = int(rule["amount"]) * int(units)
        else:
            amount = int(rule["amounts"].get(str(answers.get(rule["field"])), 0))
        lines.append(FeeLine(name=fee["name"], kind=fee.get("kind", "fee"), amount=amount))
    return lines


def fixed_fee_total(fees: list[dict[str, Any]]) -> int:
    """The sum of the fees that do not depend on the form (what a catalogue listing can show)."""
    return sum(int(fee.get("amount", 0)) for fee in fees if "rule" not in fee)
