"""Reads of dossiers for the applicant's pages, the public lookup, the API and the receipt."""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cqs.accounts.models import User
from cqs.catalog.models import Procedure, ProcedureVersion
from cqs.core import ratelimit, rows
from cqs.core.errors import NotFound, PermissionRefused, ValidationFailed
from cqs.dossiers.lifecycle import State, allowed_actions, national_status
from cqs.dossiers.models import Channel, Dossier, DossierDocument
from cqs.dossiers.notifications import tracking_url
from cqs.dossiers.transactions import mark_locked
from cqs.org.models import Agency
from cqs.org.permissions import Action, has_permission

OFFICE_VIEW_ACTIONS = (Action.RECEIVE_DOSSIER, Action.PROCESS_DOSSIER, Action.APPROVE_DOSSIER, Action.RETURN_RESULT)


def my_dossiers(user: Any, *, status: str | None = None, q: str = "") -> QuerySet[Dossier]:
    result = Dossier.objects.filter(applicant=user).select_related(
        "procedure_version", "procedure_version__procedure", "receiving_agency"
    )
    if status:
        result = result.filter(status=status)
    if q:
        result = result.filter(Q(code__icontains=q) | Q(procedure_version__name__icontains=q))
    return result.order_by("-created_at")


def can_view(user: Any, dossier: Dossier) -> bool:
    """The applicant, and officials with a dossier role at the receiving agency or at the agency
    holding it now (a transfer)."""
    if dossier.applicant_id is not None and dossier.applicant_id == getattr(user, "pk", None):
        return True
    agencies = [dossier.receiving_agency] + ([dossier.current_agency] if dossier.current_agency_id else [])
    return any(has_permission(user, action, agency) for agency in agencies for action in OFFICE_VIEW_ACTIONS)


def dossier_for(user: Any, ref: str, *, for_update: bool = False) -> Dossier:
    """A dossier by id or code, if `user` may see it (404 otherwise, so codes cannot be probed).

    `for_update` (inside a transaction, before a use case): the row is locked as it is read, with
    what the use case needs joined, so the use case does not read it a second time."""
    if for_update:
        dossier = _locked_dossier(ref)
    else:
        query = Dossier.objects.select_related(
            "procedure_version__procedure", "procedure_version__sector", "receiving_agency__parent"
        )
        try:
            dossier = query.filter(pk=ref).first() if _is_uuid(ref) else query.filter(code=ref).first()
        except ValueError:
            dossier = None
    if dossier is None or not can_view(user, dossier):
        raise NotFound(_("Không tìm thấy hồ sơ %(r)s.") % {"r": ref})
    if for_update:
        mark_locked(dossier)
    return dossier


def _locked_dossier(ref: str) -> Dossier | None:
    """The dossier by id or code, its row locked, with what the use cases need joined (what
    `services._locked` joins). Every attach and submit runs this: written once (cqs.core.rows)."""
    key = _as_uuid(ref) or ref
    found = rows.one(_locked_dossier_sql(key is not ref), [key], Dossier, ProcedureVersion, Procedure, Agency, User)
    if found is None:
        return None
    dossier, version, procedure, agency, applicant = found
    rows.attach(version, "procedure", procedure)
    rows.attach(dossier, "procedure_version", version)
    rows.attach(dossier, "receiving_agency", agency)
    rows.attach(dossier, "applicant", applicant)  # None for a counter dossier without an account
    return dossier


@functools.cache
def _locked_dossier_sql(by_id: bool) -> str:
    return (
        f"SELECT {rows.columns(Dossier, 'd')}, {rows.columns(ProcedureVersion, 'v')}, "  # noqa: S608 - model names
        f"{rows.columns(Procedure, 'p')}, {rows.columns(Agency, 'a')}, {rows.columns(User, 'u')} "
        f"FROM {Dossier._meta.db_table} d "
        f"JOIN {ProcedureVersion._meta.db_table} v ON v.id = d.procedure_version_id "
        f"JOIN {Procedure._meta.db_table} p ON p.id = v.procedure_id "
        f"JOIN {Agency._meta.db_table} a ON a.id = d.receiving_agency_id "
        f"LEFT JOIN {User._meta.db_table} u ON u.id = d.applicant_id "
        f"WHERE d.{'id' if by_id else 'code'} = %s FOR UPDATE OF d"
    )


