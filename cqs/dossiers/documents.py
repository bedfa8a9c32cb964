"""The standard forms of a dossier (Circular 01/2018, renumbered by Circular 03/2025) built from
its data: 02 supplement request, 03 refusal, 04 apology, 06 process control slip, and the
tracking register (05) of an agency for a period. Rendering itself is pure (`forms_pdf`,
`register_xlsx`); this module only gathers the data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from cqs.core.errors import NotFound
from cqs.dossiers import forms_pdf
from cqs.dossiers.models import Dossier
from cqs.dossiers.queries import letterhead
from cqs.dossiers.register_xlsx import RegisterRow, render_register
from cqs.org.models import Agency

FORMS = ("02", "03", "04", "06")


def _actor_name(event) -> str:  # type: ignore[no-untyped-def]
    return (event.actor.full_name or event.actor.username) if event and event.actor else ""


def _supplement_items(dossier: Dossier, items: list[dict]) -> tuple[str, ...]:
    """Each thing to supplement as the applicant reads it: the document it is about, then what to do."""
    names = dict(dossier.procedure_version.documents.values_list("code", "name"))
    about = [names.get(item.get("requirement") or "") for item in items]
    return tuple(
        f"{name}: {item['message']}" if name else item["message"] for name, item in zip(about, items, strict=True)
    )


def form_pdf(dossier: Dossier, number: str) -> bytes:
    """One standard form of `dossier` as PDF; NotFound when the dossier has no such form yet."""
    head = letterhead(dossier)
    events = dossier.events.select_related("actor")
    if number == "02":
        request = dossier.supplement_requests.order_by("-number").first()
        if request is None:
            raise NotFound(_("Hồ sơ chưa có yêu cầu bổ sung."))
        event = events.filter(action="request_supplement").order_by("-at").first()
        return forms_pdf.render_supplement_request(
            forms_pdf.SupplementRequestData(
                **head,
                received_at=dossier.received_at,
                requested_at=request.requested_at,
                items=_supplement_items(dossier, request.items),
                note=request.note,
                officer_name=_actor_name(event),
                number=request.number,
            )
        )
    if number == "03":
        event = events.filter(action="refuse").order_by("-at").first()
        if event is None:
            raise NotFound(_("Hồ sơ không bị từ chối tiếp nhận."))
        return forms_pdf.render_refusal(
            forms_pdf.RefusalData(**head, refused_at=event.at, reasons=event.note, officer_name=_actor_name(event))
        )
    if number == "04":
        event = events.filter(action="apologize").order_by("-at").first()
        if event is None or dossier.original_due_at is None:
            raise NotFound(_("Hồ sơ chưa có thư xin lỗi, hẹn lại."))
        return forms_pdf.render_apology(
            forms_pdf.ApologyData(
                **head,
                received_at=dossier.received_at,
                original_due_at=dossier.original_due_at,
                new_due_at=dossier.due_at,
                reason=event.note,
                issued_at=event.at,
                signer_name=_actor_name(event),
                signer_title=_("Lãnh đạo"),
            )
        )
    if number == "06":
        if dossier.received_at is None:
            raise NotFound(_("Hồ sơ chưa được tiếp nhận."))
        steps = list(dossier.steps.select_related("agency", "completed_by").order_by("id"))
        rows = []
        for previous, step in zip([None, *steps], steps, strict=False):
            result = ""
            if step.completed_at and step.due_at:
                result = _("Quá hạn") if step.completed_at > step.due_at else _("Đúng hạn")
            rows.append(
                forms_pdf.ControlSlipStep(
                    handed_by=previous.agency.name if previous else dossier.receiving_agency.name,
                    received_by=step.agency.name,
                    handed_at=step.started_at,
                    due_at=step.due_at,
                    done_at=step.completed_at,
                    result=result,
                )
            )
        return forms_pdf.render_control_slip(
            forms_pdf.ControlSlipData(**head, received_at=dossier.received_at, due_at=dossier.due_at, steps=tuple(rows))
        )
    raise NotFound(_("Không có mẫu %(n)s.") % {"n": number})


def register_xlsx(agency: Agency, start: dt.date, end: dt.date) -> bytes:
    """The tracking register (form 05) of dossiers received by `agency` between two days."""
    tz = timezone.get_current_timezone()
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    dossiers = (
        Dossier.objects.filter(receiving_agency=agency, received_at__gte=begin, received_at__lt=finish)
        .select_related("procedure_version", "current_agency")
        .order_by("received_at")
    )

    def rows() -> Iterator[RegisterRow]:
        for number, d in enumerate(dossiers.iterator(chunk_size=2000), start=1):
            yield RegisterRow(
                number=number,
                dossier_code=d.code or "",
                procedure_name=d.procedure_version.name,
                applicant_name=d.applicant_name,
                applicant_address=d.applicant_address,
                phone=d.applicant_phone,
                received_at=d.received_at,
                due_at=d.due_at,
                transferred_to=d.current_agency.name if d.current_agency_id else agency.name,
                finished_at=d.finished_at,
                returned_at=d.returned_at,
                status_note=d.get_status_display(),
            )

    label = f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"
    return render_register(agency_name=agency.name, period_label=label, rows=rows())
