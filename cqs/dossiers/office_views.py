"""The officials' office pages ("văn phòng"): the worklists, one dossier with the actions the
signed-in official may take on it now, its documents and standard forms, and the tracking
register. Thin: each view parses the request, calls a query or a service, renders. Every page
is for officials only; permissions per dossier are the services' and `queries.can_view`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cqs.accounts.models import User, UserKind
from cqs.catalog import queries as queries_catalog
from cqs.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from cqs.core.templatetags.cqs_format import moment
from cqs.dossiers import documents, files, queries, responses, services
from cqs.dossiers.forms import labelled_answers
from cqs.dossiers.idempotency import run_once
from cqs.dossiers.lifecycle import APPLICANT, FINAL_STATES, Act, NationalStatus, State, allowed_actions, transition
from cqs.dossiers.models import Channel, Dossier
from cqs.dossiers.views import form_page_context, incomplete, save_from_post
from cqs.org.models import Agency
from cqs.org.permissions import ROLE_ACTIONS, Action, agencies_where, has_permission

# --- access -------------------------------------------------------------------------------------


def official_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in officials only: anyone else signed in gets 403, whatever the dossier."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.kind != UserKind.OFFICIAL:
            raise PermissionDenied(_("Chức năng dành cho cán bộ, công chức."))
        return view(request, *args, **kwargs)

    # Personal data on shared desk computers: never kept in a browser's or a proxy's cache.
    return login_required(never_cache(wrapped))


def _my_agencies(user: User) -> list[Agency]:
    """The agencies whose dossiers `user` may see (any dossier role held there or above)."""
    ids: set[int] = set()
    for action in queries.OFFICE_VIEW_ACTIONS:
        ids.update(agencies_where(user, action).values_list("pk", flat=True))
    return list(Agency.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def _errors_by_field(error: DomainError) -> dict[str, str]:
    found: dict[str, str] = {}
    details = error.details if isinstance(error.details, list) else []
    for item in details:
        if isinstance(item, dict):
            found.setdefault(item.get("field") or item.get("parameter") or "", item.get("message", ""))
    return found


# --- the worklist -------------------------------------------------------------------------------

SCOPES = (
    ("mine", gettext_lazy("Việc của tôi")),
    ("agency", gettext_lazy("Hồ sơ của cơ quan")),
    ("reception", gettext_lazy("Chờ tiếp nhận")),
)
DUE_FILTERS = (
    ("soon", gettext_lazy("Sắp đến hạn (trong 1 ngày làm việc)")),
    ("overdue", gettext_lazy("Quá hạn")),
)
OPEN_STATES = [(value, label) for value, label in State.choices if value not in FINAL_STATES and value != State.DRAFT]
PAGE_SIZE = 20


@official_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """The official's dossiers, soonest due first, keyset-paged."""
    scope = request.GET.get("scope") if request.GET.get("scope") in dict(SCOPES) else "agency"
    due = request.GET.get("due") if request.GET.get("due") in dict(DUE_FILTERS) else ""
    status = request.GET.get("status") if request.GET.get("status") in dict(OPEN_STATES) else ""
    q = request.GET.get("q", "").strip()[:100]
    cursor = request.GET.get("cursor") or None
    now = timezone.now()
    error = ""
    try:
        dossiers, next_cursor = queries.worklist(
            request.user,
            scope=scope,
            due=due or None,
            q=q,
            status=status or None,
            cursor=cursor,
            limit=PAGE_SIZE,
            now=now,
        )
    except ValidationFailed as exc:  # a damaged cursor: start again from the first page
        error = exc.message
        cursor = None
        dossiers, next_cursor = queries.worklist(
            request.user, scope=scope, due=due or None, q=q, status=status or None, limit=PAGE_SIZE, now=now
        )
    filters = {k: v for k, v in (("due", due), ("status", status), ("q", q)) if v}
    soon = queries.soon_bound(now)
    return render(
        request,
        "dossiers/office/worklist.html",
        {
            "rows": [(d, queries.worklist_row(d, now=now, soon=soon)) for d in dossiers],
            "scope": scope,
            "scopes": [(value, label, "?" + urlencode({"scope": value, **filters})) for value, label in SCOPES],
            "due": due,
            "due_filters": DUE_FILTERS,
            "status": status,
            "states": OPEN_STATES,
            "q": q,
            "filtered": bool(filters),
            "clear_url": "?" + urlencode({"scope": scope}),
            "can_receive": agencies_where(request.user, Action.RECEIVE_DOSSIER).exists(),
            "first_url": "?" + urlencode({"scope": scope, **filters}) if cursor else "",
            "next_url": "?" + urlencode({"scope": scope, **filters, "cursor": next_cursor}) if next_cursor else "",
            "error": error,
            "has_agencies": bool(dossiers) or bool(_my_agencies(request.user)),
        },
    )


