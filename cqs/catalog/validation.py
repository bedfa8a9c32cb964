"""Validation of a catalogue document (`docs/catalog-format.md`) as a whole, before anything is written.

`catalog_problems` returns every problem it finds, each tied to the record it belongs to, so a
publisher can fix a file in one pass instead of one error per attempt.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from cqs.catalog.fees import RULE_TYPES
from cqs.catalog.models import (
    NATIONAL_CODE_PATTERN,
    PROCEDURE_CODE_PATTERN,
    DocumentForm,
    NationalSource,
    OnlineLevel,
    StepRole,
    SupplementClock,
    TimeUnit,
)
from cqs.org.models import UnitLevel

FORMAT_NAME = "cqs-catalog"
FORMAT_VERSION = 1
_CODE_RE = re.compile(r"^[A-Z0-9_]{1,20}$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record: `where` is a path such as `procedures[3].process[1].budget_hours`."""

    where: str
    message: str
    record: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"where": self.where, "record": self.record, "message": self.message}


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.record = ""

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(where=where, message=message, record=self.record))


def catalog_problems(document: Any, *, known_sectors: Iterable[str], known_agencies: Iterable[str]) -> list[Problem]:
    """Every problem in `document`; an empty list means it can be imported."""
    out = _Collector()
    if not isinstance(document, dict):
        out.add("$", _("Tệp phải là một đối tượng JSON."))
        return out.problems
    if document.get("format") != FORMAT_NAME:
        out.add("format", _("Định dạng phải là %(name)s.") % {"name": FORMAT_NAME})
    if document.get("format_version") != FORMAT_VERSION:
        out.add("format_version", _("Phiên bản định dạng được hỗ trợ: %(v)s.") % {"v": FORMAT_VERSION})
    sectors = set(known_sectors)
    sector_list = document.get("sectors", [])
    if not isinstance(sector_list, list):
        out.add("sectors", _("Phải là một danh sách."))
        sector_list = []
    for i, sector in enumerate(sector_list):
        where = f"sectors[{i}]"
        out.record = str(sector.get("code", "")) if isinstance(sector, dict) else ""
        if not isinstance(sector, dict):
            out.add(where, _("Phải là một đối tượng."))
            continue
        if not _CODE_RE.match(str(sector.get("code", ""))):
            out.add(f"{where}.code", _("Mã lĩnh vực gồm 1–20 ký tự A–Z, 0–9 hoặc _."))
        if not str(sector.get("name", "")).strip():
            out.add(f"{where}.name", _("Thiếu tên lĩnh vực."))
        sectors.add(str(sector.get("code", "")))
    procedures = document.get("procedures")
    if not isinstance(procedures, list) or not procedures:
        out.add("procedures", _("Phải là một danh sách thủ tục, không rỗng."))
        return out.problems
    agencies = set(known_agencies)
    seen: set[tuple[str, int]] = set()
    for i, procedure in enumerate(procedures):
        where = f"procedures[{i}]"
        out.record = str(procedure.get("code", "")) if isinstance(procedure, dict) else ""
        if not isinstance(procedure, dict):
            out.add(where, _("Phải là một đối tượng."))
            continue
        _check_procedure(procedure, where, out, sectors=sectors, agencies=agencies)
        key = (str(procedure.get("code")), procedure.get("version"))
        if key in seen:
            out.add(f"{where}.version", _("Thủ tục %(code)s phiên bản %(v)s bị lặp.") % {"code": key[0], "v": key[1]})
        seen.add(key)  # type: ignore[arg-type]
    return out.problems


