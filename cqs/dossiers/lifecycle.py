"""The dossier lifecycle: one explicit state machine ("vòng đời hồ sơ").

Every internal state, every action allowed from it and who may take it, and the national status
code (1–10) each state is reported as. Services ask `transition()` before changing a dossier;
nothing else decides whether a move is legal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cqs.core.errors import Conflict
from cqs.org.permissions import Action as Permission


class State(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Bản nháp")
    SUBMITTED = "submitted", gettext_lazy("Mới nộp, chờ tiếp nhận")
    SUPPLEMENT_REQUESTED = "supplement_requested", gettext_lazy("Yêu cầu bổ sung hồ sơ")
    SUPPLEMENTED = "supplemented", gettext_lazy("Đã bổ sung, chờ kiểm tra lại")
    REFUSED = "refused", gettext_lazy("Từ chối tiếp nhận")
    RECEIVED = "received", gettext_lazy("Đã tiếp nhận")
    IN_PROCESS = "in_process", gettext_lazy("Đang xử lý")
    AT_OTHER_AGENCY = "at_other_agency", gettext_lazy("Đang xử lý tại cơ quan khác (liên thông)")
    AWAITING_APPROVAL = "awaiting_approval", gettext_lazy("Chờ lãnh đạo phê duyệt")
    DECIDED = "decided", gettext_lazy("Đã có quyết định, chờ ban hành kết quả")
    PAYMENT_REQUESTED = "payment_requested", gettext_lazy("Chờ nộp phí, lệ phí")
    WITHDRAWN = "withdrawn", gettext_lazy("Công dân rút hồ sơ")
    STOPPED = "stopped", gettext_lazy("Dừng xử lý")
    AWAITING_RETURN = "awaiting_return", gettext_lazy("Đã có kết quả, chờ trả")
    RETURNED = "returned", gettext_lazy("Đã trả kết quả")


class NationalStatus(models.IntegerChoices):
    """The status codes a province reports to the national portal."""

    NEW = 1, gettext_lazy("Mới đăng ký")
    RECEIVED = 2, gettext_lazy("Đã tiếp nhận")
    REFUSED = 3, gettext_lazy("Không được tiếp nhận")
    PROCESSING = 4, gettext_lazy("Đang xử lý")
    SUPPLEMENT = 5, gettext_lazy("Yêu cầu bổ sung")
    PAYMENT = 6, gettext_lazy("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, gettext_lazy("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, gettext_lazy("Dừng xử lý")
    FINISHED = 9, gettext_lazy("Đã xử lý xong")
    RETURNED = 10, gettext_lazy("Đã trả kết quả")


NATIONAL_STATUS: dict[str, NationalStatus | None] = {
    State.DRAFT: None,  # never reported
    State.SUBMITTED: NationalStatus.NEW,
    State.SUPPLEMENT_REQUESTED: NationalStatus.SUPPLEMENT,
    State.SUPPLEMENTED: NationalStatus.SUPPLEMENT,
    State.REFUSED: NationalStatus.REFUSED,
    State.RECEIVED: NationalStatus.RECEIVED,
    State.IN_PROCESS: NationalStatus.PROCESSING,
    State.AT_OTHER_AGENCY: NationalStatus.PROCESSING,
    State.AWAITING_APPROVAL: NationalStatus.PROCESSING,
    State.DECIDED: NationalStatus.PROCESSING,
    State.PAYMENT_REQUESTED: NationalStatus.PAYMENT,
    State.WITHDRAWN: NationalStatus.WITHDRAWN,
    State.STOPPED: NationalStatus.STOPPED,
    State.AWAITING_RETURN: NationalStatus.FINISHED,
    State.RETURNED: NationalStatus.RETURNED,
}

FINAL_STATES = frozenset({State.REFUSED, State.WITHDRAWN, State.STOPPED, State.RETURNED})
# States in which the statutory clock does not run.
CLOCK_STOPPED_STATES = (
    frozenset({State.DRAFT, State.SUBMITTED, State.SUPPLEMENT_REQUESTED, State.SUPPLEMENTED, State.PAYMENT_REQUESTED})
    | FINAL_STATES
)


class Act(StrEnum):
    """The actions taken on a dossier (each is one service call)."""

    SUBMIT = "submit"
    ACCEPT = "accept"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT = "supplement"
    REFUSE = "refuse"
    FORWARD = "forward"
    SEND_BACK = "send_back"
    ASSIGN = "assign"
    TRANSFER = "transfer"
    RETURN_TRANSFER = "return_transfer"
    APPROVE = "approve"
    REJECT = "reject"
    RECORD_RESULT = "record_result"
    RETURN_RESULT = "return_result"
    REQUEST_PAYMENT = "request_payment"
    RECORD_PAYMENT = "record_payment"
    APOLOGIZE = "apologize"
    STOP = "stop"
    WITHDRAW = "withdraw"
    RATE = "rate"


APPLICANT = "applicant"  # the dossier's owner (or the officer filing on their behalf at the counter)


@dataclass(frozen=True)
class Transition:
    """One legal move. `targets` lists every state the move may lead to; where there are several,
    the service picks from the dossier's data (e.g. forward to the leader's step -> awaiting
    approval; resume after a pause -> the state the dossier was paused in)."""

    action: Act
    sources: frozenset[str]
    targets: frozenset[str]
    actor: str | Permission  # APPLICANT, or the permission the official needs at the dossier's agency

    @property
    def target(self) -> State:
        (only,) = self.targets
        return State(only)

    def to(self, state: str) -> State:
        """The chosen target, checked against the table."""
        if state not in self.targets:
            raise IllegalTransition(f"{self.action} cannot lead to {state}")
        return State(state)


def _t(action: Act, sources: set[str], targets: set[str], actor: str | Permission) -> Transition:
    return Transition(action, frozenset(sources), frozenset(targets), actor)


S = State
PROCESSING = {S.RECEIVED, S.IN_PROCESS, S.AWAITING_APPROVAL, S.AT_OTHER_AGENCY, S.DECIDED}
PAUSED_RESUMABLE = {S.RECEIVED, S.IN_PROCESS, S.AT_OTHER_AGENCY, S.DECIDED}

TRANSITIONS: tuple[Transition, ...] = (
    _t(Act.SUBMIT, {S.DRAFT}, {S.SUBMITTED}, APPLICANT),
    # Accepting a new dossier starts the clock; accepting a supplemented one resumes where it paused.
    _t(Act.ACCEPT, {S.SUBMITTED, S.SUPPLEMENTED}, {S.RECEIVED} | PAUSED_RESUMABLE, Permission.RECEIVE_DOSSIER),
    _t(Act.REQUEST_SUPPLEMENT, {S.SUBMITTED, S.SUPPLEMENTED}, {S.SUPPLEMENT_REQUESTED}, Permission.RECEIVE_DOSSIER),
    _t(
        Act.REQUEST_SUPPLEMENT,
        {S.RECEIVED, S.IN_PROCESS, S.AT_OTHER_AGENCY},
        {S.SUPPLEMENT_REQUESTED},
        Permission.PROCESS_DOSSIER,
    ),
    _t(Act.SUPPLEMENT, {S.SUPPLEMENT_REQUESTED}, {S.SUPPLEMENTED}, APPLICANT),
    _t(Act.REFUSE, {S.SUBMITTED, S.SUPPLEMENTED}, {S.REFUSED}, Permission.RECEIVE_DOSSIER),
    _t(Act.FORWARD, {S.RECEIVED, S.IN_PROCESS}, {S.IN_PROCESS, S.AWAITING_APPROVAL}, Permission.PROCESS_DOSSIER),
    _t(Act.SEND_BACK, {S.IN_PROCESS, S.AWAITING_APPROVAL}, {S.RECEIVED, S.IN_PROCESS}, Permission.PROCESS_DOSSIER),
    _t(
        Act.ASSIGN,
        {S.RECEIVED, S.IN_PROCESS, S.AWAITING_APPROVAL, S.AT_OTHER_AGENCY},
        {S.RECEIVED, S.IN_PROCESS, S.AWAITING_APPROVAL, S.AT_OTHER_AGENCY},
        Permission.PROCESS_DOSSIER,
    ),
    _t(Act.TRANSFER, {S.RECEIVED, S.IN_PROCESS}, {S.AT_OTHER_AGENCY}, Permission.PROCESS_DOSSIER),
    _t(Act.RETURN_TRANSFER, {S.AT_OTHER_AGENCY}, {S.IN_PROCESS, S.AWAITING_APPROVAL}, Permission.PROCESS_DOSSIER),
    _t(Act.APPROVE, {S.AWAITING_APPROVAL}, {S.DECIDED}, Permission.APPROVE_DOSSIER),
    _t(Act.REJECT, {S.AWAITING_APPROVAL}, {S.DECIDED}, Permission.APPROVE_DOSSIER),
    _t(Act.RECORD_RESULT, {S.DECIDED}, {S.AWAITING_RETURN}, Permission.PROCESS_DOSSIER),
    _t(Act.RETURN_RESULT, {S.AWAITING_RETURN}, {S.RETURNED}, Permission.RETURN_RESULT),
    _t(Act.REQUEST_PAYMENT, {S.RECEIVED, S.IN_PROCESS, S.DECIDED}, {S.PAYMENT_REQUESTED}, Permission.PROCESS_DOSSIER),
    _t(Act.RECORD_PAYMENT, {S.PAYMENT_REQUESTED}, PAUSED_RESUMABLE, Permission.RECEIVE_DOSSIER),
    _t(Act.APOLOGIZE, PROCESSING, PROCESSING, Permission.APPROVE_DOSSIER),
    _t(
        Act.STOP,
        PROCESSING | {S.PAYMENT_REQUESTED, S.SUPPLEMENT_REQUESTED, S.SUPPLEMENTED},
        {S.STOPPED},
        Permission.APPROVE_DOSSIER,
    ),
    _t(Act.WITHDRAW, set(State.values) - FINAL_STATES - {S.DRAFT, S.AWAITING_RETURN}, {S.WITHDRAWN}, APPLICANT),
    _t(Act.RATE, {S.RETURNED}, {S.RETURNED}, APPLICANT),
)

_BY_ACTION: dict[Act, list[Transition]] = {}
for _transition in TRANSITIONS:
    _BY_ACTION.setdefault(_transition.action, []).append(_transition)


class IllegalTransition(Conflict):
    code = "illegal_transition"


def allowed_actions(state: str) -> list[Act]:
    """The actions the state machine allows from `state`, whoever asks."""
    return list(dict.fromkeys(t.action for t in TRANSITIONS if state in t.sources))


def transition(state: str, action: Act | str) -> Transition:
    """The transition `action` takes from `state`, or `IllegalTransition` naming the current state
    and the actions that are allowed from it."""
    try:
        candidates = _BY_ACTION[Act(action)]
    except ValueError as exc:
        raise IllegalTransition(_("Thao tác '%(a)s' không tồn tại.") % {"a": action}) from exc
    found = next((t for t in candidates if state in t.sources), None)
    if found is None:
        allowed = ", ".join(allowed_actions(state)) or _("không có")
        raise IllegalTransition(
            _("Không thể '%(action)s' hồ sơ đang ở trạng thái '%(state)s'. Thao tác được phép: %(allowed)s.")
            % {"action": action, "state": State(state).label, "allowed": allowed},
            details={"state": state, "allowed_actions": [str(a) for a in allowed_actions(state)]},
        )
    return found


def national_status(state: str) -> int | None:
    code = NATIONAL_STATUS[State(state)]
    return int(code) if code is not None else None