def _is_uuid(value: str) -> bool:
    return _as_uuid(value) is not None


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def dossier_summary(dossier: Dossier) -> dict[str, Any]:
    return {
        "id": str(dossier.pk),
        "code": dossier.code,
        "status": dossier.status,
        "status_label": str(State(dossier.status).label),
        "national_status": national_status(dossier.status),
        "procedure": {
            "code": dossier.procedure_version.procedure.code,
            "name": dossier.procedure_version.name,
            "version": dossier.procedure_version.version,
        },
        "agency": {"code": dossier.receiving_agency.code, "name": dossier.receiving_agency.name},
        "channel": dossier.channel,
        "created_at": _iso(dossier.created_at),
        "submitted_at": _iso(dossier.submitted_at),
        "received_at": _iso(dossier.received_at),
        "due_at": _iso(dossier.due_at),
        "fee_total": dossier.fee_total,
    }


def dossier_detail(dossier: Dossier) -> dict[str, Any]:
    detail = dossier_summary(dossier)
    detail.update(
        {
            "form": dossier.form_data,
            "fees": dossier.fee_lines,
            "applicant": {
                "name": dossier.applicant_name,
                "identity_number": dossier.applicant_identity,
                "phone": dossier.applicant_phone,
                "email": dossier.applicant_email,
                "address": dossier.applicant_address,
            },
            "documents": [
                {
                    "id": str(d.pk),
                    "requirement": d.requirement.code if d.requirement else None,
                    "name": d.original_name,
                    "size": d.file.size,
                    "content_type": d.file.content_type,
                    "round": d.round,
                    "uploaded_at": _iso(d.uploaded_at),
                }
                for d in current_documents(dossier)
            ],
            "history": history(dossier),
            "supplement_requests": [
                {
                    "number": r.number,
                    "items": r.items,
                    "note": r.note,
                    "requested_at": _iso(r.requested_at),
                    "answered_at": _iso(r.answered_at),
                }
                for r in dossier.supplement_requests.all()
            ],
            "allowed_actions": [str(a) for a in allowed_actions(dossier.status)],
            "steps": steps_of(dossier),
            "outcome": dossier.outcome or None,
            "finished_at": _iso(dossier.finished_at),
            "returned_at": _iso(dossier.returned_at),
            "original_due_at": _iso(dossier.original_due_at),
            "rating": dossier.rating or None,
        }
    )
    return detail


def current_documents(dossier: Dossier) -> QuerySet[DossierDocument]:
    return (
        dossier.documents.filter(is_current=True)
        .select_related("requirement", "file")
        .order_by("requirement__position")
    )


def history(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "at": _iso(e.at),
            "action": e.action,
            "from": e.from_status or None,
            "to": e.to_status,
            "status_label": str(State(e.to_status).label),
            "national_status": national_status(e.to_status),
            "agency": e.agency.name if e.agency else None,
            "note": e.note,
        }
        for e in dossier.events.select_related("agency").order_by("at", "id")
    ]


def open_supplement_request(dossier: Dossier):  # type: ignore[no-untyped-def]
    return dossier.supplement_requests.filter(answered_at__isnull=True).order_by("-number").first()


# --- public lookup ------------------------------------------------------------------------------

TRACK_FAILURES_PER_CODE = 5  # wrong verifications per code per hour


