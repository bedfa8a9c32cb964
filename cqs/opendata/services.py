"""Use cases that change the open-data catalogue: keyword-only, one transaction each, audited.

Input arrives as CKAN dictionaries (the Action API's `data_dict`); every problem is collected
and raised at once as `ValidationFailed` whose details map each field to its messages, the
shape CKAN's "Validation Error" carries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from stat import S_ISREG
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cqs.audit.models import AuditAction
from cqs.audit.services import audit_record, snapshot
from cqs.core.errors import NotFound, ValidationFailed
from cqs.opendata.models import (
    NAME_PATTERN,
    Dataset,
    DatasetState,
    DatastoreState,
    Frequency,
    Group,
    License,
    Resource,
)
from cqs.opendata.queries import find_agency, find_dataset
from cqs.org.models import AdministrativeUnit
from cqs.org.permissions import Action, require_permission

_TAG_PATTERN = re.compile(r"^[\w .-]{2,100}$")

# Dataset fields a CKAN dictionary may set directly (text, blank allowed).
_TEXT_FIELDS = ("title", "notes", "url", "author", "author_email", "maintainer", "maintainer_email", "version")


def _refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(_("Dữ liệu không hợp lệ."), details=errors)


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes", "on"}


def _parse_date(value: Any, field: str, errors: dict[str, list[str]]) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        errors.setdefault(field, []).append(_("Ngày phải có dạng YYYY-MM-DD."))
        return None


def _tag_names(value: Any, errors: dict[str, list[str]]) -> list[str]:
    """CKAN sends tags as [{"name": ...}]; a comma-separated `tag_string` is accepted too."""
    if isinstance(value, str):
        names = [part.strip() for part in value.split(",")]
    else:
        names = [(tag.get("name", "") if isinstance(tag, dict) else str(tag)).strip() for tag in value or []]
    result: list[str] = []
    for name in names:
        if not name:
            continue
        if not _TAG_PATTERN.match(name):
            errors.setdefault("tags", []).append(
                _("Từ khoá \"%(tag)s\" chỉ được gồm chữ, số, khoảng trắng, '-', '_', '.' (2–100 ký tự).")
                % {"tag": name}
            )
        elif name not in result:
            result.append(name)
    return result


def _apply(dataset: Dataset, data: dict[str, Any], *, partial: bool) -> tuple[list[Group] | None, list[str]]:
    """Copy a CKAN dictionary onto `dataset`, collecting errors; returns the groups to set (None
    when not given) and the errors' fields. `partial` keeps what the dictionary does not name."""
    errors: dict[str, list[str]] = {}

    def given(key: str) -> bool:
        return key in data or not partial

    if given("name"):
        name = str(data.get("name") or "").strip()
        if not re.match(NAME_PATTERN, name):
            errors.setdefault("name", []).append(
                _("Tên định danh chỉ gồm chữ thường không dấu, chữ số, '-' và '_' (2–100 ký tự).")
            )
        elif Dataset.objects.filter(name=name).exclude(pk=dataset.pk).exists():
            errors.setdefault("name", []).append(_("Tên định danh này đã được dùng."))
        dataset.name = name
    for field in _TEXT_FIELDS:
        if given(field):
            setattr(dataset, field, str(data.get(field) or "").strip())
    if not dataset.title and not errors.get("name"):
        dataset.title = dataset.name
    if given("owner_org"):
        agency = find_agency(str(data.get("owner_org") or ""))
        if agency is None:
            errors.setdefault("owner_org", []).append(_("Không tìm thấy tổ chức này."))
        else:
            dataset.owner_org = agency
    if given("license_id"):
        license_id = data.get("license_id") or License.NOT_SPECIFIED
        if license_id not in License.values:
            errors.setdefault("license_id", []).append(_("Giấy phép không có trong danh sách."))
        dataset.license_id = license_id
    if "tags" in data or "tag_string" in data or not partial:
        dataset.tags = _tag_names(data.get("tags", data.get("tag_string")), errors)
    if given("private"):
        dataset.private = _as_bool(data.get("private", False))
    if given("state") and data.get("state"):
        if data["state"] not in DatasetState.values:
            errors.setdefault("state", []).append(_("Trạng thái không hợp lệ."))
        else:
            dataset.state = data["state"]
    if given("frequency"):
        frequency = data.get("frequency") or ""
        if frequency and frequency not in Frequency.values:
            errors.setdefault("frequency", []).append(_("Tần suất cập nhật không hợp lệ."))
        dataset.frequency = frequency
    if given("temporal_start"):
        dataset.temporal_start = _parse_date(data.get("temporal_start"), "temporal_start", errors)
    if given("temporal_end"):
        dataset.temporal_end = _parse_date(data.get("temporal_end"), "temporal_end", errors)
    if dataset.temporal_start and dataset.temporal_end and dataset.temporal_start > dataset.temporal_end:
        errors.setdefault("temporal_end", []).append(_("Thời gian kết thúc phải sau thời gian bắt đầu."))
    if given("spatial"):
        code = str(data.get("spatial") or "").strip()
        unit = AdministrativeUnit.objects.filter(code=code).first() if code else None
        if code and unit is None:
            errors.setdefault("spatial", []).append(_("Không tìm thấy đơn vị hành chính có mã này."))
        dataset.spatial = unit
    if given("extras"):
        extras = data.get("extras") or []
        if isinstance(extras, dict):
            dataset.extras = {str(k): str(v) for k, v in extras.items()}
        else:
            dataset.extras = {str(e.get("key")): str(e.get("value", "")) for e in extras if isinstance(e, dict)}
    groups = None
    if "groups" in data or not partial:
        groups = []
        for item in data.get("groups") or []:
            ref = str(item.get("name") or item.get("id") or "") if isinstance(item, dict) else str(item)
            group = Group.objects.filter(name=ref).first() or _group_by_id(ref)
            if group is None:
                errors.setdefault("groups", []).append(_('Không tìm thấy chủ đề "%(ref)s".') % {"ref": ref})
            else:
                groups.append(group)
    if not dataset.owner_org_id and "owner_org" not in errors:
        errors["owner_org"] = [_("Cần chọn tổ chức công bố.")]
    _refuse(errors)
    return groups, list(errors)


