"""The Open Data Portal's pages ("Cổng dữ liệu mở") and the DCAT-AP 3 documents.

Thin views: each parses the request, calls `queries`/`page_queries` to read or `services` to
write (permission-checked and audited there), and renders. Public pages show only what the CKAN
API shows the same visitor: private, draft and deleted datasets only to their publishers.
"""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cqs.core.errors import DomainError, NotFound, ValidationFailed
from cqs.opendata import dcat, page_queries, queries, services
from cqs.opendata.forms import (
    DatasetForm,
    DictionaryForm,
    ResourceFileForm,
    ResourceForm,
    apply_service_errors,
    initial_from_dataset,
)
from cqs.opendata.models import Dataset, DatasetState, License, Resource

PAGE_SIZE = 20
SORTS = [
    ("", _("Phù hợp nhất")),
    ("metadata_modified desc", _("Mới cập nhật")),
    ("metadata_created desc", _("Mới tạo")),
    ("title asc", _("Tên A–Z")),
]
PREVIEW_ROWS = 25


# --- DCAT-AP 3 ---------------------------------------------------------------------------------


@require_safe
def catalog(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        page = dcat.parse_page(request.GET.get("page"))
        since = dcat.parse_modified_since(request.GET.get("modified_since"))
    except dcat.BadRequest as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    graph, paging = dcat.catalog_graph(page=page, modified_since=since, base=dcat.site(request.path))
    if page > paging.last:
        raise Http404
    return HttpResponse(dcat.serialize(graph, fmt), content_type=dcat.FORMATS[fmt][1])


@require_safe
def dataset(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    found = dcat.public_dataset(name)
    if found is None:  # private, draft and deleted datasets are not shown
        raise Http404
    return HttpResponse(dcat.serialize(dcat.dataset_graph(found), fmt), content_type=dcat.FORMATS[fmt][1])


# --- Public pages ------------------------------------------------------------------------------


def _page_number(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("page") or 1), 1)
    except ValueError:
        return 1


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """ "Tìm dữ liệu": the same search as `package_search`, facets that combine, sort, paging."""
    q = request.GET.get("q", "").strip()[:200]
    sort = request.GET.get("sort", "")
    if sort not in dict(SORTS):
        sort = ""
    selected = {field: request.GET.getlist(field) for field in page_queries.FACETS}
    number = _page_number(request)
    data = {
        "q": q,
        "fq": page_queries.facet_fq(selected),
        "sort": sort,
        "rows": PAGE_SIZE,
        "start": (number - 1) * PAGE_SIZE,
        "facet.field": list(page_queries.FACETS),
        "facet.limit": 10,
        # A publisher also finds the private datasets of their own organisations (CKAN does too).
        "include_private": request.user.is_authenticated,
    }
    try:
        result = queries.search_datasets(user=request.user, data=data)
    except DomainError:
        result = queries.search_datasets(user=request.user, data={**data, "q": "", "fq": "", "start": 0})
    facet_titles = {
        "organization": _("Cơ quan công bố"),
        "groups": _("Chủ đề"),
        "tags": _("Từ khoá"),
        "res_format": _("Định dạng"),
        "license_id": _("Giấy phép"),
    }
    facets = []
    for field in page_queries.FACETS:
        items = result.search_facets.get(field, {}).get("items", [])
        chosen = set(selected[field])
        # A ticked value stays listed even when the other filters leave it no match.
        names = {item["name"] for item in items}
        items = items + [{"name": v, "display_name": v, "count": 0} for v in chosen if v not in names]
        facets.append(
            {
                "field": field,
                "title": facet_titles[field],
                "items": [{**item, "checked": item["name"] in chosen} for item in items],
            }
        )
    pages = max((result.count + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    keep = [(k, v) for k in ["q", "sort", *page_queries.FACETS] for v in request.GET.getlist(k) if v]
    return render(
        request,
        "opendata/search.html",
        {
            "q": q,
            "sort": sort,
            "sorts": SORTS,
            "result": result,
            "facets": facets,
            "any_selected": any(selected.values()),
            "page_number": number,
            "pages": pages,
            "querystring": urlencode(keep),
            "licenses": dict(License.choices),
        },
    )


def _readable_dataset(request: HttpRequest, name: str) -> Dataset:
    found = queries.find_dataset(name)
    if found is None or not queries.may_read(request.user, found):
        raise Http404(_("Không tìm thấy bộ dữ liệu."))
    if found.state == DatasetState.DELETED and not queries.may_publish(request.user, found):
        raise Http404(_("Không tìm thấy bộ dữ liệu."))
    return found


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_safe
def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    """A dataset's page: its metadata, its resources, its DCAT documents and how to use the API."""
    found = _readable_dataset(request, name)
    resources = list(found.resources.order_by("position"))
    for resource in resources:
        resource.state_info = page_queries.validation_state(resource)
    site = _site(request)
    first_table = next((r for r in resources if r.state_info["datastore_active"]), None)
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": found,
            "resources": resources,
            "groups": found.groups.order_by("title"),
            "license_url": queries.LICENSE_URLS.get(found.license_id, ""),
            "org_name": queries.org_name(found.owner_org),
            "may_publish": queries.may_publish(request.user, found),
            "site": site,
            "table": first_table,
            "public": found.state == DatasetState.ACTIVE and not found.private,
        },
    )


def _readable_resource(request: HttpRequest, name: str, resource_id: str) -> tuple[Dataset, Resource]:
    found = _readable_dataset(request, name)
    key = queries._as_uuid(resource_id)
    resource = found.resources.filter(pk=key).first() if key else None
    if resource is None:
        raise Http404(_("Không tìm thấy tài nguyên."))
    return found, resource


@require_safe
def resource_detail(request: HttpRequest, name: str, resource_id: str) -> HttpResponse:
    """A resource's page: validation progress and report, a paged searchable preview of the
    loaded table, its data dictionary and the downloads."""
    found, resource = _readable_resource(request, name, resource_id)
    state = page_queries.validation_state(resource)
    may_publish = queries.may_publish(request.user, found)
    q = request.GET.get("q", "").strip()[:200]
    number = _page_number(request)
    preview = None
    if state["datastore_active"]:
        fields, records, total = page_queries.datastore_page(
            resource, q=q, limit=PREVIEW_ROWS, offset=(number - 1) * PREVIEW_ROWS
        )
        preview = {
            "fields": fields,
            "rows": [[record.get(f["id"]) for f in fields] for record in records],
            "total": total,
            "pages": max((total + PREVIEW_ROWS - 1) // PREVIEW_ROWS, 1),
            "querystring": urlencode({"q": q} if q else {}),
        }
    return render(
        request,
        "opendata/resource.html",
        {
            "dataset": found,
            "resource": resource,
            "state": state,
            "may_publish": may_publish,
            "preview": preview,
            "q": q,
            "page_number": number,
            "dictionary": page_queries.dictionary(resource) if state["datastore_active"] else [],
            "site": _site(request),
        },
    )


@require_safe
def resource_status(request: HttpRequest, name: str, resource_id: str) -> JsonResponse:
    """The validation's progress, polled by the resource page while it is queued or running."""
    _found, resource = _readable_resource(request, name, resource_id)
    state = page_queries.validation_state(resource)
    return JsonResponse({k: state[k] for k in ("status", "status_label", "progress", "finished", "datastore_active")})


@require_safe
def resource_original(request: HttpRequest, name: str, resource_id: str) -> HttpResponse:
    """The file as the publisher uploaded it (a link resource: its address)."""
    _found, resource = _readable_resource(request, name, resource_id)
    response = page_queries.original_file_response(resource)
    if response is None:
        if resource.url and resource.url_type != "upload":
            return redirect(resource.url)
        raise Http404(_("Tệp gốc không còn được lưu."))
    return response


def _loaded(request: HttpRequest, name: str, resource_id: str) -> Resource:
    _found, resource = _readable_resource(request, name, resource_id)
    if not page_queries.validation_state(resource)["datastore_active"]:
        raise Http404(_("Dữ liệu của tài nguyên này chưa được nạp."))
    return resource


def _filename(resource: Resource, ext: str) -> str:
    from cqs.opendata.forms import slug_from_title

    return f"{slug_from_title(resource.name or '') or resource.pk}.{ext}"


@require_safe
def resource_csv(request: HttpRequest, name: str, resource_id: str) -> StreamingHttpResponse:
    """The loaded table as UTF-8 CSV, streamed (a BOM first, so spreadsheet programs read Vietnamese)."""
    from cqs.opendata import datastore  # imported late: the DataStore loads only with tables

    resource = _loaded(request, name, resource_id)
    response = StreamingHttpResponse(
        itertools.chain(["\ufeff"], datastore.stream_csv(resource)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(resource, "csv")}"'
    return response


@require_safe
def resource_json(request: HttpRequest, name: str, resource_id: str) -> StreamingHttpResponse:
    """The loaded table as JSON, streamed: its fields (the data dictionary) and its records."""
    from cqs.opendata import datastore

    resource = _loaded(request, name, resource_id)
    response = StreamingHttpResponse(datastore.stream_json(resource), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(resource, "json")}"'
    return response


# --- The publisher's pages ---------------------------------------------------------------------


def _require_publisher(request: HttpRequest) -> list[Any]:
    agencies = list(page_queries.publisher_agencies(request.user))
    if not agencies:
        raise PermissionDenied(_("Bạn không phải người công bố dữ liệu của cơ quan nào."))
    return agencies


def _publishable(request: HttpRequest, name: str) -> Dataset:
    found = queries.find_dataset(name)
    if found is None:
        raise Http404(_("Không tìm thấy bộ dữ liệu."))
    if not queries.may_publish(request.user, found):
        raise PermissionDenied(_("Bạn không có quyền sửa bộ dữ liệu của cơ quan này."))
    return found


@login_required
@require_safe
def my_datasets(request: HttpRequest) -> HttpResponse:
    """ "Dữ liệu của cơ quan tôi": the publisher's organisations' datasets, drafts included."""
    agencies = _require_publisher(request)
    q = request.GET.get("q", "").strip()[:200]
    state = request.GET.get("state", "")
    page = Paginator(page_queries.publisher_datasets(request.user, q=q, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "opendata/manage/list.html",
        {
            "page": page,
            "agencies": agencies,
            "q": q,
            "state": state,
            "states": DatasetState.choices,
            "querystring": urlencode([(k, v) for k, v in (("q", q), ("state", state)) if v]),
        },
    )


def _dataset_form(request: HttpRequest, agencies: list[Any], **kwargs: Any) -> DatasetForm:
    return DatasetForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies,
        units=page_queries.spatial_choices(),
        groups=page_queries.all_groups(),
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_create(request: HttpRequest) -> HttpResponse:
    """ "Tạo bộ dữ liệu": the form; the service checks the organisation and audits."""
    agencies = _require_publisher(request)
    form = _dataset_form(request, agencies)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.dataset_create(actor=request.user, data=form.service_data())
        except ValidationFailed as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã tạo bộ dữ liệu. Hãy thêm tài nguyên (tệp dữ liệu hoặc liên kết)."))
            return redirect("opendata:resource_add", name=created.name)
    status = 400 if request.method == "POST" else 200
    return render(request, "opendata/manage/dataset_form.html", {"form": form, "creating": True}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def dataset_edit(request: HttpRequest, name: str) -> HttpResponse:
    found = _publishable(request, name)
    agencies = list(page_queries.publisher_agencies(request.user))
    form = _dataset_form(request, agencies, initial=initial_from_dataset(found))
    if request.method == "POST" and form.is_valid():
        try:
            # Merge (CKAN's package_patch): what the form does not show (extras, resources) stays.
            updated = services.dataset_update(
                actor=request.user, ref=str(found.pk), data=form.service_data(), partial=True
            )
        except ValidationFailed as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã lưu bộ dữ liệu."))
            return redirect("opendata:dataset", name=updated.name)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "opendata/manage/dataset_form.html",
        {"form": form, "creating": False, "dataset": found, "resources": found.resources.order_by("position")},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_delete(request: HttpRequest, name: str) -> HttpResponse:
    """ "Xoá bộ dữ liệu": asks first; withdrawn datasets stay on record (CKAN's soft delete)."""
    found = _publishable(request, name)
    if request.method == "POST":
        services.dataset_delete(actor=request.user, ref=str(found.pk))
        messages.success(request, _("Đã xoá bộ dữ liệu “%(title)s”.") % {"title": found.title})
        return redirect("opendata:my_datasets")
    return render(request, "opendata/manage/dataset_delete.html", {"dataset": found})


def _publishable_resource(request: HttpRequest, name: str, resource_id: str) -> tuple[Dataset, Resource]:
    found = _publishable(request, name)
    key = queries._as_uuid(resource_id)
    resource = found.resources.filter(pk=key).first() if key else None
    if resource is None:
        raise Http404(_("Không tìm thấy tài nguyên."))
    return found, resource


def _upload(request: HttpRequest, dataset: Dataset, data: dict[str, Any]) -> Resource:
    """Store the file through the DataStore's upload service, which queues its validation."""
    upload = getattr(services, "resource_upload", None)
    if upload is None:
        raise ValidationFailed(
            _("Chưa tải tệp lên được."), details={"upload": [_("Chưa tải tệp lên được; hãy dùng địa chỉ liên kết.")]}
        )
    return upload(
        actor=request.user,
        dataset=dataset,
        name=data["name"],
        uploaded_file=data["upload"],
        description=data.get("description", ""),
        base_url=_site(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_add(request: HttpRequest, name: str) -> HttpResponse:
    """ "Thêm tài nguyên": upload a file (validated and loaded in the background) or link one."""
    found = _publishable(request, name)
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("upload"):
                resource = _upload(request, found, data)
            else:
                resource = services.resource_create(
                    actor=request.user,
                    data={
                        "package_id": str(found.pk),
                        "name": data["name"],
                        "description": data.get("description", ""),
                        "url": data["url"],
                        "format": data.get("format", ""),
                    },
                )
        except ValidationFailed as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã thêm tài nguyên."))
            return redirect("opendata:resource", name=found.name, resource_id=resource.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "opendata/manage/resource_form.html", {"form": form, "dataset": found}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def dictionary_edit(request: HttpRequest, name: str, resource_id: str) -> HttpResponse:
    """ "Từ điển dữ liệu": the titles and descriptions of the loaded table's fields."""
    found, resource = _publishable_resource(request, name, resource_id)
    columns = page_queries.dictionary(resource)
    if not columns:
        raise Http404(_("Tài nguyên này chưa có từ điển dữ liệu."))
    form = DictionaryForm(request.POST or None, fields=columns)
    if request.method == "POST" and form.is_valid():
        try:
            update = getattr(services, "datastore_dictionary_update", None)
            if update is None:
                raise ValidationFailed(_("Chưa sửa được từ điển dữ liệu trên trang này; hãy dùng API."))
            update(actor=request.user, resource=resource, fields=form.changes())
        except ValidationFailed as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã lưu từ điển dữ liệu."))
            return redirect("opendata:resource", name=found.name, resource_id=resource.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "opendata/manage/dictionary_form.html",
        {"form": form, "dataset": found, "resource": resource},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_replace(request: HttpRequest, name: str, resource_id: str) -> HttpResponse:
    """ "Thay tệp": a new file for a resource, checked as strictly as a first upload; a table is
    validated again in the background, and the resource's page follows that as after an upload."""
    found, resource = _publishable_resource(request, name, resource_id)
    posted = request.method == "POST"
    form = ResourceFileForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            services.resource_upload(
                actor=request.user,
                dataset=found,
                uploaded_file=form.cleaned_data["upload"],
                resource=resource,
                base_url=_site(request),
            )
        except ValidationFailed as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã thay tệp của tài nguyên."))
            return redirect("opendata:resource", name=found.name, resource_id=resource.pk)
    return render(
        request,
        "opendata/manage/resource_replace.html",
        {"form": form, "dataset": found, "resource": resource},
        status=400 if posted else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_delete(request: HttpRequest, name: str, resource_id: str) -> HttpResponse:
    """ "Xoá tài nguyên": asks first; the resource and its loaded table go for good."""
    found, resource = _publishable_resource(request, name, resource_id)
    if request.method == "POST":
        try:
            services.resource_delete(actor=request.user, ref=str(resource.pk))
        except NotFound as exc:  # deleted meanwhile by someone else
            raise Http404(exc.message) from exc
        messages.success(request, _("Đã xoá tài nguyên “%(name)s”.") % {"name": resource.name or resource.url})
        return redirect("opendata:dataset_edit", name=found.name)
    return render(request, "opendata/manage/resource_delete.html", {"dataset": found, "resource": resource})