def track(code: str, verify: str, *, client: str) -> dict[str, Any]:
    """The public status of a dossier: its code plus the last 4 digits of the applicant's identity
    number or phone. Shows status and appointment only, never personal data. Rate-limited per
    address, and per code for wrong answers, so codes and digits cannot be enumerated."""
    ratelimit.hit(f"track:addr:{client}", limit=settings.CQS_TRACK_LIMIT_PER_ADDRESS, window=dt.timedelta(minutes=10))
    dossier = (
        Dossier.objects.select_related("procedure_version", "receiving_agency")
        .filter(code=code.strip().upper())
        .exclude(status=State.DRAFT)
        .first()
    )
    digits = "".join(ch for ch in verify if ch.isdigit())
    ok = (
        dossier is not None
        and len(digits) == 4
        and any(v and v.endswith(digits) for v in (dossier.applicant_identity, _digits(dossier.applicant_phone)))
    )
    if not ok:
        ratelimit.hit(f"track:code:{code.strip().upper()}", limit=TRACK_FAILURES_PER_CODE, window=dt.timedelta(hours=1))
        # The same answer whether the code exists or the digits are wrong.
        raise NotFound(_("Không tìm thấy hồ sơ với mã và 4 số cuối đã nhập."))
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_version.name,
        "agency": dossier.receiving_agency.name,
        "status": dossier.status,
        "status_label": str(State(dossier.status).label),
        "national_status": national_status(dossier.status),
        "submitted_at": _iso(dossier.submitted_at),
        "received_at": _iso(dossier.received_at),
        "due_at": _iso(dossier.due_at),
        "returned_at": _iso(dossier.returned_at),
        "history": [
            {"at": h["at"], "status_label": h["status_label"], "agency": h["agency"]} for h in history(dossier)
        ],
    }


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


# --- the receipt (form 01) ------------------------------------------------------------------------

CHANNEL_LABELS = {Channel.COUNTER: "Trực tiếp", Channel.POSTAL: "Qua dịch vụ bưu chính", Channel.ONLINE: "Trực tuyến"}


def receipt_pdf(dossier: Dossier) -> bytes:
    from cqs.dossiers.receipt import ReceiptData, ReceiptDocument, ReceiptFee, render_receipt

    if dossier.code is None:
        raise PermissionRefused(_("Hồ sơ chưa được nộp nên chưa có giấy tiếp nhận."))
    receiver = ""
    if dossier.received_at:
        event = dossier.events.filter(action="accept").select_related("actor").order_by("-at").first()
        receiver = (event.actor.full_name or event.actor.username) if event and event.actor else ""
    data = ReceiptData(
        **letterhead(dossier),
        applicant_identity=dossier.applicant_identity,
        applicant_address=dossier.applicant_address,
        applicant_phone=dossier.applicant_phone,
        applicant_email=dossier.applicant_email,
        channel_label=CHANNEL_LABELS[Channel(dossier.channel)],
        documents=tuple(
            ReceiptDocument(
                name=d.requirement.name if d.requirement else d.original_name,
                quantity=d.requirement.quantity if d.requirement else 1,
                form=d.requirement.get_form_display() if d.requirement else "",
            )
            for d in current_documents(dossier)
        ),
        fees=tuple(ReceiptFee(name=f["name"], amount=int(f["amount"])) for f in dossier.fee_lines),
        received_at=dossier.received_at,
        appointment_at=dossier.due_at,
        submitted_at=dossier.submitted_at,
        tracking_url=tracking_url(dossier.code),
        receiving_officer=receiver,
        result_channel_label="Nhận trực tuyến" if dossier.channel == Channel.ONLINE else "Nhận tại Bộ phận Một cửa",
    )
    return render_receipt(data)


def letterhead(dossier: Dossier) -> dict[str, str]:
    """The header every standard form of a dossier shares (forms 01–06)."""
    agency = dossier.receiving_agency
    return {
        "province_name": _province_name(),
        "agency_parent_name": agency.parent.name.upper() if agency.parent_id else "",
        "agency_name": agency.name,
        "dossier_code": dossier.code or "",
        "procedure_name": dossier.procedure_version.name,
        "applicant_name": dossier.applicant_name,
    }


def _province_name() -> str:
    from cqs.org.models import AdministrativeUnit

    unit = AdministrativeUnit.objects.filter(code=str(settings.CQS_PROVINCE_CODE)).first()
    return unit.name if unit else ""


def document_of(dossier: Dossier, document_id: str) -> DossierDocument:
    document = (
        dossier.documents.select_related("file").filter(pk=document_id).first() if _is_uuid(document_id) else None
    )
    if document is None:
        raise NotFound(_("Không tìm thấy tệp."))
    return document


def safe_filename(name: str) -> str:
    """A download name without characters that could break the header."""
    return "".join(ch for ch in name if ch.isalnum() or ch in "._- ")[:120] or "tep"