def _group_by_id(ref: str) -> Group | None:
    try:
        return Group.objects.filter(pk=ref).first()
    except Exception:  # not a UUID
        return None


def _save_dataset(*, actor: Any, dataset: Dataset, groups: list[Group] | None, before: dict | None) -> Dataset:
    try:
        with transaction.atomic():
            dataset.save()
    except IntegrityError as exc:  # a concurrent create took the name between check and insert
        raise ValidationFailed(
            _("Dữ liệu không hợp lệ."), details={"name": [_("Tên định danh này đã được dùng.")]}
        ) from exc
    if groups is not None:
        dataset.groups.set(groups)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if before is not None else AuditAction.CREATE,
        instance=dataset,
        before=before,
        after=snapshot(dataset),
    )
    return dataset


def _save_resources(*, actor: Any, dataset: Dataset, resources: list[dict[str, Any]], replace: bool) -> None:
    if replace:
        kept = {str(r.get("id")) for r in resources if r.get("id")}
        for old in dataset.resources.all():
            if str(old.pk) not in kept:
                audit_record(actor=actor, action=AuditAction.DELETE, instance=old, before=snapshot(old))
                if old.datastore_active:
                    from cqs.opendata.datastore import drop_table

                    drop_table(old.pk)  # in this transaction: the table goes with its resource
                old.delete()
    for index, data in enumerate(resources):
        existing = None
        if data.get("id"):
            existing = dataset.resources.filter(pk=_uuid_or_none(data["id"])).first()
        resource = existing or Resource(dataset=dataset)
        before = snapshot(existing) if existing else None
        _apply_resource(resource, data, prefix=f"resources__{index}__")
        # Positions are rewritten in order; move every row out of the way first (unique constraint).
        resource.position = 10_000 + index
        resource.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            instance=resource,
            before=before,
            after=snapshot(resource),
        )
    for index, resource in enumerate(dataset.resources.order_by("position")):
        Resource.objects.filter(pk=resource.pk).update(position=index)