# --- one dossier: the actions -----------------------------------------------------------------


@dataclass(frozen=True)
class ActionSpec:
    title: str
    button: str
    note_label: str
    note_required: bool = False
    primary: bool = False  # the usual next move: its form is open
    danger: bool = False
    hint: str = ""


ACTIONS: dict[Act, ActionSpec] = {
    Act.ACCEPT: ActionSpec(
        gettext_lazy("Tiếp nhận hồ sơ"),
        gettext_lazy("Tiếp nhận"),
        gettext_lazy("Ghi chú"),
        primary=True,
        hint=gettext_lazy("Hồ sơ đầy đủ, hợp lệ: hệ thống tính ngày hẹn trả và chuyển sang bước xử lý."),
    ),
    Act.REQUEST_SUPPLEMENT: ActionSpec(
        gettext_lazy("Yêu cầu bổ sung, hoàn thiện hồ sơ"),
        gettext_lazy("Gửi yêu cầu bổ sung"),
        gettext_lazy("Ghi chú gửi người nộp"),
        hint=gettext_lazy("Liệt kê một lần đầy đủ các nội dung cần bổ sung (mẫu 02); thời hạn tạm dừng."),
    ),
    Act.REFUSE: ActionSpec(
        gettext_lazy("Từ chối tiếp nhận"),
        gettext_lazy("Từ chối tiếp nhận hồ sơ"),
        gettext_lazy("Lý do từ chối"),
        note_required=True,
        danger=True,
        hint=gettext_lazy("Lý do được gửi cho người nộp (mẫu 03)."),
    ),
    Act.FORWARD: ActionSpec(
        gettext_lazy("Chuyển bước tiếp theo"),
        gettext_lazy("Chuyển bước"),
        gettext_lazy("Ý kiến xử lý"),
        primary=True,
    ),
    Act.SEND_BACK: ActionSpec(
        gettext_lazy("Trả lại bước trước"),
        gettext_lazy("Trả lại"),
        gettext_lazy("Lý do trả lại"),
        note_required=True,
    ),
    Act.ASSIGN: ActionSpec(gettext_lazy("Giao cán bộ xử lý"), gettext_lazy("Giao xử lý"), gettext_lazy("Ghi chú")),
    Act.TRANSFER: ActionSpec(
        gettext_lazy("Chuyển liên thông"),
        gettext_lazy("Chuyển sang cơ quan khác"),
        gettext_lazy("Nội dung đề nghị"),
        hint=gettext_lazy("Hồ sơ giữ nguyên mã; cơ quan nhận xử lý phần việc của mình rồi chuyển trả."),
    ),
    Act.RETURN_TRANSFER: ActionSpec(
        gettext_lazy("Hoàn thành phần liên thông"),
        gettext_lazy("Chuyển trả cơ quan chủ trì"),
        gettext_lazy("Ý kiến"),
        primary=True,
    ),
    Act.APPROVE: ActionSpec(
        gettext_lazy("Phê duyệt"), gettext_lazy("Phê duyệt hồ sơ"), gettext_lazy("Ý kiến phê duyệt"), primary=True
    ),
    Act.REJECT: ActionSpec(
        gettext_lazy("Không giải quyết"),
        gettext_lazy("Từ chối giải quyết"),
        gettext_lazy("Lý do không giải quyết"),
        note_required=True,
        danger=True,
    ),
    Act.RECORD_RESULT: ActionSpec(
        gettext_lazy("Cập nhật kết quả giải quyết"),
        gettext_lazy("Lưu kết quả"),
        gettext_lazy("Ghi chú"),
        primary=True,
    ),
    Act.RETURN_RESULT: ActionSpec(
        gettext_lazy("Trả kết quả"),
        gettext_lazy("Trả kết quả cho người nộp"),
        gettext_lazy("Ghi chú (hình thức trả)"),
        primary=True,
    ),
    Act.REQUEST_PAYMENT: ActionSpec(
        gettext_lazy("Yêu cầu nộp phí, lệ phí"),
        gettext_lazy("Gửi yêu cầu nộp phí"),
        gettext_lazy("Nội dung, số tiền cần nộp"),
        hint=gettext_lazy("Thời hạn tạm dừng đến khi người nộp hoàn thành nghĩa vụ tài chính."),
    ),
    Act.RECORD_PAYMENT: ActionSpec(
        gettext_lazy("Xác nhận đã nộp phí, lệ phí"),
        gettext_lazy("Xác nhận đã nộp"),
        gettext_lazy("Số biên lai, ghi chú"),
        primary=True,
    ),
    Act.APOLOGIZE: ActionSpec(
        gettext_lazy("Xin lỗi và hẹn lại ngày trả"),
        gettext_lazy("Lập thư xin lỗi, hẹn lại"),
        gettext_lazy("Lý do chậm trễ"),
        note_required=True,
        hint=gettext_lazy("Chỉ được hẹn lại một lần (mẫu 04); hồ sơ vẫn tính là trễ hạn."),
    ),
    Act.STOP: ActionSpec(
        gettext_lazy("Dừng xử lý"),
        gettext_lazy("Dừng xử lý hồ sơ"),
        gettext_lazy("Lý do dừng xử lý"),
        note_required=True,
        danger=True,
    ),
}

