"""The applicant's pages: apply, edit a draft, review and submit, my dossiers, one dossier, the
public lookup. Thin: each view parses the request, calls a service or query, renders."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cqs.accounts.models import UserKind
from cqs.catalog.queries import version_in_force
from cqs.core.errors import DomainError, NotFound, ValidationFailed
from cqs.core.ratelimit import RateLimited
from cqs.core.search import vietnamese_sort_key
from cqs.dossiers import files, queries, responses, services
from cqs.dossiers.forms import (
    FieldError,
    answers_from_post,
    field_id,
    initial_values,
    labelled_answers,
    render_form_fields,
    validate_answers,
)
from cqs.dossiers.idempotency import run_once
from cqs.dossiers.lifecycle import State
from cqs.dossiers.models import Dossier
from cqs.org.models import Agency, AgencyKind, UnitLevel
from cqs.org.permissions import Action, agencies_where


def _errors_by_field(error: DomainError) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in error.details or []:
        if isinstance(item, dict):
            found.setdefault(item.get("field") or item.get("parameter") or "", item.get("message", ""))
    return found


def _form_field(key: str) -> str:
    """The form property an error key names: "form.a.b" -> "a.b"; "form" (the whole form) -> ""."""
    return key.removeprefix("form").removeprefix(".")


def _form_field_errors(errors: dict[str, str]) -> list[FieldError]:
    return [FieldError(field=_form_field(k), message=v) for k, v in errors.items() if k.startswith("form")]


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, code: str) -> HttpResponse:
    """ "Nộp hồ sơ trực tuyến": create a draft pre-filled from the profile, then edit it.
    GET (e.g. right after signing in) shows what is about to start."""
    from cqs.accounts.queries import prefill_values

    version = version_in_force(code)
    if version is None:
        raise NotFound(_("Không tìm thấy thủ tục."))
    if request.user.kind == UserKind.OFFICIAL:
        # Officials do not apply online; at the desk they register the applicant's dossier.
        if agencies_where(request.user, Action.RECEIVE_DOSSIER).exists():
            messages.info(request, _("Tài khoản cán bộ không nộp hồ sơ trực tuyến; hãy tiếp nhận hồ sơ tại quầy."))
            return redirect(f"{reverse('office:intake')}?{urlencode({'procedure': f'{code} – {version.name}'})}")
        messages.error(request, _("Tài khoản cán bộ không nộp hồ sơ trực tuyến."))
        return redirect("portal:procedure", code=code)
    if request.method == "GET":
        return render(request, "dossiers/start.html", {"version": version})
    # Pre-filled from the profile; a profile value the form would refuse is left for the user to type.
    initial = initial_values(version.form_schema, prefill_values(request.user))
    refused = {e.field for e in validate_answers(version.form_schema, initial, partial=True)}
    initial = {k: v for k, v in initial.items() if k not in refused}
    try:
        dossier = services.dossier_create_draft(
            actor=request.user,
            procedure_code=code,
            form=initial,
            agency_code=request.POST.get("agency") or None,
        )
    except ValidationFailed as error:
        if "agency" in _errors_by_field(error):
            return _choose_commune(request, version, error.message)
        messages.error(request, error.message)
        return redirect("portal:procedure", code=code)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("portal:procedure", code=code)
    return redirect("dossiers:edit", ref=dossier.pk)


def _choose_commune(request: HttpRequest, version: Any, message: str) -> HttpResponse:
    communes = Agency.objects.filter(
        level=UnitLevel.COMMUNE, kind=AgencyKind.PEOPLES_COMMITTEE, is_active=True
    ).select_related("unit")
    return render(
        request,
        "dossiers/choose_agency.html",
        {
            "version": version,
            "agencies": sorted(communes, key=lambda agency: vietnamese_sort_key(agency.unit.name)),
            "message": message,
        },
    )


def _owned_draft(request: HttpRequest, ref: str) -> Dossier:
    dossier = queries.dossier_for(request.user, ref)
    if dossier.applicant_id != request.user.pk:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return dossier


def save_from_post(request: HttpRequest, dossier: Dossier) -> dict[str, str]:
    """Save the posted answers and files; returns the errors by field (empty when all saved)."""
    schema = dossier.procedure_version.form_schema
    answers, coercion_errors = answers_from_post(schema, request.POST)
    errors = {f"form.{e.field}": e.message for e in coercion_errors}
    if not errors:
        try:
            services.dossier_update_form(actor=request.user, dossier=dossier, form=answers)
        except ValidationFailed as error:
            errors.update(_errors_by_field(error))
    for requirement in dossier.procedure_version.documents.all():
        upload = request.FILES.get(f"doc_{requirement.code}")
        if upload is None:
            continue
        try:
            services.dossier_attach(
                actor=request.user,
                dossier=dossier,
                requirement_code=requirement.code,
                stream=upload,
                filename=upload.name,
            )
        except ValidationFailed as error:
            errors[f"documents.{requirement.code}"] = error.message
    return errors


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, ref: str) -> HttpResponse:
    """The form and the documents of a draft (or of a dossier whose supplement is requested)."""
    dossier = _owned_draft(request, ref)
    errors: dict[str, str] = {}
    values = dossier.form_data
    if request.method == "POST":
        errors = save_from_post(request, dossier)
        if not errors and "review" in request.POST:
            # A draft may be saved half-filled, but the review step is for a complete dossier:
            # what is missing is shown here, next to its field, not after "Nộp hồ sơ".
            errors = incomplete(dossier)
            if not errors:
                return redirect("dossiers:review", ref=dossier.pk)
        elif not errors:
            messages.success(request, _("Đã lưu bản nháp."))
            return redirect("dossiers:edit", ref=dossier.pk)
        values = request.POST  # what the user typed, even what could not be read
    return _edit_page(request, dossier, values, errors)


def incomplete(dossier: Dossier) -> dict[str, str]:
    """What a saved draft still lacks before it can be submitted, by field: required answers (the
    full schema check) and required documents."""
    dossier.refresh_from_db(fields=["form_data"])
    return {problem["field"]: problem["message"] for problem in services.submission_problems(dossier)}


def _edit_page(request: HttpRequest, dossier: Dossier, values: dict, errors: dict[str, str], status: int = 200):
    dossier.refresh_from_db()
    return render(request, "dossiers/edit.html", form_page_context(dossier, values, errors), status=status)


def form_page_context(dossier: Dossier, values: Any, errors: dict[str, str]) -> dict[str, Any]:
    """What a page filling in a draft shows (the applicant's own, or a reception officer's for a
    walk-in applicant): the form from the procedure's schema, each required document with what is
    attached, and every error by its field."""
    attached = {d.requirement_id: d for d in queries.current_documents(dossier)}
    return {
        "dossier": dossier,
        "version": dossier.procedure_version,
        "fields": render_form_fields(dossier.procedure_version.form_schema, values, _form_field_errors(errors)),
        "requirements": [
            {"req": req, "attached": attached.get(req.pk), "error": errors.get(f"documents.{req.code}")}
            for req in dossier.procedure_version.documents.all()
        ],
        "errors": errors,
        "error_links": [(_error_anchor(field), message) for field, message in errors.items()],
        "max_mb": files.max_upload_bytes() // (1024 * 1024),
    }


def _error_anchor(field: str) -> str:
    """The id of the input an error belongs to (as `render_form_fields` and edit.html name them)."""
    if field.startswith("documents."):
        return "doc-" + field.removeprefix("documents.")
    name = _form_field(field)
    return field_id(name) if name else ""


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, ref: str) -> HttpResponse:
    """Everything the applicant is about to file, and the submit button."""
    dossier = _owned_draft(request, ref)
    if dossier.status != State.DRAFT:
        return redirect("dossiers:detail", ref=dossier.code or dossier.pk)
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "")[:100] or None

        def work() -> tuple[int, dict[str, Any]]:
            submitted = services.dossier_submit(actor=request.user, dossier=dossier)
            return 200, {"code": submitted.code}

        try:
            _status, body = run_once(
                user=request.user, key=key, scope="dossier.submit.page", payload={"ref": str(dossier.pk)}, work=work
            )
        except ValidationFailed as error:
            messages.error(request, error.message)
            return _edit_page(request, dossier, dossier.form_data, _errors_by_field(error), status=400)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("dossiers:detail", ref=dossier.pk)
        messages.success(request, _("Đã nộp hồ sơ %(code)s.") % {"code": body["code"]})
        return redirect("dossiers:detail", ref=body["code"])
    return render(
        request,
        "dossiers/review.html",
        {
            "dossier": dossier,
            "detail": queries.dossier_detail(dossier),
            "labels": labelled_answers(dossier.procedure_version.form_schema, dossier.form_data),
            "missing": services.missing_documents(dossier),
            "idempotency_key": uuid.uuid4().hex,
        },
    )


@login_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") if request.GET.get("status") in State.values else None
    q = request.GET.get("q", "")[:100]
    page = Paginator(queries.my_dossiers(request.user, status=status, q=q), 20).get_page(request.GET.get("page"))
    return render(
        request, "dossiers/my_dossiers.html", {"page": page, "status": status, "q": q, "states": State.choices}
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, ref: str) -> HttpResponse:
    """One dossier: status, appointment, history, documents; the supplement form when asked."""
    dossier = queries.dossier_for(request.user, ref)
    errors: dict[str, str] = {}
    if request.method == "POST" and dossier.applicant_id == request.user.pk:
        try:
            if request.POST.get("action") == "withdraw":
                services.dossier_withdraw(actor=request.user, dossier=dossier, reason=request.POST.get("note", ""))
                messages.success(request, _("Đã rút hồ sơ."))
                return redirect("dossiers:detail", ref=dossier.code)
            if request.POST.get("action") == "rate":
                services.dossier_rate(
                    actor=request.user,
                    dossier=dossier,
                    rating=request.POST.get("rating", ""),
                    comment=request.POST.get("comment", "").strip(),
                )
                messages.success(request, _("Cảm ơn bạn đã đánh giá chất lượng giải quyết hồ sơ."))
                return redirect("dossiers:detail", ref=dossier.code)
            if request.POST.get("action") == "supplement":
                errors = save_from_post(request, dossier)
                if not errors:
                    services.dossier_supplement(actor=request.user, dossier=dossier, note=request.POST.get("note", ""))
                    messages.success(request, _("Đã gửi hồ sơ bổ sung; cơ quan sẽ kiểm tra lại."))
                    return redirect("dossiers:detail", ref=dossier.code)
        except ValidationFailed as error:
            errors.update(_errors_by_field(error))
            messages.error(request, error.message)
        except DomainError as error:
            messages.error(request, error.message)
        dossier.refresh_from_db()
    supplement = queries.open_supplement_request(dossier) if dossier.status == State.SUPPLEMENT_REQUESTED else None
    is_owner = dossier.applicant_id == request.user.pk
    return render(
        request,
        "dossiers/detail.html",
        {
            "dossier": dossier,
            "detail": queries.dossier_detail(dossier),
            "supplement": supplement,
            "fields": render_form_fields(
                dossier.procedure_version.form_schema, dossier.form_data, _form_field_errors(errors)
            )
            if supplement
            else "",
            "requirements": dossier.procedure_version.documents.all() if supplement else [],
            "errors": errors,
            "is_owner": is_owner,
            "has_result": _has_result(dossier),
            "can_rate": is_owner and dossier.status == State.RETURNED and dossier.rated_at is None,
            "ratings": RATING_CHOICES,
            "rating_label": dict(RATING_CHOICES).get(dossier.rating, ""),
        },
        status=400 if errors else 200,
    )


RATING_CHOICES = (
    ("satisfied", gettext_lazy("Hài lòng")),
    ("normal", gettext_lazy("Bình thường")),
    ("unsatisfied", gettext_lazy("Không hài lòng")),
)


def _has_result(dossier: Dossier) -> bool:
    try:
        queries.result_of(dossier)
    except NotFound:
        return False
    return True


@login_required
def result(request: HttpRequest, ref: str) -> FileResponse:
    """The result document, for whoever may see the dossier, once `queries.result_of` allows."""
    dossier = queries.dossier_for(request.user, ref)
    return responses.result_file(dossier, queries.result_of(dossier))


@login_required
def receipt(request: HttpRequest, ref: str) -> HttpResponse:
    dossier = queries.dossier_for(request.user, ref)
    return responses.pdf(queries.receipt_pdf(dossier), f"giay-tiep-nhan-{dossier.code}.pdf")


@login_required
def document(request: HttpRequest, ref: str, document_id: str) -> FileResponse:
    dossier = queries.dossier_for(request.user, ref)
    doc = queries.document_of(dossier, document_id)
    return responses.attached_document(doc)


def track(request: HttpRequest, code: str = "") -> HttpResponse:
    """Public lookup by code and the last 4 digits of the identity number or phone."""
    code = (request.GET.get("code") or code).strip()
    verify = request.GET.get("verify", "").strip()
    result = error = None
    if code and verify:
        try:
            result = queries.track(code, verify, client=request.META.get("REMOTE_ADDR", ""))
        except RateLimited as exc:
            error = exc.message
        except NotFound as exc:
            error = exc.message
    return render(
        request,
        "dossiers/track.html",
        {"code": code, "verify": verify, "result": result, "error": error},
        status=429 if error and "quá nhiều" in error else 200,
    )