def _check_procedure(p: dict[str, Any], where: str, out: _Collector, *, sectors: set[str], agencies: set[str]) -> None:
    code = str(p.get("code", ""))
    if not re.match(PROCEDURE_CODE_PATTERN, code):
        out.add(
            f"{where}.code",
            _("Mã thủ tục '%(code)s' không đúng dạng 1.001193 hoặc 1.001193.000.00.00.H53.") % {"code": code},
        )
    national = str(p.get("national_code", ""))
    if not re.match(NATIONAL_CODE_PATTERN, national):
        out.add(
            f"{where}.national_code", _("Mã thủ tục quốc gia '%(code)s' không đúng dạng 1.001193.") % {"code": national}
        )
    elif re.match(PROCEDURE_CODE_PATTERN, code) and not code.startswith(national):
        out.add(f"{where}.code", _("Mã thủ tục phải bắt đầu bằng mã thủ tục quốc gia."))
    if not str(p.get("name", "")).strip():
        out.add(f"{where}.name", _("Thiếu tên thủ tục."))
    if p.get("sector") not in sectors:
        out.add(f"{where}.sector", _("Lĩnh vực '%(s)s' không có trong danh mục.") % {"s": p.get("sector")})
    levels = p.get("levels")
    if not isinstance(levels, list) or not levels or any(lv not in UnitLevel.values for lv in levels):
        out.add(f"{where}.levels", _("Cấp thực hiện phải là danh sách gồm: province, commune, district."))
    for j, agency in enumerate(p.get("agencies", []) or []):
        if agency not in agencies:
            out.add(f"{where}.agencies[{j}]", _("Cơ quan '%(a)s' không có trong hệ thống.") % {"a": agency})
    version = p.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        out.add(f"{where}.version", _("Phiên bản phải là số nguyên ≥ 1."))
    try:
        dt.date.fromisoformat(str(p.get("effective_from")))
    except ValueError:
        out.add(f"{where}.effective_from", _("Ngày hiệu lực phải có dạng YYYY-MM-DD."))
    if p.get("online_level") not in OnlineLevel.values:
        out.add(f"{where}.online_level", _("Mức độ trực tuyến phải là none, partial hoặc full."))
    statutory_hours = _check_processing_time(p.get("processing_time"), f"{where}.processing_time", out)
    cutoff = p.get("cutoff_time")
    if cutoff is not None and not _TIME_RE.match(str(cutoff)):
        out.add(f"{where}.cutoff_time", _("Giờ tiếp nhận cuối ngày phải có dạng HH:MM."))
    if p.get("supplement_clock", SupplementClock.PAUSE) not in SupplementClock.values:
        out.add(f"{where}.supplement_clock", _("Phải là pause hoặc restart."))
    properties = _check_form_schema(p.get("form_schema"), f"{where}.form_schema", out)
    _check_fees(p.get("fees", []), f"{where}.fees", out, properties)
    _check_documents(p.get("documents", []), f"{where}.documents", out)
    _check_process(p.get("process"), f"{where}.process", out, agencies, statutory_hours)
    if not isinstance(p.get("legal_basis", []), list):
        out.add(f"{where}.legal_basis", _("Căn cứ pháp lý phải là danh sách."))
    if not isinstance(p.get("electronic_result", False), bool):
        out.add(f"{where}.electronic_result", _("Phải là true hoặc false."))


def _check_processing_time(value: Any, where: str, out: _Collector) -> Decimal | None:
    if not isinstance(value, dict):
        out.add(where, _('Thời hạn giải quyết phải có dạng {"value": 5, "unit": "working_days"}.'))
        return None
    amount, unit = value.get("value"), value.get("unit")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        out.add(f"{where}.value", _("Thời hạn phải là số nguyên ≥ 1."))
        return None
    if unit not in TimeUnit.values:
        out.add(f"{where}.unit", _("Đơn vị phải là working_days, calendar_days hoặc working_hours."))
        return None
    return Decimal(amount) if unit == TimeUnit.WORKING_HOURS else Decimal(amount * 8)


def _check_form_schema(schema: Any, where: str, out: _Collector) -> set[str]:
    if not isinstance(schema, dict):
        out.add(where, _("Biểu mẫu phải là một JSON Schema (đối tượng)."))
        return set()
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        path = ".".join(str(part) for part in exc.path)
        out.add(f"{where}{'.' + path if path else ''}", _("JSON Schema không hợp lệ: %(m)s") % {"m": exc.message})
        return set()
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        out.add(where, _("Biểu mẫu phải có type: object và properties."))
        return set()
    return set(schema["properties"])


