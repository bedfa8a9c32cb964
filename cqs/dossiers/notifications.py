"""What the applicant is told at each step of their dossier, queued in the step's transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cqs.dossiers.lifecycle import Act, State
from cqs.dossiers.models import Dossier, DossierEvent
from cqs.notify.services import email_queue, register_attachment_resolver


def tracking_url(code: str) -> str:
    return f"{settings.SITE_URL}/tra-cuu/{code}"


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%H:%M ngày %d/%m/%Y") if moment else ""


def announce(dossier: Dossier, event: DossierEvent) -> None:
    """Queue the e-mail for a history event (the draft's own events are not announced)."""
    if event.to_status == State.DRAFT or not dossier.applicant_email:
        return
    procedure = dossier.procedure_version.name
    greeting = _("Kính gửi %(name)s,") % {"name": dossier.applicant_name}
    footer = _("Tra cứu tình trạng hồ sơ: %(url)s") % {"url": tracking_url(dossier.code)}
    attachments = []
    if event.action == Act.SUBMIT:
        subject = _("Đã nhận hồ sơ trực tuyến %(code)s") % {"code": dossier.code}
        text = _(
            "Hồ sơ %(code)s (%(procedure)s) đã được nộp lúc %(when)s và đang chờ %(agency)s tiếp nhận. "
            "Thời gian giải quyết được tính từ khi hồ sơ được tiếp nhận đầy đủ."
        ) % {"code": dossier.code, "procedure": procedure, "when": _when(event.at), "agency": dossier.receiving_agency}
    elif event.action == Act.ACCEPT:
        subject = _("Hồ sơ %(code)s đã được tiếp nhận") % {"code": dossier.code}
        text = _(
            "Hồ sơ %(code)s (%(procedure)s) đã được tiếp nhận lúc %(when)s. Hẹn trả kết quả: %(due)s. "
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả được gửi kèm."
        ) % {"code": dossier.code, "procedure": procedure, "when": _when(event.at), "due": _when(dossier.due_at)}
        attachments.append(
            {"kind": "receipt", "dossier": str(dossier.pk), "filename": f"giay-tiep-nhan-{dossier.code}.pdf"}
        )
    elif event.action == Act.REQUEST_SUPPLEMENT:
        subject = _("Hồ sơ %(code)s cần bổ sung") % {"code": dossier.code}
        items = "\n".join(f"  - {item['message']}" for item in event.data.get("items", []))
        text = _(
            "Hồ sơ %(code)s (%(procedure)s) cần bổ sung, hoàn thiện các nội dung sau:\n%(items)s\n"
            "Vui lòng đăng nhập và bổ sung trực tuyến."
        ) % {"code": dossier.code, "procedure": procedure, "items": items}
    else:
        subject = _("Hồ sơ %(code)s: %(status)s") % {"code": dossier.code, "status": State(dossier.status).label}
        text = _("Hồ sơ %(code)s (%(procedure)s) chuyển sang trạng thái: %(status)s.") % {
            "code": dossier.code,
            "procedure": procedure,
            "status": State(dossier.status).label,
        }
        if event.note:
            text += "\n" + _("Ghi chú: %(note)s") % {"note": event.note}
    email_queue(
        to=dossier.applicant_email,
        subject=subject,
        body=f"{greeting}\n\n{text}\n\n{footer}\n",
        topic=f"dossier.{event.action}",
        attachments=attachments,
    )


def _receipt_attachment(descriptor: dict[str, Any]) -> bytes:
    from cqs.dossiers.queries import receipt_pdf

    return receipt_pdf(Dossier.objects.get(pk=descriptor["dossier"]))


def register() -> None:
    register_attachment_resolver("receipt", _receipt_attachment)