def _uuid_or_none(value: Any) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def _apply_resource(resource: Resource, data: dict[str, Any], *, prefix: str = "") -> None:
    errors: dict[str, list[str]] = {}
    url = str(data.get("url") or "").strip()
    if not url and not resource.url:
        errors[prefix + "url"] = [_("Cần địa chỉ của tài nguyên.")]
    if url:
        resource.url = url
    for field in ("name", "description", "mimetype", "hash", "url_type"):
        if field in data:
            setattr(resource, field, str(data.get(field) or "").strip())
    if "format" in data or not resource.format:
        fmt = str(data.get("format") or "").strip()
        if not fmt and resource.url and "." in resource.url.rsplit("/", 1)[-1]:
            fmt = resource.url.rsplit(".", 1)[-1]  # CKAN guesses the format from the extension
        resource.format = fmt.upper()[:50]
    if data.get("size") not in (None, ""):
        try:
            resource.size = int(data["size"])
            if resource.size < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors[prefix + "size"] = [_("Kích thước phải là số nguyên không âm.")]
    resource.last_modified = timezone.now()
    _refuse(errors)


def dataset_create(*, actor: Any, data: dict[str, Any]) -> Dataset:
    """Publish a dataset ("tạo bộ dữ liệu") for an organisation, with its resources if given.

    Refused unless the actor is a publisher of that organisation; refused with every field's
    problem when the dictionary is invalid (name taken, unknown licence, group or unit...)."""
    with transaction.atomic():
        dataset = Dataset(creator=actor if getattr(actor, "pk", None) else None)
        groups, _fields = _apply(dataset, data, partial=False)
        require_permission(actor, Action.PUBLISH_DATA, dataset.owner_org)
        _save_dataset(actor=actor, dataset=dataset, groups=groups, before=None)
        _save_resources(actor=actor, dataset=dataset, resources=list(data.get("resources") or []), replace=False)
    return dataset


def dataset_update(*, actor: Any, ref: str, data: dict[str, Any], partial: bool) -> Dataset:
    """Change a dataset's metadata (`package_update` replaces, `package_patch` merges).

    Refused unless the actor publishes for both the current and the new organisation."""
    with transaction.atomic():
        dataset = find_dataset(ref, lock=True)
        if dataset is None:
            raise NotFound(_("Không tìm thấy bộ dữ liệu."))
        require_permission(actor, Action.PUBLISH_DATA, dataset.owner_org)
        before = snapshot(dataset)
        if partial:
            data = {k: v for k, v in data.items() if k not in {"id"}}
        else:
            data = {"name": dataset.name, "owner_org": str(dataset.owner_org_id), **data}
        groups, _fields = _apply(dataset, data, partial=partial)
        if dataset.owner_org_id != before["owner_org"]:
            require_permission(actor, Action.PUBLISH_DATA, dataset.owner_org)
        _save_dataset(actor=actor, dataset=dataset, groups=groups, before=before)
        if "resources" in data:
            _save_resources(actor=actor, dataset=dataset, resources=list(data.get("resources") or []), replace=True)
    return dataset


def dataset_delete(*, actor: Any, ref: str) -> Dataset:
    """Withdraw a dataset (CKAN's soft delete: state "deleted"; it stays for the record)."""
    with transaction.atomic():
        dataset = find_dataset(ref, lock=True)
        if dataset is None:
            raise NotFound(_("Không tìm thấy bộ dữ liệu."))
        require_permission(actor, Action.PUBLISH_DATA, dataset.owner_org)
        before = snapshot(dataset)
        dataset.state = DatasetState.DELETED
        dataset.save(update_fields=["state", "metadata_modified"])
        audit_record(actor=actor, action=AuditAction.DELETE, instance=dataset, before=before, after=snapshot(dataset))
    return dataset