ACTION_LABELS: dict[str, str] = {
    "create": gettext_lazy("Tạo hồ sơ"),
    Act.SUBMIT: gettext_lazy("Nộp hồ sơ"),
    Act.ACCEPT: gettext_lazy("Tiếp nhận"),
    Act.REQUEST_SUPPLEMENT: gettext_lazy("Yêu cầu bổ sung"),
    Act.SUPPLEMENT: gettext_lazy("Bổ sung hồ sơ"),
    Act.REFUSE: gettext_lazy("Từ chối tiếp nhận"),
    Act.FORWARD: gettext_lazy("Chuyển bước"),
    Act.SEND_BACK: gettext_lazy("Trả lại bước trước"),
    Act.ASSIGN: gettext_lazy("Giao xử lý"),
    Act.TRANSFER: gettext_lazy("Chuyển liên thông"),
    Act.RETURN_TRANSFER: gettext_lazy("Chuyển trả sau liên thông"),
    Act.APPROVE: gettext_lazy("Phê duyệt"),
    Act.REJECT: gettext_lazy("Không giải quyết"),
    Act.RECORD_RESULT: gettext_lazy("Cập nhật kết quả"),
    Act.RETURN_RESULT: gettext_lazy("Trả kết quả"),
    Act.REQUEST_PAYMENT: gettext_lazy("Yêu cầu nộp phí"),
    Act.RECORD_PAYMENT: gettext_lazy("Xác nhận nộp phí"),
    Act.APOLOGIZE: gettext_lazy("Xin lỗi, hẹn lại"),
    Act.STOP: gettext_lazy("Dừng xử lý"),
    Act.WITHDRAW: gettext_lazy("Rút hồ sơ"),
    Act.RATE: gettext_lazy("Đánh giá"),
}
RECEPTION_ACTIONS = frozenset({Act.ACCEPT, Act.REFUSE, Act.REQUEST_SUPPLEMENT})
RECEPTION_STATES = frozenset({State.SUBMITTED, State.SUPPLEMENTED})
SUPPLEMENT_ROWS = 3


def _holder(dossier: Dossier) -> Agency:
    return dossier.current_agency or dossier.receiving_agency


def available_actions(user: User, dossier: Dossier) -> list[Act]:
    """The office actions `user` may take on `dossier` now: allowed by the state machine from its
    state, permitted at the agency the service checks, and not refused by the service's own rules
    (one apology, no step after the last one). The pages never offer what would be refused."""
    holder = _holder(dossier)
    found = []
    permitted: dict[tuple[str, int], bool] = {}  # several actions need the same permission
    for action in allowed_actions(dossier.status):
        step = transition(dossier.status, action)
        if step.actor == APPLICANT or action not in ACTIONS:
            continue
        at = dossier.receiving_agency if action in RECEPTION_ACTIONS and dossier.status in RECEPTION_STATES else holder
        key = (str(step.actor), at.pk)
        if key not in permitted:
            permitted[key] = has_permission(user, step.actor, at)
        if not permitted[key]:
            continue
        if action == Act.APOLOGIZE and (dossier.apologized_at is not None or dossier.due_at is None):
            continue
        if action == Act.FORWARD and _next_step(dossier) is None:
            continue
        found.append(action)
    return found


def _next_step(dossier: Dossier) -> Any:
    current = dossier.current_step
    position = (current.position if current else 1) + 1
    return dossier.procedure_version.steps.filter(position=position).first()


