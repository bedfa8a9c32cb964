"""The DataStore ("kho dữ liệu"): uploaded resource files, their validation and the loaded tables.

- Uploads are checked by content (the bytes decide the format; a name that disagrees is refused),
  measured against `CQS_OPENDATA_MAX_UPLOAD_BYTES` and kept in the content-addressed store
  (`cqs.core.storage`, area "opendata"), never under a guessable path.
- A CSV/TSV/XLSX upload is validated with `frictionless` by the `opendata` task queue after the
  upload commits (`validate_and_load`): the schema is inferred, code-like columns and columns
  with leading zeros are forced to strings (commune codes "00102", identity numbers), progress
  is recorded on the resource, and each problem is reported with its row and column.
- A valid table is loaded with COPY into `datastore.r_<resource id>` (typed columns, `_id`
  serial) and replaces the previous version in one transaction. Columns are named by position
  (`c1`, `c2`...), so a header never becomes SQL; the data dictionary maps them back to the
  header names CKAN clients see. Every identifier goes through `psycopg.sql.Identifier`.
- A CSV/TSV need not be UTF-8: its encoding is detected (`detect_encoding`: byte-order marks,
  UTF-8, then `charset-normalizer` arbitrated for Vietnamese between Windows-1258 and -1252) and
  the file is read through a UTF-8 copy in Unicode NFC, so "Phường" typed on a keyboard matches
  the loaded value. A file whose encoding cannot be determined is reported, not loaded.
- `search` serves `datastore_search` and the portal's preview; `stream_csv`/`stream_json`
  serve downloads of the loaded table.
- `write_rows`/`delete_rows`/`set_primary_key` serve `datastore_upsert`, `datastore_delete` and
  `datastore_create`'s `primary_key`: the key is marked in the dictionary (`"primary_key": true`
  on its fields, in column order) and enforced by a unique index on the table.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import decimal
import io
import json
import logging
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy
from psycopg import sql
from psycopg.types.json import Jsonb

from cqs.core.errors import ValidationFailed
from cqs.core.storage import ContentStore, spool
from cqs.opendata.models import DatastoreState, Resource

logger = logging.getLogger(__name__)

STORE = ContentStore("opendata")
SCHEMA = "datastore"
LIMIT_DEFAULT = 100
LIMIT_MAX = 32000
PROGRESS_EVERY = 2000
ERRORS_KEPT = 200  # a report lists the first problems; the count says how many there were

# --- Uploaded files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    format: str
    mimetype: str
    extensions: frozenset[str]
    tabular: bool = False


KINDS: dict[str, Kind] = {
    "csv": Kind("CSV", "text/csv", frozenset({".csv"}), tabular=True),
    "tsv": Kind("TSV", "text/tab-separated-values", frozenset({".tsv", ".tab"}), tabular=True),
    "xlsx": Kind(
        "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", frozenset({".xlsx"}), tabular=True
    ),
    "txt": Kind("TXT", "text/plain", frozenset({".txt", ".md"})),
    "json": Kind("JSON", "application/json", frozenset({".json"})),
    "geojson": Kind("GeoJSON", "application/geo+json", frozenset({".geojson"})),
    "xml": Kind("XML", "application/xml", frozenset({".xml", ".rdf"})),
    "docx": Kind(
        "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", frozenset({".docx"})
    ),
    "zip": Kind("ZIP", "application/zip", frozenset({".zip"})),
    "pdf": Kind("PDF", "application/pdf", frozenset({".pdf"})),
    "png": Kind("PNG", "image/png", frozenset({".png"})),
    "jpeg": Kind("JPEG", "image/jpeg", frozenset({".jpg", ".jpeg"})),
}
_TEXT_KINDS = ("csv", "tsv", "txt", "json", "geojson", "xml")


@dataclass(frozen=True)
class CheckedResourceFile:
    """An upload that passed every check, spooled to a temporary file."""

    sha256: str
    size: int
    kind: str
    original_name: str
    temp_path: Path

    @property
    def format(self) -> str:
        return KINDS[self.kind].format

    @property
    def mimetype(self) -> str:
        return KINDS[self.kind].mimetype


def max_upload_bytes() -> int:
    return int(getattr(settings, "CQS_OPENDATA_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))


def _refuse(message: str) -> ValidationFailed:
    # CKAN's Validation Error shape: the field ("upload") maps to its messages.
    return ValidationFailed(message, code="invalid_file", details={"upload": [message]})


def _is_utf8(sample: bytes, *, complete: bool = False) -> bool:
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample may end inside a multi-byte character: only that is forgiven.
        return not complete and exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data"
    return True


# Vietnamese letters with diacritics (lower and upper case), and the five tone marks: a syllable
# carries at most one tone, which tells Windows-1258 text from the same bytes read as -1252.
_VIETNAMESE_LETTERS = frozenset(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    + "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ".upper()
)
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_WORD = re.compile(r"[^\W\d_]+")
# Single-byte encodings of Latin text, among which the Vietnamese reading is arbitrated.
_LATIN_SINGLE_BYTE = ("cp1250", "cp1252", "cp1254", "cp1257", "cp1258", "latin_1", "iso8859", "mac_", "hp_roman8")


def _vietnamese_score(text: str) -> int:
    """How plausible `text` is as Vietnamese (or plain Latin) text: letters with Vietnamese
    diacritics count for it; other non-ASCII letters, stray combining marks and words carrying
    more than one tone mark count against it."""
    score = 0
    for word in _WORD.findall(unicodedata.normalize("NFC", text)):
        if word.isascii():
            continue
        tones = sum(1 for ch in unicodedata.normalize("NFD", word) if ch in _TONE_MARKS)
        foreign = sum(1 for ch in word if not ch.isascii() and ch not in _VIETNAMESE_LETTERS)
        if tones > 1 or foreign:
            score -= 2 * (foreign + max(tones - 1, 0)) + 1
        else:
            score += sum(1 for ch in word if not ch.isascii())
    score -= 2 * sum(1 for ch in unicodedata.normalize("NFC", text) if unicodedata.combining(ch))
    return score


def detect_encoding(sample: bytes, *, complete: bool = False) -> str | None:
    """The text encoding of `sample` (the first bytes of a file; `complete` when it is the whole
    file), as a Python codec name, or None when it cannot be determined (binary bytes, or no
    encoding reads them as text). Byte-order marks decide first, then UTF-8; otherwise
    `charset-normalizer` proposes, and between the Latin single-byte encodings the reading that
    looks most like Vietnamese wins (a Vietnamese Windows-1258 file often passes for -1252 or
    -1250)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" not in sample and _is_utf8(sample, complete=complete):
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        return None
    proposed = best.encoding
    if b"\x00" in sample:
        # NUL bytes are text only in UTF-16/32 without a mark; otherwise the file is binary.
        return proposed if proposed.startswith(("utf_16", "utf_32")) else None
    if not proposed.startswith(_LATIN_SINGLE_BYTE):
        return proposed  # UTF-16 without a mark, a CJK or Cyrillic code page: trust the detector
    readings: dict[str, int] = {}
    for candidate in ("cp1258", "cp1252", proposed):
        try:
            readings[candidate] = _vietnamese_score(sample.decode(candidate))
        except UnicodeDecodeError:
            continue
    return max(readings, key=lambda name: readings[name]) if readings else None


