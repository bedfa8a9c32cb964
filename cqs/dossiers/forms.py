"""Application forms from a procedure's JSON Schema ("biểu mẫu điện tử").

Each procedure version carries its form as a JSON Schema (draft 2020-12, see
docs/catalog-format.md, "Form schema"). This module is the one place that knows how such a
schema becomes a form and back:

* `render_form_fields` turns the schema into accessible HTML fields (the caller adds the
  ``<form>``, the CSRF token and the buttons);
* `answers_from_post` turns posted form data into typed JSON answers;
* `validate_answers` checks answers against the schema, one Vietnamese message per field;
* `prefill` takes the applicant's profile values for the fields marked ``x-prefill``.

Schema features understood besides plain JSON Schema: ``title`` (the label), ``description``
(the hint), ``x-prefill``, ``x-multiline``, ``x-error`` (message for a failed ``pattern``),
enum titles given as ``x-enum-titles`` (a list parallel to ``enum``) or as ``oneOf``/``anyOf``
of ``{"const": ..., "title": ...}``. Nested objects are addressed as ``"parent.child"``.

Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from cqs.catalog.schema import ordered_properties, with_field_order  # noqa: F401 - re-exported

__all__ = [
    "FieldError",
    "answers_from_post",
    "clean_post",
    "initial_values",
    "prefill",
    "render_form_fields",
    "validate_answers",
]

PROFILE_KEYS = ("full_name", "identity_number", "date_of_birth", "phone", "email", "address")

# WCAG 1.3.5 (identify input purpose): the profile fields are the applicant's own data.
_AUTOCOMPLETE = {
    "full_name": "name",
    "date_of_birth": "bday",
    "phone": "tel",
    "email": "email",
    "address": "street-address",
}

_TRUE = frozenset({"on", "true", "1", "yes", "có"})
_FALSE = frozenset({"", "off", "false", "0", "no", "không"})
_RADIO_LIMIT = 3  # an enum with at most this many options is shown as radio buttons
_TEXTAREA_OVER = 200  # a string allowed to be longer than this is a <textarea>


@dataclass(frozen=True)
class FieldError:
    field: str  # dotted path of the property, "" for the whole form
    message: str  # Vietnamese, user-facing


# --- reading the schema -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    name: str  # dotted path
    prop: Mapping[str, Any]
    required: bool
    kind: str  # string, integer, number, boolean, choice, multi, lines, group
    children: tuple[_Field, ...] = ()

    @property
    def title(self) -> str:
        return _title(self.prop, self.name)


def _title(prop: Mapping[str, Any] | None, name: str) -> str:
    title = (prop or {}).get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    return name.rsplit(".", 1)[-1]


def _fields(schema: Mapping[str, Any], prefix: str = "") -> list[_Field]:
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return []
    required = set(schema.get("required") or ())
    out = []
    for key, prop in ordered_properties(schema):
        if not isinstance(prop, dict):  # a boolean subschema (true/false): nothing to fill in
            continue
        name = f"{prefix}{key}"
        kind = _kind(prop)
        children = tuple(_fields(prop, f"{name}.")) if kind == "group" else ()
        out.append(_Field(name, prop, key in required, kind, children))
    return out


def _leaves(fields: Iterable[_Field]) -> Iterable[_Field]:
    for f in fields:
        if f.kind == "group":
            yield from _leaves(f.children)
        else:
            yield f


def _names(fields: Iterable[_Field]) -> Iterable[str]:
    """Every field and group name, in the schema's (depth-first) order."""
    for f in fields:
        yield f.name
        yield from _names(f.children)


def _choices(prop: Mapping[str, Any] | None) -> list[tuple[Any, str]] | None:
    """(value, title) pairs of an enumerated property, or None if it is not one."""
    if not isinstance(prop, Mapping):
        return None
    if isinstance(prop.get("enum"), list):
        titles = prop.get("x-enum-titles")
        titles = titles if isinstance(titles, list) else []
        out = []
        for i, value in enumerate(prop["enum"]):
            if value is None:
                continue
            title = titles[i] if i < len(titles) else None
            out.append((value, str(title) if title not in (None, "") else _display(value)))
        return out
    for key in ("oneOf", "anyOf"):
        alternatives = prop.get(key)
        if (
            isinstance(alternatives, list)
            and alternatives
            and all(isinstance(a, dict) and "const" in a for a in alternatives)
        ):
            return [
                (a["const"], str(a.get("title") or _display(a["const"])))
                for a in alternatives
                if a["const"] is not None
            ]
    return None


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, float):
        return _number_text(value)
    return str(value)


def _type(prop: Mapping[str, Any]) -> str:
    declared = prop.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), None)
    if isinstance(declared, str):
        return declared
    if "properties" in prop:
        return "object"
    if "items" in prop:
        return "array"
    values = [v for v, _title in _choices(prop) or ()]
    if values and all(isinstance(v, bool) for v in values):
        return "boolean"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "number"
    return "string"


