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
- `search` serves `datastore_search` and the portal's preview; `stream_csv`/`stream_json`
  serve downloads of the loaded table.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import logging
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
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


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The head may end inside a multi-byte character: only that is forgiven.
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


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


def _text_kind(head: bytes, extension: str) -> str:
    """Which text format the bytes are, given the name's claim; 'txt' when they are not what the
    name says (so that the extension check refuses the lie)."""
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
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
        if kind is None and _is_text(spooled.head):
            kind = _text_kind(spooled.head, extension)
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
        fields.append(
            {
                "id": str(label),
                "type": kind_of,
                "title": previous.get("title", ""),
                "description": previous.get("description", ""),
            }
        )
    return fields


# --- Validation and loading --------------------------------------------------------------------

_MESSAGES = {
    "type-error": "Giá trị “%(cell)s” không đúng kiểu %(type)s của cột “%(field)s”.",
    "constraint-error": "Giá trị “%(cell)s” của cột “%(field)s” vi phạm ràng buộc.",
    "extra-cell": "Dòng có nhiều ô hơn số cột của tiêu đề (ô thừa: “%(cell)s”).",
    "missing-cell": "Dòng thiếu giá trị cho cột “%(field)s”.",
    "blank-row": "Dòng trống.",
    "blank-label": "Tiêu đề cột thứ %(position)s bị bỏ trống.",
    "duplicate-label": "Tiêu đề cột “%(cell)s” bị trùng.",
    "encoding-error": "Tệp không đọc được bằng mã UTF-8. Vui lòng lưu lại tệp CSV với mã UTF-8.",
    "source-error": "Không đọc được tệp: %(note)s",
    "format-error": "Tệp không đúng định dạng bảng: %(note)s",
    "scheme-error": "Không đọc được tệp: %(note)s",
}
_TYPE_NAMES = {
    "integer": "số nguyên",
    "number": "số",
    "boolean": "đúng/sai",
    "date": "ngày (YYYY-MM-DD)",
    "datetime": "ngày giờ",
    "time": "giờ",
    "year": "năm",
    "string": "văn bản",
}


def _problem(error: Any, fields_by_name: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A frictionless error as a publisher reads it: the file's row, the column, and a message
    in Vietnamese (the library's English note is kept as `detail`)."""
    kind = getattr(error, "type", "error")
    field = getattr(error, "field_name", None) or getattr(error, "label", None)
    cell = getattr(error, "cell", None)
    if cell is None and kind == "duplicate-label":
        cell = getattr(error, "label", "")
    values = {
        "cell": "" if cell is None else str(cell)[:100],
        "field": field or "",
        "type": _TYPE_NAMES.get(fields_by_name.get(field or "", {}).get("type", ""), ""),
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
    try:
        progress.update(datastore_state=DatastoreState.RUNNING, datastore_rows_done=0, datastore_rows_total=None)
        try:
            state = _validate_and_load(resource, kind, progress)
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


def _path(resource: Resource) -> Path:
    return STORE.path_for(resource.file_sha256)


def _count_rows(path: Path, kind: str) -> int:
    resource = _frictionless_resource(path, kind)
    with resource:
        return sum(1 for _cells in resource.cell_stream) - 1  # the header


def _validate_and_load(resource: Resource, kind: str, progress: _Progress) -> str:
    import frictionless

    path = _path(resource)
    fields = infer_fields(path, kind, known=resource.datastore_fields or None)
    total = max(_count_rows(path, kind), 0)
    progress.update(datastore_rows_total=total, datastore_fields=fields)
    schema = frictionless.Schema.from_descriptor({"fields": [{"name": f["id"], "type": f["type"]} for f in fields]})
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
