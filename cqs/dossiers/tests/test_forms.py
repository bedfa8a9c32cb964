"""The JSON Schema application form: rendering, reading posted data, validating, prefilling.

Plain functions, no database. Every behaviour is checked on a representative schema and, where it
applies, on every form schema of the demo catalogue.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.http import QueryDict

import cqs.catalog
from cqs.dossiers.forms import (
    FieldError,
    answers_from_post,
    clean_post,
    initial_values,
    prefill,
    render_form_fields,
    validate_answers,
)

DEMO_CATALOG = Path(cqs.catalog.__file__).parent / "demo" / "catalog.json"
DEMO_PROCEDURES = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))["procedures"]
DEMO_SCHEMAS = [pytest.param(p["form_schema"], id=f"{p['code']}v{p['version']}") for p in DEMO_PROCEDURES]

# English words jsonschema would put in its own messages.
ENGLISH = re.compile(r"\b(is not|is a required|required property|expected|does not match|should|valid under)\b")

BIRTH = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["ho_ten_tre", "ngay_sinh", "gioi_tinh", "so_dien_thoai"],
    "properties": {
        "ho_ten_tre": {"type": "string", "title": "Họ và tên trẻ", "maxLength": 100, "x-prefill": "full_name"},
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh", "x-prefill": "date_of_birth"},
        "gioi_tinh": {"type": "string", "title": "Giới tính", "enum": ["nam", "nu"], "x-enum-titles": ["Nam", "Nữ"]},
        "dan_toc": {
            "type": "string",
            "title": "Dân tộc",
            "oneOf": [
                {"const": "kinh", "title": "Kinh"},
                {"const": "tay", "title": "Tày"},
                {"const": "thai", "title": "Thái"},
                {"const": "muong", "title": "Mường"},
            ],
        },
        "so_dien_thoai": {
            "type": "string",
            "title": "Số điện thoại",
            "pattern": "^0[0-9]{9,10}$",
            "x-prefill": "phone",
            "description": "Số di động để nhận tin nhắn về hồ sơ",
        },
        "so_dinh_danh": {
            "type": "string",
            "title": "Số định danh cá nhân",
            "pattern": "^[0-9]{12}$",
            "x-error": "Số định danh cá nhân gồm đúng 12 chữ số.",
        },
        "email": {"type": "string", "format": "email", "title": "Thư điện tử", "x-prefill": "email"},
        "so_ban_sao": {"type": "integer", "minimum": 0, "maximum": 20, "title": "Số bản sao", "default": 1},
        "dien_tich": {"type": "number", "title": "Diện tích (m²)", "exclusiveMinimum": 0},
        "noi_sinh": {"type": "string", "title": "Nơi sinh", "maxLength": 255},
        "ghi_chu": {"type": "string", "title": "Ghi chú", "x-multiline": True},
        "nhan_ban_dien_tu": {"type": "boolean", "title": "Nhận bản điện tử"},
        "giay_to_kem_theo": {
            "type": "array",
            "title": "Giấy tờ kèm theo",
            "items": {"type": "string", "enum": ["gcs", "cccd_me"], "x-enum-titles": ["Giấy chứng sinh", "CCCD mẹ"]},
            "uniqueItems": True,
        },
    },
    "additionalProperties": False,
}

PROFILE = {
    "full_name": "Nguyễn Văn An",
    "identity_number": "001234567890",
    "date_of_birth": "1990-05-17",
    "phone": "0912345678",
    "email": "an@example.vn",
    "address": "Số 1 Lê Lợi, phường Bến Thành",
}


# --- helpers ------------------------------------------------------------------------------------


def leaves(schema: dict, prefix: str = "") -> list[tuple[str, dict, bool]]:
    """(dotted name, property, required) of every field, in schema order."""
    out = []
    required = set(schema.get("required", ()))
    for key, prop in schema.get("properties", {}).items():
        if prop.get("type") == "object":
            out.extend(leaves(prop, f"{prefix}{key}."))
        else:
            out.append((f"{prefix}{key}", prop, key in required))
    return out


def choices_of(prop: dict) -> list[Any] | None:
    if "enum" in prop:
        return list(prop["enum"])
    if "oneOf" in prop:
        return [alt["const"] for alt in prop["oneOf"]]
    return None


def string_matching(pattern: str) -> str:
    """The shortest-ish string a simple regular expression accepts (enough for form patterns)."""
    from re import _parser  # the standard library's own regex parser

    def first_of(items: Any) -> str:
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                return chr(arg)
            if name == "RANGE":
                return chr(arg[0])
            if name == "CATEGORY":
                return "0" if "DIGIT" in str(arg) else "a"
        raise AssertionError(f"unsupported character class in {pattern!r}")

    def build(parsed: Any) -> str:
        out = []
        for op, arg in parsed:
            name = str(op)
            if name == "LITERAL":
                out.append(chr(arg))
            elif name == "IN":
                out.append(first_of(arg))
            elif name in ("MAX_REPEAT", "MIN_REPEAT"):
                low, _high, sub = arg
                out.append(build(sub) * low)
            elif name == "SUBPATTERN":
                out.append(build(arg[-1]))
            elif name == "BRANCH":
                out.append(build(arg[1][0]))
            elif name == "AT":
                continue
            elif name == "ANY":
                out.append("a")
            else:
                raise AssertionError(f"unsupported regex construct {name} in {pattern!r}")
        return "".join(out)

    value = build(_parser.parse(pattern))
    assert re.search(pattern, value), (pattern, value)
    return value


def example_value(prop: dict) -> Any:
    choices = choices_of(prop)
    kind = prop.get("type")
    if kind == "object":
        return example_answers(prop)
    if kind == "array":
        options = choices_of(prop["items"])
        return [options[0], options[-1]] if len(options) > 1 else options
    if choices is not None:
        return choices[-1]
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        low = prop.get("minimum", prop.get("exclusiveMinimum", 0) + (1 if "exclusiveMinimum" in prop else 0))
        high = prop.get("maximum")
        value = low if high is None else (low + high) // 2
        if kind == "number" and (high is None or value + 0.5 <= high):
            value += 0.5
        return value
    if prop.get("format") == "date":
        return "2024-02-29"
    if prop.get("format") == "email":
        return "nguyen.thi.hoa@example.vn"
    if "pattern" in prop:
        return string_matching(prop["pattern"])
    text = 'Nguyễn Thị "Hoa" <b>&amp;</b>'
    if prop.get("x-multiline") or prop.get("maxLength", 0) > 200:
        text += "\nThôn Đông, xã Tây"
    return text[: prop.get("maxLength", len(text))].strip()


def example_answers(schema: dict) -> dict[str, Any]:
    return {key: example_value(prop) for key, prop in schema.get("properties", {}).items()}


class Browser(HTMLParser):
    """What a browser would post for a rendered form, plus its labels (a tiny, strict subset)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self.labels: dict[str, str] = {}  # for -> text
        self.legends: list[str] = []
        self.controls: list[dict[str, str | None]] = []
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None
        self._label: list[Any] | None = None
        self._legend: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("input", "select", "textarea"):
            self.controls.append(a)
        if tag == "label":
            self._label = [a.get("for"), []]
        elif tag == "legend":
            self._legend = []
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value", "on")))
            else:
                self.pairs.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = {"name": a["name"], "options": [], "selected": None}
        elif tag == "option":
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea":
            self._textarea = {"name": a["name"], "text": ""}

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["text"] += data
        if self._option is not None:
            self._option["text"] += data
        if self._label is not None:
            self._label[1].append(data)
        if self._legend is not None:
            self._legend.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label is not None:
            self.labels[self._label[0]] = "".join(self._label[1])
            self._label = None
        elif tag == "legend" and self._legend is not None:
            self.legends.append("".join(self._legend))
            self._legend = None
        elif tag == "option" and self._option is not None:
            option = self._option
            value = option["value"] if option["value"] is not None else option["text"]
            self._select["options"].append(value)
            if option["selected"]:
                self._select["selected"] = value
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["selected"]
            self.pairs.append((self._select["name"], chosen if chosen is not None else self._select["options"][0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"]
            text = text[1:] if text.startswith("\n") else text  # as HTML parsing does
            self.pairs.append((self._textarea["name"], text.replace("\n", "\r\n")))  # as browsers post
            self._textarea = None

    def post(self) -> QueryDict:
        data = QueryDict(mutable=True)
        data["csrfmiddlewaretoken"] = "token"
        for name, value in self.pairs:
            data.appendlist(name, value)
        return data


def only_error(errors: list[FieldError], field: str) -> str:
    assert [e.field for e in errors] == [field], errors
    message = errors[0].message
    assert not ENGLISH.search(message), message
    return message


def title_of(prop: dict, name: str) -> str:
    return prop.get("title", name.rsplit(".", 1)[-1])


# --- the demo catalogue -------------------------------------------------------------------------


def test_demo_catalogue_uses_only_supported_features():
    known = {
        "type",
        "title",
        "maxLength",
        "minLength",
        "x-prefill",
        "pattern",
        "enum",
        "x-enum-titles",
        "oneOf",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "format",
        "default",
        "description",
        "x-multiline",
        "x-error",
    }
    for procedure in DEMO_PROCEDURES:
        for name, prop in procedure["form_schema"]["properties"].items():
            assert set(prop) <= known, (procedure["code"], name, set(prop) - known)
            assert prop["type"] in ("string", "integer", "number", "boolean"), (procedure["code"], name)
            assert prop.get("format") in (None, "date", "email"), (procedure["code"], name)


@pytest.mark.parametrize("schema", DEMO_SCHEMAS)
def test_render_gives_every_property_a_label(schema):
    page = Browser(str(render_form_fields(schema, {})))
    for name, prop, _required in leaves(schema):
        title = title_of(prop, name)
        field_id = f"f-{name}"
        if field_id in page.labels:
            assert title in page.labels[field_id]
        else:  # a radio group: the legend names the question, each option has its own label
            assert any(title in legend for legend in page.legends), name
    for control in page.controls:
        assert control["id"] in page.labels, control  # no unlabelled control


@pytest.mark.parametrize("schema", DEMO_SCHEMAS)
def test_render_marks_required_fields(schema):
    html = str(render_form_fields(schema, {}))
    page = Browser(html)
    for name, prop, required in leaves(schema):
        if prop.get("type") == "boolean":
            continue
        label = page.labels.get(f"f-{name}") or next(t for t in page.legends if title_of(prop, name) in t)
        assert ("(bắt buộc)" in label) is required, name
        control = next(c for c in page.controls if c["name"] == name)
        assert ("required" in control) is required, name


@pytest.mark.parametrize("schema", DEMO_SCHEMAS)
def test_example_answers_are_valid(schema):
    assert validate_answers(schema, example_answers(schema)) == []


@pytest.mark.parametrize("schema", DEMO_SCHEMAS)
def test_post_round_trips_a_rendered_example(schema):
    example = example_answers(schema)
    post = Browser(str(render_form_fields(schema, example))).post()
    answers, errors = answers_from_post(schema, post)
    assert errors == []
    assert answers == example
    assert validate_answers(schema, answers) == []


@pytest.mark.parametrize("schema", DEMO_SCHEMAS)
def test_post_round_trips_from_a_plain_dict(schema):
    example = example_answers(schema)
    pairs = Browser(str(render_form_fields(schema, example))).pairs
    answers, errors = answers_from_post(schema, dict(pairs))
    assert errors == []
    assert answers == example


@pytest.mark.parametrize("schema", DEMO_SCHEMAS)
def test_empty_answers_report_each_required_field_by_title(schema):
    errors = validate_answers(schema, {})
    expected = [name for name, _prop, required in leaves(schema) if required]
    assert [e.field for e in errors] == expected
    props = dict((name, prop) for name, prop, _r in leaves(schema))
    for error in errors:
        title = title_of(props[error.field], error.field)
        assert error.message in (f"Vui lòng nhập {title}.", f"Vui lòng chọn {title}.")


@pytest.mark.parametrize("schema", DEMO_SCHEMAS)
def test_partial_ignores_missing_required_fields(schema):
    assert validate_answers(schema, {}, partial=True) == []


@pytest.mark.parametrize("schema", DEMO_SCHEMAS)
def test_wrong_types_give_one_vietnamese_message_on_the_field(schema):
    wrong = {"string": 12345, "integer": "mười", "number": "nhiều", "boolean": "có lẽ"}
    for name, prop, _required in leaves(schema):
        answers = {**example_answers(schema), name: wrong[prop["type"]]}
        message = only_error(validate_answers(schema, answers), name)
        assert title_of(prop, name) in message
        assert validate_answers(schema, answers, partial=True) == validate_answers(schema, answers)


@pytest.mark.parametrize("schema", DEMO_SCHEMAS)
def test_out_of_range_numbers_give_one_message_on_the_field(schema):
    for name, prop, _required in leaves(schema):
        if prop["type"] not in ("integer", "number"):
            continue
        bad = []
        if "minimum" in prop:
            bad.append(prop["minimum"] - 1)
        if "exclusiveMinimum" in prop:
            bad.append(prop["exclusiveMinimum"])
        if "maximum" in prop:
            bad.append(prop["maximum"] + 1)
        for value in bad:
            message = only_error(validate_answers(schema, {**example_answers(schema), name: value}), name)
            assert message.startswith(title_of(prop, name))
            assert str(prop.get("minimum", prop.get("exclusiveMinimum"))) in message


@pytest.mark.parametrize("schema", DEMO_SCHEMAS)
def test_impossible_dates_give_one_message_on_the_field(schema):
    for name, prop, _required in leaves(schema):
        if prop.get("format") != "date":
            continue
        title = title_of(prop, name)
        message = only_error(validate_answers(schema, {**example_answers(schema), name: "2026-02-31"}), name)
        assert message == f"{title} phải có dạng ngày (năm-tháng-ngày)."
        post = {**dict(Browser(str(render_form_fields(schema, example_answers(schema)))).pairs), name: "31/02/2026"}
        answers, errors = answers_from_post(schema, post)
        assert title in only_error(errors, name)
        assert name not in answers


@pytest.mark.parametrize("schema", DEMO_SCHEMAS)
def test_bad_patterns_and_emails_give_one_message_on_the_field(schema):
    for name, prop, _required in leaves(schema):
        if "pattern" in prop:
            message = only_error(validate_answers(schema, {**example_answers(schema), name: "abc"}), name)
            assert message.startswith(f"{title_of(prop, name)} không đúng định dạng")
        if prop.get("format") == "email":
            message = only_error(validate_answers(schema, {**example_answers(schema), name: "an@@example"}), name)
            assert message == f"{title_of(prop, name)} không phải là địa chỉ thư điện tử hợp lệ."


@pytest.mark.parametrize("schema", DEMO_SCHEMAS)
def test_prefill_takes_profile_values_only_for_x_prefill_fields(schema):
    filled = prefill(schema, {**PROFILE, "unrelated": "x"})
    expected = {name: PROFILE[prop["x-prefill"]] for name, prop, _r in leaves(schema) if "x-prefill" in prop}
    assert filled == expected
    assert validate_answers(schema, filled, partial=True) == []


@pytest.mark.parametrize("schema", DEMO_SCHEMAS)
def test_render_has_no_inline_script(schema):
    html = str(render_form_fields(schema, example_answers(schema)))
    assert "<script" not in html
    assert not re.search(r"\son[a-z]+=", html)
    assert "style=" not in html


# --- validation messages ------------------------------------------------------------------------


def test_required_messages_name_the_field_by_title():
    errors = validate_answers(BIRTH, {})
    assert errors == [
        FieldError("ho_ten_tre", "Vui lòng nhập Họ và tên trẻ."),
        FieldError("ngay_sinh", "Vui lòng nhập Ngày sinh."),
        FieldError("gioi_tinh", "Vui lòng chọn Giới tính."),
        FieldError("so_dien_thoai", "Vui lòng nhập Số điện thoại."),
    ]


def test_title_falls_back_to_the_property_name():
    schema = {"type": "object", "required": ["ma_so"], "properties": {"ma_so": {"type": "string"}}}
    assert validate_answers(schema, {}) == [FieldError("ma_so", "Vui lòng nhập ma_so.")]


def test_messages_for_dates_ranges_and_lengths():
    answers = {
        "ho_ten_tre": "A" * 101,
        "ngay_sinh": "31/02/2026",
        "gioi_tinh": "nam",
        "so_dien_thoai": "0912345678",
        "so_ban_sao": 21,
        "dien_tich": 0,
    }
    assert validate_answers(BIRTH, answers) == [
        FieldError("ho_ten_tre", "Họ và tên trẻ không được dài quá 100 ký tự."),
        FieldError("ngay_sinh", "Ngày sinh phải có dạng ngày (năm-tháng-ngày)."),
        FieldError("so_ban_sao", "Số bản sao phải từ 0 đến 20."),
        FieldError("dien_tich", "Diện tích (m²) phải lớn hơn 0."),
    ]


def test_range_messages_cover_every_kind_of_bound():
    def message(**bounds: Any) -> str:
        schema = {"type": "object", "properties": {"n": {"type": "number", "title": "Số", **bounds}}}
        return only_error(validate_answers(schema, {"n": 1000.5}), "n")

    assert message(maximum=10) == "Số không được vượt quá 10."
    assert message(exclusiveMaximum=1.5) == "Số phải nhỏ hơn 1,5."
    assert message(minimum=2000) == "Số phải từ 2000 trở lên."
    assert message(exclusiveMinimum=0, maximum=10) == "Số phải lớn hơn 0 và không vượt quá 10."


def test_pattern_message_uses_x_error_then_description_then_a_generic_one():
    base = {"ho_ten_tre": "An", "ngay_sinh": "2024-01-01", "gioi_tinh": "nam", "so_dien_thoai": "0912345678"}
    errors = validate_answers(BIRTH, {**base, "so_dinh_danh": "12", "so_dien_thoai": "12"})
    assert errors == [
        FieldError("so_dien_thoai", "Số điện thoại không đúng định dạng (Số di động để nhận tin nhắn về hồ sơ)."),
        FieldError("so_dinh_danh", "Số định danh cá nhân gồm đúng 12 chữ số."),
    ]
    plain = {"type": "object", "properties": {"ma": {"type": "string", "title": "Mã", "pattern": "^[A-Z]+$"}}}
    assert validate_answers(plain, {"ma": "a"}) == [FieldError("ma", "Mã không đúng định dạng.")]


def test_pattern_message_explains_digit_patterns_of_the_demo_catalogue():
    def message(pattern: str) -> str:
        schema = {"type": "object", "properties": {"so": {"type": "string", "title": "Số", "pattern": pattern}}}
        return only_error(validate_answers(schema, {"so": "x"}), "so")

    assert message("^[0-9]{12}$") == "Số không đúng định dạng (gồm 12 chữ số)."
    assert message("^0[0-9]{9,10}$") == "Số không đúng định dạng (bắt đầu bằng số 0, gồm 10 hoặc 11 chữ số)."
    assert message("^[0-9]{6,20}$") == "Số không đúng định dạng (gồm từ 6 đến 20 chữ số)."


def test_enum_messages_list_the_option_titles():
    base = {"ho_ten_tre": "An", "ngay_sinh": "2024-01-01", "so_dien_thoai": "0912345678"}
    errors = validate_answers(BIRTH, {**base, "gioi_tinh": "khac", "dan_toc": "hoa", "giay_to_kem_theo": ["x"]})
    assert errors == [
        FieldError("gioi_tinh", "Giới tính phải là một trong các lựa chọn: Nam, Nữ."),
        FieldError("dan_toc", "Dân tộc phải là một trong các lựa chọn: Kinh, Tày, Thái, Mường."),
        FieldError("giay_to_kem_theo", "Giấy tờ kèm theo phải là một trong các lựa chọn: Giấy chứng sinh, CCCD mẹ."),
    ]


def test_plain_enum_without_titles_lists_the_values():
    schema = {"type": "object", "properties": {"lop": {"type": "string", "title": "Lớp", "enum": ["10", "11"]}}}
    assert validate_answers(schema, {"lop": "9"}) == [FieldError("lop", "Lớp phải là một trong các lựa chọn: 10, 11.")]


def test_bad_email_gives_a_vietnamese_message():
    for bad in ("an@", "an example@vn", "an@@example.vn", "an"):
        message = only_error(validate_answers(BIRTH, {"email": bad}, partial=True), "email")
        assert message == "Thư điện tử không phải là địa chỉ thư điện tử hợp lệ."
    assert validate_answers(BIRTH, {"email": "an.nguyen@so-tu-phap.gov.vn"}, partial=True) == []


def test_unknown_keys_are_errors_when_additional_properties_are_forbidden():
    errors = validate_answers(BIRTH, {"la": 1, "ho_ten_tre": "An"}, partial=True)
    assert errors == [FieldError("la", "Trường “la” không có trong biểu mẫu.")]
    open_schema = {**BIRTH, "additionalProperties": True}
    assert validate_answers(open_schema, {"la": 1}, partial=True) == []


def test_one_error_per_field_in_schema_order():
    answers = {"so_ban_sao": "hai", "dien_tich": -1, "ho_ten_tre": 7, "zz": 1, "ngay_sinh": "hôm qua"}
    errors = validate_answers(BIRTH, answers)
    assert [e.field for e in errors] == [
        "ho_ten_tre",
        "ngay_sinh",
        "gioi_tinh",
        "so_dien_thoai",
        "so_ban_sao",
        "dien_tich",
        "zz",
    ]
    assert errors[0].message == "Họ và tên trẻ phải là văn bản."
    assert errors[4].message == "Số bản sao phải là số nguyên."


def test_the_most_useful_message_wins_when_a_value_breaks_several_rules():
    schema = {
        "type": "object",
        "properties": {"ma": {"type": "string", "title": "Mã", "maxLength": 3, "pattern": "^[0-9]+$"}},
    }
    assert validate_answers(schema, {"ma": "abcdef"}) == [FieldError("ma", "Mã không đúng định dạng.")]


def test_partial_still_checks_the_values_given():
    errors = validate_answers(BIRTH, {"so_ban_sao": 50}, partial=True)
    assert errors == [FieldError("so_ban_sao", "Số bản sao phải từ 0 đến 20.")]


def test_a_declaration_to_tick_is_required_except_in_a_draft():
    schema = {
        "type": "object",
        "properties": {"cam_doan": {"type": "boolean", "const": True, "title": "Tôi cam đoan thông tin là đúng"}},
    }
    answers, errors = answers_from_post(schema, {})
    assert (answers, errors) == ({"cam_doan": False}, [])
    assert validate_answers(schema, answers) == [
        FieldError("cam_doan", "Vui lòng đánh dấu vào ô “Tôi cam đoan thông tin là đúng”.")
    ]
    assert validate_answers(schema, answers, partial=True) == []
    assert 'required aria-describedby="f-cam_doan-error"' in str(
        render_form_fields(schema, answers, validate_answers(schema, answers))
    )


def test_a_non_object_answer_is_a_whole_form_error():
    assert validate_answers(BIRTH, [], partial=True) == [FieldError("", "Dữ liệu biểu mẫu không hợp lệ.")]  # type: ignore[arg-type]


# --- reading posted data ------------------------------------------------------------------------


def test_post_coerces_by_schema_type():
    data = QueryDict(mutable=True)
    data.update(
        {
            "ho_ten_tre": "  Nguyễn  An ",
            "ngay_sinh": "05/09/2024",
            "gioi_tinh": "nu",
            "so_dien_thoai": "0912 345 678",
            "so_ban_sao": "3",
            "dien_tich": "1,5",
            "nhan_ban_dien_tu": "on",
            "email": "",
            "ghi_chu": "dòng 1\r\ndòng 2",
            "csrfmiddlewaretoken": "t",
        }
    )
    data.setlist("giay_to_kem_theo", ["cccd_me", "gcs"])
    answers, errors = answers_from_post(BIRTH, data)
    assert errors == []
    assert answers == {
        "ho_ten_tre": "Nguyễn  An",
        "ngay_sinh": "2024-09-05",
        "gioi_tinh": "nu",
        "so_dien_thoai": "0912345678",
        "so_ban_sao": 3,
        "dien_tich": 1.5,
        "ghi_chu": "dòng 1\ndòng 2",
        "nhan_ban_dien_tu": True,
        "giay_to_kem_theo": ["gcs", "cccd_me"],
    }


@pytest.mark.parametrize(
    ("posted", "expected"),
    [("12", 12), ("12,5", 12.5), ("12.5", 12.5), ("1.234,5", 1234.5), ("1 234,5", 1234.5), ("0,75", 0.75)],
)
def test_numbers_accept_the_vietnamese_decimal_comma(posted, expected):
    answers, errors = answers_from_post(BIRTH, {"dien_tich": posted})
    assert errors == []
    assert answers["dien_tich"] == expected


@pytest.mark.parametrize(("posted", "expected"), [("7", 7), ("1.000.000", 1000000), ("2.0", 2), ("-3", -3)])
def test_integers_accept_vietnamese_digit_grouping(posted, expected):
    schema = {"type": "object", "properties": {"von": {"type": "integer", "title": "Vốn (đồng)"}}}
    answers, errors = answers_from_post(schema, {"von": posted})
    assert (answers, errors) == ({"von": expected}, [])


@pytest.mark.parametrize(
    ("field", "posted", "message"),
    [
        ("so_ban_sao", "hai", "Số bản sao phải là số nguyên."),
        ("so_ban_sao", "1,5", "Số bản sao phải là số nguyên."),
        ("dien_tich", "1,2,3", "Diện tích (m²) phải là số, ví dụ 12,5."),
        ("dien_tich", "nan", "Diện tích (m²) phải là số, ví dụ 12,5."),
        ("dien_tich", "1e999", "Diện tích (m²) phải là số, ví dụ 12,5."),
        (
            "ngay_sinh",
            "31/02/2026",
            "Ngày sinh không phải là ngày hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 25/12/2024.",
        ),
        (
            "ngay_sinh",
            "hôm qua",
            "Ngày sinh không phải là ngày hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 25/12/2024.",
        ),
        ("gioi_tinh", "khac", "Giới tính phải là một trong các lựa chọn: Nam, Nữ."),
        ("nhan_ban_dien_tu", "có lẽ", "Nhận bản điện tử chỉ nhận giá trị có hoặc không."),
    ],
)
def test_values_that_cannot_be_read_are_errors_and_left_out(field, posted, message):
    answers, errors = answers_from_post(BIRTH, {field: posted})
    assert errors == [FieldError(field, message)]
    assert field not in answers


def test_checkbox_absent_is_false_and_true_values_are_true():
    for posted in ("on", "true", "1"):
        assert answers_from_post(BIRTH, {"nhan_ban_dien_tu": posted})[0]["nhan_ban_dien_tu"] is True
    assert answers_from_post(BIRTH, {})[0] == {"nhan_ban_dien_tu": False}


def test_empty_strings_are_left_out_so_required_catches_them():
    answers, errors = answers_from_post(BIRTH, {"ho_ten_tre": "   ", "so_ban_sao": "", "gioi_tinh": ""})
    assert errors == []
    assert answers == {"nhan_ban_dien_tu": False}
    assert "ho_ten_tre" in {e.field for e in validate_answers(BIRTH, answers)}


def test_text_is_normalised_for_storage():
    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" as some keyboards send it
    answers, _errors = answers_from_post(BIRTH, {"ho_ten_tre": decomposed + "\x00"})
    assert answers["ho_ten_tre"] == "Nguyễn"


def test_pattern_fields_keep_their_input_when_removing_spaces_does_not_help():
    answers, errors = answers_from_post(BIRTH, {"so_dien_thoai": "09 12", "so_dinh_danh": "0012 3456 7890"})
    assert errors == []
    assert answers["so_dien_thoai"] == "09 12"
    assert answers["so_dinh_danh"] == "001234567890"


def test_clean_post_merges_reading_and_validation_errors():
    _answers, errors = clean_post(BIRTH, {"ngay_sinh": "31/02/2026", "so_ban_sao": "99", "ho_ten_tre": "An"})
    assert [e.field for e in errors] == ["ngay_sinh", "gioi_tinh", "so_dien_thoai", "so_ban_sao"]
    assert errors[0].message.startswith("Ngày sinh không phải là ngày hợp lệ")
    assert clean_post(BIRTH, {}, partial=True) == ({"nhan_ban_dien_tu": False}, [])


NESTED = {
    "type": "object",
    "required": ["nguoi_yeu_cau"],
    "properties": {
        "nguoi_yeu_cau": {
            "type": "object",
            "title": "Người yêu cầu",
            "required": ["ho_ten"],
            "properties": {
                "ho_ten": {"type": "string", "title": "Họ tên", "x-prefill": "full_name"},
                "tuoi": {"type": "integer", "title": "Tuổi", "minimum": 0},
            },
            "additionalProperties": False,
        },
        "ghi_chu": {"type": "string", "title": "Ghi chú"},
    },
    "additionalProperties": False,
}


def test_nested_objects_use_dotted_names():
    html = str(render_form_fields(NESTED, {"nguoi_yeu_cau": {"ho_ten": "An", "tuoi": 30}}))
    assert '<legend>Người yêu cầu<span class="required"' in html
    assert 'name="nguoi_yeu_cau.ho_ten" value="An"' in html
    answers, errors = answers_from_post(NESTED, Browser(html).post())
    assert (answers, errors) == ({"nguoi_yeu_cau": {"ho_ten": "An", "tuoi": 30}}, [])
    assert validate_answers(NESTED, {"nguoi_yeu_cau": {"tuoi": -1, "x": 1}}) == [
        FieldError("nguoi_yeu_cau.ho_ten", "Vui lòng nhập Họ tên."),
        FieldError("nguoi_yeu_cau.tuoi", "Tuổi phải từ 0 trở lên."),
        FieldError("nguoi_yeu_cau.x", "Trường “x” không có trong biểu mẫu."),
    ]
    assert validate_answers(NESTED, {}) == [FieldError("nguoi_yeu_cau", "Vui lòng nhập Người yêu cầu.")]
    assert prefill(NESTED, PROFILE) == {"nguoi_yeu_cau": {"ho_ten": "Nguyễn Văn An"}}


# --- prefill ------------------------------------------------------------------------------------


def test_prefill_skips_missing_and_empty_profile_values():
    import datetime as dt

    profile = {"full_name": "  ", "phone": None, "date_of_birth": dt.date(1990, 5, 17), "email": "an@example.vn"}
    assert prefill(BIRTH, profile) == {"ngay_sinh": "1990-05-17", "email": "an@example.vn"}
    assert prefill(BIRTH, {}) == {}


def test_prefill_ignores_fields_without_x_prefill():
    assert set(prefill(BIRTH, PROFILE)) == {"ho_ten_tre", "ngay_sinh", "so_dien_thoai", "email"}
    assert "so_dinh_danh" not in prefill(BIRTH, PROFILE)  # has a pattern, no x-prefill


def test_initial_values_are_defaults_then_profile():
    assert initial_values(BIRTH, PROFILE) == {
        "so_ban_sao": 1,
        "ho_ten_tre": "Nguyễn Văn An",
        "ngay_sinh": "1990-05-17",
        "so_dien_thoai": "0912345678",
        "email": "an@example.vn",
    }


# --- rendering ----------------------------------------------------------------------------------


def test_html_escapes_a_malicious_title_and_value():
    evil = "<script>alert(1)</script>"
    schema = {
        "type": "object",
        "required": ["x"],
        "properties": {
            "x": {"type": "string", "title": evil, "description": evil},
            "y": {"type": "string", "title": "Y", "enum": ["a", evil], "x-enum-titles": [evil, "b"]},
            "z": {"type": "string", "title": "Z", "x-multiline": True},
        },
    }
    values = {"x": f'"><{evil}', "y": evil, "z": f"</textarea>{evil}"}
    html = str(render_form_fields(schema, values, [FieldError("x", evil), FieldError("", evil)]))
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'value="&quot;&gt;&lt;&lt;script&gt;' in html
    assert html.count("</textarea>") == 1
    page = Browser(html)
    assert page.labels["f-x"].startswith(evil)
    assert dict(page.pairs)["z"].replace("\r\n", "\n") == f"</textarea>{evil}"


def test_label_marks_required_fields_for_eyes_and_screen_readers():
    html = str(render_form_fields(BIRTH, {}))
    assert (
        '<label for="f-ho_ten_tre">Họ và tên trẻ<span class="required" aria-hidden="true"> *</span>'
        '<span class="visually-hidden"> (bắt buộc)</span></label>'
    ) in html
    assert '<label for="f-email">Thư điện tử</label>' in html


def test_hint_and_error_are_linked_to_the_input():
    errors = [FieldError("so_dien_thoai", "Số điện thoại không đúng định dạng.")]
    html = str(render_form_fields(BIRTH, {"so_dien_thoai": "12"}, errors))
    assert '<p class="hint" id="f-so_dien_thoai-hint">Số di động để nhận tin nhắn về hồ sơ</p>' in html
    assert (
        '<p class="error" id="f-so_dien_thoai-error"><span class="visually-hidden">Lỗi: </span>'
        "Số điện thoại không đúng định dạng.</p>"
    ) in html
    control = next(c for c in Browser(html).controls if c["name"] == "so_dien_thoai")
    assert control["aria-describedby"] == "f-so_dien_thoai-hint f-so_dien_thoai-error"
    assert control["aria-invalid"] == "true"
    assert control["value"] == "12"
    assert '<div class="field has-error">' in html
    untouched = next(c for c in Browser(html).controls if c["name"] == "ho_ten_tre")
    assert "aria-invalid" not in untouched and "aria-describedby" not in untouched


def test_errors_without_a_field_are_shown_first():
    html = str(render_form_fields(BIRTH, {}, [FieldError("", "Biểu mẫu đã hết hạn."), FieldError("la", "Lạ.")]))
    assert html.startswith('<div class="form-errors"><p class="error">')
    assert "Biểu mẫu đã hết hạn." in html and "Lạ." in html


def test_input_types_follow_the_schema():
    controls = {c["name"]: c for c in Browser(str(render_form_fields(BIRTH, {}))).controls}
    assert controls["ngay_sinh"]["type"] == "date"
    assert controls["email"]["type"] == "email"
    assert controls["email"]["autocomplete"] == "email"
    assert controls["ho_ten_tre"]["maxlength"] == "100"
    assert controls["ho_ten_tre"]["autocomplete"] == "name"
    assert controls["so_dien_thoai"]["type"] == "tel"
    assert controls["so_dien_thoai"]["inputmode"] == "numeric"
    assert controls["so_dinh_danh"]["type"] == "text"
    assert controls["so_dinh_danh"]["inputmode"] == "numeric"
    assert (controls["so_ban_sao"]["type"], controls["so_ban_sao"]["min"], controls["so_ban_sao"]["max"]) == (
        "number",
        "0",
        "20",
    )
    assert controls["so_ban_sao"]["step"] == "1"
    assert (controls["dien_tich"]["min"], controls["dien_tich"]["step"]) == ("0", "any")
    assert controls["nhan_ban_dien_tu"]["type"] == "checkbox"
    assert "type" not in controls["noi_sinh"] and controls["noi_sinh"]["maxlength"] == "255"  # a textarea
    assert "type" not in controls["ghi_chu"]  # x-multiline: a textarea
    html = str(render_form_fields(BIRTH, {}))
    assert '<textarea id="f-noi_sinh" name="noi_sinh"' in html
    assert '<textarea id="f-ghi_chu" name="ghi_chu"' in html


def test_tax_code_with_a_dash_does_not_get_a_digits_only_keyboard():
    schema = {"type": "object", "properties": {"mst": {"type": "string", "pattern": "^[0-9]{10}(-[0-9]{3})?$"}}}
    assert "inputmode" not in str(render_form_fields(schema, {}))


def test_integer_with_exclusive_minimum_gets_the_next_integer_as_min():
    schema = {"type": "object", "properties": {"n": {"type": "integer", "exclusiveMinimum": 0}}}
    assert 'min="1"' in str(render_form_fields(schema, {}))


def test_few_options_are_radio_buttons_more_are_a_select():
    html = str(render_form_fields(BIRTH, {"gioi_tinh": "nu", "dan_toc": "tay"}))
    assert '<fieldset><legend>Giới tính<span class="required"' in html
    assert (
        '<label for="f-gioi_tinh-1"><input type="radio" id="f-gioi_tinh-1" name="gioi_tinh" value="nu" '
        "checked required> Nữ</label>"
    ) in html
    assert '<select id="f-dan_toc" name="dan_toc"><option value="">— Chọn —</option>' in html
    assert '<option value="tay" selected>Tày</option>' in html


def test_optional_radio_group_offers_no_answer():
    schema = {"type": "object", "properties": {"c": {"type": "string", "title": "C", "enum": ["a", "b"]}}}
    html = str(render_form_fields(schema, {}))
    assert 'value="" checked> Không chọn</label>' in html
    assert answers_from_post(schema, Browser(html).post()) == ({}, [])


def test_array_of_options_is_checkboxes_in_a_fieldset():
    html = str(render_form_fields(BIRTH, {"giay_to_kem_theo": ["cccd_me"]}))
    assert "<fieldset><legend>Giấy tờ kèm theo</legend>" in html
    assert 'name="giay_to_kem_theo" value="gcs"> Giấy chứng sinh' in html
    assert 'name="giay_to_kem_theo" value="cccd_me" checked> CCCD mẹ' in html


def test_form_can_be_shown_again_from_the_posted_data():
    data = QueryDict(mutable=True)
    data.update({"so_ban_sao": "abc", "dien_tich": "1,5", "ngay_sinh": "05/09/2024", "gioi_tinh": "nu"})
    data.setlist("giay_to_kem_theo", ["gcs", "cccd_me"])
    _answers, errors = clean_post(BIRTH, data)
    controls = {c["id"]: c for c in Browser(str(render_form_fields(BIRTH, data, errors))).controls}
    assert controls["f-so_ban_sao"]["value"] == "abc"
    assert controls["f-so_ban_sao"]["aria-invalid"] == "true"
    assert controls["f-dien_tich"]["value"] == "1.5"  # what a type=number input can show
    assert controls["f-ngay_sinh"]["value"] == "2024-09-05"
    assert "checked" in controls["f-gioi_tinh-1"]
    assert "checked" in controls["f-giay_to_kem_theo-0"] and "checked" in controls["f-giay_to_kem_theo-1"]


def test_representative_schema_round_trips():
    example = example_answers(BIRTH)
    assert validate_answers(BIRTH, example) == []
    answers, errors = answers_from_post(BIRTH, Browser(str(render_form_fields(BIRTH, example))).post())
    assert (answers, errors) == (example, [])


def test_fields_keep_the_authors_order_after_a_round_trip_through_jsonb():
    from cqs.dossiers.forms import ordered_properties, with_field_order

    schema = {
        "type": "object",
        "properties": {"zeta": {"type": "string"}, "alpha": {"type": "string"}, "mid": {"type": "string"}},
    }
    stored = with_field_order(schema)
    shuffled = dict(stored, properties=dict(sorted(stored["properties"].items())))  # what jsonb gives back
    assert [name for name, _ in ordered_properties(shuffled)] == ["zeta", "alpha", "mid"]