def official_by_username(username: str | None) -> Any:
    from cqs.accounts.models import User, UserKind

    user = User.objects.filter(username=username or "", kind=UserKind.OFFICIAL, is_active=True).first()
    if user is None:
        raise ValidationFailed(
            _("Không tìm thấy cán bộ."), details=[{"field": "assignee", "message": _("Không tìm thấy cán bộ.")}]
        )
    return user


def agency_by_code(code: str | None) -> Any:
    from cqs.org.models import Agency

    agency = Agency.objects.filter(code=code or "", is_active=True).first()
    if agency is None:
        raise ValidationFailed(
            _("Không tìm thấy cơ quan."), details=[{"field": "agency", "message": _("Không tìm thấy cơ quan.")}]
        )
    return agency


def result_of(dossier: Dossier) -> Any:
    """The result file, once the dossier is finished: for the applicant only after it is returned
    online or ready for return."""
    if dossier.result_file_id is None or dossier.status not in (State.AWAITING_RETURN, State.RETURNED):
        raise NotFound(_("Hồ sơ chưa có kết quả."))
    return dossier.result_file


def steps_of(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "position": s.position,
            "name": s.name,
            "role": s.role,
            "agency": s.agency.name,
            "assignee": s.assignee.username if s.assignee else None,
            "started_at": _iso(s.started_at),
            "due_at": _iso(s.due_at),
            "completed_at": _iso(s.completed_at),
            "late": s.is_late,
        }
        for s in dossier.steps.select_related("agency", "assignee").order_by("id")
    ]


# --- the officials' worklists ---------------------------------------------------------------------

# Written exactly as the worklist indexes' predicate (models.Dossier.Meta), so PostgreSQL can use them.
CLOSED_STATES = ["draft", "refused", "withdrawn", "stopped", "returned"]
RECEPTION_STATES = (State.SUBMITTED, State.SUPPLEMENTED)


def _office_agencies(user: Any) -> list[int]:
    """Ids of the agencies where `user` holds any dossier role."""
    from cqs.org.permissions import agencies_where_any

    return list(agencies_where_any(user, OFFICE_VIEW_ACTIONS).values_list("pk", flat=True))


LIST_DEFERRED = (
    "form_data",
    "fee_lines",
    "applicant_address",
    "procedure_version__form_schema",
    "procedure_version__fees",
    "procedure_version__legal_basis",
    "procedure_version__description",
    "procedure_version__search_text",
    "procedure_version__search_name",
    "procedure_version__sample_parts",
    "current_step__note",
)


def encode_cursor(due_at: dt.datetime | None, pk: Any, submitted_at: dt.datetime | None = None) -> str:
    """The position after a worklist row: its deadline, (in the reception list) when it was
    submitted, and its id."""
    import base64

    parts = [due_at.isoformat() if due_at else ""]
    if submitted_at is not None:
        parts.append(submitted_at.isoformat())
    raw = "|".join([*parts, str(pk)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime | None, str, dt.datetime | None]:
    """(deadline, id, submission moment or None) of an `encode_cursor` position."""
    import base64

    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        due, *submitted, pk = raw.split("|")
        if len(submitted) > 1:
            raise ValueError(raw)
        return (
            (dt.datetime.fromisoformat(due) if due else None),
            pk,
            (dt.datetime.fromisoformat(submitted[0]) if submitted else None),
        )
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            _("Con trỏ phân trang không hợp lệ."),
            code="invalid_parameter",
            details=[{"parameter": "cursor", "message": "invalid cursor"}],
        ) from exc