def _assignees(dossier: Dossier) -> list[User]:
    """Officials holding, at the holder agency or the one above it, a role that may process
    dossiers there: exactly those `has_permission` accepts, in one query."""
    holder = _holder(dossier)
    scope = [holder.pk] + ([holder.parent_id] if holder.parent_id else [])
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.PROCESS_DOSSIER in actions]
    return list(
        User.objects.filter(
            kind=UserKind.OFFICIAL,
            is_active=True,
            memberships__agency_id__in=scope,
            memberships__is_active=True,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("full_name", "username")
    )


def _transfer_targets(dossier: Dossier) -> list[Agency]:
    return list(Agency.objects.filter(is_active=True).exclude(pk=_holder(dossier).pk).order_by("level", "name"))


def _local_moment(raw: str, field: str) -> dt.datetime:
    """A `datetime-local` value, read in the province's time zone."""
    try:
        parsed = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        message = _("Chọn ngày và giờ hẹn trả mới.")
        raise ValidationFailed(message, details=[{"field": field, "message": message}]) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _supplement_items(post: Any) -> list[dict[str, str]]:
    rows = zip(post.getlist("item_requirement"), post.getlist("item_message"), strict=False)
    return [
        {"requirement": requirement.strip(), "message": message.strip()}
        for requirement, message in rows
        if requirement.strip() or message.strip()
    ]


def _when(value: dt.datetime | None) -> str:
    return moment(value) or "—"


def _take(request: HttpRequest, dossier: Dossier, action: str) -> str:
    """Parse the action's form, call the service; returns the success message. Raises the
    service's refusal."""
    post = request.POST
    upload = request.FILES.get("result")
    given = services.ActionInput(
        note=post.get("note", "").strip()[:4000],
        items=_supplement_items(post) if action == Act.REQUEST_SUPPLEMENT else (),
        assignee=queries.official_by_username(post.get("assignee")) if action == Act.ASSIGN else None,
        agency=queries.agency_by_code(post.get("agency")) if action == Act.TRANSFER else None,
        new_due_at=_local_moment(post.get("new_due_at", ""), "new_due_at") if action == Act.APOLOGIZE else None,
        upload=upload,
        filename=upload.name if upload else "",
    )
    done = services.dossier_act(actor=request.user, dossier=dossier, action=action, given=given)
    return _success_message(action, done, given)


def _success_message(action: str, done: Dossier, given: services.ActionInput) -> str:
    if action == Act.ACCEPT:
        return _("Đã tiếp nhận hồ sơ. Hẹn trả kết quả: %(due)s.") % {"due": _when(done.due_at)}
    if action == Act.FORWARD and done.current_step is not None:
        return _("Đã chuyển hồ sơ sang bước: %(step)s.") % {"step": done.current_step.name}
    if action == Act.ASSIGN and given.assignee is not None:
        return _("Đã giao hồ sơ cho %(name)s.") % {"name": given.assignee.full_name or given.assignee.username}
    if action == Act.TRANSFER and given.agency is not None:
        return _("Đã chuyển liên thông hồ sơ tới %(a)s.") % {"a": given.agency.name}
    if action == Act.APOLOGIZE:
        return _("Đã lập thư xin lỗi và hẹn lại ngày trả (mẫu 04): %(due)s.") % {"due": _when(given.new_due_at)}
    messages = {
        Act.REQUEST_SUPPLEMENT: _("Đã gửi yêu cầu bổ sung hồ sơ (mẫu 02) cho người nộp."),
        Act.REFUSE: _("Đã từ chối tiếp nhận hồ sơ (mẫu 03)."),
        Act.SEND_BACK: _("Đã trả hồ sơ về bước trước."),
        Act.RETURN_TRANSFER: _("Đã chuyển trả hồ sơ cho cơ quan chủ trì."),
        Act.APPROVE: _("Đã phê duyệt hồ sơ."),
        Act.REJECT: _("Đã ghi nhận không giải quyết hồ sơ."),
        Act.RECORD_RESULT: _("Đã cập nhật kết quả giải quyết; hồ sơ chờ trả kết quả."),
        Act.RETURN_RESULT: _("Đã trả kết quả cho người nộp."),
        Act.REQUEST_PAYMENT: _("Đã yêu cầu nộp phí, lệ phí; thời hạn tạm dừng."),
        Act.RECORD_PAYMENT: _("Đã ghi nhận nộp phí, lệ phí; hồ sơ tiếp tục được xử lý."),
        Act.STOP: _("Đã dừng xử lý hồ sơ."),
    }
    return messages.get(Act(action), _("Đã thực hiện."))


@dataclass
class _Failure:
    action: str
    message: str
    errors: dict[str, str]
    values: Any


def _action_forms(user: User, dossier: Dossier, failure: _Failure | None) -> list[dict[str, Any]]:
    requirements = list(dossier.procedure_version.documents.all())
    forms = []
    for action in available_actions(user, dossier):
        spec = ACTIONS[action]
        failed = failure is not None and failure.action == action
        values = failure.values if failed else {}
        errors = failure.errors if failed else {}
        form: dict[str, Any] = {
            "name": str(action),
            "spec": spec,
            "open": spec.primary or failed,
            # The message once: beside the field it is about, or else at the top of the form.
            "error": failure.message if failed and failure.message not in errors.values() else "",
            "note": values.get("note", "") if values else "",
            "note_error": errors.get("note", ""),
        }
        if action == Act.REQUEST_SUPPLEMENT:
            posted = _supplement_items(values) if values else []
            rows = posted + [{"requirement": "", "message": ""}] * max(0, SUPPLEMENT_ROWS - len(posted))
            form["requirements"] = requirements
            form["items"] = [
                {
                    **row,
                    "n": i + 1,
                    "error": errors.get(f"items[{i}].message") or errors.get(f"items[{i}].requirement", ""),
                }
                for i, row in enumerate(rows)
            ]
            form["items_error"] = errors.get("items", "")
        elif action == Act.FORWARD:
            following = _next_step(dossier)
            form["next_step"] = following.name if following else ""
        elif action == Act.ASSIGN:
            form["assignees"] = _assignees(dossier)
            form["selected"] = values.get("assignee", "") if values else ""
            form["field_error"] = errors.get("assignee", "")
        elif action == Act.TRANSFER:
            form["agencies"] = _transfer_targets(dossier)
            form["selected"] = values.get("agency", "") if values else ""
            form["field_error"] = errors.get("agency", "")
        elif action == Act.APOLOGIZE:
            form["new_due_at"] = values.get("new_due_at", "") if values else ""
            form["min"] = timezone.localtime(dossier.due_at).strftime("%Y-%m-%dT%H:%M")
            form["field_error"] = errors.get("new_due_at", "")
        elif action == Act.RECORD_RESULT:
            form["field_error"] = errors.get("result", "") or errors.get("file", "")
            form["max_mb"] = files.max_upload_bytes() // (1024 * 1024)
        forms.append(form)
    forms.sort(key=lambda f: not f["spec"].primary)
    return forms


# --- one dossier: what it holds ---------------------------------------------------------------


def _history(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "at": e.at,
            "action": ACTION_LABELS.get(e.action, e.action),
            "status": State(e.to_status).label,
            "agency": e.agency.name if e.agency else "",
            "actor": (e.actor.full_name or e.actor.username) if e.actor else "",
            "note": e.note,
        }
        for e in dossier.events.select_related("agency", "actor").order_by("at", "id")
    ]