def _items(prop: Mapping[str, Any]) -> Mapping[str, Any]:
    items = prop.get("items")
    return items if isinstance(items, dict) else {}


def _kind(prop: Mapping[str, Any]) -> str:
    declared = _type(prop)
    if declared == "object":
        return "group"
    if declared == "array":
        return "multi" if _choices(_items(prop)) is not None else "lines"
    if declared == "boolean":
        return "boolean"
    if _choices(prop) is not None:
        return "choice"
    if declared in ("integer", "number"):
        return declared
    return "string"


def _prop_at(schema: Mapping[str, Any], path: Sequence[str]) -> Mapping[str, Any] | None:
    node: Any = schema
    for key in path:
        while isinstance(node, dict) and _type(node) == "array" and "properties" not in node:
            node = _items(node)
        properties = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(properties, dict) or not isinstance(properties.get(key), dict):
            return None
        node = properties[key]
    return node if isinstance(node, dict) else None


# --- messages -----------------------------------------------------------------------------------


def _msg_required(prop: Mapping[str, Any] | None, title: str) -> str:
    if prop is not None and _kind(prop) in ("choice", "multi", "boolean"):
        return _("Vui lòng chọn %(title)s.") % {"title": title}
    return _("Vui lòng nhập %(title)s.") % {"title": title}


def _msg_type(title: str, expected: Any) -> str:
    if isinstance(expected, list):
        expected = next((t for t in expected if t != "null"), None)
    messages = {
        "integer": _("%(title)s phải là số nguyên."),
        "number": _("%(title)s phải là số."),
        "string": _("%(title)s phải là văn bản."),
        "boolean": _("%(title)s chỉ nhận giá trị có hoặc không."),
        "array": _("%(title)s phải là danh sách các lựa chọn."),
        "object": _("%(title)s phải là một nhóm thông tin."),
    }
    return messages.get(expected, _("%(title)s không hợp lệ.")) % {"title": title}