def _check_fees(fees: Any, where: str, out: _Collector, properties: set[str]) -> None:
    if not isinstance(fees, list):
        out.add(where, _("Phí, lệ phí phải là danh sách."))
        return
    for k, fee in enumerate(fees):
        at = f"{where}[{k}]"
        if not isinstance(fee, dict) or not str(fee.get("name", "")).strip():
            out.add(at, _("Mỗi khoản phí cần có tên."))
            continue
        if fee.get("kind", "fee") not in ("fee", "charge"):
            out.add(f"{at}.kind", _("Loại phải là fee (lệ phí) hoặc charge (phí)."))
        rule = fee.get("rule")
        if rule is None:
            amount = fee.get("amount")
            if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
                out.add(f"{at}.amount", _("Số tiền phải là số nguyên VND ≥ 0."))
            continue
        if not isinstance(rule, dict) or rule.get("type") not in RULE_TYPES:
            out.add(f"{at}.rule", _("Quy tắc tính phí phải có type per_unit hoặc by_value."))
            continue
        if rule.get("field") not in properties:
            out.add(f"{at}.rule.field", _("Trường '%(f)s' không có trong biểu mẫu.") % {"f": rule.get("field")})
        amounts = [rule.get("amount")] if rule["type"] == "per_unit" else list((rule.get("amounts") or {}).values())
        if not amounts or any(not isinstance(a, int) or isinstance(a, bool) or a < 0 for a in amounts):
            out.add(f"{at}.rule", _("Số tiền phải là số nguyên VND ≥ 0."))


def _check_documents(documents: Any, where: str, out: _Collector) -> None:
    if not isinstance(documents, list):
        out.add(where, _("Thành phần hồ sơ phải là danh sách."))
        return
    codes: set[str] = set()
    for k, doc in enumerate(documents):
        at = f"{where}[{k}]"
        if not isinstance(doc, dict):
            out.add(at, _("Phải là một đối tượng."))
            continue
        code = str(doc.get("code", ""))
        if not _CODE_RE.match(code):
            out.add(f"{at}.code", _("Mã giấy tờ gồm 1–20 ký tự A–Z, 0–9 hoặc _."))
        elif code in codes:
            out.add(f"{at}.code", _("Mã giấy tờ '%(c)s' bị lặp.") % {"c": code})
        codes.add(code)
        if not str(doc.get("name", "")).strip():
            out.add(f"{at}.name", _("Thiếu tên giấy tờ."))
        quantity = doc.get("quantity", 1)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            out.add(f"{at}.quantity", _("Số lượng phải là số nguyên ≥ 1."))
        if doc.get("form") not in DocumentForm.values:
            out.add(f"{at}.form", _("Loại bản phải là original, copy hoặc certified_copy."))
        source = doc.get("national_source")
        if source is not None and source not in NationalSource.values:
            out.add(f"{at}.national_source", _("Nguồn CSDL '%(s)s' không được hỗ trợ.") % {"s": source})


def _check_process(
    steps: Any, where: str, out: _Collector, agencies: set[str], statutory_hours: Decimal | None
) -> None:
    if not isinstance(steps, list) or not steps:
        out.add(where, _("Quy trình nội bộ phải có ít nhất một bước."))
        return
    total = Decimal(0)
    for k, step in enumerate(steps):
        at = f"{where}[{k}]"
        if not isinstance(step, dict):
            out.add(at, _("Phải là một đối tượng."))
            continue
        if not str(step.get("name", "")).strip():
            out.add(f"{at}.name", _("Thiếu tên bước."))
        if step.get("role") not in StepRole.values:
            out.add(f"{at}.role", _("Vai trò phải là reception, specialist, leader hoặc clerk."))
        agency = step.get("agency")
        if agency is not None and agency not in agencies:
            out.add(f"{at}.agency", _("Cơ quan '%(a)s' không có trong hệ thống.") % {"a": agency})
        try:
            hours = Decimal(str(step.get("budget_hours")))
        except InvalidOperation:
            hours = Decimal(-1)
        if hours <= 0 or hours % Decimal("0.5") != 0:
            out.add(f"{at}.budget_hours", _("Thời gian của bước phải là số giờ dương, bội số của 0,5."))
            continue
        total += hours
    if statutory_hours is not None and total > statutory_hours:
        out.add(
            where,
            _("Tổng thời gian các bước (%(total)s giờ) vượt thời hạn giải quyết (%(limit)s giờ làm việc).")
            % {"total": total.normalize(), "limit": statutory_hours.normalize()},
        )