def resource_create(*, actor: Any, data: dict[str, Any]) -> Resource:
    """Add a resource (a link, or an uploaded file's address) at the end of a dataset."""
    with transaction.atomic():
        dataset = find_dataset(str(data.get("package_id") or ""), lock=True)
        if dataset is None:
            raise ValidationFailed(
                _("Dữ liệu không hợp lệ."), details={"package_id": [_("Không tìm thấy bộ dữ liệu.")]}
            )
        require_permission(actor, Action.PUBLISH_DATA, dataset.owner_org)
        resource = Resource(dataset=dataset, position=dataset.resources.count())
        _apply_resource(resource, data)
        resource.save()
        dataset.save(update_fields=["metadata_modified"])
        audit_record(actor=actor, action=AuditAction.CREATE, instance=resource, after=snapshot(resource))
    return resource


def group_create(*, actor: Any, name: str, title: str, description: str = "") -> Group:
    """Create a theme; themes are province-wide, so only a system administrator may."""
    with transaction.atomic():
        require_permission(actor, Action.PUBLISH_DATA, None)
        errors: dict[str, list[str]] = {}
        if not re.match(NAME_PATTERN, name or ""):
            errors["name"] = [_("Tên định danh chỉ gồm chữ thường không dấu, chữ số, '-' và '_' (2–100 ký tự).")]
        elif Group.objects.filter(name=name).exists():
            errors["name"] = [_("Tên định danh này đã được dùng.")]
        _refuse(errors)
        group = Group.objects.create(name=name, title=title or name, description=description)
        audit_record(actor=actor, action=AuditAction.CREATE, instance=group, after=snapshot(group))
    return group


# --- Uploaded resources and the DataStore -------------------------------------------------------