def _number_text(value: Any) -> str:
    """A bound as Vietnamese users write it: decimal comma, no digit grouping (years stay 1975)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def _bounds(prop: Mapping[str, Any]) -> tuple[Any, Any, Any, Any]:
    def number(key: str) -> Any:
        v = prop.get(key)
        return v if isinstance(v, int | float) and not isinstance(v, bool) else None

    return number("minimum"), number("exclusiveMinimum"), number("maximum"), number("exclusiveMaximum")


def _msg_range(title: str, prop: Mapping[str, Any]) -> str:
    low, low_ex, high, high_ex = _bounds(prop)
    n = _number_text
    if low is not None and high is not None:
        return _("%(title)s phải từ %(low)s đến %(high)s.") % {"title": title, "low": n(low), "high": n(high)}
    if low_ex is not None and high is not None:
        return _("%(title)s phải lớn hơn %(low)s và không vượt quá %(high)s.") % {
            "title": title,
            "low": n(low_ex),
            "high": n(high),
        }
    if low is not None and high_ex is not None:
        return _("%(title)s phải từ %(low)s trở lên và nhỏ hơn %(high)s.") % {
            "title": title,
            "low": n(low),
            "high": n(high_ex),
        }
    if low_ex is not None and high_ex is not None:
        return _("%(title)s phải lớn hơn %(low)s và nhỏ hơn %(high)s.") % {
            "title": title,
            "low": n(low_ex),
            "high": n(high_ex),
        }
    if low is not None:
        return _("%(title)s phải từ %(low)s trở lên.") % {"title": title, "low": n(low)}
    if low_ex is not None:
        return _("%(title)s phải lớn hơn %(low)s.") % {"title": title, "low": n(low_ex)}
    if high is not None:
        return _("%(title)s không được vượt quá %(high)s.") % {"title": title, "high": n(high)}
    if high_ex is not None:
        return _("%(title)s phải nhỏ hơn %(high)s.") % {"title": title, "high": n(high_ex)}
    return _("%(title)s không hợp lệ.") % {"title": title}


def _msg_length(title: str, prop: Mapping[str, Any]) -> str:
    low, high = prop.get("minLength"), prop.get("maxLength")
    if low is not None and high is not None:
        if low == high:
            return _("%(title)s phải có đúng %(n)s ký tự.") % {"title": title, "n": low}
        return _("%(title)s phải có từ %(low)s đến %(high)s ký tự.") % {"title": title, "low": low, "high": high}
    if high is not None:
        return _("%(title)s không được dài quá %(n)s ký tự.") % {"title": title, "n": high}
    return _("%(title)s phải có ít nhất %(n)s ký tự.") % {"title": title, "n": low}


_DIGITS_PATTERN = re.compile(r"\^(0?)(?:\[0-9\]|\\d)\{(\d+)(?:,(\d+))?\}\$")


def _pattern_hint(pattern: Any) -> str | None:
    """Plain words for the common digits-only patterns (``^[0-9]{12}$``, ``^0[0-9]{9,10}$``)."""
    m = _DIGITS_PATTERN.fullmatch(pattern) if isinstance(pattern, str) else None
    if not m:
        return None
    extra = len(m.group(1))
    low = int(m.group(2)) + extra
    high = int(m.group(3)) + extra if m.group(3) else low
    if low == high:
        count = _("gồm %(n)s chữ số") % {"n": low}
    elif high == low + 1:
        count = _("gồm %(low)s hoặc %(high)s chữ số") % {"low": low, "high": high}
    else:
        count = _("gồm từ %(low)s đến %(high)s chữ số") % {"low": low, "high": high}
    if extra:
        return _("bắt đầu bằng số 0, %(count)s") % {"count": count}
    return count


def _msg_pattern(title: str, prop: Mapping[str, Any]) -> str:
    custom = prop.get("x-error")
    if isinstance(custom, str) and custom.strip():
        return custom.strip()
    detail = prop.get("description")
    if not (isinstance(detail, str) and detail.strip()):
        detail = _pattern_hint(prop.get("pattern"))
    if detail:
        return _("%(title)s không đúng định dạng (%(detail)s).") % {
            "title": title,
            "detail": detail.strip().rstrip("."),
        }
    return _("%(title)s không đúng định dạng.") % {"title": title}


def _msg_choices(title: str, choices: Sequence[tuple[Any, str]] | None) -> str:
    if not choices:
        return _("%(title)s không hợp lệ.") % {"title": title}
    listed = ", ".join(label for _value, label in choices)
    return _("%(title)s phải là một trong các lựa chọn: %(choices)s.") % {"title": title, "choices": listed}


def _msg_format(title: str, fmt: Any) -> str:
    if fmt == "date":
        return _("%(title)s phải có dạng ngày (năm-tháng-ngày).") % {"title": title}
    if fmt in ("email", "idn-email"):
        return _("%(title)s không phải là địa chỉ thư điện tử hợp lệ.") % {"title": title}
    return _("%(title)s không đúng định dạng.") % {"title": title}


def _msg_bad_date_input(title: str) -> str:
    return _("%(title)s không phải là ngày hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 25/12/2024.") % {
        "title": title
    }


# --- answers -> what people read ----------------------------------------------------------------


def labelled_answers(schema: Mapping[str, Any], data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """The form's answers as the applicant and the officials read them: each labelled with its
    property's title, in the schema's order, nested groups flattened ("Group › Field"), a choice by
    its title rather than its stored value, a date as dd/mm/yyyy."""
    rows: list[tuple[str, str]] = []
    if not isinstance(schema, Mapping) or not isinstance(schema.get("properties"), Mapping):
        return rows
    if not isinstance(data, Mapping):
        return rows
    for name, prop in ordered_properties(schema):
        if name not in data:
            continue
        prop = prop if isinstance(prop, Mapping) else {}
        title = prefix + _title(prop, name)
        value = data[name]
        if isinstance(value, Mapping) and isinstance(prop.get("properties"), Mapping):
            rows += labelled_answers(prop, value, f"{title} › ")
        else:
            rows.append((title, answer_text(prop, value)))
    return rows


def answer_text(prop: Mapping[str, Any], value: Any) -> str:
    """One answer as text for a person ("—" when there is none)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(answer_text(_items(prop), item) for item in value)
    titles = dict((str(v), title) for v, title in _choices(prop) or [])
    if str(value) in titles and not isinstance(value, bool | dict):
        return titles[str(value)]
    if isinstance(value, str) and prop.get("format") == "date":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {answer_text({}, item)}" for key, item in value.items())
    return _display(value)


# --- posted data -> answers ---------------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_MISSING = object()
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # NUL breaks PostgreSQL jsonb


def _get(data: Mapping[str, Any], name: str) -> Any:
    """The last posted value (like QueryDict.get), or None."""
    value = data.get(name)
    if isinstance(value, list | tuple):
        return value[-1] if value else None
    return value


def _getlist(data: Mapping[str, Any], name: str) -> list[Any]:
    if hasattr(data, "getlist"):
        return list(data.getlist(name))
    value = data.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _clean_text(raw: Any) -> str:
    text = raw if isinstance(raw, str) else str(raw)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


_SPACES = re.compile(r"[\s\u00a0\u202f]")


def _parse_number(text: str) -> int | float | None:
    """'12', '12,5', '12.5', '1.234,5', '1,234.5', '1e3' -> a number; None if it is not one."""
    s = _SPACES.sub("", text)
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+", s):
        value = float(s)
        return value if math.isfinite(value) else None
    if not re.fullmatch(r"[+-]?\d[\d.,]*|[+-]?[.,]\d+", s):
        return None
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        if s.count(decimal) > 1:
            return None
        s = s.replace(thousands, "").replace(decimal, ".")
    elif commas:
        s = s.replace(",", ".") if commas == 1 else _ungroup(s, ",")
    elif dots > 1:
        s = _ungroup(s, ".")
    if not s:
        return None
    try:
        value = float(s) if "." in s else int(s)
    except ValueError:  # e.g. more digits than Python converts
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _ungroup(text: str, sep: str) -> str:
    """'1.234.567' -> '1234567' when the groups are thousands; '' otherwise."""
    escaped = re.escape(sep)
    if re.fullmatch(rf"[+-]?\d{{1,3}}({escaped}\d{{3}})+", text):
        return text.replace(sep, "")
    return ""