def _steps(dossier: Dossier, now: dt.datetime) -> list[dict[str, Any]]:
    rows = queries.steps_of(dossier)
    names = dict(
        User.objects.filter(username__in={r["assignee"] for r in rows if r["assignee"]}).values_list(
            "username", "full_name"
        )
    )
    for row in rows:
        for key in ("started_at", "due_at", "completed_at"):
            row[key] = dt.datetime.fromisoformat(row[key]) if row[key] else None
        row["assignee_name"] = names.get(row["assignee"]) or row["assignee"] or ""
        row["running_late"] = bool(row["completed_at"] is None and row["due_at"] and row["due_at"] < now)
    return rows


def _supplements(dossier: Dossier) -> list[dict[str, Any]]:
    names = dict(dossier.procedure_version.documents.values_list("code", "name"))
    return [
        {
            "number": r.number,
            "requested_at": r.requested_at,
            "answered_at": r.answered_at,
            "note": r.note,
            "beyond_first": r.is_beyond_first,
            "items": [
                {"requirement": names.get(i.get("requirement") or "", ""), "message": i["message"]} for i in r.items
            ],
        }
        for r in dossier.supplement_requests.order_by("number")
    ]


def _printable_forms(dossier: Dossier) -> list[tuple[str, str]]:
    """The standard forms this dossier has (the same conditions `documents.form_pdf` checks)."""
    found = []
    if dossier.supplement_rounds or dossier.supplement_requests.exists():
        found.append(("02", _("Mẫu 02 – Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")))
    if dossier.events.filter(action=Act.REFUSE).exists():
        found.append(("03", _("Mẫu 03 – Phiếu từ chối tiếp nhận giải quyết hồ sơ")))
    if dossier.original_due_at is not None and dossier.events.filter(action=Act.APOLOGIZE).exists():
        found.append(("04", _("Mẫu 04 – Phiếu xin lỗi và hẹn lại ngày trả kết quả")))
    if dossier.received_at is not None:
        found.append(("06", _("Mẫu 06 – Phiếu kiểm soát quá trình giải quyết hồ sơ")))
    return found