def resource_upload(
    *,
    actor: Any,
    dataset: Dataset,
    name: str = "",
    uploaded_file: Any,
    description: str = "",
    resource: Resource | None = None,
    base_url: str = "",
) -> Resource:
    """Upload a file as a new resource of `dataset` ("tải lên tài nguyên"), or as a new version of
    `resource`. `uploaded_file` is a Django `UploadedFile` (or any object with `.name` and
    `.chunks()`/`.read()`).

    The file is checked by content (`datastore.check_resource_file`: size limit, format from the
    bytes, a name that lies is refused) and stored under its SHA-256; its hash, size, mimetype
    and format go on the resource. A CSV/TSV/XLSX file is queued for validation and loading
    (the job runs after this transaction commits). Only publishers of the dataset's
    organisation may upload; audited; if anything fails, nothing is written and bytes this call
    stored are removed again."""
    from cqs.opendata import datastore
    from cqs.opendata.tasks import validate_resource

    require_permission(actor, Action.PUBLISH_DATA, dataset.owner_org)
    checked = datastore.check_resource_file(_as_stream(uploaded_file), getattr(uploaded_file, "name", "") or "")
    written = False
    try:
        with transaction.atomic():
            locked = find_dataset(str(dataset.pk), lock=True)
            if locked is None:
                raise NotFound(_("Không tìm thấy bộ dữ liệu."))
            require_permission(actor, Action.PUBLISH_DATA, locked.owner_org)
            # One writer per hash: the clean-up below never removes bytes another upload just referenced.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [checked.sha256])
            if resource is not None:
                resource = Resource.objects.select_for_update().get(pk=resource.pk, dataset=locked)
                before = snapshot(resource)
            else:
                resource = Resource(dataset=locked, position=locked.resources.count())
                before = None
            resource.name = (name or resource.name or checked.original_name)[:500]
            if description:
                resource.description = description
            resource.url_type = "upload"
            resource.file_sha256 = checked.sha256
            resource.file_name = checked.original_name
            resource.hash = checked.sha256
            resource.size = checked.size
            resource.mimetype = checked.mimetype
            resource.format = checked.format
            resource.last_modified = timezone.now()
            tabular = datastore.is_tabular(resource)
            resource.datastore_state = DatastoreState.QUEUED if tabular else DatastoreState.NONE
            resource.datastore_rows_done = 0
            resource.datastore_rows_total = None
            resource.datastore_report = {}
            if not tabular:
                resource.datastore_fields = []
            resource.save()
            # CKAN's download address: the portal's view, which checks who may read the dataset.
            resource.url = base_url + reverse(
                "opendata:resource_original", kwargs={"name": locked.name, "resource_id": resource.pk}
            )
            resource.save(update_fields=["url"])
            if resource.datastore_active and not tabular:
                datastore.drop_table(resource.pk)
                Resource.objects.filter(pk=resource.pk).update(datastore_active=False)
            written = datastore.STORE.store(checked.temp_path, checked.sha256)
            locked.save(update_fields=["metadata_modified"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE if before else AuditAction.CREATE,
                instance=resource,
                before=before,
                after=snapshot(resource),
            )
            if tabular:
                validate_resource.defer(resource_id=str(resource.pk), sha256=checked.sha256)
    except BaseException:
        if written:
            datastore.STORE.discard(checked.sha256)
        raise
    finally:
        checked.temp_path.unlink(missing_ok=True)
    return resource


def _as_stream(uploaded_file: Any) -> Any:
    if hasattr(uploaded_file, "seek"):
        with contextlib.suppress(OSError, ValueError):
            uploaded_file.seek(0)
    return uploaded_file


def datastore_dictionary_update(*, actor: Any, resource: Resource, fields: list[dict[str, Any]]) -> Resource:
    """Edit the data dictionary ("từ điển dữ liệu") of a loaded table: each entry names a column
    (`id`) and gives its `title`/`description` (or CKAN's `info` {"label", "notes"}). Unknown
    columns are refused; the columns' types are not changed here."""
    with transaction.atomic():
        resource = Resource.objects.select_for_update().select_related("dataset__owner_org").get(pk=resource.pk)
        require_permission(actor, Action.PUBLISH_DATA, resource.dataset.owner_org)
        before = snapshot(resource)
        current = [dict(f) for f in resource.datastore_fields or []]
        by_id = {f["id"]: f for f in current}
        errors: dict[str, list[str]] = {}
        for entry in fields or []:
            if not isinstance(entry, dict) or str(entry.get("id", "")) not in by_id:
                ref = entry.get("id", "") if isinstance(entry, dict) else entry
                errors.setdefault("fields", []).append(_('Không có cột "%(field)s".') % {"field": ref})
                continue
            target = by_id[str(entry["id"])]
            info = entry.get("info") if isinstance(entry.get("info"), dict) else {}
            title = entry.get("title", info.get("label"))
            notes = entry.get("description", info.get("notes"))
            if title is not None:
                target["title"] = str(title).strip()[:500]
            if notes is not None:
                target["description"] = str(notes).strip()[:5000]
        _refuse(errors)
        resource.datastore_fields = current
        resource.save(update_fields=["datastore_fields"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=resource, before=before, after=snapshot(resource))
    return resource


def _locked_table(*, actor: Any, resource: Resource) -> tuple[Dataset, Resource]:
    """The dataset and resource of a loaded table, locked in the order uploads lock them (the
    dataset, then the resource, so writers cannot deadlock), after the permission check."""
    dataset = find_dataset(str(resource.dataset_id), lock=True)
    if dataset is None:
        raise NotFound(_("Không tìm thấy bộ dữ liệu."))
    require_permission(actor, Action.PUBLISH_DATA, dataset.owner_org)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not resource.datastore_active:
        raise NotFound(_("Tài nguyên chưa có dữ liệu trong kho dữ liệu."))
    return dataset, resource


def _table_changed(*, dataset: Dataset, resource: Resource, delta: int) -> None:
    """After rows changed: the row count the pages show, and the dates harvesters ask for. The
    count moves by `delta` (counting a large table at every write would cost a scan; every
    writer holds the resource's lock, so the count cannot drift)."""
    from cqs.opendata import datastore

    if resource.datastore_rows_total is None:
        count = datastore.row_count(resource)
    else:
        count = max(resource.datastore_rows_total + delta, 0)
    resource.datastore_rows_done = resource.datastore_rows_total = count
    resource.last_modified = timezone.now()
    resource.save(update_fields=["datastore_rows_done", "datastore_rows_total", "last_modified"])
    dataset.save(update_fields=["metadata_modified"])


def datastore_create(
    *,
    actor: Any,
    resource: Resource,
    fields: list[dict[str, Any]] | None = None,
    primary_key: list[str] | None = None,
    records: list[Any] | None = None,
) -> Resource:
    """CKAN's `datastore_create` on a loaded table ("khai báo bảng dữ liệu"), in one
    transaction: `fields` edit the data dictionary's titles and descriptions, `primary_key`
    (field ids; empty removes it) becomes the table's key once the current rows are checked to
    be unique and filled, and `records` are appended (as `datastore_upsert` with "insert").
    Refused as a whole, nothing changed, when any part is; publishers of the dataset's
    organisation only; audited."""
    from cqs.opendata import datastore

    with transaction.atomic():
        if primary_key is not None or records:
            _locked_table(actor=actor, resource=resource)  # the locks in their order, before the dictionary's
        if fields or (primary_key is None and not records):
            resource = datastore_dictionary_update(actor=actor, resource=resource, fields=fields or [])
        if primary_key is not None:
            _dataset, resource = _locked_table(actor=actor, resource=resource)
            before = snapshot(resource)
            resource.datastore_fields = datastore.set_primary_key(resource, list(primary_key))
            resource.save(update_fields=["datastore_fields"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                instance=resource,
                before=before,
                after=snapshot(resource),
                extra={"datastore": "primary_key", "primary_key": list(primary_key)},
            )
        if records:
            datastore_upsert(actor=actor, resource=resource, records=records, method=datastore.INSERT)
        resource.refresh_from_db()
    return resource


def datastore_upsert(
    *, actor: Any, resource: Resource, records: list[Any], method: str = "upsert", dry_run: bool = False
) -> list[dict[str, Any]]:
    """Write rows into a loaded table ("cập nhật dòng dữ liệu"), CKAN's `datastore_upsert`:
    `insert` adds them, `update` changes rows found by the primary key (or `_id`), `upsert`
    updates or else inserts. Values are cast to the columns' types; any wrong value, unknown
    field, missing key or update of an absent key refuses the whole batch (ValidationFailed),
    nothing written. `dry_run` checks and rolls back. Publishers of the dataset's organisation
    only; audited with the method and the rows' `_id`. Returns the rows as stored."""
    from cqs.opendata import datastore

    if method not in datastore.METHODS:
        raise ValidationFailed(
            _("Dữ liệu không hợp lệ."),
            details={"method": [_("Phương thức phải là upsert, insert hoặc update.")]},
        )
    with transaction.atomic():
        dataset, resource = _locked_table(actor=actor, resource=resource)
        before = snapshot(resource)
        written = datastore.write_rows(resource, list(records), method=method)
        rows = written.rows
        _table_changed(dataset=dataset, resource=resource, delta=written.inserted)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=resource,
            before=before,
            after=snapshot(resource),
            extra={"datastore": "upsert", "method": method, "rows": len(rows), "ids": [r["_id"] for r in rows][:1000]},
        )
        if dry_run:
            transaction.set_rollback(True)
    return rows


def datastore_delete(*, actor: Any, resource: Resource, filters: dict[str, Any] | None = None) -> int:
    """Delete from a loaded table ("xoá dữ liệu trong kho"), CKAN's `datastore_delete`: with
    `filters` (even empty) the matching rows go and the table stays; without, the table is
    dropped and the resource's DataStore marked inactive (its key with it; the uploaded file
    stays, and a new upload loads again). Publishers of the dataset's organisation only;
    audited. Returns how many rows were deleted."""
    from cqs.opendata import datastore

    with transaction.atomic():
        dataset, resource = _locked_table(actor=actor, resource=resource)
        before = snapshot(resource)
        if filters is not None:
            deleted = datastore.delete_rows(resource, filters)
            _table_changed(dataset=dataset, resource=resource, delta=-deleted)
        else:
            deleted = datastore.row_count(resource)
            datastore.drop_table(resource.pk)
            resource.datastore_active = False
            resource.datastore_state = DatastoreState.NONE
            resource.datastore_rows_done = 0
            resource.datastore_rows_total = None
            resource.datastore_loaded = None
            # The dictionary stays for the next upload (titles, types); the key went with the table.
            resource.datastore_fields = [
                {k: v for k, v in f.items() if k != "primary_key"} for f in resource.datastore_fields or []
            ]
            resource.last_modified = timezone.now()
            resource.save()
            dataset.save(update_fields=["metadata_modified"])
        audit_record(
            actor=actor,
            action=AuditAction.DELETE if filters is None else AuditAction.UPDATE,
            instance=resource,
            before=before,
            after=snapshot(resource),
            extra={"datastore": "delete", "filters": filters, "rows": deleted},
        )
    return deleted


def resource_update(*, actor: Any, ref: str, data: dict[str, Any]) -> Resource:
    """Change a resource's metadata (`name`, `description`, `url`, `format`...); fields not given
    are kept. A new file is uploaded with `resource_upload(resource=...)` instead."""
    with transaction.atomic():
        resource = Resource.objects.select_for_update().filter(pk=_uuid_or_none(ref)).first()
        if resource is None:
            raise NotFound(_("Không tìm thấy tài nguyên."))
        dataset = Dataset.objects.select_related("owner_org").get(pk=resource.dataset_id)
        require_permission(actor, Action.PUBLISH_DATA, dataset.owner_org)
        before = snapshot(resource)
        if resource.url_type == "upload":
            # The address of an uploaded file is ours to give; a link may not replace it silently.
            data = {k: v for k, v in data.items() if k not in {"url", "url_type", "hash", "size", "mimetype", "format"}}
        _apply_resource(resource, data)
        resource.save()
        dataset.save(update_fields=["metadata_modified"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=resource, before=before, after=snapshot(resource))
    return resource


# --- Deleting resources, sweeping the files nothing uses any more ------------------------------


def resource_delete(*, actor: Any, ref: str) -> None:
    """Delete a resource ("xoá tài nguyên") for good, as CKAN's `resource_delete` does.

    The remaining resources close up (positions 0..n-1 in their order) and the dataset's
    `metadata_modified` moves, so harvesters asking for what changed see it. The loaded DataStore
    table is dropped by a job queued in this transaction: it runs only once the deletion has
    committed, holds no catalogue locks while it waits for readers of the table, and a loader
    still working on the file finds no resource and keeps nothing. The uploaded bytes stay in the
    store (another resource may hold the same hash) until `stored_files_sweep` finds them unused.
    Refused unless the actor is a publisher of the dataset's organisation; audited."""
    from cqs.opendata import datastore
    from cqs.opendata.tasks import drop_resource_table

    key = _uuid_or_none(ref)
    with transaction.atomic():
        dataset_id = Resource.objects.filter(pk=key).values_list("dataset_id", flat=True).first() if key else None
        # Locked in the order uploads lock them (the dataset, then the resource): positions are
        # handed out under the dataset's lock.
        dataset = find_dataset(str(dataset_id), lock=True) if dataset_id else None
        resource = Resource.objects.select_for_update().filter(pk=key, dataset=dataset).first() if dataset else None
        if dataset is None or resource is None:
            raise NotFound(_("Không tìm thấy tài nguyên."))
        require_permission(actor, Action.PUBLISH_DATA, dataset.owner_org)
        audit_record(actor=actor, action=AuditAction.DELETE, instance=resource, before=snapshot(resource))
        # A loader may have swapped its table in before it set `datastore_active`: a table upload
        # always gets the drop.
        drop_table = resource.datastore_active or datastore.is_tabular(resource)
        resource.delete()
        with connection.cursor() as cursor:
            # Positions are unique per dataset: every row moves out of the way, then takes its rank.
            cursor.execute(
                "UPDATE opendata_resource SET position = position + 1000000 WHERE dataset_id = %s", [dataset.pk]
            )
            cursor.execute(
                "UPDATE opendata_resource r SET position = o.rank - 1 FROM ("
                "  SELECT id, row_number() OVER (ORDER BY position) AS rank"
                "  FROM opendata_resource WHERE dataset_id = %s"
                ") o WHERE r.id = o.id",
                [dataset.pk],
            )
        dataset.save(update_fields=["metadata_modified"])
        if drop_table:
            drop_resource_table.defer(resource_id=str(key))


@dataclass(frozen=True)
class SweepResult:
    """What a sweep of the open-data file store removed (or would remove, on a dry run)."""

    files: int
    bytes: int
    dry_run: bool


_SHA256_NAME = re.compile(r"[0-9a-f]{64}")
_SWEEP_BATCH = 1000


def stored_files_sweep(*, older_than: dt.timedelta = dt.timedelta(hours=24), dry_run: bool = False) -> SweepResult:
    """Delete uploaded files no resource uses any more ("dọn tệp không còn dùng"): the old bytes
    of a replaced or deleted resource, and bytes left by a crash between storing and committing.

    Whose files these are: the shared content store (`cqs.core.storage`) gives each context its
    own area, and only the open-data area's content-addressed layout is walked:
    `<MEDIA_ROOT>/opendata/ab/cd/<sha256>`. Dossier documents (area `files/`), the spool
    (`tmp/`) and the platform feeds' CSVs that `feeds.py` saves under `opendata/platform/`
    (referenced by address, not by hash) are never candidates. Within it a file's name is its
    hash, and `Resource.file_sha256` is the only reference to it, so no reference table is kept.

    A file is kept when a resource holds its hash, when it is younger than `older_than` (its
    modification time: an upload stores its bytes before it commits), or when a validation job
    still queued or running names it. Each deletion holds the per-hash lock `resource_upload`
    takes and checks again under it, so an upload of the same bytes either commits its reference
    first (the file is kept) or stores the bytes afresh after. Not audited: no catalogue record
    changes. Returns how many files and bytes were freed (would be, with `dry_run`)."""
    import time

    from procrastinate.contrib.django.models import ProcrastinateJob

    from cqs.opendata import datastore
    from cqs.opendata.tasks import validate_resource

    cutoff = time.time() - older_than.total_seconds()
    busy = set(
        ProcrastinateJob.objects.filter(task_name=validate_resource.name, status__in=("todo", "doing")).values_list(
            "args__sha256", flat=True
        )
    )
    freed_files = freed_bytes = 0

    def sweep(batch: dict[str, tuple[Any, int]]) -> None:
        nonlocal freed_files, freed_bytes
        used = set(Resource.objects.filter(file_sha256__in=list(batch)).values_list("file_sha256", flat=True))
        for sha256, (path, size) in batch.items():
            if sha256 in used or sha256 in busy:
                continue
            if not dry_run:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [sha256])
                    if Resource.objects.filter(file_sha256=sha256).exists():
                        continue  # referenced since the batch was read
                    path.unlink(missing_ok=True)
            freed_files += 1
            freed_bytes += size

    batch: dict[str, tuple[Any, int]] = {}
    for path in datastore.STORE.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*"):
        name = path.name
        if not _SHA256_NAME.fullmatch(name) or datastore.STORE.path_for(name) != path:
            continue
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        if not S_ISREG(info.st_mode) or info.st_mtime > cutoff:
            continue
        batch[name] = (path, info.st_size)
        if len(batch) >= _SWEEP_BATCH:
            sweep(batch)
            batch = {}
    if batch:
        sweep(batch)
    return SweepResult(files=freed_files, bytes=freed_bytes, dry_run=dry_run)