def _parse_integer(text: str) -> int | None:
    """Integers; '1.000.000' and '1.000' are Vietnamese digit grouping (one million, one thousand)."""
    s = _SPACES.sub("", text)
    for sep in (".", ","):
        grouped = _ungroup(s, sep)
        if grouped:
            return int(grouped)
    value = _parse_number(s)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_VN_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def _parse_date(text: str) -> str | None:
    """'2024-12-25' or '25/12/2024' (also 25-12-2024, 25.12.2024) -> '2024-12-25'; None if no such day."""
    if m := _ISO_DATE.fullmatch(text):
        year, month, day = m.groups()
    elif m := _VN_DATE.fullmatch(text):
        day, month, year = m.groups()
    else:
        return None
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return True  # a pattern Python cannot read: leave the verdict to validation


def _coerce_scalar(prop: Mapping[str, Any], kind: str, title: str, text: str) -> Any:
    if kind == "choice":
        for value, _label in _choices(prop) or ():
            if _display_value(value) == text:
                return value
        raise _Invalid(_msg_choices(title, _choices(prop)))
    if kind == "integer":
        number = _parse_integer(text)
        if number is None:
            raise _Invalid(_("%(title)s phải là số nguyên.") % {"title": title})
        return number
    if kind == "number":
        number = _parse_number(text)
        if number is None:
            raise _Invalid(_("%(title)s phải là số, ví dụ 12,5.") % {"title": title})
        return number
    if kind == "boolean":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise _Invalid(_msg_type(title, "boolean"))
    if prop.get("format") == "date":
        iso = _parse_date(text)
        if iso is None:
            raise _Invalid(_msg_bad_date_input(title))
        return iso
    pattern = prop.get("pattern")
    if isinstance(pattern, str) and not _search(pattern, text):
        # "0912 345 678", "0912.345.678": keep the digits when that is what the pattern wants.
        compact = re.sub(r"[\s.\-]", "", text)
        if compact != text and _search(pattern, compact):
            return compact
    return text


def _coerce_field(f: _Field, data: Mapping[str, Any]) -> Any:
    if f.kind in ("multi", "lines"):
        items = _items(f.prop)
        item_kind = _kind(items) if f.kind == "lines" else "choice"
        if f.kind == "multi":
            texts = [_clean_text(v) for v in _getlist(data, f.name)]
        else:
            raw = _get(data, f.name)
            texts = [_clean_text(line) for line in _clean_text(raw).split("\n")] if raw is not None else []
        texts = [t for t in texts if t]
        if not texts:
            return _MISSING
        out: list[Any] = []
        for text in texts:
            value = _coerce_scalar(items, item_kind, f.title, text)
            if f.kind == "lines" or value not in out:
                out.append(value)
        if f.kind == "multi":  # the schema's order, whatever order the browser sent
            order = [v for v, _label in _choices(items) or ()]
            out.sort(key=order.index)
        return out
    raw = _get(data, f.name)
    if f.kind == "boolean":
        return False if raw is None else _coerce_scalar(f.prop, "boolean", f.title, _clean_text(raw))
    if raw is None:
        return _MISSING
    text = _clean_text(raw)
    if not text:
        return _MISSING
    return _coerce_scalar(f.prop, f.kind, f.title, text)


def _set_path(target: dict[str, Any], name: str, value: Any) -> None:
    *parents, last = name.split(".")
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value


def answers_from_post(schema: dict, data: Mapping[str, str | list[str]]) -> tuple[dict[str, Any], list[FieldError]]:
    """Typed answers from request.POST (or a plain dict), plus the values that could not be read.

    Only the schema's fields are read (the CSRF token and buttons are ignored). Empty strings are
    left out so that `required` reports them; an unticked checkbox is False. A value that cannot be
    read (``"abc"`` for a number, ``31/02/2026`` for a date, an option not offered) gives a
    FieldError and is left out of the answers. Combine with `validate_answers`, or use `clean_post`.
    """
    answers: dict[str, Any] = {}
    errors: list[FieldError] = []
    for f in _leaves(_fields(schema)):
        try:
            value = _coerce_field(f, data)
        except _Invalid as exc:
            errors.append(FieldError(f.name, exc.message))
            continue
        if value is not _MISSING:
            _set_path(answers, f.name, value)
    return answers, errors


# --- validation ---------------------------------------------------------------------------------