def _waiting_for(dossier: Dossier) -> str:
    """Whom the dossier waits for, said when the official has nothing to do on it."""
    if dossier.status in FINAL_STATES:
        return _("Hồ sơ đã kết thúc; không còn thao tác nào.")
    if dossier.status == State.SUPPLEMENT_REQUESTED:
        return _("Hồ sơ đang chờ người nộp bổ sung, hoàn thiện.")
    if dossier.status == State.PAYMENT_REQUESTED:
        return _("Hồ sơ đang chờ người nộp hoàn thành nghĩa vụ tài chính.")
    if dossier.status in RECEPTION_STATES:
        return _("Hồ sơ đang chờ %(a)s tiếp nhận.") % {"a": dossier.receiving_agency.name}
    step = f" ({dossier.current_step.name})" if dossier.current_step_id else ""
    waiting = _("Bạn không có thao tác nào với hồ sơ ở trạng thái này. Hồ sơ đang ở %(a)s%(s)s.") % {
        "a": _holder(dossier).name,
        "s": step,
    }
    expected = _EXPECTED_NEXT.get(dossier.status)
    if expected is None:
        return waiting
    action, who = expected
    next_step = _("Việc tiếp theo: “%(action)s”, do %(who)s thực hiện.") % {"action": ACTIONS[action].title, "who": who}
    return f"{waiting} {next_step}"


# The step a dossier usually waits for in each state of processing, and who takes it: said to an
# official who has nothing to do on it, so that they know whom to ask.
_EXPECTED_NEXT = {
    State.RECEIVED: (Act.FORWARD, gettext_lazy("chuyên viên xử lý")),
    State.IN_PROCESS: (Act.FORWARD, gettext_lazy("chuyên viên xử lý")),
    State.AWAITING_APPROVAL: (Act.APPROVE, gettext_lazy("lãnh đạo có thẩm quyền")),
    State.DECIDED: (Act.RECORD_RESULT, gettext_lazy("chuyên viên xử lý")),
    State.AWAITING_RETURN: (Act.RETURN_RESULT, gettext_lazy("Bộ phận Một cửa")),
}


@official_required
@require_http_methods(["GET", "POST"])
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    """One dossier for the office: everything it holds, and one form per action the signed-in
    official may take on it now. A refused action is shown next to its form; nothing is written."""
    found = queries.dossier_for(request.user, code)
    failure = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            message = _take(request, found, action)
        except DomainError as error:
            failure = _Failure(action, error.message, _errors_by_field(error), request.POST)
            status = error.http_status
            found = queries.dossier_for(request.user, code)  # another official may have moved it meanwhile
        else:
            messages.success(request, message)
            return redirect("office:dossier", code=found.code)
    now = timezone.now()
    result_file = None
    if found.result_file_id:
        try:
            result_file = queries.result_of(found)
        except DomainError:
            result_file = None
    actions = _action_forms(request.user, found, failure)
    return render(
        request,
        "dossiers/office/dossier.html",
        {
            "dossier": found,
            "row": queries.worklist_row(found, now=now, soon=queries.soon_bound(now)),
            "holder": _holder(found),
            "national_label": NationalStatus(found.national_status).label if found.national_status else "",
            "channel": Channel(found.channel).label,
            "answers": labelled_answers(found.procedure_version.form_schema, found.form_data),
            "documents": queries.current_documents(found),
            "result_file": result_file,
            "printable": _printable_forms(found),
            "steps": _steps(found, now),
            "history": _history(found),
            "supplements": _supplements(found),
            "actions": actions,
            "failure": failure,
            # The refused action's form is still offered: the banner points to it, the form says why.
            "failure_form": next((a for a in actions if failure and a["name"] == failure.action), None),
            "waiting": _waiting_for(found),
        },
        status=status,
    )


# --- files and forms of a dossier ---------------------------------------------------------------


def _viewable(request: HttpRequest, code: str) -> Dossier:
    found = queries.dossier_for(request.user, code)
    if not queries.can_view(request.user, found):
        raise PermissionRefused(_("Bạn không có quyền xem hồ sơ này."))
    return found


@official_required
@require_GET
def document(request: HttpRequest, code: str, doc_id: str) -> FileResponse:
    """A document the applicant attached, for the officials who may see the dossier."""
    found = _viewable(request, code)
    stored = queries.document_of(found, doc_id)
    return responses.attached_document(stored)


@official_required
@require_GET
def result(request: HttpRequest, code: str) -> FileResponse:
    found = _viewable(request, code)
    stored = queries.result_of(found)
    return responses.result_file(found, stored)