def _binary_kind(head: bytes, temp_path: Path) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(temp_path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
        return "zip"
    return None


def _text_kind(head: bytes, extension: str, encoding: str = "utf-8") -> str:
    """Which text format the bytes are, given the name's claim; 'txt' when they are not what the
    name says (so that the extension check refuses the lie)."""
    text = head.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n")
    claimed = next((k for k in _TEXT_KINDS if extension in KINDS[k].extensions), "txt")
    if claimed in {"json", "geojson"}:
        return claimed if text[:1] in {"{", "["} else "txt"
    if claimed == "xml":
        return claimed if text[:1] == "<" else "txt"
    if claimed in {"csv", "tsv"}:
        # A table has a header line; markup or JSON is not a CSV file, whatever its name says.
        return claimed if text and text[:1] not in {"{", "[", "<"} else "txt"
    return "txt"


def check_resource_file(stream: IO[bytes], name: str) -> CheckedResourceFile:
    """Read an upload once: hash it, measure it and find its format by content. Refuses (a
    Validation Error on "upload") files that are empty, too large, of a format we do not take,
    or whose name claims another format than their bytes are."""
    name = os.path.basename(name or "")[:200] or "tep"
    spooled = spool(stream, limit=max_upload_bytes(), refuse=_refuse)
    try:
        extension = Path(name).suffix.lower()
        # Signatures first: a PDF's header is ASCII and would pass for text.
        kind = _binary_kind(spooled.head, spooled.temp_path)
        if kind is None:
            encoding = detect_encoding(spooled.head, complete=spooled.size <= len(spooled.head))
            if encoding is not None:
                kind = _text_kind(spooled.head, extension, encoding)
            elif b"\x00" not in spooled.head and extension in KINDS["csv"].extensions | KINDS["tsv"].extensions:
                # Text-like bytes in no encoding we can name: taken, so that the validation
                # report tells the publisher which encoding to save the table in.
                kind = _text_kind(spooled.head, extension, "latin-1")
        if kind is None:
            raise _refuse(_("Không nhận định dạng tệp này. Tệp bảng dữ liệu cần là CSV (mã UTF-8) hoặc XLSX."))
        if extension not in KINDS[kind].extensions:
            raise _refuse(
                _("Nội dung tệp (%(format)s) không khớp với tên tệp (%(name)s).")
                % {"format": KINDS[kind].format, "name": name}
            )
        return CheckedResourceFile(spooled.sha256, spooled.size, kind, name, spooled.temp_path)
    except BaseException:
        spooled.temp_path.unlink(missing_ok=True)
        raise


def is_tabular(resource: Resource) -> bool:
    return bool(resource.file_sha256) and resource.format in {k.format for k in KINDS.values() if k.tabular}


def open_file(resource: Resource) -> IO[bytes]:
    """The uploaded bytes of a resource (the caller checks the reader may see the dataset)."""
    return STORE.open(resource.file_sha256)


# --- Schema inference --------------------------------------------------------------------------

# Table Schema type -> PostgreSQL type. Other inferred types (geopoint, duration, object...) are
# kept as text: the dictionary may still describe them.
PG_TYPES = {
    "string": "text",
    "integer": "bigint",
    "number": "numeric",
    "boolean": "boolean",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
    "year": "integer",
}
# CKAN's datastore type names, used in `datastore_search`/`datastore_info` fields.
CKAN_TYPES = {
    "string": "text",
    "integer": "int",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
    "year": "int",
}
_LEADING_ZERO = re.compile(r"^[+-]?0\d")
# Headers that name codes or identifiers: such columns stay strings even without leading zeros
# (a commune code "25450" is a label, not a quantity; sums and "1e3" readings make no sense).
_CODE_HEADER = re.compile(
    r"(^|[\s_.-])(ma|code|id|cccd|cmnd|mst|sdt|so[\s_.-]?dien[\s_.-]?thoai|phone|zip|postal|so[\s_.-]?hieu)"
    r"($|[\s_.-])",
    re.IGNORECASE,
)


def _plain(text: str) -> str:
    from cqs.core.search import normalize_query

    return normalize_query(text)


def _frictionless_resource(path: Path, kind: str, **kwargs: Any) -> Any:
    import frictionless

    options: dict[str, Any] = {"path": path.name, "basepath": str(path.parent)}
    if kind in {"csv", "tsv"}:
        options["format"] = "csv"
        options["encoding"] = "utf-8-sig"
        if kind == "tsv":
            options["control"] = frictionless.formats.CsvControl(delimiter="\t")
    else:
        options["format"] = kind
    return frictionless.Resource(**options, **kwargs)


def infer_fields(path: Path, kind: str, known: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The data dictionary of a table: one entry per column, {"id", "type", "title",
    "description"}. Types come from `known` (the dictionary of a previous version, whose types
    the publisher relies on) when the headers are the same, otherwise from frictionless'
    inference, with code-like and zero-led columns forced to strings."""
    import frictionless

    detector = frictionless.Detector(sample_size=2000, field_confidence=0.9)
    resource = _frictionless_resource(path, kind, detector=detector)
    with resource:
        labels = list(resource.labels)
        sample = resource.sample[1:] if resource.sample else []
        inferred = {f.name: f.type for f in resource.schema.fields}
    known_by_id = {f["id"]: f for f in known or []}
    same_headers = bool(known) and [f["id"] for f in known or []] == labels
    fields = []
    for index, label in enumerate(labels):
        previous = known_by_id.get(label, {})
        entry: dict[str, Any] = {}
        if same_headers and previous.get("type") in PG_TYPES:
            kind_of = previous["type"]
        else:
            kind_of = inferred.get(label, "string")
            values = [str(row[index]) for row in sample if index < len(row) and row[index] not in (None, "")]
            if kind_of not in PG_TYPES or (
                kind_of != "string"
                and (any(_LEADING_ZERO.match(v) for v in values) or _CODE_HEADER.search(_plain(str(label))))
            ):
                kind_of = "string"
        if previous.get("primary_key"):
            entry["primary_key"] = True  # a new version is held to the key its table had
        fields.append(
            {
                "id": str(label),
                "type": kind_of,
                "title": previous.get("title", ""),
                "description": previous.get("description", ""),
                **entry,
            }
        )
    if known and {f["id"] for f in known if f.get("primary_key")} - {f["id"] for f in fields}:
        for field in fields:  # a key column is gone: the key goes with it
            field.pop("primary_key", None)
    return fields


# --- Validation and loading --------------------------------------------------------------------

# Marked for the catalogue here, translated where the report is built (in the reader's language).
_MESSAGES = {
    "type-error": gettext_noop("Giá trị “%(cell)s” không đúng kiểu %(type)s của cột “%(field)s”."),
    "constraint-error": gettext_noop("Giá trị “%(cell)s” của cột “%(field)s” vi phạm ràng buộc."),
    "extra-cell": gettext_noop("Dòng có nhiều ô hơn số cột của tiêu đề (ô thừa: “%(cell)s”)."),
    "missing-cell": gettext_noop("Dòng thiếu giá trị cho cột “%(field)s”."),
    "blank-row": gettext_noop("Dòng trống."),
    "blank-label": gettext_noop("Tiêu đề cột thứ %(position)s bị bỏ trống."),
    "duplicate-label": gettext_noop("Tiêu đề cột “%(cell)s” bị trùng."),
    "encoding-error": gettext_noop("Tệp không đọc được bằng mã UTF-8. Vui lòng lưu lại tệp CSV với mã UTF-8."),
    "source-error": gettext_noop("Không đọc được tệp: %(note)s"),
    "format-error": gettext_noop("Tệp không đúng định dạng bảng: %(note)s"),
    "scheme-error": gettext_noop("Không đọc được tệp: %(note)s"),
    "primary-key": gettext_noop("Giá trị khoá chính (%(field)s) bị bỏ trống hoặc trùng với một dòng trước."),
}
_TYPE_NAMES = {
    "integer": pgettext_lazy("data type", "số nguyên"),
    "number": pgettext_lazy("data type", "số"),
    "boolean": pgettext_lazy("data type", "đúng/sai"),
    "date": pgettext_lazy("data type", "ngày (YYYY-MM-DD)"),
    "datetime": pgettext_lazy("data type", "ngày giờ"),
    "time": pgettext_lazy("data type", "giờ"),
    "year": pgettext_lazy("data type", "năm"),
    "string": pgettext_lazy("data type", "văn bản"),
}


def _type_name(kind: str) -> str:
    """A Table Schema type in words, in the reader's language ('' when unknown)."""
    return str(_TYPE_NAMES[kind]) if kind in _TYPE_NAMES else ""


def _problem(error: Any, fields_by_name: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A frictionless error as a publisher reads it: the file's row, the column, and a message
    in Vietnamese (the library's English note is kept as `detail`)."""
    kind = getattr(error, "type", "error")
    field = getattr(error, "field_name", None) or getattr(error, "label", None)
    cell = getattr(error, "cell", None)
    if cell is None and kind == "duplicate-label":
        cell = getattr(error, "label", "")
    if kind == "primary-key":
        field = ", ".join(f["id"] for f in fields_by_name.values() if f.get("primary_key"))
    values = {
        "cell": "" if cell is None else str(cell)[:100],
        "field": field or "",
        "type": _type_name(fields_by_name.get(field or "", {}).get("type", "")),
        "position": getattr(error, "field_number", None) or getattr(error, "field_position", "") or "",
        "note": getattr(error, "note", "") or "",
    }
    template = _MESSAGES.get(kind)
    message = _(template) % values if template else getattr(error, "message", str(error))
    return {
        "row": getattr(error, "row_number", None),
        "field": field or None,
        "type": kind,
        "message": message,
        "detail": getattr(error, "message", ""),
    }


def table_name(resource_id: Any, suffix: str = "") -> str:
    return f"r_{str(resource_id).replace('-', '')}{suffix}"


def _table(resource_id: Any, suffix: str = "") -> sql.Composable:
    return sql.Identifier(SCHEMA, table_name(resource_id, suffix))


def _column(index: int) -> sql.Identifier:
    return sql.Identifier(f"c{index + 1}")


class _Progress:
    """Progress and state written on their own autocommitted connection, so the publisher sees
    them while the load's transaction is still open."""

    def __init__(self, resource_id: Any) -> None:
        self.resource_id = resource_id
        self.conn = connection.get_new_connection(connection.get_connection_params())
        self.conn.autocommit = True

    def update(self, **values: Any) -> None:
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in values
        )
        query = sql.SQL("UPDATE opendata_resource SET {} WHERE id = {}").format(assignments, sql.Placeholder("pk"))
        # Enums would be adapted by name: send plain values; JSON columns as Jsonb.
        params = {
            k: Jsonb(v) if isinstance(v, dict | list) else (v.value if isinstance(v, DatastoreState) else v)
            for k, v in values.items()
        }
        self.conn.execute(query, {**params, "pk": self.resource_id})

    def close(self) -> None:
        self.conn.close()


def validate_and_load(resource_id: Any, sha256: str) -> str:
    """The background job's body: validate the resource's file (if it still is `sha256`), record
    progress and the report, and load a valid table. Returns the final state."""
    resource = Resource.objects.filter(pk=resource_id).first()
    if resource is None or resource.file_sha256 != sha256 or not is_tabular(resource):
        return "skipped"  # deleted, or replaced by a newer upload whose own job will run
    kind = next(k for k, v in KINDS.items() if v.format == resource.format)
    progress = _Progress(resource.pk)
    readable: Path | None = None
    try:
        progress.update(datastore_state=DatastoreState.RUNNING, datastore_rows_done=0, datastore_rows_total=None)
        try:
            readable = _readable_copy(_path(resource), kind)
            if readable is None:
                report = {"valid": False, "error_count": 1, "errors": [_encoding_problem()], "rows": 0}
                _refuse_table(resource, report)
                return DatastoreState.INVALID
            state = _validate_and_load(resource, kind, progress, readable)
        except Exception as exc:  # the library or the database failed: say so, keep the job log
            logger.exception("validating resource %s failed", resource.pk)
            report = {
                "valid": False,
                "error_count": 1,
                "errors": [
                    {
                        "row": None,
                        "field": None,
                        "type": "failed",
                        "message": _("Không kiểm tra được tệp do lỗi hệ thống. Vui lòng tải lên lại sau."),
                        "detail": str(exc)[:300],
                    }
                ],
            }
            progress.update(datastore_state=DatastoreState.FAILED, datastore_report=report)
            state = DatastoreState.FAILED
        return state
    finally:
        progress.close()
        if readable is not None and readable != _path(resource):
            readable.unlink(missing_ok=True)


def _path(resource: Resource) -> Path:
    return STORE.path_for(resource.file_sha256)


ENCODING_SAMPLE = 1024 * 1024


def _encoding_problem() -> dict[str, Any]:
    return {
        "row": None,
        "field": None,
        "type": "encoding-error",
        "message": _(
            "Không xác định được bảng mã (encoding) của tệp. Vui lòng lưu lại tệp CSV với mã UTF-8 hoặc Windows-1258."
        ),
        "detail": "",
    }


def _readable_copy(path: Path, kind: str) -> Path | None:
    """The file frictionless reads: the stored file itself when it is UTF-8 (or not a text
    table), otherwise a temporary UTF-8 copy in NFC (Windows-1258 writes tone marks as combining
    characters, which would not match the same word typed on a keyboard). None when the
    encoding cannot be determined or the file does not decode in the one detected."""
    if kind not in {"csv", "tsv"}:
        return path
    with path.open("rb") as handle:
        sample = handle.read(ENCODING_SAMPLE)
        complete = not handle.read(1)
    encoding = detect_encoding(sample, complete=complete)
    if encoding is None:
        return None
    if encoding in {"utf-8", "utf-8-sig"}:
        return path
    handle, name = tempfile.mkstemp(prefix="cqs-opendata-", suffix="." + kind)
    copy = Path(name)
    try:
        with (
            os.fdopen(handle, "w", encoding="utf-8", newline="") as target,
            path.open(encoding=encoding, newline="") as source,
        ):
            for line in source:  # a combining sequence never spans a line break
                target.write(unicodedata.normalize("NFC", line))
    except UnicodeDecodeError:
        copy.unlink(missing_ok=True)
        return None
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return copy


def _refuse_table(resource: Resource, report: dict[str, Any]) -> None:
    """An invalid file: record the report, and drop the previous version's table (its file is
    no longer the resource's), unless a newer upload has replaced the file meanwhile."""
    with transaction.atomic():
        current = Resource.objects.select_for_update().filter(pk=resource.pk).values_list("file_sha256", flat=True)
        if list(current) != [resource.file_sha256]:
            return
        drop_table(resource.pk)
        Resource.objects.filter(pk=resource.pk).update(
            datastore_state=DatastoreState.INVALID,
            datastore_rows_done=0,
            datastore_rows_total=0,
            datastore_report=report,
            datastore_active=False,
            datastore_loaded=None,
        )


def _count_rows(path: Path, kind: str) -> int:
    resource = _frictionless_resource(path, kind)
    with resource:
        return sum(1 for _cells in resource.cell_stream) - 1  # the header


def _validate_and_load(resource: Resource, kind: str, progress: _Progress, path: Path) -> str:
    import frictionless

    fields = infer_fields(path, kind, known=resource.datastore_fields or None)
    total = max(_count_rows(path, kind), 0)
    progress.update(datastore_rows_total=total, datastore_fields=fields)
    descriptor: dict[str, Any] = {"fields": [{"name": f["id"], "type": f["type"]} for f in fields]}
    key = [f["id"] for f in fields if f.get("primary_key")]
    if key:
        descriptor["primaryKey"] = key  # frictionless reports empty and repeated keys by row
    schema = frictionless.Schema.from_descriptor(descriptor)
    by_name = {f["id"]: f for f in fields}
    errors: list[dict[str, Any]] = []
    error_count = 0
    staging = table_name(resource.pk, "_" + resource.file_sha256[:12])
    done = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            columns = sql.SQL(", ").join(
                sql.SQL("{} {}").format(_column(i), sql.SQL(PG_TYPES[f["type"]])) for i, f in enumerate(fields)
            )
            target = sql.Identifier(SCHEMA, staging)
            cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(target))
            cursor.execute(
                sql.SQL("CREATE TABLE {} (_id serial PRIMARY KEY, {}, _full_text text)").format(target, columns)
            )
            names = sql.SQL(", ").join([_column(i) for i in range(len(fields))] + [sql.Identifier("_full_text")])
            source = _frictionless_resource(path, kind, schema=schema)
            with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(target, names)) as copy, source:
                for problem in source.header.errors:
                    error_count += 1
                    errors.append(_problem(problem, by_name))
                for row in source.row_stream:
                    done += 1
                    if not row.valid:
                        for problem in row.errors:
                            error_count += 1
                            if len(errors) < ERRORS_KEPT:
                                errors.append(_problem(problem, by_name))
                    elif not errors:
                        values = [row[f["id"]] for f in fields]
                        text = " ".join(str(v) for v in values if v is not None)
                        copy.write_row([*values, text])
                    if done % PROGRESS_EVERY == 0:
                        progress.update(datastore_rows_done=done)
            report = {"valid": not error_count, "error_count": error_count, "errors": errors, "rows": done}
            if error_count:
                # Nothing of an invalid file is kept: neither the staging table nor the previous version.
                cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(target))
                cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_table(resource.pk)))
                state = DatastoreState.INVALID
            else:
                cursor.execute(
                    sql.SQL("CREATE INDEX ON {} USING gin (lower(cqs_unaccent(_full_text)) gin_trgm_ops)").format(
                        target
                    )
                )
                state = DatastoreState.VALID
            # The swap happens only if the resource still holds this file (a newer upload wins).
            current = Resource.objects.select_for_update().filter(pk=resource.pk).values_list("file_sha256", flat=True)
            if list(current) != [resource.file_sha256]:
                cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(target))
                return "skipped"
            if state == DatastoreState.VALID:
                cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_table(resource.pk)))
                cursor.execute(
                    sql.SQL("ALTER TABLE {} RENAME TO {}").format(target, sql.Identifier(table_name(resource.pk)))
                )
                if key:
                    _create_key(cursor, resource.pk, [i for i, f in enumerate(fields) if f.get("primary_key")])
        Resource.objects.filter(pk=resource.pk).update(
            datastore_state=state,
            datastore_rows_done=done,
            datastore_rows_total=done,
            datastore_report=report,
            datastore_fields=fields,
            datastore_active=state == DatastoreState.VALID,
            datastore_loaded=timezone.now() if state == DatastoreState.VALID else None,
        )
    return state