def _is_email(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        validate_email(instance)
    except DjangoValidationError:
        return False
    return True


_FORMAT_CHECKER = FormatChecker()  # its own copy of the checkers: "date" is jsonschema's (strict ISO)
_FORMAT_CHECKER.checks("email")(_is_email)  # jsonschema's own only looks for an "@"

# Which message wins when one field breaks several rules.
_RANK = {
    "required": 0,
    "dependentRequired": 0,
    "additionalProperties": 0,
    "unevaluatedProperties": 0,
    "type": 1,
    "const": 2,
    "enum": 3,
    "oneOf": 3,
    "anyOf": 3,
    "format": 4,
    "pattern": 5,
    "minLength": 6,
    "maxLength": 6,
    "minimum": 7,
    "maximum": 7,
    "exclusiveMinimum": 7,
    "exclusiveMaximum": 7,
    "multipleOf": 8,
    "minItems": 9,
    "maxItems": 9,
    "uniqueItems": 9,
}


def _join_path(base: str, key: str) -> str:
    return f"{base}.{key}" if base else key


def _convert(schema: Mapping[str, Any], error: ValidationError, partial: bool) -> list[tuple[str, str, int]]:
    """One jsonschema error -> (field, message, rank) triples (several for `required`)."""
    path = [p for p in error.absolute_path if isinstance(p, str)]
    base = ".".join(path)
    keyword = str(error.validator)
    rank = _RANK.get(keyword, 10)
    sub = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance

    if keyword in ("required", "dependentRequired"):
        if partial or not isinstance(instance, dict):
            return []
        if keyword == "required":
            missing = [k for k in error.validator_value if k not in instance]
        else:
            missing = [
                k for p, deps in error.validator_value.items() if p in instance for k in deps if k not in instance
            ]
        out = []
        for key in missing:
            name = _join_path(base, key)
            prop = _prop_at(schema, [*path, key]) or (sub.get("properties") or {}).get(key)
            out.append((name, _msg_required(prop, _title(prop, name)), rank))
        return out

    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        known = set(sub.get("properties") or ())
        patterns = list(sub.get("patternProperties") or ())
        extras = [k for k in instance if k not in known and not any(_search(p, k) for p in patterns)]
        message = _("Trường “%(name)s” không có trong biểu mẫu.")
        return [(_join_path(base, k), message % {"name": k}, rank) for k in extras]

    if not path:
        return [("", _("Dữ liệu biểu mẫu không hợp lệ."), rank)]

    prop = _prop_at(schema, path) or sub
    title = _title(prop, base)
    if keyword == "type":
        message = _msg_type(title, error.validator_value)
    elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        message = _msg_range(title, sub)
    elif keyword in ("minLength", "maxLength"):
        message = _msg_length(title, sub)
    elif keyword == "pattern":
        message = _msg_pattern(title, {**prop, **sub} if prop is not sub else sub)
    elif keyword == "enum":
        message = _msg_choices(title, _choices(sub))
    elif keyword in ("oneOf", "anyOf"):
        message = (
            _msg_choices(title, _choices(sub)) if _choices(sub) else _("%(title)s không hợp lệ.") % {"title": title}
        )
    elif keyword == "const":
        if error.validator_value is True:  # a declaration to tick ("Tôi cam đoan ...")
            if partial and instance is False:
                return []
            message = _("Vui lòng đánh dấu vào ô “%(title)s”.") % {"title": title}
        else:
            message = _("%(title)s phải là %(value)s.") % {"title": title, "value": _display(error.validator_value)}
    elif keyword == "format":
        message = _msg_format(title, error.validator_value)
    elif keyword == "minItems":
        message = _("Vui lòng chọn ít nhất %(n)s mục cho %(title)s.") % {"n": error.validator_value, "title": title}
    elif keyword == "maxItems":
        message = _("Chỉ được chọn tối đa %(n)s mục cho %(title)s.") % {"n": error.validator_value, "title": title}
    elif keyword == "uniqueItems":
        message = _("%(title)s có lựa chọn bị lặp.") % {"title": title}
    elif keyword == "multipleOf":
        message = _("%(title)s phải là bội số của %(n)s.") % {
            "title": title,
            "n": _number_text(error.validator_value),
        }
    else:
        message = _("%(title)s không hợp lệ.") % {"title": title}
    return [(base, message, rank)]


def validate_answers(schema: dict, answers: dict[str, Any], *, partial: bool = False) -> list[FieldError]:
    """Every problem with `answers`, at most one per field, in the schema's property order.

    ``partial=True`` (saving a draft) ignores missing required fields (and unticked ``const: true``
    declarations) but checks everything else. Unknown keys are reported when the schema forbids
    additional properties. Whole-form problems have ``field == ""`` and come first.
    """
    validator = Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
    order = {name: i for i, name in enumerate(_names(_fields(schema)))}
    best: dict[str, tuple[int, int, FieldError]] = {}
    for seq, error in enumerate(validator.iter_errors(answers)):
        for field, message, rank in _convert(schema, error, partial):
            if field not in best or rank < best[field][0]:
                best[field] = (rank, seq, FieldError(field, message))
    unknown = len(order)

    def position(item: tuple[str, tuple[int, int, FieldError]]) -> tuple[int, int, int]:
        field, (_rank, seq, _error) = item
        if field == "":
            return (0, 0, seq)
        return (1, order.get(field, unknown), seq)

    return [error for _field, (_r, _s, error) in sorted(best.items(), key=position)]


def clean_post(
    schema: dict, data: Mapping[str, str | list[str]], *, partial: bool = False
) -> tuple[dict[str, Any], list[FieldError]]:
    """`answers_from_post` then `validate_answers`, merged: one error per field, schema order."""
    answers, read_errors = answers_from_post(schema, data)
    unreadable = {e.field for e in read_errors}
    checked = [e for e in validate_answers(schema, answers, partial=partial) if e.field not in unreadable]
    order = {name: i for i, name in enumerate(_names(_fields(schema)))}
    merged = sorted(read_errors + checked, key=lambda e: (e.field != "", order.get(e.field, len(order))))
    return answers, merged


# --- prefill ------------------------------------------------------------------------------------


def _profile_value(prop: Mapping[str, Any], value: Any) -> Any:
    if value is None:
        return _MISSING
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = _clean_text(value)
        if not text:
            return _MISSING
        if prop.get("format") == "date":
            return _parse_date(text) or text
        return text
    if isinstance(value, list | tuple | dict | set) and not value:
        return _MISSING
    if _type(prop) == "string" and not isinstance(value, str):
        return str(value)
    return value


def prefill(schema: dict, profile: Mapping[str, Any]) -> dict[str, Any]:
    """Answers taken from the applicant's profile for the fields marked ``"x-prefill": "<key>"``.

    Profile keys: full_name, identity_number, date_of_birth (ISO date string or date), phone, email,
    address. Missing or empty profile values are skipped.
    """
    answers: dict[str, Any] = {}
    for f in _leaves(_fields(schema)):
        key = f.prop.get("x-prefill")
        if not isinstance(key, str) or key not in profile:
            continue
        value = _profile_value(f.prop, profile[key])
        if value is not _MISSING:
            _set_path(answers, f.name, value)
    return answers


def initial_values(schema: dict, profile: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Starting values for a new form: the schema's ``default`` values, then `prefill` over them."""
    values: dict[str, Any] = {}
    for f in _leaves(_fields(schema)):
        if "default" in f.prop:
            _set_path(values, f.name, f.prop["default"])
    prefilled = prefill(schema, profile or {})
    for f in _leaves(_fields(schema)):
        value = _lookup(prefilled, f.name)
        if value is not _MISSING:
            _set_path(values, f.name, value)
    return values


# --- rendering ----------------------------------------------------------------------------------


def _join(parts: Iterable[Any]) -> SafeString:
    return format_html_join("", "{}", ((p,) for p in parts))


def _attrs(*pairs: tuple[str, Any]) -> SafeString:
    out = []
    for key, value in pairs:
        if value is None or value is False:
            continue
        if value is True:
            out.append(format_html(" {}", key))
        else:
            out.append(format_html(' {}="{}"', key, value))
    return _join(out)


def field_id(name: str) -> str:
    """The id of the input for the property at dotted path `name`."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


def _lookup(values: Mapping[str, Any], name: str) -> Any:
    """A value by flat key ("a.b", as posted) or by nested path (as in answers); _MISSING if none."""
    if name in values:
        return _get(values, name) if not isinstance(values.get(name), dict) else values.get(name)
    node: Any = values
    for key in name.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return _MISSING
        node = node[key]
    return node


def _lookup_list(values: Mapping[str, Any], name: str) -> list[Any]:
    if name in values:
        return _getlist(values, name)
    value = _lookup(values, name)
    if value is _MISSING or value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _display_value(value: Any) -> str:
    """How a value is written in an HTML value attribute (and compared with a posted one)."""
    if value is None or value is _MISSING:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _input_value(f: _Field, value: Any) -> str:
    if isinstance(value, str):
        text = value
        if f.kind in ("integer", "number"):  # a posted "1,5" redisplayed in a type=number input
            parsed = _parse_integer(text) if f.kind == "integer" else _parse_number(text)
            return _display_value(parsed) if parsed is not None else text
        if f.prop.get("format") == "date":
            return _parse_date(text.strip()) or text
        return text
    return _display_value(value)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return value is True


def _digits_only(pattern: Any) -> bool:
    if not isinstance(pattern, str):
        return False
    rest = re.sub(r"\[0-9\]|\\d|\{\d+(,\d*)?\}|[\^$()?*+|]|\d", "", pattern)
    return rest == ""


class _Parts:
    """Label, hint and error of one field, with their ids."""

    def __init__(self, f: _Field, errors: Mapping[str, str], required: bool) -> None:
        self.id = field_id(f.name)
        self.title = f.title
        self.required = required
        description = f.prop.get("description")
        self.hint_text = description.strip() if isinstance(description, str) and description.strip() else ""
        self.error_text = errors.get(f.name, "")
        self.hint_id = f"{self.id}-hint" if self.hint_text else None
        self.error_id = f"{self.id}-error" if self.error_text else None
        self.describedby = " ".join(i for i in (self.hint_id, self.error_id) if i) or None
        self.invalid = "true" if self.error_text else None

    @property
    def css(self) -> str:
        return "field has-error" if self.error_text else "field"

    def label_text(self) -> SafeString:
        if not self.required:
            return format_html("{}", self.title)
        return format_html(
            '{}<span class="required" aria-hidden="true"> *</span><span class="visually-hidden"> {}</span>',
            self.title,
            _("(bắt buộc)"),
        )

    def hint(self) -> SafeString:
        if not self.hint_text:
            return format_html("{}", "")
        return format_html('<p class="hint" id="{}">{}</p>', self.hint_id, self.hint_text)

    def error(self) -> SafeString:
        if not self.error_text:
            return format_html("{}", "")
        return format_html(
            '<p class="error" id="{}"><span class="visually-hidden">{} </span>{}</p>',
            self.error_id,
            _("Lỗi:"),
            self.error_text,
        )


def _render_text(f: _Field, value: Any, p: _Parts) -> SafeString:
    prop = f.prop
    prefill_key = prop.get("x-prefill")
    autocomplete = _AUTOCOMPLETE.get(prefill_key) if isinstance(prefill_key, str) else None
    max_length = prop.get("maxLength") if isinstance(prop.get("maxLength"), int) else None
    min_length = prop.get("minLength") if isinstance(prop.get("minLength"), int) else None
    common = (
        ("id", p.id),
        ("name", f.name),
    )
    aria = (
        ("required", p.required),
        ("aria-describedby", p.describedby),
        ("aria-invalid", p.invalid),
    )
    if f.kind == "lines" or prop.get("x-multiline") is True or (max_length or 0) > _TEXTAREA_OVER:
        if f.kind == "lines":
            text = "\n".join(_display_value(v) for v in value)
        else:
            text = _input_value(f, value) if value is not _MISSING else ""
        rows = 5 if (max_length or 0) > 500 or f.kind == "lines" else 3
        attrs = _attrs(
            *common,
            ("rows", rows),
            ("maxlength", max_length),
            ("minlength", min_length),
            ("autocomplete", autocomplete),
            *aria,
        )
        # The newline after the tag keeps a leading newline of the value (HTML drops the first one).
        control = format_html("<textarea{}>\n{}</textarea>", attrs, text)
    else:
        input_type, inputmode, step, low, high = "text", None, None, None, None
        if f.kind in ("integer", "number"):
            input_type = "number"
            inputmode = "numeric" if f.kind == "integer" else "decimal"
            multiple = prop.get("multipleOf")
            step = (
                _display_value(multiple)
                if isinstance(multiple, int | float)
                else ("1" if f.kind == "integer" else "any")
            )
            minimum, ex_minimum, maximum, ex_maximum = _bounds(prop)
            low = minimum if minimum is not None else ex_minimum
            high = maximum if maximum is not None else ex_maximum
            if f.kind == "integer":  # an exclusive bound on integers is the next integer
                if minimum is None and isinstance(ex_minimum, int | float):
                    low = math.floor(ex_minimum) + 1
                if maximum is None and isinstance(ex_maximum, int | float):
                    high = math.ceil(ex_maximum) - 1
            low = _display_value(low) if low is not None else None
            high = _display_value(high) if high is not None else None
        elif prop.get("format") == "date":
            input_type = "date"
        elif prop.get("format") == "email":
            input_type = "email"
        elif prefill_key == "phone":
            input_type, inputmode = "tel", "numeric" if _digits_only(prop.get("pattern")) else None
        elif _digits_only(prop.get("pattern")):
            inputmode = "numeric"
        text = _input_value(f, value) if value is not _MISSING else ""
        attrs = _attrs(
            ("type", input_type),
            *common,
            ("value", text),
            ("inputmode", inputmode),
            ("min", low),
            ("max", high),
            ("step", step),
            ("maxlength", max_length if f.kind not in ("integer", "number") else None),
            ("minlength", min_length if f.kind not in ("integer", "number") else None),
            ("autocomplete", autocomplete),
            *aria,
        )
        control = format_html("<input{}>", attrs)
    return format_html(
        '<div class="{}"><label for="{}">{}</label>{}{}{}</div>',
        p.css,
        p.id,
        p.label_text(),
        p.hint(),
        p.error(),
        control,
    )


def _render_checkbox(f: _Field, value: Any, p: _Parts) -> SafeString:
    control = format_html(
        "<input{}>",
        _attrs(
            ("type", "checkbox"),
            ("id", p.id),
            ("name", f.name),
            ("value", "on"),
            ("checked", _truthy(value)),
            ("required", p.required),
            ("aria-describedby", p.describedby),
            ("aria-invalid", p.invalid),
        ),
    )
    return format_html(
        '<div class="{} field-checkbox">{}<label for="{}">{} {}</label>{}</div>',
        p.css,
        p.error(),
        p.id,
        control,
        p.label_text(),
        p.hint(),
    )


def _render_select(f: _Field, value: Any, p: _Parts, choices: list[tuple[Any, str]]) -> SafeString:
    current = _display_value(value) if value is not _MISSING else ""
    options = [format_html('<option value="">{}</option>', _("— Chọn —"))]
    for option, label in choices:
        text = _display_value(option)
        options.append(
            format_html("<option{}>{}</option>", _attrs(("value", text), ("selected", text == current)), label)
        )
    control = format_html(
        "<select{}>{}</select>",
        _attrs(
            ("id", p.id),
            ("name", f.name),
            ("required", p.required),
            ("aria-describedby", p.describedby),
            ("aria-invalid", p.invalid),
        ),
        _join(options),
    )
    return format_html(
        '<div class="{}"><label for="{}">{}</label>{}{}{}</div>',
        p.css,
        p.id,
        p.label_text(),
        p.hint(),
        p.error(),
        control,
    )


def _render_group_of_inputs(
    f: _Field, p: _Parts, input_type: str, options: list[tuple[str, str, bool]], required_inputs: bool
) -> SafeString:
    """Radio buttons or checkboxes in a <fieldset> whose <legend> is the field's title."""
    items = []
    for i, (text, label, checked) in enumerate(options):
        option_id = f"{p.id}-{i}"
        control = format_html(
            "<input{}>",
            _attrs(
                ("type", input_type),
                ("id", option_id),
                ("name", f.name),
                ("value", text),
                ("checked", checked),
                ("required", required_inputs),
                ("aria-invalid", p.invalid),
            ),
        )
        items.append(format_html('<div class="option"><label for="{}">{} {}</label></div>', option_id, control, label))
    return format_html(
        '<div class="{}" id="{}"><fieldset{}><legend>{}</legend>{}{}<div class="options">{}</div></fieldset></div>',
        p.css,
        p.id,
        _attrs(("aria-describedby", p.describedby)),
        p.label_text(),
        p.hint(),
        p.error(),
        _join(items),
    )


def _render_field(f: _Field, values: Mapping[str, Any], errors: Mapping[str, str]) -> SafeString:
    if f.kind == "group":
        p = _Parts(f, errors, f.required)
        return format_html(
            '<fieldset class="group" id="{}"><legend>{}</legend>{}{}{}</fieldset>',
            p.id,
            p.label_text(),
            p.hint(),
            p.error(),
            _join(_render_field(child, values, errors) for child in f.children),
        )
    value = _lookup(values, f.name)
    if f.kind == "boolean":
        return _render_checkbox(f, value, _Parts(f, errors, f.prop.get("const") is True))
    p = _Parts(f, errors, f.required)
    if f.kind == "choice":
        choices = _choices(f.prop) or []
        if len(choices) > _RADIO_LIMIT:
            return _render_select(f, value, p, choices)
        current = _display_value(value) if value is not _MISSING else ""
        options = [(_display_value(v), label, _display_value(v) == current) for v, label in choices]
        if not f.required:  # a way back to "no answer" for an optional question
            options.insert(0, ("", _("Không chọn"), current == ""))
        return _render_group_of_inputs(f, p, "radio", options, f.required)
    if f.kind == "multi":
        chosen = {_display_value(v) for v in _lookup_list(values, f.name)}
        choices = _choices(_items(f.prop)) or []
        options = [(_display_value(v), label, _display_value(v) in chosen) for v, label in choices]
        return _render_group_of_inputs(f, p, "checkbox", options, False)
    if f.kind == "lines":
        value = _lookup_list(values, f.name)
        if len(value) == 1 and isinstance(value[0], str):
            value = value[0].splitlines()  # the textarea as posted
        if not p.hint_text:
            p.hint_text, p.hint_id = _("Mỗi dòng một giá trị."), f"{p.id}-hint"
            p.describedby = " ".join(i for i in (p.hint_id, p.error_id) if i)
    return _render_text(f, value, p)


def render_form_fields(schema: dict, values: Mapping[str, Any], errors: Sequence[FieldError] = ()) -> SafeString:
    """Accessible HTML for the form's fields, without the <form> element and its buttons.

    `values` may be typed answers (nested dicts) or the posted data itself (QueryDict or a dict with
    "parent.child" keys), so a form can be shown again exactly as it was sent. Errors whose field is
    "" or not in the schema are shown first, in a <div class="form-errors">.
    """
    fields = _fields(schema)
    by_field: dict[str, str] = {}
    for error in errors:
        by_field.setdefault(error.field, error.message)
    known = set(_names(fields))
    stray = [e for e in errors if e.field not in known]
    parts: list[SafeString] = []
    if stray:
        parts.append(
            format_html(
                '<div class="form-errors">{}</div>',
                format_html_join(
                    "",
                    '<p class="error"><span class="visually-hidden">{} </span>{}</p>',
                    ((_("Lỗi:"), e.message) for e in stray),
                ),
            )
        )
    parts.extend(_render_field(f, values, by_field) for f in fields)
    return _join(parts)
