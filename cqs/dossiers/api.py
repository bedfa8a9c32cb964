"""Dossier endpoints: the applicant's (`/api/v1/dossiers`, `/api/v1/track`) and the office's
reception actions (`/api/v1/office/...`). Handlers are thin: parse, call a service, shape."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile

from cqs.accounts.auth import api_auth
from cqs.accounts.models import UserKind
from cqs.api.pagination import bad_parameter, paginate
from cqs.core.errors import PermissionRefused, ValidationFailed
from cqs.dossiers import files, queries, responses, services
from cqs.dossiers.idempotency import run_once
from cqs.dossiers.models import Channel
from cqs.dossiers.transactions import request_transaction

router = Router(tags=["dossiers"], auth=api_auth)
public_router = Router(tags=["tracking"])
office_router = Router(tags=["office"], auth=api_auth)


class DossierCreateIn(Schema):
    procedure: str
    form: dict[str, Any] = {}
    agency: str | None = None


class FormIn(Schema):
    form: dict[str, Any]


class NoteIn(Schema):
    note: str = ""


class ListQuery(Schema):
    status: str | None = None
    q: str = ""
    page: int = 1
    page_size: int = 20


def _content_length_guard(request: HttpRequest) -> None:
    # Refuse an oversized upload from its declared length, before reading it.
    declared = int(request.headers.get("Content-Length") or 0)
    if declared > files.max_upload_bytes() + 64 * 1024:
        message = _("Tệp vượt quá dung lượng cho phép (%(mb)s MB).") % {"mb": files.max_upload_bytes() // (1024 * 1024)}
        raise ValidationFailed(message, code="invalid_file", details=[{"field": "file", "message": message}])


@router.post("/dossiers", response={200: dict, 201: dict}, summary="Start a dossier (a draft)")
def create_dossier(
    request: HttpRequest, payload: DossierCreateIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
) -> Status:
    """Creates a draft for the procedure version in force. Send an `Idempotency-Key`: a retry with
    the same key returns the first answer and creates nothing new."""

    def work() -> tuple[int, dict[str, Any]]:
        dossier = services.dossier_create_draft(
            actor=request.user, procedure_code=payload.procedure, form=payload.form, agency_code=payload.agency
        )
        return 201, queries.dossier_summary(dossier)

    return Status(
        *run_once(user=request.user, key=idempotency_key, scope="dossier.create", payload=payload.dict(), work=work)
    )


@router.put("/dossiers/{ref}/form", response=dict, summary="Replace a draft's form answers")
def update_form(request: HttpRequest, ref: str, payload: FormIn) -> dict[str, Any]:
    dossier = queries.dossier_for(request.user, ref)
    return queries.dossier_detail(services.dossier_update_form(actor=request.user, dossier=dossier, form=payload.form))


@router.post("/dossiers/{ref}/documents", response={201: dict}, summary="Attach a document (PDF, JPEG, PNG)")
def attach_document(request: HttpRequest, ref: str, requirement: Form[str], file: File[UploadedFile]) -> Status:
    """Multipart: `requirement` (the required document's code) and `file`. The type is checked
    from the file's content, not its name; a file whose name and content disagree is refused."""
    _content_length_guard(request)
    with request_transaction():
        dossier = queries.dossier_for(request.user, ref, for_update=True)
        document = services.dossier_attach(
            actor=request.user, dossier=dossier, requirement_code=requirement, stream=file, filename=file.name or ""
        )
    return Status(
        201,
        {
            "id": str(document.pk),
            "requirement": requirement,
            "name": document.original_name,
            "size": document.file.size,
            "content_type": document.file.content_type,
            "sha256": document.file.sha256,
        },
    )


@router.post("/dossiers/{ref}/submit", response=dict, summary="Submit a draft")
def submit_dossier(
    request: HttpRequest, ref: str, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
) -> Status:
    """Validates every field and required document, then gives the dossier its code. A retry with
    the same `Idempotency-Key` returns the first answer."""

    def work() -> tuple[int, dict[str, Any]]:
        dossier = queries.dossier_for(request.user, ref, for_update=True)
        return 200, queries.dossier_summary(services.dossier_submit(actor=request.user, dossier=dossier))

    return Status(
        *run_once(user=request.user, key=idempotency_key, scope="dossier.submit", payload={"ref": ref}, work=work)
    )


@router.get("/dossiers", response=dict, summary="My dossiers, newest first")
def list_dossiers(request: HttpRequest, params: Query[ListQuery]) -> dict[str, Any]:
    if not 1 <= params.page_size <= 100:
        raise bad_parameter("page_size", "must be between 1 and 100")
    result = queries.my_dossiers(request.user, status=params.status, q=params.q[:100])
    return paginate(request, result, page=params.page, page_size=params.page_size, serialize=queries.dossier_summary)


@router.get("/dossiers/{ref}", response=dict, summary="One dossier, with its documents and history")
def get_dossier(request: HttpRequest, ref: str) -> dict[str, Any]:
    return queries.dossier_detail(queries.dossier_for(request.user, ref))


@router.get("/dossiers/{ref}/receipt.pdf", summary="The receipt (form 01) as PDF")
def receipt(request: HttpRequest, ref: str) -> HttpResponse:
    dossier = queries.dossier_for(request.user, ref)
    return responses.pdf(queries.receipt_pdf(dossier), f"giay-tiep-nhan-{dossier.code}.pdf")


@router.get("/dossiers/{ref}/documents/{document_id}", summary="Download an attached document")
def download_document(request: HttpRequest, ref: str, document_id: str) -> FileResponse:
    dossier = queries.dossier_for(request.user, ref)
    document = queries.document_of(dossier, document_id)
    return responses.attached_document(document)


@router.post("/dossiers/{ref}/supplement", response=dict, summary="Send the supplement back to the office")
def supplement(request: HttpRequest, ref: str, payload: NoteIn) -> dict[str, Any]:
    dossier = queries.dossier_for(request.user, ref)
    return queries.dossier_detail(services.dossier_supplement(actor=request.user, dossier=dossier, note=payload.note))


@router.post("/dossiers/{ref}/withdraw", response=dict, summary="Withdraw my dossier")
def withdraw(request: HttpRequest, ref: str, payload: NoteIn) -> dict[str, Any]:
    dossier = queries.dossier_for(request.user, ref)
    return queries.dossier_detail(services.dossier_withdraw(actor=request.user, dossier=dossier, reason=payload.note))


@public_router.get("/track/{code}", response=dict, summary="Public status lookup (no personal data)")
def track(request: HttpRequest, code: str, verify: str = "") -> dict[str, Any]:
    """Needs the last 4 digits of the applicant's identity number or phone (`verify`).
    Rate-limited per client address and per code."""
    return queries.track(code, verify, client=request.META.get("REMOTE_ADDR", ""))


# --- office: reception -------------------------------------------------------------------------


def _official(request: HttpRequest) -> None:
    if request.user.kind != UserKind.OFFICIAL:
        raise PermissionRefused(_("Chức năng dành cho cán bộ, công chức."))


class SupplementItem(Schema):
    requirement: str | None = None
    message: str


class OfficeActionIn(Schema):
    note: str = ""
    items: list[SupplementItem] = []
    agency: str | None = None  # transfer: the other agency's code
    assignee: str | None = None  # assign: the colleague's username
    new_due_at: dt.datetime | None = None  # apologize: the new appointment


OfficeAction = Literal[
    "accept",
    "request_supplement",
    "refuse",
    "forward",
    "send_back",
    "assign",
    "transfer",
    "return_transfer",
    "approve",
    "reject",
    "return_result",
    "request_payment",
    "record_payment",
    "apologize",
    "stop",
]


class CounterDossierIn(Schema):
    procedure: str
    agency: str | None = None
    channel: Literal[1, 2] = 1
    applicant: dict[str, str]
    form: dict[str, Any] = {}


@office_router.post("/dossiers", response={200: dict, 201: dict}, summary="Register a counter or postal dossier")
def office_create(
    request: HttpRequest, payload: CounterDossierIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
) -> Status:
    _official(request)

    def work() -> tuple[int, dict[str, Any]]:
        dossier = services.dossier_create_draft(
            actor=request.user,
            procedure_code=payload.procedure,
            form=payload.form,
            agency_code=payload.agency,
            channel=Channel(payload.channel),
            applicant_data=payload.applicant,
        )
        return 201, queries.dossier_detail(dossier)

    return Status(
        *run_once(user=request.user, key=idempotency_key, scope="office.create", payload=payload.dict(), work=work)
    )


@office_router.post("/dossiers/{code}/actions/{action}", response=dict, summary="Take an action on a dossier")
def office_action(request: HttpRequest, code: str, action: OfficeAction, payload: OfficeActionIn) -> dict[str, Any]:
    """Every office action of the lifecycle. Reception: `accept`, `request_supplement` (`items`:
    everything missing at once), `refuse` (`note`: reasons). Processing: `forward`, `send_back`
    (`note`), `assign` (`assignee`), `transfer` (`agency`), `return_transfer`, `request_payment`,
    `record_payment`, `request_supplement`. Leaders: `approve`, `reject` (`note`), `apologize`
    (`new_due_at`, `note`), `stop` (`note`). Return: `return_result`. The result document is
    uploaded with `POST .../result`. An action the dossier's state does not allow is refused with
    409, naming the state and the allowed actions."""
    _official(request)
    dossier = queries.dossier_for(request.user, code)
    given = services.ActionInput(
        note=payload.note,
        items=[i.dict() for i in payload.items],
        assignee=queries.official_by_username(payload.assignee) if action == "assign" else None,
        agency=queries.agency_by_code(payload.agency) if action == "transfer" else None,
        new_due_at=payload.new_due_at,
    )
    services.dossier_act(actor=request.user, dossier=dossier, action=action, given=given)
    dossier.refresh_from_db()
    return queries.dossier_detail(dossier)


@office_router.post("/dossiers/{code}/result", response=dict, summary="Record the result document")
def office_result(request: HttpRequest, code: str, file: File[UploadedFile], note: Form[str] = "") -> dict[str, Any]:
    _official(request)
    _content_length_guard(request)
    dossier = queries.dossier_for(request.user, code)
    services.dossier_record_result(
        actor=request.user, dossier=dossier, stream=file, filename=file.name or "", note=note
    )
    dossier.refresh_from_db()
    return queries.dossier_detail(dossier)


class RatingIn(Schema):
    rating: Literal["satisfied", "normal", "unsatisfied"]
    comment: str = ""


@router.post("/dossiers/{ref}/rating", response=dict, summary="Rate the service once, after the result")
def rate(request: HttpRequest, ref: str, payload: RatingIn) -> dict[str, Any]:
    dossier = queries.dossier_for(request.user, ref)
    services.dossier_rate(actor=request.user, dossier=dossier, rating=payload.rating, comment=payload.comment)
    dossier.refresh_from_db()
    return queries.dossier_detail(dossier)


@router.get("/dossiers/{ref}/result", summary="Download the result document")
def download_result(request: HttpRequest, ref: str) -> FileResponse:
    dossier = queries.dossier_for(request.user, ref)
    stored = queries.result_of(dossier)
    return responses.result_file(dossier, stored)


@office_router.get("/dossiers/{code}/forms/{number}.pdf", summary="A standard form (02, 03, 04, 06) as PDF")
def office_form(request: HttpRequest, code: str, number: Literal["02", "03", "04", "06"]) -> HttpResponse:
    from cqs.dossiers.documents import form_pdf

    _official(request)
    dossier = queries.dossier_for(request.user, code)
    return responses.pdf(form_pdf(dossier, number), f"mau-{number}-{dossier.code}.pdf")


@office_router.get("/register.xlsx", summary="The tracking register (form 05) of an agency for a period")
def office_register(request: HttpRequest, agency: str, start: dt.date, end: dt.date) -> HttpResponse:
    from cqs.dossiers.documents import register_xlsx
    from cqs.org.permissions import has_permission

    _official(request)
    found = queries.agency_by_code(agency)
    if not any(has_permission(request.user, a, found) for a in queries.OFFICE_VIEW_ACTIONS):
        raise PermissionRefused(_("Bạn không có quyền xem sổ theo dõi của %(a)s.") % {"a": found.name})
    if end < start or (end - start).days > 366:
        raise bad_parameter("end", "must be on or after start, at most one year later")
    response = HttpResponse(
        register_xlsx(found, start, end),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="so-theo-doi-{found.code}-{start}-{end}.xlsx"'
    return response


class WorklistQuery(Schema):
    scope: Literal["mine", "agency", "reception"] = "agency"
    due: Literal["soon", "overdue"] | None = None
    q: str = ""
    status: str | None = None
    cursor: str | None = None
    limit: int = 20


@office_router.get("/worklist", response=dict, summary="My worklist or my agency's queue, soonest due first")
def office_worklist(request: HttpRequest, params: Query[WorklistQuery]) -> dict[str, Any]:
    """Keyset-paged: pass `next_cursor` back as `cursor` for the next page."""
    _official(request)
    if not 1 <= params.limit <= 100:
        raise bad_parameter("limit", "must be between 1 and 100")
    rows, next_cursor = queries.worklist(
        request.user,
        scope=params.scope,
        due=params.due,
        q=params.q[:100],
        status=params.status,
        cursor=params.cursor,
        limit=params.limit,
    )
    now = timezone.now()
    soon = queries.soon_bound(now)
    return {"results": [queries.worklist_row(d, now=now, soon=soon) for d in rows], "next_cursor": next_cursor}
