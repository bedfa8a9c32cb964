"""Use cases of the dossier lifecycle. Each is one transaction: it locks the dossier row, asks the
state machine (`lifecycle.transition`) and the permission checks, writes the change and a history
event, and queues the applicant's notification, which is delivered after commit."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cqs.accounts.models import User, UserKind
from cqs.calendar.queries import working_calendar
from cqs.catalog.fees import fee_lines
from cqs.catalog.models import OnlineLevel, ProcedureVersion, RequiredDocument, TimeUnit
from cqs.catalog.queries import version_in_force
from cqs.core import rows
from cqs.core.errors import NotFound, PermissionRefused, ValidationFailed
from cqs.dossiers import files
from cqs.dossiers.lifecycle import APPLICANT, Act, State, Transition, transition
from cqs.dossiers.lifecycle import IllegalTransition as IllegalTransitionError
from cqs.dossiers.models import (
    Channel,
    Dossier,
    DossierCounter,
    DossierDocument,
    DossierEvent,
    DossierStep,
    StoredFile,
    SupplementRequest,
)
from cqs.dossiers.transactions import take_locked, use_case_transaction
from cqs.org.models import Agency, AgencyKind, UnitLevel
from cqs.org.permissions import Action, has_permission

APPLICANT_FIELDS = ("full_name", "identity_number", "phone", "email", "address")


# --- helpers ---------------------------------------------------------------------------------


def _locked(dossier: Dossier | UUID | str) -> Dossier:
    if isinstance(dossier, Dossier) and take_locked(dossier):
        return dossier  # the caller has just read it with its row lock, in this transaction
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    found = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure_version__procedure", "receiving_agency", "applicant")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return found


def _authorize(actor: User, dossier: Dossier, step: Transition) -> None:
    """The applicant acts on their own dossier (an officer may act for a walk-in applicant);
    officials act where their role allows."""
    if step.actor == APPLICANT:
        if dossier.applicant_id is not None and dossier.applicant_id == actor.pk:
            return
        if dossier.channel != Channel.ONLINE and has_permission(
            actor, Action.RECEIVE_DOSSIER, dossier.receiving_agency
        ):
            return
        raise PermissionRefused(_("Bạn không phải người nộp hồ sơ này."))
    if not has_permission(actor, step.actor, dossier.receiving_agency):
        raise PermissionRefused(
            _("Bạn không có quyền thực hiện thao tác này với hồ sơ của %(agency)s.")
            % {"agency": dossier.receiving_agency.name}
        )


def _record(dossier: Dossier, **change: Any) -> DossierEvent:
    """The history event of a change (`change` as `_history` takes it), the warehouse brought up
    to date, the applicant told."""
    event = _history(dossier, **change)
    from cqs.dossiers.notifications import announce

    announce(dossier, event)
    return event


def _event(
    dossier: Dossier,
    *,
    actor: User | None,
    action: str,
    from_status: str,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> DossierEvent:
    """The history event of a change of `dossier` (not yet written)."""
    return DossierEvent(
        dossier=dossier,
        at=at or timezone.now(),
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        agency=dossier.receiving_agency,
        note=note,
        data=dict(data or {}),
    )


def _history(dossier: Dossier, *, from_status: str, **details: Any) -> DossierEvent:
    """Write the history event of a change of `dossier` (`_event`'s arguments) with the
    warehouse's rows it changes."""
    event = _event(dossier, from_status=from_status, **details)
    from cqs.warehouse.services import dossier_fact_refresh

    # The warehouse's fact and monthly summaries change in this same transaction, and in the
    # statement that writes the event. A draft has no fact (the warehouse counts submitted
    # dossiers), so leaving one there is nothing to read.
    dossier_fact_refresh(
        dossier, had_fact=None if from_status != State.DRAFT else False, together=[rows.insert_statement(event)]
    )
    return event


def _validation(details: list[dict[str, str]], message: str | None = None) -> ValidationFailed:
    return ValidationFailed(message or _("Thông tin chưa hợp lệ; vui lòng sửa các mục được đánh dấu."), details=details)


def _form_errors(version: ProcedureVersion, answers: Mapping[str, Any], *, partial: bool) -> list[dict[str, str]]:
    from cqs.dossiers.forms import validate_answers

    if not isinstance(answers, Mapping):
        return [{"field": "form", "message": _("Tờ khai phải là một đối tượng JSON.")}]
    return [
        {"field": f"form.{e.field}" if e.field else "form", "message": e.message}
        for e in validate_answers(version.form_schema, dict(answers), partial=partial)
    ]


def _snapshot(user: User) -> dict[str, str]:
    from cqs.accounts.queries import applicant_snapshot

    return applicant_snapshot(user)


def resolve_receiving_agency(version: ProcedureVersion, agency_code: str | None, applicant: User | None) -> Agency:
    """Where a dossier is filed. Provincial procedures go to their implementing agency; commune
    procedures to any commune of the province (Decree 118 removes the boundary), by default the
    applicant's home commune. A commune committee receives through its one-stop desk."""
    implementing, agency, desks = _agencies_for(version, agency_code)
    if agency_code and agency is None:
        raise _validation([{"field": "agency", "message": _("Không tìm thấy cơ quan %(c)s.") % {"c": agency_code}}])
    if implementing:
        allowed = {a.pk for a in implementing} | {a.parent_id for a in implementing if a.parent_id}
        if agency is None:
            agency = implementing[0]
        elif agency.pk not in allowed and agency.parent_id not in allowed:
            raise _validation([{"field": "agency", "message": _("Cơ quan này không giải quyết thủ tục đã chọn.")}])
    else:
        if agency is None and applicant is not None:
            from cqs.accounts.queries import home_commune_code

            unit_code = home_commune_code(applicant)
            agency = Agency.objects.filter(
                unit__code=unit_code, level=UnitLevel.COMMUNE, kind=AgencyKind.PEOPLES_COMMITTEE, is_active=True
            ).first()
        if agency is None or agency.level != UnitLevel.COMMUNE:
            raise _validation([{"field": "agency", "message": _("Vui lòng chọn xã, phường nơi nộp hồ sơ.")}])
    if agency.code != agency_code:  # not the agency asked for, whose desks were read with it
        desks = list(agency.children.filter(kind=AgencyKind.ONE_STOP_DESK, is_active=True)[:1])
    return desks[0] if desks else agency


def _agencies_for(
    version: ProcedureVersion, agency_code: str | None
) -> tuple[list[Agency], Agency | None, list[Agency]]:
    """In one read: the version's active implementing agencies, and when `agency_code` is given,
    that agency if active and its active one-stop desks (each list by code)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _agencies_for_sql(), [version.pk, agency_code or None, agency_code or None, AgencyKind.ONE_STOP_DESK]
        )
        found: list[list[Agency]] = [[], [], []]
        for row in cursor.fetchall():
            found[row[0]].append(rows.instance(Agency, row, start=1))
    return found[0], (found[1][0] if found[1] else None), found[2]


@functools.cache
def _agencies_for_sql() -> str:
    # Every new dossier reads this: written once, not compiled by the ORM each call (cqs.core.rows).
    agency = Agency._meta.db_table
    through = ProcedureVersion._meta.get_field("agencies")
    return (
        f"SELECT 0 AS part, {rows.columns(Agency, 'a')} FROM {agency} a "  # noqa: S608 - model names
        f"JOIN {through.m2m_db_table()} m ON m.{through.m2m_reverse_name()} = a.id "
        f"WHERE m.{through.m2m_column_name()} = %s AND a.is_active "
        f"UNION ALL SELECT 1, {rows.columns(Agency, 'a')} FROM {agency} a WHERE a.code = %s AND a.is_active "
        f"UNION ALL SELECT 2, {rows.columns(Agency, 'a')} FROM {agency} a "
        f"JOIN {agency} parent ON parent.id = a.parent_id "
        "WHERE parent.code = %s AND a.kind = %s AND a.is_active "
        "ORDER BY part, code"
    )


def _coded_update(dossier: Dossier, day: dt.date, field_names: Sequence[str]) -> list[tuple[str, str, list[Any]]]:
    """The WITH clauses (`rows.execute_together`'s `named`) that save `field_names` of `dossier`
    with the next code of its receiving agency for `day`, `<agency code>-<yyMMdd>-<NNNN>` (more
    digits past 9999): `next` increments the agency's counter for the day, `coded` writes the
    dossier and returns its code.

    The counter's upsert keeps its row locked until the caller's transaction ends: concurrent
    submissions queue on it, and a rolled-back submission gives its number back, so the numbers
    never repeat and never skip.
    """
    assignments, fields = rows.update_assignments(Dossier, tuple(field_names))
    counter_sql, update_sql = _coded_update_sql(assignments)
    return [
        ("next", counter_sql, [dossier.receiving_agency_id, day]),
        (
            "coded",
            update_sql,
            [*rows.values(dossier, fields, add=False), f"{dossier.receiving_agency.code}-{day:%y%m%d}-", dossier.pk],
        ),
    ]


@functools.cache
def _coded_update_sql(assignments: str) -> tuple[str, str]:
    counter = DossierCounter._meta.db_table
    return (
        f"INSERT INTO {counter} (agency_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608 - model names
        f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {counter}.last + 1 RETURNING last",
        f"UPDATE {Dossier._meta.db_table} SET {assignments}, "  # noqa: S608 - model names
        "code = %s || CASE WHEN next.last < 10000 THEN lpad(next.last::text, 4, '0') ELSE next.last::text END "
        "FROM next WHERE id = %s RETURNING code",
    )


# --- applying ---------------------------------------------------------------------------------


def dossier_create_draft(
    *,
    actor: User,
    procedure_code: str,
    form: Mapping[str, Any] | None = None,
    agency_code: str | None = None,
    channel: int = Channel.ONLINE,
    applicant_data: Mapping[str, str] | None = None,
) -> Dossier:
    """Start a dossier ("tạo hồ sơ nháp") for the procedure version in force today.

    Online: by a citizen or enterprise for themselves; refused for a procedure not offered online.
    Counter or postal: by a reception officer of the receiving agency, for the applicant described
    in `applicant_data`. The form may be incomplete; what is filled must be valid.
    """
    version = version_in_force(procedure_code)
    if version is None:
        raise NotFound(_("Không tìm thấy thủ tục mã %(c)s.") % {"c": procedure_code})
    form = dict(form or {})
    if channel == Channel.ONLINE:
        if version.online_level == OnlineLevel.NONE:
            raise ValidationFailed(
                _("Thủ tục này chưa được cung cấp trực tuyến; vui lòng nộp trực tiếp tại Bộ phận Một cửa."),
                code="not_offered_online",
                details=[{"field": "procedure", "message": _("Thủ tục không cung cấp trực tuyến.")}],
            )
        if actor.kind == UserKind.OFFICIAL:
            raise PermissionRefused(_("Tài khoản cán bộ không nộp hồ sơ trực tuyến; hãy tiếp nhận tại quầy."))
    elif channel not in (Channel.COUNTER, Channel.POSTAL):
        raise _validation([{"field": "channel", "message": _("Hình thức nộp không hợp lệ.")}])
    applicant = actor if channel == Channel.ONLINE else None
    agency = resolve_receiving_agency(version, agency_code, applicant)
    if channel != Channel.ONLINE:
        if not has_permission(actor, Action.RECEIVE_DOSSIER, agency):
            raise PermissionRefused(_("Bạn không có quyền tiếp nhận hồ sơ tại %(a)s.") % {"a": agency.name})
        applicant_data = walk_in_applicant(applicant_data or {})
    errors = _form_errors(version, form, partial=True)
    if errors:
        raise _validation(errors)
    snapshot = _snapshot(actor) if applicant else {k: str(v) for k, v in (applicant_data or {}).items()}
    dossier = Dossier(
        procedure_version=version,
        applicant=applicant,
        created_by=actor,
        receiving_agency=agency,
        channel=channel,
        form_data=form,
        **_applicant_columns(snapshot),
        **_fees(version, form),
    )
    event = DossierEvent(
        dossier=dossier, at=timezone.now(), actor=actor, action="create", to_status=State.DRAFT, agency=agency
    )
    # The dossier and its first event in one prepared statement (cqs.core.rows): every online
    # application starts here.
    with use_case_transaction():
        rows.execute_together([rows.insert_statement(dossier), rows.insert_statement(event)])
    return dossier


def walk_in_applicant(data: Mapping[str, Any]) -> dict[str, str]:
    """The applicant a reception officer registers at the counter or by post, checked and in the
    platform's stored forms: a name, a 12-digit identity number (CCCD) or an enterprise's tax code,
    and optionally a mobile number, an e-mail address and a postal address. Every bad field is
    reported at once."""
    from django.core.validators import validate_email

    from cqs.accounts.validators import normalize_phone, normalize_tax_code, validate_identity_number

    clean = {key: " ".join(str(value or "").split()) for key, value in data.items()}
    errors: list[dict[str, str]] = []
    required = {
        "full_name": _("Nhập họ và tên người nộp."),
        "identity_number": _("Nhập số định danh cá nhân (CCCD) hoặc mã số thuế của người nộp."),
    }
    for field, message in required.items():
        if not clean.get(field):
            errors.append({"field": f"applicant.{field}", "message": message})
    identity = clean.get("identity_number", "").replace(" ", "")
    if identity:
        try:
            if re.fullmatch(r"\d{12}", identity):
                validate_identity_number(identity)
                clean.setdefault("kind", UserKind.CITIZEN)
            else:
                identity = normalize_tax_code(identity)
                clean.setdefault("kind", UserKind.ENTERPRISE)
            clean["identity_number"] = identity
        except DjangoValidationError as error:
            message = _("Số định danh cá nhân (12 chữ số) hoặc mã số thuế không hợp lệ: %(m)s") % {
                "m": " ".join(error.messages)
            }
            errors.append({"field": "applicant.identity_number", "message": message})
    checks = (("phone", normalize_phone), ("email", lambda value: validate_email(value) or value.lower()))
    for field, check in checks:
        if clean.get(field):
            try:
                clean[field] = check(clean[field])
            except DjangoValidationError as error:
                errors.append({"field": f"applicant.{field}", "message": " ".join(error.messages)})
    if errors:
        raise _validation(errors)
    return clean


def _applicant_columns(snapshot: Mapping[str, str]) -> dict[str, str]:
    return {
        "applicant_kind": snapshot.get("kind", ""),
        "applicant_name": snapshot.get("full_name", "")[:200],
        "applicant_identity": snapshot.get("identity_number", "")[:20],
        "applicant_phone": snapshot.get("phone", "")[:20],
        "applicant_email": snapshot.get("email", "")[:254],
        "applicant_address": snapshot.get("address", "")[:400],
    }


def _fees(version: ProcedureVersion, form: Mapping[str, Any]) -> dict[str, Any]:
    lines = fee_lines(version.fees, form)
    return {
        "fee_lines": [{"name": line.name, "kind": line.kind, "amount": line.amount} for line in lines],
        "fee_total": sum(line.amount for line in lines),
    }


def dossier_update_form(*, actor: User, dossier: Dossier | UUID, form: Mapping[str, Any]) -> Dossier:
    """Replace a draft's form answers (also while a supplement is requested). Partial is fine."""
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.status not in (State.DRAFT, State.SUPPLEMENT_REQUESTED):
            transition(locked.status, Act.SUBMIT)  # raises, naming the state and what is allowed
        _authorize(actor, locked, transition(State.DRAFT, Act.SUBMIT))
        errors = _form_errors(locked.procedure_version, form, partial=True)
        if errors:
            raise _validation(errors)
        locked.form_data = dict(form)
        for name, value in _fees(locked.procedure_version, form).items():
            setattr(locked, name, value)
        locked.save(update_fields=["form_data", "fee_lines", "fee_total", "updated_at"])
        if locked.status != State.DRAFT:
            from cqs.warehouse.services import dossier_fact_refresh

            dossier_fact_refresh(locked)  # the fees of a dossier being supplemented may change
        return locked


def dossier_attach(
    *, actor: User, dossier: Dossier | UUID, requirement_code: str, stream: IO[bytes], filename: str
) -> DossierDocument:
    """Attach a file for one required document of a draft (or of a dossier whose supplement is
    requested). The file is checked by content before anything is written; a later upload for
    the same requirement replaces the earlier one, which stays in the history."""
    upload = files.check_upload(stream, filename)
    try:
        with use_case_transaction():
            locked = _locked(dossier)
            if locked.status not in (State.DRAFT, State.SUPPLEMENT_REQUESTED):
                raise ValidationFailed(
                    _("Chỉ bổ sung giấy tờ khi hồ sơ là bản nháp hoặc đang được yêu cầu bổ sung."),
                    code="illegal_transition",
                    details=[{"field": "dossier", "message": State(locked.status).label}],
                )
            _authorize(actor, locked, transition(State.DRAFT, Act.SUBMIT))
            document = DossierDocument(
                dossier=locked,
                file=StoredFile(sha256=upload.sha256, size=upload.size, content_type=upload.content_type),
                original_name=upload.original_name,
                round=locked.supplement_rounds if locked.status == State.SUPPLEMENT_REQUESTED else 0,
                uploaded_by=actor,
            )
            if not _attach_rows(document, requirement_code):
                codes = ", ".join(
                    locked.procedure_version.documents.order_by("position").values_list("code", flat=True)
                )
                raise _validation(
                    [
                        {
                            "field": "requirement",
                            "message": _("Thành phần hồ sơ không hợp lệ; chọn một trong: %(c)s.") % {"c": codes},
                        }
                    ]
                )
            # The bytes go in place once their row is locked and referenced; nothing after this
            # can fail and leave them unreferenced, short of the commit itself (the orphan sweep's).
            files.store(upload)
            return document
    finally:
        upload.temp_path.unlink(missing_ok=True)


def _attach_rows(document: DossierDocument, requirement_code: str) -> bool:
    """Write an upload's rows in one statement (every upload runs it): the stored file's row
    (an upsert that also locks it until commit, whether the bytes are new or already stored:
    a concurrent upload of the same bytes waits on it, so `_stored`'s clean-up never deletes
    bytes another transaction is about to reference), the earlier current document for the
    requirement made not current (it stays in the history), and `document` for the version's
    required document `requirement_code`. False, with nothing written, when the version has no
    such required document."""
    stored = document.file
    params = [
        document.dossier.procedure_version_id,
        requirement_code,
        stored.sha256,
        stored.size,
        stored.content_type,
        timezone.now(),
        document.dossier_id,
        *rows.values(document, _attach_document_fields(), add=True),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_attach_rows_sql(), params)
        found = cursor.fetchone()
    if found is None:
        return False
    document.requirement_id = found[0]
    document._state.adding = stored._state.adding = False
    document._state.db = stored._state.db = connection.alias
    return True


@functools.cache
def _attach_document_fields() -> list[Any]:
    return [f for f in DossierDocument._meta.concrete_fields if f.name != "requirement"]


@functools.cache
def _attach_rows_sql() -> str:
    quote = connection.ops.quote_name
    documents = DossierDocument._meta.db_table
    fields = _attach_document_fields()
    # The main statement reads `earlier` and `stored`, so both run before its insert: the unique
    # index of current documents must see the earlier one no longer current.
    return (
        f"WITH requirement AS (SELECT r.id FROM {RequiredDocument._meta.db_table} r "  # noqa: S608 - model names
        "WHERE r.version_id = %s AND r.code = %s), "
        f"stored AS ({_stored_file_upsert('SELECT %s, %s, %s, %s FROM requirement', 'f.sha256')}), "
        f"earlier AS (UPDATE {documents} d SET is_current = false FROM requirement "
        "WHERE d.dossier_id = %s AND d.requirement_id = requirement.id AND d.is_current RETURNING d.id) "
        f"INSERT INTO {documents} ({', '.join(quote(f.column) for f in fields)}, requirement_id) "
        f"SELECT {', '.join(['%s'] * len(fields))}, requirement.id FROM requirement "
        "WHERE (SELECT count(*) FROM earlier) >= 0 AND (SELECT count(*) FROM stored) >= 0 "
        "RETURNING requirement_id"
    )


@contextmanager
def _stored(upload: files.CheckedUpload) -> Iterator[StoredFile]:
    """Inside the caller's transaction: the upload's bytes in place and their `StoredFile` row.
    If the block fails, bytes this call wrote are removed again, so a failure leaves no orphan."""
    # The row first, by an upsert that also locks it until commit: a concurrent upload of the
    # same bytes waits here, so the clean-up below never deletes bytes another transaction is
    # about to reference. One statement, whether the bytes are new or already stored.
    [stored] = rows.one(
        _stored_file_upsert_sql(), [upload.sha256, upload.size, upload.content_type, timezone.now()], StoredFile
    )
    written = files.store(upload)
    try:
        yield stored
    except BaseException:
        if written:
            files.discard(upload.sha256)
        raise


@functools.cache
def _stored_file_upsert_sql() -> str:
    return _stored_file_upsert("VALUES (%s, %s, %s, %s)", rows.columns(StoredFile, "f"))


def _stored_file_upsert(source: str, returning: str) -> str:
    """The stored file's row from `source` (sha256, size, content type, moment), inserted or, when
    the bytes are already stored, touched so that it is locked until commit either way."""
    return (
        f"INSERT INTO {StoredFile._meta.db_table} AS f (sha256, size, content_type, created_at) {source} "
        f"ON CONFLICT (sha256) DO UPDATE SET sha256 = f.sha256 RETURNING {returning}"
    )


def missing_documents(dossier: Dossier) -> list[dict[str, str]]:
    """Required documents without a current file. A document a national database can supply is
    not required from the applicant (Decree 45/2020: data already held is not asked for again)."""
    # Every submission asks: written once rather than compiled by the ORM each time (cqs.core.rows).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.code, r.name FROM {RequiredDocument._meta.db_table} r "  # noqa: S608 - model names
            "WHERE r.version_id = %s AND r.required AND coalesce(r.national_source, '') = '' "
            f"AND NOT EXISTS (SELECT FROM {DossierDocument._meta.db_table} d "
            "WHERE d.dossier_id = %s AND d.requirement_id = r.id AND d.is_current) "
            "ORDER BY r.position",
            [dossier.procedure_version_id, dossier.pk],
        )
        missing = cursor.fetchall()
    return [
        {"field": f"documents.{code}", "message": _("Chưa đính kèm: %(n)s.") % {"n": name}} for code, name in missing
    ]


# What submitting writes on the dossier row besides its code: the applicant as the profile says
# now, the fees of the final answers, the state and the moment.
SUBMIT_FIELDS = (
    "applicant_kind",
    "applicant_name",
    "applicant_identity",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "fee_lines",
    "fee_total",
    "status",
    "submitted_at",
)


def submission_problems(dossier: Dossier) -> list[dict[str, str]]:
    """What keeps a draft from being submitted, by field: its answers against the whole schema
    (required fields included) and its required documents without a current file."""
    return _form_errors(dossier.procedure_version, dossier.form_data, partial=False) + missing_documents(dossier)


def dossier_submit(*, actor: User, dossier: Dossier | UUID) -> Dossier:
    """Submit a draft ("nộp hồ sơ"): every form field valid, every required document attached.

    Writes the dossier's code, its submission moment and its first history event in one
    transaction. Refused with every problem listed; a second submit is refused as illegal.
    """
    with use_case_transaction():
        locked = _locked(dossier)
        step = transition(locked.status, Act.SUBMIT)
        _authorize(actor, locked, step)
        problems = submission_problems(locked)
        if problems:
            raise _validation(problems, _("Hồ sơ chưa đủ điều kiện nộp; vui lòng bổ sung các mục được đánh dấu."))
        now = timezone.now()
        if locked.channel == Channel.ONLINE and locked.applicant is not None:
            # The applicant submitting is the account the request signed in with, whose profile
            # came with it (accounts.queries.profile_of).
            applicant = actor if actor.pk == locked.applicant_id else locked.applicant
            for name, value in _applicant_columns(_snapshot(applicant)).items():
                setattr(locked, name, value)
        for name, value in _fees(locked.procedure_version, locked.form_data).items():
            setattr(locked, name, value)
        locked.status = step.target
        locked.submitted_at = now
        event = _event(locked, actor=actor, action=Act.SUBMIT, from_status=State.DRAFT, at=now)
        from cqs.warehouse.services import dossier_fact_refresh

        # Every concurrent submission to the agency updates two same rows: the day's code counter
        # and the month's summary in the warehouse. Their row locks last until commit, so they
        # are taken as late as possible and in one statement (the counter first, then the summary,
        # the same order in every submission): the fewer round trips after them, the shorter the
        # queue of submissions waiting on them. The dossier, its event and its fact go with them.
        (locked.code,) = dossier_fact_refresh(
            locked,
            had_fact=False,
            together=[rows.insert_statement(event)],
            named=_coded_update(locked, timezone.localdate(now), SUBMIT_FIELDS),  # and updated_at
            answer="SELECT code FROM coded",
        )
        from cqs.dossiers.notifications import announce

        announce(locked, event)
        return locked


# --- reception --------------------------------------------------------------------------------


def clock_start(version: ProcedureVersion, received: dt.datetime) -> dt.datetime:
    """When the statutory clock starts for a complete dossier received at `received`: the next
    working moment, and the next working morning when received after the procedure's cut-off."""
    calendar = working_calendar()
    start = calendar.effective_start(received)
    if version.cutoff_time is not None:
        local = timezone.localtime(received)
        if local.time() >= version.cutoff_time and calendar.is_working_day(local.date()):
            next_day = calendar.next_working_day(local.date())
            start = calendar.effective_start(
                dt.datetime.combine(next_day, dt.time(0, 0), tzinfo=timezone.get_current_timezone())
            )
    return start


def statutory_deadline(version: ProcedureVersion, start: dt.datetime) -> dt.datetime:
    """The appointment for a dossier whose clock starts at `start`, by the official calendar."""
    calendar = working_calendar()
    if version.processing_unit == TimeUnit.WORKING_DAYS:
        return calendar.add_working_days(start, version.processing_time)
    if version.processing_unit == TimeUnit.CALENDAR_DAYS:
        return calendar.add_calendar_days(start, version.processing_time)
    return calendar.add_working_hours(start, version.processing_time)


def dossier_accept(*, actor: User, dossier: Dossier | UUID | str, note: str = "") -> Dossier:
    """Accept a complete dossier ("tiếp nhận"): the clock starts, the appointment is set and the
    internal process begins. Accepting a dossier supplemented during processing resumes it where
    it paused, the appointment moved by the paused working time (or restarted, per procedure)."""
    with transaction.atomic():
        locked = _by_code_locked(dossier)
        step = transition(locked.status, Act.ACCEPT)
        _authorize(actor, locked, step)
        now = timezone.now()
        previous = locked.status
        SupplementRequest.objects.filter(dossier=locked, answered_at__isnull=True).update(answered_at=now)
        if locked.paused_at is not None:
            restart = locked.procedure_version.supplement_clock == "restart"
            locked.status = step.to(_resume(locked, now, restart=restart))
        else:
            locked.status = step.to(State.RECEIVED)
            locked.received_at = now
            locked.clock_started_at = clock_start(locked.procedure_version, now)
            locked.due_at = statutory_deadline(locked.procedure_version, locked.clock_started_at)
            first = locked.procedure_version.steps.order_by("position").first()
            if first is not None:
                # The reception step is done by this very act; the next step starts with the clock.
                _begin_step(locked, first.position, at=locked.submitted_at or now)
                _finish_step(locked, actor, now)
                if locked.procedure_version.steps.filter(position=first.position + 1).exists():
                    _begin_step(locked, first.position + 1, at=locked.clock_started_at)
        locked.save()
        _record(
            locked,
            actor=actor,
            action=Act.ACCEPT,
            from_status=previous,
            note=note,
            at=now,
            data={"due_at": locked.due_at.isoformat()},
        )
        return locked


def dossier_request_supplement(
    *, actor: User, dossier: Dossier | UUID | str, items: Sequence[Mapping[str, str]], note: str = ""
) -> SupplementRequest:
    """Ask the applicant to complete the dossier (form 02), listing everything missing or wrong
    at once. Only one request is allowed by the rules: a further one is recorded but flagged."""
    with transaction.atomic():
        locked = _by_code_locked(dossier)
        step = transition(locked.status, Act.REQUEST_SUPPLEMENT)
        if step.actor == Action.PROCESS_DOSSIER:
            _authorize_at(actor, locked.current_agency or locked.receiving_agency, step)
        else:
            _authorize(actor, locked, step)
        codes = set(locked.procedure_version.documents.values_list("code", flat=True))
        problems = []
        if not items:
            problems.append({"field": "items", "message": _("Liệt kê ít nhất một nội dung cần bổ sung.")})
        for i, item in enumerate(items):
            if not str(item.get("message", "")).strip():
                problems.append({"field": f"items[{i}].message", "message": _("Nêu rõ nội dung cần bổ sung.")})
            if item.get("requirement") and item["requirement"] not in codes:
                problems.append({"field": f"items[{i}].requirement", "message": _("Thành phần hồ sơ không hợp lệ.")})
        if problems:
            raise _validation(problems)
        now = timezone.now()
        previous = locked.status
        locked.supplement_rounds += 1
        _pause(locked, now)
        locked.status = step.target
        locked.save()
        request = SupplementRequest.objects.create(
            dossier=locked,
            number=locked.supplement_rounds,
            items=[{"requirement": i.get("requirement") or None, "message": str(i["message"]).strip()} for i in items],
            note=note,
            requested_by=actor,
            requested_at=now,
            is_beyond_first=locked.supplement_rounds > 1,
        )
        _record(
            locked,
            actor=actor,
            action=Act.REQUEST_SUPPLEMENT,
            from_status=previous,
            note=note,
            at=now,
            data={"items": request.items, "number": request.number, "beyond_first": request.is_beyond_first},
        )
        return request


def dossier_supplement(*, actor: User, dossier: Dossier | UUID | str, note: str = "") -> Dossier:
    """The applicant has supplied what was asked ("bổ sung hồ sơ"): the dossier goes back to the
    office for a new check. Refused while a requested document has no new file."""
    with transaction.atomic():
        locked = _by_code_locked(dossier)
        step = transition(locked.status, Act.SUPPLEMENT)
        _authorize(actor, locked, step)
        request = locked.supplement_requests.order_by("-number").first()
        refreshed = set(
            locked.documents.filter(is_current=True, round=locked.supplement_rounds).values_list(
                "requirement__code", flat=True
            )
        )
        missing = [
            {"field": f"documents.{item['requirement']}", "message": item["message"]}
            for item in (request.items if request else [])
            if item.get("requirement") and item["requirement"] not in refreshed
        ]
        problems = missing + _form_errors(locked.procedure_version, locked.form_data, partial=False)
        if problems:
            raise _validation(problems, _("Vui lòng bổ sung đủ các nội dung được yêu cầu."))
        now = timezone.now()
        locked.status = step.target
        locked.save()
        if request:
            request.answered_at = now
            request.save(update_fields=["answered_at"])
        _record(locked, actor=actor, action=Act.SUPPLEMENT, from_status=State.SUPPLEMENT_REQUESTED, note=note, at=now)
        return locked


def dossier_refuse(*, actor: User, dossier: Dossier | UUID | str, reasons: str) -> Dossier:
    """Refuse a dossier at reception (form 03), with the reasons the applicant will read."""
    if not reasons.strip():
        raise _validation([{"field": "note", "message": _("Nêu rõ lý do từ chối.")}])
    return _simple(actor, dossier, Act.REFUSE, reasons, finish=True)


def dossier_withdraw(*, actor: User, dossier: Dossier | UUID | str, reason: str = "") -> Dossier:
    """The applicant withdraws the dossier; processing ends."""
    return _simple(actor, dossier, Act.WITHDRAW, reason, finish=True)


def _simple(actor: User, dossier: Dossier | UUID | str, action: Act, note: str, *, finish: bool) -> Dossier:
    with transaction.atomic():
        locked = _by_code_locked(dossier)
        step = transition(locked.status, action)
        _authorize(actor, locked, step)
        now = timezone.now()
        previous = locked.status
        locked.status = step.target
        if finish:
            locked.finished_at = now
        locked.save()
        _record(locked, actor=actor, action=action, from_status=previous, note=note, at=now)
        return locked


def _by_code_locked(dossier: Dossier | UUID | str) -> Dossier:
    if isinstance(dossier, str) and not _looks_like_uuid(dossier):
        pk = Dossier.objects.filter(code=dossier).values_list("pk", flat=True).first()
        if pk is None:
            raise NotFound(_("Không tìm thấy hồ sơ %(c)s.") % {"c": dossier})
        return _locked(pk)
    return _locked(dossier)


def _looks_like_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


# --- processing: the internal process, pauses, decision, result ---------------------------------


def _step_agency(dossier: Dossier, agency: Agency | None) -> Agency:
    return agency or dossier.receiving_agency


def _begin_step(
    dossier: Dossier,
    position: int,
    *,
    at: dt.datetime,
    agency: Agency | None = None,
    name: str | None = None,
    role: str | None = None,
    budget: dt.timedelta | None = None,
) -> DossierStep:
    """Open the step at `position` of the dossier's process (or an ad-hoc one), due after its budget."""
    definition = dossier.procedure_version.steps.filter(position=position).select_related("agency").first()
    calendar = working_calendar()
    start = calendar.effective_start(at)
    budget = budget if budget is not None else dt.timedelta(hours=float(definition.budget_hours))
    step = DossierStep.objects.create(
        dossier=dossier,
        position=position,
        name=name or definition.name,
        role=role or definition.role,
        agency=agency or _step_agency(dossier, definition.agency if definition else None),
        budget=budget,
        started_at=start,
        due_at=calendar.add_working_time(start, budget),
    )
    dossier.current_step = step
    dossier.current_agency = step.agency
    return step


def _finish_step(dossier: Dossier, actor: User, at: dt.datetime, note: str = "") -> DossierStep | None:
    step = dossier.current_step
    if step is not None and step.completed_at is None:
        step.completed_at = at
        step.completed_by = actor
        step.note = note
        step.save(update_fields=["completed_at", "completed_by", "note"])
    return step


def _state_for_step(dossier: Dossier, position: int) -> State:
    definition = dossier.procedure_version.steps.filter(position=position).first()
    return State.AWAITING_APPROVAL if definition and definition.role == "leader" else State.IN_PROCESS


def _authorize_at(actor: User, agency: Agency, step: Transition) -> None:
    if step.actor == APPLICANT or not has_permission(actor, step.actor, agency):
        raise PermissionRefused(
            _("Bạn không có quyền thực hiện thao tác này với hồ sơ đang ở %(agency)s.") % {"agency": agency.name}
        )


def _act(dossier: Dossier | UUID | str, action: Act, actor: User) -> tuple[Dossier, Transition]:
    locked = _by_code_locked(dossier)
    step = transition(locked.status, action)
    holder = locked.current_agency or locked.receiving_agency
    if step.actor == APPLICANT:
        _authorize(actor, locked, step)
    else:
        _authorize_at(actor, holder, step)
    return locked, step


def _pause(dossier: Dossier, at: dt.datetime) -> None:
    """Stop the clock (supplement requested during processing, fees requested)."""
    if dossier.clock_started_at is not None and dossier.paused_at is None:
        dossier.paused_at = at
        dossier.resume_state = dossier.status


def _resume(dossier: Dossier, at: dt.datetime, *, restart: bool = False) -> State:
    """Restart the clock: the appointment (and the current step's due moment) move by exactly the
    working time the dossier was paused; with `restart`, the statutory time starts again."""
    calendar = working_calendar()
    paused = calendar.working_time_between(dossier.paused_at, at)
    if restart:
        dossier.clock_started_at = calendar.effective_start(at)
        dossier.due_at = statutory_deadline(dossier.procedure_version, dossier.clock_started_at)
    else:
        dossier.due_at = calendar.add_working_time(dossier.due_at, paused)
    step = dossier.current_step
    if step is not None and step.due_at is not None and step.completed_at is None:
        step.due_at = calendar.add_working_time(step.due_at, paused)
        step.save(update_fields=["due_at"])
    dossier.paused_total += paused
    dossier.paused_at = None
    target = State(dossier.resume_state or State.RECEIVED)
    dossier.resume_state = ""
    return target


def _save_and_record(
    dossier: Dossier,
    *,
    actor: User,
    action: Act,
    previous: str,
    at: dt.datetime,
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> Dossier:
    dossier.save()
    _record(dossier, actor=actor, action=action, from_status=previous, note=note, at=at, data=data)
    return dossier


def dossier_forward(*, actor: User, dossier: Dossier | UUID | str, note: str = "") -> Dossier:
    """Complete the current step and move the dossier to the next step of its internal process
    ("chuyển bước"); the next step's due moment comes from its budget of working hours."""
    with transaction.atomic():
        locked, step = _act(dossier, Act.FORWARD, actor)
        now = timezone.now()
        previous = locked.status
        current = _finish_step(locked, actor, now, note)
        position = (current.position if current else 1) + 1
        if not locked.procedure_version.steps.filter(position=position).exists():
            raise _validation(
                [{"field": "action", "message": _("Đây là bước cuối của quy trình; hãy trình phê duyệt.")}]
            )
        _begin_step(locked, position, at=now)
        locked.status = step.to(_state_for_step(locked, position))
        return _save_and_record(locked, actor=actor, action=Act.FORWARD, previous=previous, at=now, note=note)


def dossier_send_back(*, actor: User, dossier: Dossier | UUID | str, reason: str) -> Dossier:
    """Return the dossier to the previous step, with the reason ("trả lại bước trước")."""
    if not reason.strip():
        raise _validation([{"field": "note", "message": _("Nêu rõ lý do trả lại.")}])
    with transaction.atomic():
        locked, step = _act(dossier, Act.SEND_BACK, actor)
        now = timezone.now()
        previous = locked.status
        current = _finish_step(locked, actor, now, reason)
        position = max(2, (current.position if current else 2) - 1)
        _begin_step(locked, position, at=now)
        locked.status = step.to(State.IN_PROCESS)
        return _save_and_record(locked, actor=actor, action=Act.SEND_BACK, previous=previous, at=now, note=reason)


def dossier_assign(*, actor: User, dossier: Dossier | UUID | str, assignee: User, note: str = "") -> Dossier:
    """Hand the current step to a colleague who may process it at the same agency."""
    with transaction.atomic():
        locked, _step = _act(dossier, Act.ASSIGN, actor)
        holder = locked.current_agency or locked.receiving_agency
        if not has_permission(assignee, Action.PROCESS_DOSSIER, holder):
            raise _validation(
                [{"field": "assignee", "message": _("Cán bộ này không xử lý hồ sơ tại %(a)s.") % {"a": holder.name}}]
            )
        now = timezone.now()
        if locked.current_step is not None:
            locked.current_step.assignee = assignee
            locked.current_step.save(update_fields=["assignee"])
        return _save_and_record(
            locked,
            actor=actor,
            action=Act.ASSIGN,
            previous=locked.status,
            at=now,
            note=note,
            data={"assignee": assignee.username},
        )


def dossier_transfer(*, actor: User, dossier: Dossier | UUID | str, agency: Agency, note: str = "") -> Dossier:
    """Send the dossier to another agency or level for its part ("liên thông"); it keeps its code,
    so statistics count it once."""
    with transaction.atomic():
        locked, step = _act(dossier, Act.TRANSFER, actor)
        if agency.pk == (locked.current_agency_id or locked.receiving_agency_id):
            raise _validation([{"field": "agency", "message": _("Chọn một cơ quan khác.")}])
        now = timezone.now()
        previous = locked.status
        current = _finish_step(locked, actor, now, note)
        _begin_step(
            locked,
            current.position if current else 2,
            at=now,
            agency=agency,
            name=_("Xử lý liên thông tại %(a)s") % {"a": agency.name},
            role="specialist",
            budget=current.budget if current else dt.timedelta(hours=8),
        )
        locked.status = step.to(State.AT_OTHER_AGENCY)
        return _save_and_record(
            locked, actor=actor, action=Act.TRANSFER, previous=previous, at=now, note=note, data={"to": agency.code}
        )


def dossier_return_transfer(*, actor: User, dossier: Dossier | UUID | str, note: str = "") -> Dossier:
    """The other agency has done its part and hands the dossier back to the next step."""
    with transaction.atomic():
        locked, step = _act(dossier, Act.RETURN_TRANSFER, actor)
        now = timezone.now()
        previous = locked.status
        current = _finish_step(locked, actor, now, note)
        position = (current.position if current else 1) + 1
        if not locked.procedure_version.steps.filter(position=position).exists():
            position = current.position if current else 2
        _begin_step(locked, position, at=now, agency=locked.receiving_agency)
        # Handed back straight into the leader's step, the dossier awaits approval; otherwise the
        # leader could never approve it (forward and send back never reach that state from here).
        locked.status = step.to(_state_for_step(locked, position))
        return _save_and_record(locked, actor=actor, action=Act.RETURN_TRANSFER, previous=previous, at=now, note=note)


def dossier_decide(*, actor: User, dossier: Dossier | UUID | str, approve: bool, note: str = "") -> Dossier:
    """The leader approves, or rejects with reasons ("phê duyệt" / "từ chối giải quyết")."""
    if not approve and not note.strip():
        raise _validation([{"field": "note", "message": _("Nêu rõ lý do không giải quyết.")}])
    action = Act.APPROVE if approve else Act.REJECT
    with transaction.atomic():
        locked, step = _act(dossier, action, actor)
        now = timezone.now()
        previous = locked.status
        _finish_step(locked, actor, now, note)
        locked.current_step = None
        locked.outcome = "approved" if approve else "rejected"
        locked.decided_at = now
        locked.status = step.target
        return _save_and_record(locked, actor=actor, action=action, previous=previous, at=now, note=note)


def dossier_record_result(
    *, actor: User, dossier: Dossier | UUID | str, stream: IO[bytes], filename: str, note: str = ""
) -> Dossier:
    """Record the result document (signed electronic results come later); processing is finished."""
    upload = files.check_upload(stream, filename, field="result")
    try:
        with transaction.atomic():
            locked, step = _act(dossier, Act.RECORD_RESULT, actor)
            with _stored(upload) as stored:
                now = timezone.now()
                previous = locked.status
                locked.result_file = stored
                locked.finished_at = now
                locked.processing_time = _processing_time(locked, now)
                locked.is_overdue = bool(locked.due_at and now > locked.due_at)
                locked.status = step.target
                return _save_and_record(
                    locked,
                    actor=actor,
                    action=Act.RECORD_RESULT,
                    previous=previous,
                    at=now,
                    note=note,
                    data={"file": upload.original_name},
                )
    finally:
        upload.temp_path.unlink(missing_ok=True)


def _processing_time(dossier: Dossier, now: dt.datetime) -> dt.timedelta | None:
    """Working time from the clock's start to `now`, the paused time (supplements, payment)
    excluded: the processing time the scorecard averages."""
    if dossier.clock_started_at is None:
        return None
    elapsed = working_calendar().working_time_between(dossier.clock_started_at, now) - dossier.paused_total
    return max(elapsed, dt.timedelta(0))


def dossier_return_result(*, actor: User, dossier: Dossier | UUID | str, note: str = "") -> Dossier:
    """Hand the result to the applicant, at the counter or online; the dossier closes."""
    with transaction.atomic():
        locked, step = _act(dossier, Act.RETURN_RESULT, actor)
        now = timezone.now()
        previous = locked.status
        locked.returned_at = now
        locked.status = step.target
        return _save_and_record(locked, actor=actor, action=Act.RETURN_RESULT, previous=previous, at=now, note=note)


RATINGS = ("satisfied", "normal", "unsatisfied")


def dossier_rate(*, actor: User, dossier: Dossier | UUID | str, rating: str, comment: str = "") -> Dossier:
    """The applicant rates the service once, after the result is returned."""
    if rating not in RATINGS:
        raise _validation([{"field": "rating", "message": _("Chọn: hài lòng, bình thường hoặc không hài lòng.")}])
    with transaction.atomic():
        locked, _step = _act(dossier, Act.RATE, actor)
        if locked.rated_at is not None:
            raise IllegalTransitionError(_("Hồ sơ này đã được đánh giá."))
        now = timezone.now()
        locked.rating, locked.rating_comment, locked.rated_at = rating, comment[:2000], now
        return _save_and_record(
            locked, actor=actor, action=Act.RATE, previous=locked.status, at=now, data={"rating": rating}
        )


def dossier_request_payment(*, actor: User, dossier: Dossier | UUID | str, note: str = "") -> Dossier:
    """Ask the applicant to pay fees (national status 6); the clock pauses until payment."""
    with transaction.atomic():
        locked, step = _act(dossier, Act.REQUEST_PAYMENT, actor)
        now = timezone.now()
        previous = locked.status
        _pause(locked, now)
        locked.status = step.target
        return _save_and_record(locked, actor=actor, action=Act.REQUEST_PAYMENT, previous=previous, at=now, note=note)


def dossier_record_payment(
    *, actor: User, dossier: Dossier | UUID | str, note: str = "", online: bool = False
) -> Dossier:
    """An officer records a payment (made offline, or `online` through a payment platform whose
    receipt the officer checked); the clock resumes where it paused."""
    with transaction.atomic():
        locked, step = _act(dossier, Act.RECORD_PAYMENT, actor)
        now = timezone.now()
        previous = locked.status
        locked.fee_paid_at = now
        locked.fee_paid_online = online
        locked.status = step.to(_resume(locked, now) if locked.paused_at else State.RECEIVED)
        return _save_and_record(locked, actor=actor, action=Act.RECORD_PAYMENT, previous=previous, at=now, note=note)


def dossier_apologize(*, actor: User, dossier: Dossier | UUID | str, new_due_at: dt.datetime, reason: str) -> Dossier:
    """Issue the apology letter with a new appointment (form 04). Once per dossier; the dossier
    still counts as late."""
    if not reason.strip():
        raise _validation([{"field": "note", "message": _("Nêu rõ lý do chậm trễ.")}])
    with transaction.atomic():
        locked, _step = _act(dossier, Act.APOLOGIZE, actor)
        if locked.apologized_at is not None:
            raise IllegalTransitionError(_("Đã gửi thư xin lỗi và hẹn lại một lần; không được hẹn lại lần nữa."))
        if locked.due_at is None or new_due_at <= locked.due_at:
            raise _validation([{"field": "new_due_at", "message": _("Ngày hẹn mới phải sau ngày hẹn hiện tại.")}])
        now = timezone.now()
        locked.original_due_at = locked.due_at
        locked.due_at = new_due_at
        locked.apologized_at = now
        return _save_and_record(
            locked,
            actor=actor,
            action=Act.APOLOGIZE,
            previous=locked.status,
            at=now,
            note=reason,
            data={"original_due_at": locked.original_due_at.isoformat(), "new_due_at": new_due_at.isoformat()},
        )


def dossier_stop(*, actor: User, dossier: Dossier | UUID | str, reasons: str) -> Dossier:
    """The agency stops processing, with reasons (national status 8)."""
    if not reasons.strip():
        raise _validation([{"field": "note", "message": _("Nêu rõ lý do dừng xử lý.")}])
    with transaction.atomic():
        locked, step = _act(dossier, Act.STOP, actor)
        now = timezone.now()
        previous = locked.status
        _finish_step(locked, actor, now, reasons)
        locked.current_step = None
        locked.finished_at = now
        locked.status = step.target
        return _save_and_record(locked, actor=actor, action=Act.STOP, previous=previous, at=now, note=reasons)


def dossiers_mark_overdue(*, now: dt.datetime | None = None) -> int:
    """Flag dossiers whose appointment has passed while they are still being processed, and
    queue a reminder to the official assigned to the current step (or nobody, if unassigned).
    Idempotent: a dossier is flagged and reminded once."""
    from cqs.notify.services import email_queue

    now = now or timezone.now()
    running = [State.RECEIVED, State.IN_PROCESS, State.AWAITING_APPROVAL, State.AT_OTHER_AGENCY, State.DECIDED]
    flagged = 0
    with transaction.atomic():
        due = (
            Dossier.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status__in=running, is_overdue=False, due_at__lt=now, paused_at__isnull=True)
            .select_related("current_step__assignee", "procedure_version")
        )
        for dossier in due:
            dossier.is_overdue = True
            dossier.save(update_fields=["is_overdue", "updated_at"])
            flagged += 1
            assignee = dossier.current_step.assignee if dossier.current_step else None
            if assignee is not None and assignee.email:
                email_queue(
                    to=assignee.email,
                    subject=_("Hồ sơ %(code)s đã quá hạn") % {"code": dossier.code},
                    body=_(
                        "Hồ sơ %(code)s (%(p)s) đã quá hạn hẹn trả kết quả. Vui lòng xử lý và gửi thư xin lỗi, "
                        "hẹn lại nếu cần."
                    )
                    % {"code": dossier.code, "p": dossier.procedure_version.name},
                    topic="dossier.overdue",
                )
    return flagged


@dataclass(frozen=True)
class ActionInput:
    """What an official supplies with an action; each action reads the fields it needs."""

    note: str = ""
    items: Sequence[Mapping[str, str]] = ()
    assignee: User | None = None
    agency: Agency | None = None
    new_due_at: dt.datetime | None = None
    upload: IO[bytes] | None = None
    filename: str = ""


def _missing(field: str, message: str) -> ValidationFailed:
    return _validation([{"field": field, "message": message}], message)


def dossier_act(*, actor: User, dossier: Dossier | UUID | str, action: Act | str, given: ActionInput) -> Dossier:
    """Take an office action by its name: the one entry point the office pages and the API share.
    Refuses an unknown action, and an action whose required input is missing, naming the field."""
    try:
        act = Act(action)
    except ValueError as exc:
        raise _missing("action", _("Thao tác không hợp lệ.")) from exc
    note = given.note
    if act == Act.ASSIGN and given.assignee is None:
        raise _missing("assignee", _("Chọn cán bộ được giao."))
    if act == Act.TRANSFER and given.agency is None:
        raise _missing("agency", _("Chọn cơ quan nhận liên thông."))
    if act == Act.APOLOGIZE and given.new_due_at is None:
        raise _missing("new_due_at", _("Chọn ngày và giờ hẹn trả mới."))
    if act == Act.RECORD_RESULT and given.upload is None:
        raise _missing("result", _("Chọn tệp kết quả (PDF, JPEG hoặc PNG)."))
    handlers = {
        Act.ACCEPT: lambda: dossier_accept(actor=actor, dossier=dossier, note=note),
        Act.REQUEST_SUPPLEMENT: lambda: (
            dossier_request_supplement(actor=actor, dossier=dossier, items=list(given.items), note=note).dossier
        ),
        Act.REFUSE: lambda: dossier_refuse(actor=actor, dossier=dossier, reasons=note),
        Act.FORWARD: lambda: dossier_forward(actor=actor, dossier=dossier, note=note),
        Act.SEND_BACK: lambda: dossier_send_back(actor=actor, dossier=dossier, reason=note),
        Act.ASSIGN: lambda: dossier_assign(actor=actor, dossier=dossier, assignee=given.assignee, note=note),
        Act.TRANSFER: lambda: dossier_transfer(actor=actor, dossier=dossier, agency=given.agency, note=note),
        Act.RETURN_TRANSFER: lambda: dossier_return_transfer(actor=actor, dossier=dossier, note=note),
        Act.APPROVE: lambda: dossier_decide(actor=actor, dossier=dossier, approve=True, note=note),
        Act.REJECT: lambda: dossier_decide(actor=actor, dossier=dossier, approve=False, note=note),
        Act.RECORD_RESULT: lambda: dossier_record_result(
            actor=actor, dossier=dossier, stream=given.upload, filename=given.filename, note=note
        ),
        Act.RETURN_RESULT: lambda: dossier_return_result(actor=actor, dossier=dossier, note=note),
        Act.REQUEST_PAYMENT: lambda: dossier_request_payment(actor=actor, dossier=dossier, note=note),
        Act.RECORD_PAYMENT: lambda: dossier_record_payment(actor=actor, dossier=dossier, note=note),
        Act.APOLOGIZE: lambda: dossier_apologize(
            actor=actor, dossier=dossier, new_due_at=given.new_due_at, reason=note
        ),
        Act.STOP: lambda: dossier_stop(actor=actor, dossier=dossier, reasons=note),
    }
    if act not in handlers:
        raise _missing("action", _("Thao tác này không dành cho cán bộ."))
    return handlers[act]()