def worklist(
    user: Any,
    *,
    scope: str = "agency",
    due: str | None = None,
    q: str = "",
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
    now: dt.datetime | None = None,
) -> tuple[list[Dossier], str | None]:
    """An official's dossiers, soonest due first, with keyset paging (stable and fast at any depth).

    `scope`: `mine` (steps assigned to me), `agency` (held or to be received by my agencies),
    `reception` (new and supplemented dossiers waiting at my desks). `due`: `soon` (within one
    working day) or `overdue`. `q`: a code or its last digits, an applicant's name or a procedure's name
    (accents optional) or code. `reception` lists first submitted first among dossiers without a deadline.
    """
    from cqs.core.search import normalize_query

    now = now or timezone.now()
    result = Dossier.objects.exclude(status__in=CLOSED_STATES)
    if scope == "mine":
        result = result.filter(current_step__assignee=user)
    elif scope == "reception":
        result = result.filter(status__in=RECEPTION_STATES, receiving_agency__in=_office_agencies(user))
    else:
        agencies = _office_agencies(user)
        result = result.filter(
            Q(current_agency__in=agencies) | Q(current_agency__isnull=True, receiving_agency__in=agencies)
        )
    if status:
        result = result.filter(status=status)
    if due == "overdue":
        result = result.filter(due_at__lt=now)
    elif due == "soon":
        result = result.filter(due_at__gte=now, due_at__lte=soon_bound(now))
    if q.strip():
        text = q.strip()
        if re.fullmatch(r"\d{1,4}", text):
            # The end of a code, as people read it out ("số 2", "0002"): today's and earlier days'.
            result = result.filter(code__endswith=f"-{int(text):04d}")
        elif re.fullmatch(r"\d+(\.\d+)+", text):
            # A procedure's code ("2.000635"), or the start of a dossier's.
            result = result.filter(Q(procedure_version__procedure__code=text) | Q(code__startswith=text))
        else:
            needle = normalize_query(text)
            result = result.filter(
                Q(code__startswith=text.upper())
                | Q(search_name__contains=needle)
                | Q(procedure_version__search_name__contains=needle)  # accents optional here too
            )
    # The reception desk works first come, first served among the dossiers whose clock has not
    # started (no deadline yet): by submission, not by id. (That list is short; the others follow
    # their indexes' order, deadline then id.)
    by_submission = scope == "reception"
    if cursor:
        after_due, after_pk, after_submitted = decode_cursor(cursor)
        if by_submission != (after_submitted is not None):
            raise ValidationFailed(
                _("Con trỏ phân trang không hợp lệ."),
                code="invalid_parameter",
                details=[{"parameter": "cursor", "message": "cursor of another list"}],
            )
        after_in_group = (
            Q(submitted_at__gt=after_submitted) | Q(submitted_at=after_submitted, pk__gt=after_pk)
            if by_submission
            else Q(pk__gt=after_pk)
        )
        if after_due is None:
            result = result.filter(Q(due_at__isnull=True) & after_in_group)
        else:
            result = result.filter(
                Q(due_at__gt=after_due) | (Q(due_at=after_due) & after_in_group) | Q(due_at__isnull=True)
            )
    order = (F("due_at").asc(nulls_last=True), *(("submitted_at",) if by_submission else ()), "pk")
    rows = list(
        result.select_related("procedure_version__procedure", "receiving_agency", "current_agency", "current_step")
        # A list needs none of the large JSON and text columns: decoding them is most of the cost.
        .defer(*LIST_DEFERRED)
        .order_by(*order)[: limit + 1]
    )
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last.due_at, last.pk, last.submitted_at if by_submission else None)
    return rows[:limit], next_cursor


def soon_bound(now: dt.datetime | None = None) -> dt.datetime:
    """Dossiers due before this moment are "due soon": `CQS_DUE_SOON_WORKING_HOURS` of working
    time from now (default 8, one working day)."""
    from cqs.calendar.queries import working_calendar

    return working_calendar().add_working_hours(now or timezone.now(), settings.CQS_DUE_SOON_WORKING_HOURS)


def worklist_row(dossier: Dossier, *, now: dt.datetime, soon: dt.datetime) -> dict[str, Any]:
    row = dossier_summary(dossier)
    row["applicant_name"] = dossier.applicant_name
    row["holder"] = dossier.current_agency.name if dossier.current_agency_id else dossier.receiving_agency.name
    row["step"] = dossier.current_step.name if dossier.current_step_id else None
    row["step_due_at"] = _iso(dossier.current_step.due_at) if dossier.current_step_id else None
    due = dossier.due_at
    row["lateness"] = "overdue" if due and due < now else "soon" if due and due <= soon else "on_time"
    return row