def drop_table(resource_id: Any) -> None:
    """Remove a resource's loaded table (inside the caller's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_table(resource_id)))


# --- Reading -----------------------------------------------------------------------------------


@dataclass
class Page:
    """One page of a loaded table: CKAN's fields (with `_id`), records as dictionaries in column
    order, and the total (None when not asked for)."""

    fields: list[dict[str, Any]]
    records: list[dict[str, Any]]
    total: int | None


def ckan_fields(resource: Resource) -> list[dict[str, Any]]:
    """The dictionary in CKAN's `fields` shape: {"id", "type", "info": {"label", "notes"}}."""
    result = [{"id": "_id", "type": "int"}]
    for field in resource.datastore_fields or []:
        entry: dict[str, Any] = {"id": field["id"], "type": CKAN_TYPES.get(field["type"], "text")}
        info = {
            "label": field.get("title", ""),
            "notes": field.get("description", ""),
            "type_override": field.get("type_override", ""),
        }
        entry["info"] = info
        entry["schema"] = {"type": field["type"]}
        result.append(entry)
    return result


def _refuse_query(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _json_value(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def _parse_sort(sort: Any, known: dict[str, int]) -> list[sql.Composable]:
    """CKAN's sort: "field", "field desc", comma-separated. Unknown fields are refused."""
    if sort in (None, ""):
        return [sql.Identifier("_id")]
    parts = sort if isinstance(sort, list) else str(sort).split(",")
    order: list[sql.Composable] = []
    for part in parts:
        words = str(part).strip().rsplit(" ", 1)
        name, direction = (
            (words[0], words[1].lower())
            if len(words) == 2
            and words[1].lower()
            in {
                "asc",
                "desc",
            }
            else (str(part).strip(), "asc")
        )
        name = name.strip().strip('"')
        if name == "_id":
            column: sql.Composable = sql.Identifier("_id")
        elif name in known:
            column = _column(known[name])
        else:
            raise _refuse_query("sort", _('Không có trường "%(field)s" để sắp xếp.') % {"field": name})
        order.append(sql.SQL("{} {}").format(column, sql.SQL("DESC" if direction == "desc" else "ASC")))
    return order


def search(
    resource: Resource,
    *,
    q: str = "",
    filters: dict[str, Any] | None = None,
    fields: list[str] | None = None,
    sort: Any = None,
    limit: int = LIMIT_DEFAULT,
    offset: int = 0,
    include_total: bool = True,
) -> Page:
    """Read a page of a loaded table. `filters` maps a field to a value or a list of values
    (equality, compared as text so codes match exactly); `q` matches every word anywhere in the
    row, accents ignored; `sort` names known fields only; `limit` ≤ 32000."""
    if not resource.datastore_active:
        from cqs.core.errors import NotFound

        raise NotFound(_("Tài nguyên chưa có dữ liệu trong kho dữ liệu."))
    dictionary = resource.datastore_fields or []
    known = {f["id"]: i for i, f in enumerate(dictionary)}
    if not 0 <= limit <= LIMIT_MAX:
        raise _refuse_query("limit", _("Giới hạn phải từ 0 đến %(max)s.") % {"max": LIMIT_MAX})
    if offset < 0:
        raise _refuse_query("offset", _("Vị trí bắt đầu không được âm."))
    wanted = list(fields) if fields else ["_id", *known]
    for name in wanted:
        if name != "_id" and name not in known:
            raise _refuse_query("fields", _('Không có trường "%(field)s".') % {"field": name})
    conditions, params = _filter_conditions(filters, known)
    for word in str(q or "").split():
        conditions.append(sql.SQL("lower(cqs_unaccent(_full_text)) LIKE '%%' || lower(cqs_unaccent(%s)) || '%%'"))
        params.append(word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"))
    where = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("")
    columns = sql.SQL(", ").join(sql.Identifier("_id") if n == "_id" else _column(known[n]) for n in wanted)
    order = sql.SQL(", ").join(_parse_sort(sort, known))
    table = _table(resource.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("SELECT {} FROM {}{} ORDER BY {} LIMIT %s OFFSET %s").format(columns, table, where, order),
            [*params, limit, offset],
        )
        rows = cursor.fetchall()
        total = None
        if include_total:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}{}").format(table, where), params)
            total = cursor.fetchone()[0]
    all_fields = {f["id"]: f for f in ckan_fields(resource)}
    records = [{name: _json_value(v) for name, v in zip(wanted, row, strict=True)} for row in rows]
    return Page(fields=[all_fields[n] for n in wanted], records=records, total=total)


def _filter_conditions(filters: dict[str, Any] | None, known: dict[str, int]) -> tuple[list[sql.Composable], list[Any]]:
    """CKAN's `filters` as SQL conditions: a field equals a value or one of a list of values,
    compared as text so that codes match exactly ("00102" is not 102). Unknown fields are refused."""
    conditions: list[sql.Composable] = []
    params: list[Any] = []
    for name, value in (filters or {}).items():
        if name == "_id":
            column: sql.Composable = sql.Identifier("_id")
        elif name in known:
            column = _column(known[name])
        else:
            raise _refuse_query("filters", _('Không có trường "%(field)s" để lọc.') % {"field": name})
        values = value if isinstance(value, list) else [value]
        conditions.append(sql.SQL("{}::text = ANY(%s)").format(column))
        params.append([_filter_text(v) for v in values])
    return conditions, params


def _filter_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- Downloads of the loaded table -------------------------------------------------------------


def _rows(resource: Resource, batch: int = 2000) -> Iterator[tuple[Any, ...]]:
    """Every row of the loaded table in `_id` order, read in batches (keyset paging, so a large
    table never sits in memory and no cursor stays open between yields)."""
    count = len(resource.datastore_fields or [])
    columns = sql.SQL(", ").join([sql.Identifier("_id"), *(_column(i) for i in range(count))])
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("SELECT {} FROM {} WHERE _id > %s ORDER BY _id LIMIT %s").format(columns, _table(resource.pk)),
                [last, batch],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def stream_csv(resource: Resource) -> Iterator[str]:
    """The loaded table as CSV text chunks (header = the dictionary's ids), for a
    `StreamingHttpResponse`. Codes stay as loaded ("00102")."""
    ids = [f["id"] for f in resource.datastore_fields or []]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["_id", *ids])
    for row in _rows(resource):
        writer.writerow(["" if v is None else _json_value(v) for v in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def stream_json(resource: Resource) -> Iterator[str]:
    """The loaded table as JSON text chunks: {"fields": [...], "records": [{...}, ...]}."""
    ids = ["_id", *(f["id"] for f in resource.datastore_fields or [])]
    yield '{"fields": ' + json.dumps(ckan_fields(resource), ensure_ascii=False) + ', "records": ['
    first = True
    for row in _rows(resource):
        record = {k: _json_value(v) for k, v in zip(ids, row, strict=True)}
        yield ("" if first else ", ") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "]}"


def records_as_lists(page: Page) -> list[list[Any]]:
    return [list(r.values()) for r in page.records]


def records_as_text(page: Page, delimiter: str) -> str:
    """CKAN's `records_format` csv/tsv: the rows only, no header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    for record in page.records:
        writer.writerow(["" if v is None else v for v in record.values()])
    return buffer.getvalue()


def row_count(resource: Resource) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(_table(resource.pk)))
        return int(cursor.fetchone()[0])


# --- Writing to a loaded table -----------------------------------------------------------------
# The callers (`services.datastore_*`) hold the resource's row lock and the transaction; these
# functions refuse bad input before writing, so a refusal leaves the table as it was.

UPSERT, INSERT, UPDATE = "upsert", "insert", "update"
METHODS = (UPSERT, INSERT, UPDATE)
ERRORS_LISTED = 20  # a refused batch names its first problems, not thousands


def primary_key(resource: Resource) -> list[str]:
    """The ids of the key's fields, in column order (empty: no key)."""
    return [f["id"] for f in resource.datastore_fields or [] if f.get("primary_key")]


def _key_index(resource_id: Any) -> sql.Composable:
    return sql.Identifier(SCHEMA, table_name(resource_id, "_key"))


def _create_key(cursor: Any, resource_id: Any, positions: list[int]) -> None:
    """The unique index and NOT NULL constraints that make the key's columns a primary key."""
    table = _table(resource_id)
    columns = sql.SQL(", ").join(_column(i) for i in positions)
    cursor.execute(
        sql.SQL("CREATE UNIQUE INDEX {} ON {} ({})").format(
            sql.Identifier(table_name(resource_id, "_key")), table, columns
        )
    )
    for i in positions:
        cursor.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET NOT NULL").format(table, _column(i)))


def set_primary_key(resource: Resource, key: list[str]) -> list[dict[str, Any]]:
    """Make `key` (field ids; empty removes the key) the primary key of the loaded table and
    return the dictionary marked accordingly (the caller saves it). Refused, with nothing
    changed, when a field is unknown or the current rows repeat a key or leave it empty."""
    fields = [dict(f) for f in resource.datastore_fields or []]
    known = {f["id"]: i for i, f in enumerate(fields)}
    unknown = [name for name in key if name not in known]
    if unknown:
        raise _refuse_query("primary_key", _('Không có trường "%(field)s".') % {"field": ", ".join(map(str, unknown))})
    positions = sorted({known[name] for name in key})
    table = _table(resource.pk)
    with connection.cursor() as cursor:
        if positions:
            columns = sql.SQL(", ").join(_column(i) for i in positions)
            empty = sql.SQL(" OR ").join(sql.SQL("{} IS NULL").format(_column(i)) for i in positions)
            cursor.execute(sql.SQL("SELECT count(*) FROM {} WHERE {}").format(table, empty))
            empty_rows = cursor.fetchone()[0]
            if empty_rows:
                raise _refuse_query(
                    "primary_key",
                    _("Khoá chính (%(key)s) không được bỏ trống, nhưng %(count)s dòng đang để trống.")
                    % {"key": ", ".join(key), "count": empty_rows},
                )
            cursor.execute(
                sql.SQL("SELECT {}, count(*) FROM {} GROUP BY {} HAVING count(*) > 1 ORDER BY 1 LIMIT 5").format(
                    columns, table, columns
                )
            )
            repeated = cursor.fetchall()
            if repeated:
                examples = "; ".join(
                    "(" + ", ".join(str(_json_value(v)) for v in row[:-1]) + f") × {row[-1]}" for row in repeated
                )
                raise _refuse_query(
                    "primary_key",
                    _("Khoá chính (%(key)s) phải không trùng, nhưng các giá trị sau lặp lại: %(values)s.")
                    % {"key": ", ".join(key), "values": examples},
                )
        cursor.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(_key_index(resource.pk)))
        for i, field in enumerate(fields):
            if field.get("primary_key"):
                cursor.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL").format(table, _column(i)))
        if positions:
            _create_key(cursor, resource.pk, positions)
    for i, field in enumerate(fields):
        field.pop("primary_key", None)
        if i in positions:
            field["primary_key"] = True
    return fields


_CELL_READERS: dict[str, Any] = {}


def _cast(kind: str, value: Any) -> tuple[Any, bool]:
    """A JSON value as the column's Python value, read the way frictionless read the uploaded
    file (so "2025-01-02" is a date in both). Returns (value, ok); None and "" are NULL."""
    if value is None or value == "":
        return None, True
    if kind not in PG_TYPES or kind == "string":
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False), True
        if isinstance(value, bool):
            return ("true" if value else "false"), True
        return unicodedata.normalize("NFC", str(value)), True
    if isinstance(value, dict | list) or (isinstance(value, bool) and kind != "boolean"):
        return None, False
    if isinstance(value, str):
        value = value.strip()
    reader = _CELL_READERS.get(kind)
    if reader is None:
        import frictionless

        reader = _CELL_READERS[kind] = frictionless.Field.from_descriptor({"name": "x", "type": kind}).read_cell
    cell, notes = reader(value)
    if notes or cell is None:
        return None, False
    if kind == "integer" and not -(2**63) <= cell < 2**63:
        return None, False  # beyond bigint
    return cell, True


class _Problems:
    """The problems of a batch, by CKAN's error keys ("records", "key", "table")."""

    def __init__(self) -> None:
        self.by_key: dict[str, list[str]] = {}
        self.count = 0

    def add(self, key: str, message: str) -> None:
        self.count += 1
        if self.count <= ERRORS_LISTED:
            self.by_key.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self.count:
            raise ValidationFailed(_("Dữ liệu không hợp lệ."), details=self.by_key)


def _prepare(
    resource: Resource, records: list[Any], method: str
) -> tuple[list[tuple[int | None, dict[int, Any]]], list[int]]:
    """Check and cast every record before anything is written: each becomes (its `_id` if given,
    {column position: value}). Returns them and the key's positions."""
    fields = resource.datastore_fields or []
    known = {f["id"]: i for i, f in enumerate(fields)}
    key = [i for i, f in enumerate(fields) if f.get("primary_key")]
    problems = _Problems()
    prepared: list[tuple[int | None, dict[int, Any]]] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            problems.add("records", _("Bản ghi thứ %(row)s không phải một đối tượng JSON.") % {"row": number})
            continue
        row_id: int | None = None
        if "_id" in record and method != INSERT:  # CKAN ignores `_id` on insert: the table numbers rows
            row_id, ok = _cast("integer", record["_id"])
            if not ok or row_id is None:
                problems.add("records", _("Bản ghi thứ %(row)s: “_id” phải là số nguyên.") % {"row": number})
        values: dict[int, Any] = {}
        for name, raw in record.items():
            if name == "_id":
                continue
            if name not in known:
                problems.add(
                    "records", _('Bản ghi thứ %(row)s: không có trường "%(field)s".') % {"row": number, "field": name}
                )
                continue
            field = fields[known[name]]
            value, ok = _cast(field["type"], raw)
            if not ok:
                problems.add(
                    "records",
                    _("Bản ghi thứ %(row)s, trường “%(field)s”: giá trị “%(cell)s” không đúng kiểu %(type)s.")
                    % {
                        "row": number,
                        "field": name,
                        "cell": str(raw)[:100],
                        "type": _type_name(field["type"]) or field["type"],
                    },
                )
                continue
            values[known[name]] = value
        names = [fields[i]["id"] for i in key]
        if method != INSERT and row_id is None and "_id" not in record:
            if not key:
                problems.add(
                    "table",
                    _("Bảng chưa có khoá chính: cần khai báo primary_key (datastore_create) hoặc gửi “_id”."),
                )
                problems.raise_if_any()
            missing = [fields[i]["id"] for i in key if fields[i]["id"] not in record]
            if missing:
                problems.add(
                    "key",
                    _("Bản ghi thứ %(row)s thiếu trường khoá: %(fields)s.")
                    % {"row": number, "fields": ", ".join(missing)},
                )
        key_emptied = any(i in values and values[i] is None for i in key)
        key_left_out = method == INSERT and any(i not in values for i in key)
        if key_emptied or key_left_out:
            problems.add(
                "key",
                _("Bản ghi thứ %(row)s: khoá chính (%(key)s) không được bỏ trống.")
                % {"row": number, "key": ", ".join(names)},
            )
        prepared.append((row_id, values))
    problems.raise_if_any()
    return prepared, key


def _key_text(names: list[str], values: list[Any]) -> str:
    return ", ".join(f"{n}={_json_value(v)}" for n, v in zip(names, values, strict=True))


@dataclass
class Written:
    """What `write_rows` did: the rows as stored (with `_id`) and how many of them are new."""

    rows: list[dict[str, Any]]
    inserted: int


def write_rows(resource: Resource, records: list[Any], *, method: str) -> Written:
    """CKAN's `datastore_upsert` on a loaded table: `insert` adds rows, `update` changes the
    given fields of rows found by the primary key (or `_id`), `upsert` updates or else inserts.
    Values are cast to the columns' types. Refused as a whole (ValidationFailed naming the
    record and field) on a wrong type, an unknown field, a missing or repeated key, or an update
    of a key that is not there."""
    prepared, key = _prepare(resource, records, method)
    fields = resource.datastore_fields or []
    key_names = [fields[i]["id"] for i in key]
    table = _table(resource.pk)
    written: list[int] = []
    inserted = 0
    problems = _Problems()
    with connection.cursor() as cursor:
        for number, (row_id, values) in enumerate(prepared, start=1):
            if row_id is not None:
                where = sql.SQL("_id = %s")
                where_params: list[Any] = [row_id]
                shown = f"_id={row_id}"
            elif method != INSERT:
                where = sql.SQL(" AND ").join(sql.SQL("{} = %s").format(_column(i)) for i in key)
                where_params = [values[i] for i in key]
                shown = _key_text(key_names, where_params)
            found = None
            if method != INSERT:
                changes = [i for i in values if row_id is not None or i not in key]
                if changes:
                    assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(_column(i)) for i in changes)
                    cursor.execute(
                        sql.SQL("UPDATE {} SET {} WHERE {} RETURNING _id").format(table, assignments, where),
                        [*(values[i] for i in changes), *where_params],
                    )
                else:
                    cursor.execute(sql.SQL("SELECT _id FROM {} WHERE {}").format(table, where), where_params)
                found = cursor.fetchone()
                if found is not None:
                    written.append(found[0])
                    continue
                if method == UPDATE:
                    problems.add(
                        "key", _("Không tìm thấy khoá “%(key)s” (bản ghi thứ %(row)s).") % {"key": shown, "row": number}
                    )
                    continue
            columns = sorted(values)
            if columns:
                statement = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING _id").format(
                    table,
                    sql.SQL(", ").join(_column(i) for i in columns),
                    sql.SQL(", ").join(sql.Placeholder() * len(columns)),
                )
            else:
                statement = sql.SQL("INSERT INTO {} DEFAULT VALUES RETURNING _id").format(table)
            try:
                with transaction.atomic():  # a savepoint: a repeated key is reported, not raised
                    cursor.execute(statement, [values[i] for i in columns])
                    written.append(cursor.fetchone()[0])
                    inserted += 1
            except IntegrityError:
                problems.add(
                    "key",
                    _("Khoá “%(key)s” đã có trong bảng (bản ghi thứ %(row)s).")
                    % {"key": _key_text(key_names, [values.get(i) for i in key]), "row": number},
                )
            except DataError as exc:
                problems.add("records", _("Bản ghi thứ %(row)s: %(error)s") % {"row": number, "error": str(exc)[:200]})
        problems.raise_if_any()
        if not written:
            return Written(rows=[], inserted=0)
        # The row's search text, as the load builds it, so `q` finds the new values.
        text = sql.SQL("concat_ws(' ', {})").format(
            sql.SQL(", ").join(sql.SQL("{}::text").format(_column(i)) for i in range(len(fields)))
        )
        cursor.execute(sql.SQL("UPDATE {} SET _full_text = {} WHERE _id = ANY(%s)").format(table, text), [written])
        columns = sql.SQL(", ").join([sql.Identifier("_id"), *(_column(i) for i in range(len(fields)))])
        cursor.execute(sql.SQL("SELECT {} FROM {} WHERE _id = ANY(%s)").format(columns, table), [written])
        rows = {row[0]: row for row in cursor.fetchall()}
    ids = ["_id", *(f["id"] for f in fields)]
    stored = [{k: _json_value(v) for k, v in zip(ids, rows[i], strict=True)} for i in dict.fromkeys(written)]
    return Written(rows=stored, inserted=inserted)


def delete_rows(resource: Resource, filters: dict[str, Any]) -> int:
    """CKAN's `datastore_delete` with `filters`: remove the rows matching them (every row when
    `filters` is empty); the table stays. Returns how many rows went."""
    known = {f["id"]: i for i, f in enumerate(resource.datastore_fields or [])}
    conditions, params = _filter_conditions(filters, known)
    where = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("")
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DELETE FROM {}{}").format(_table(resource.pk), where), params)
        return cursor.rowcount