@official_required
@require_GET
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    found = _viewable(request, code)
    return responses.pdf(queries.receipt_pdf(found), f"giay-tiep-nhan-{found.code}.pdf")


@official_required
@require_GET
def form_pdf(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """A standard form (02, 03, 04, 06) of the dossier; 404 when it has no such form."""
    if number not in documents.FORMS:
        raise Http404(_("Không có mẫu %(n)s.") % {"n": number})
    found = _viewable(request, code)
    return responses.pdf(documents.form_pdf(found, number), f"mau-{number}-{found.code}.pdf")


# --- the tracking register (form 05) -------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@official_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """The tracking register of one of my agencies for a period, as XLSX; without parameters, the
    form to choose them."""
    agencies = _my_agencies(request.user)
    today = timezone.localdate()
    values = {
        "agency": request.GET.get("agency", agencies[0].code if agencies else ""),
        "start": request.GET.get("start", today.replace(day=1).isoformat()),
        "end": request.GET.get("end", today.isoformat()),
    }
    errors: dict[str, str] = {}
    message = ""
    status = 200
    if "agency" in request.GET:
        try:
            found, start, end = _register_period(request.user, values)
        except DomainError as error:
            message, errors, status = error.message, _errors_by_field(error), error.http_status
        else:
            response = HttpResponse(documents.register_xlsx(found, start, end), content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="so-theo-doi-{found.code}-{start}-{end}.xlsx"'
            return response
    return render(
        request,
        "dossiers/office/register.html",
        {"agencies": agencies, "values": values, "errors": errors, "message": message},
        status=status,
    )


def _register_period(user: User, values: dict[str, str]) -> tuple[Agency, dt.date, dt.date]:
    """The agency and period asked for, checked as the API's `office_register` checks them."""
    found = queries.agency_by_code(values["agency"])
    if not any(has_permission(user, action, found) for action in queries.OFFICE_VIEW_ACTIONS):
        raise PermissionRefused(_("Bạn không có quyền xem sổ theo dõi của %(a)s.") % {"a": found.name})
    problems = []
    days = {}
    for field in ("start", "end"):
        try:
            days[field] = dt.date.fromisoformat(values[field])
        except ValueError:
            problems.append({"field": field, "message": _("Chọn một ngày hợp lệ.")})
    if not problems and (days["end"] < days["start"] or (days["end"] - days["start"]).days > 366):
        problems.append({"field": "end", "message": _("Ngày cuối phải từ ngày đầu trở đi, trong vòng một năm.")})
    if problems:
        raise ValidationFailed(_("Thời gian chưa hợp lệ."), details=problems)
    return found, days["start"], days["end"]


# --- counter and postal reception ---------------------------------------------------------------

INTAKE_CHANNELS = (
    (Channel.COUNTER, gettext_lazy("Trực tiếp tại Bộ phận Một cửa")),
    (Channel.POSTAL, gettext_lazy("Qua dịch vụ bưu chính")),
)
APPLICANT_FIELDS = ("full_name", "identity_number", "phone", "email", "address")
# (name, label, required, input type, autocomplete, hint) of the walk-in applicant's inputs
_APPLICANT_INPUTS = (
    ("full_name", gettext_lazy("Họ và tên (hoặc tên tổ chức)"), True, "text", "name", ""),
    (
        "identity_number",
        gettext_lazy("Số định danh cá nhân (CCCD) hoặc mã số thuế"),
        True,
        "text",
        "off",
        gettext_lazy("12 chữ số của CCCD; với doanh nghiệp, mã số thuế 10 hoặc 13 chữ số."),
    ),
    ("phone", gettext_lazy("Số điện thoại di động"), False, "tel", "tel", gettext_lazy("Để tra cứu và nhận tin nhắn.")),
    ("email", gettext_lazy("Thư điện tử"), False, "email", "email", gettext_lazy("Để nhận thông báo về hồ sơ.")),
    ("address", gettext_lazy("Địa chỉ"), False, "text", "street-address", ""),
)


def _receiving_agencies(user: User) -> list[Agency]:
    return list(agencies_where(user, Action.RECEIVE_DOSSIER).filter(is_active=True).order_by("name"))


@official_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """ "Tiếp nhận hồ sơ trực tiếp / qua bưu chính", step 1: the procedure, the receiving agency,
    the channel and the applicant. Creates the draft, then the officer fills in the form."""
    agencies = _receiving_agencies(request.user)
    if not agencies:
        raise PermissionDenied(_("Bạn không có quyền tiếp nhận hồ sơ."))
    errors: dict[str, str] = {}
    values: Any = {
        "channel": str(Channel.COUNTER),
        "agency": agencies[0].code if len(agencies) == 1 else "",
        "procedure": request.GET.get("procedure", "")[:300],  # from a procedure's page
    }
    if request.method == "POST":
        values = request.POST
        channel = request.POST.get("channel", "")
        procedure_code = request.POST.get("procedure", "").split(" – ")[0].strip()
        applicant = {field: request.POST.get(f"applicant_{field}", "") for field in APPLICANT_FIELDS}
        # Every problem of the page at once: the procedure's and the applicant's together.
        if not procedure_code:
            errors["procedure"] = _("Chọn thủ tục hành chính.")
        try:
            services.walk_in_applicant(applicant)
        except ValidationFailed as error:
            errors.update(_errors_by_field(error))
        if not errors:
            try:
                dossier = services.dossier_create_draft(
                    actor=request.user,
                    procedure_code=procedure_code,
                    agency_code=request.POST.get("agency") or None,
                    channel=int(channel) if channel.isdigit() else 0,
                    applicant_data=applicant,
                )
            except (NotFound, PermissionRefused) as error:
                errors["procedure" if isinstance(error, NotFound) else "agency"] = error.message
            except ValidationFailed as error:
                errors = _errors_by_field(error) or {"": error.message}
            else:
                messages.success(request, _("Đã tạo hồ sơ. Khai tờ khai và đính kèm giấy tờ của người nộp."))
                return redirect("office:intake_form", ref=dossier.pk)
    levels = {agency.level for agency in agencies}
    procedures = queries_catalog.current_versions().filter(levels__overlap=list(levels)).order_by("procedure__code")
    anchors = {"procedure": "procedure", "agency": "agency", "channel": "channel-1"}
    return render(
        request,
        "dossiers/office/intake.html",
        {
            "agencies": agencies,
            "procedures": procedures,
            "channels": INTAKE_CHANNELS,
            "applicant_inputs": [
                {
                    "id": f"a-{name}",
                    "name": f"applicant_{name}",
                    "label": label,
                    "required": required,
                    "type": kind,
                    "autocomplete": autocomplete,
                    "hint": hint,
                    "value": values.get(f"applicant_{name}", ""),
                    "error": errors.get(f"applicant.{name}", ""),
                }
                for name, label, required, kind, autocomplete, hint in _APPLICANT_INPUTS
            ],
            "values": values,
            "errors": errors,
            "error_links": [
                (anchors.get(field, "a-" + field.removeprefix("applicant.") if field else ""), message)
                for field, message in errors.items()
            ],
        },
    )


@official_required
@require_http_methods(["GET", "POST"])
def intake_form(request: HttpRequest, ref: str) -> HttpResponse:
    """Step 2: the walk-in applicant's form and documents, saved as often as needed, then filed.
    Once filed the dossier waits on its page for the officer's "Tiếp nhận" (which sets the
    appointment and prints the receipt) like an online one."""
    dossier = queries.dossier_for(request.user, ref)
    if dossier.channel == Channel.ONLINE or dossier.status != State.DRAFT:
        if dossier.code:
            return redirect("office:dossier", code=dossier.code)
        raise Http404
    errors: dict[str, str] = {}
    values: Any = dossier.form_data
    if request.method == "POST":
        errors = save_from_post(request, dossier)
        if not errors and "file" in request.POST:
            errors = incomplete(dossier)
            if not errors:
                return _file_walk_in(request, dossier)
        elif not errors:
            messages.success(request, _("Đã lưu."))
            return redirect("office:intake_form", ref=dossier.pk)
        values = request.POST
    dossier.refresh_from_db()
    return render(
        request,
        "dossiers/office/intake_form.html",
        {
            **form_page_context(dossier, values, errors),
            "channel_label": dict(INTAKE_CHANNELS).get(dossier.channel, ""),
            "idempotency_key": uuid.uuid4().hex,
        },
    )


def _file_walk_in(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    key = request.POST.get("idempotency_key", "")[:100] or None

    def work() -> tuple[int, dict[str, Any]]:
        return 200, {"code": services.dossier_submit(actor=request.user, dossier=dossier).code}

    try:
        _status, body = run_once(
            user=request.user, key=key, scope="office.intake.file", payload={"ref": str(dossier.pk)}, work=work
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("office:intake_form", ref=dossier.pk)
    messages.success(
        request,
        _("Đã nộp hồ sơ %(code)s. Kiểm tra giấy tờ rồi bấm “Tiếp nhận” để hẹn ngày trả kết quả và in giấy tiếp nhận.")
        % {"code": body["code"]},
    )
    return redirect("office:dossier", code=body["code"])
