"""Use cases that change the catalogue. An import is all or nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cqs.accounts.models import User
from cqs.audit.models import AuditAction
from cqs.audit.services import audit_record
from cqs.catalog.models import Procedure, ProcedureVersion, ProcessStep, RequiredDocument, Sector
from cqs.catalog.schema import with_field_order
from cqs.catalog.validation import catalog_problems
from cqs.core.errors import ValidationFailed
from cqs.org.models import Agency
from cqs.org.permissions import Action, require_permission


@dataclass
class ImportReport:
    sectors_created: int = 0
    procedures_created: int = 0
    versions_created: int = 0
    versions_updated: int = 0
    versions_unchanged: int = 0
    codes: list[str] = field(default_factory=list)


def catalog_import(*, actor: User | None, document: Any) -> ImportReport:
    """Import a catalogue document (`docs/catalog-format.md`).

    The whole document is validated first; any problem refuses the import with every problem
    listed (`ValidationFailed.details`) and nothing written. A version already present with the
    same content is left alone, so importing the same file twice is harmless.
    `actor=None` is the platform itself (demo loading, migrations); otherwise the actor must
    manage the catalogue.
    """
    if actor is not None:
        require_permission(actor, Action.MANAGE_CATALOG)
    agency_ids = dict(Agency.objects.values_list("code", "id"))
    problems = catalog_problems(
        document, known_sectors=Sector.objects.values_list("code", flat=True), known_agencies=agency_ids
    )
    if problems:
        raise ValidationFailed(
            _("Tệp danh mục có %(n)d lỗi; chưa có dữ liệu nào được ghi.") % {"n": len(problems)},
            details=[p.as_dict() for p in problems],
        )
    report = ImportReport()
    with transaction.atomic():
        for data in document.get("sectors", []):
            _sector, created = Sector.objects.update_or_create(
                code=data["code"], defaults={"name": data["name"], "name_en": data.get("name_en", "")}
            )
            report.sectors_created += int(created)
        sectors = {s.code: s for s in Sector.objects.all()}
        for data in document["procedures"]:
            outcome = _import_version(data, actor=actor, sectors=sectors, agency_ids=agency_ids, report=report)
            report.codes.append(f"{data['code']} v{data['version']}: {outcome}")
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="catalog.catalog",
            object_id="import",
            object_repr=_("Nhập danh mục thủ tục"),
            after={
                "procedures_created": report.procedures_created,
                "versions_created": report.versions_created,
                "versions_updated": report.versions_updated,
                "versions_unchanged": report.versions_unchanged,
            },
        )
    return report


def _version_state(data: dict[str, Any]) -> dict[str, Any]:
    """The comparable state of one imported version (as it will be stored)."""
    return {
        "name": data["name"],
        "name_en": data.get("name_en", ""),
        "description": data.get("description", ""),
        "effective_from": dt.date.fromisoformat(data["effective_from"]),
        "online_level": data["online_level"],
        "processing_time": data["processing_time"]["value"],
        "processing_unit": data["processing_time"]["unit"],
        "cutoff_time": dt.time.fromisoformat(data["cutoff_time"]) if data.get("cutoff_time") else None,
        "supplement_clock": data.get("supplement_clock", "pause"),
        "fees": data.get("fees", []),
        "form_schema": with_field_order(data["form_schema"]),
        "legal_basis": data.get("legal_basis", []),
        "electronic_result": data.get("electronic_result", False),
        "sample_parts": data.get("sample", []),
        "levels": data["levels"],
    }


def _import_version(
    data: dict[str, Any],
    *,
    actor: User | None,
    sectors: dict[str, Sector],
    agency_ids: dict[str, int],
    report: ImportReport,
) -> str:
    procedure, created = Procedure.objects.select_for_update().get_or_create(
        code=data["code"], defaults={"national_code": data["national_code"]}
    )
    report.procedures_created += int(created)
    state = _version_state(data)
    version = ProcedureVersion.objects.filter(procedure=procedure, version=data["version"]).first()
    before = None
    if version is not None:
        before = version_as_document(version)
        if before == export_record(data, state):
            report.versions_unchanged += 1
            return "unchanged"
        version.documents.all().delete()
        version.steps.all().delete()
    else:
        version = ProcedureVersion(procedure=procedure, version=data["version"])
    for name, value in state.items():
        setattr(version, name, value)
    version.sector = sectors[data["sector"]]
    version.save()
    version.agencies.set([agency_ids[code] for code in data.get("agencies", [])])
    RequiredDocument.objects.bulk_create(
        RequiredDocument(
            version=version,
            position=i + 1,
            code=doc["code"],
            name=doc["name"],
            quantity=doc.get("quantity", 1),
            form=doc["form"],
            electronic_copy_accepted=doc.get("electronic_copy_accepted", True),
            national_source=doc.get("national_source") or "",
            required=doc.get("required", True),
        )
        for i, doc in enumerate(data.get("documents", []))
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(
            version=version,
            position=i + 1,
            name=step["name"],
            role=step["role"],
            agency_id=agency_ids[step["agency"]] if step.get("agency") else None,
            budget_hours=Decimal(str(step["budget_hours"])),
        )
        for i, step in enumerate(data["process"])
    )
    after = version_as_document(version)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        instance=version,
        before=before,
        after=after,
    )
    if before:
        report.versions_updated += 1
        return "updated"
    report.versions_created += 1
    return "created"


def export_record(data: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    """An incoming record normalised to the shape `version_as_document` produces, for comparison."""
    return {
        "code": data["code"],
        "national_code": data["national_code"],
        "name": state["name"],
        "name_en": state["name_en"],
        "description": state["description"],
        "sector": data["sector"],
        "levels": list(state["levels"]),
        "agencies": sorted(data.get("agencies", [])),
        "version": data["version"],
        "effective_from": state["effective_from"].isoformat(),
        "online_level": state["online_level"],
        "processing_time": {"value": state["processing_time"], "unit": state["processing_unit"]},
        "cutoff_time": state["cutoff_time"].strftime("%H:%M") if state["cutoff_time"] else None,
        "supplement_clock": state["supplement_clock"],
        "fees": state["fees"],
        "documents": [
            {
                "code": d["code"],
                "name": d["name"],
                "quantity": d.get("quantity", 1),
                "form": d["form"],
                "electronic_copy_accepted": d.get("electronic_copy_accepted", True),
                "national_source": d.get("national_source") or None,
                "required": d.get("required", True),
            }
            for d in data.get("documents", [])
        ],
        "form_schema": state["form_schema"],
        "process": [
            {
                "name": s["name"],
                "role": s["role"],
                "agency": s.get("agency"),
                "budget_hours": float(Decimal(str(s["budget_hours"]))),
            }
            for s in data["process"]
        ],
        "legal_basis": state["legal_basis"],
        "electronic_result": state["electronic_result"],
        "sample": state["sample_parts"],
    }


def version_as_document(version: ProcedureVersion) -> dict[str, Any]:
    """One stored version in the exchange format (the inverse of the import)."""
    return {
        "code": version.procedure.code,
        "national_code": version.procedure.national_code,
        "name": version.name,
        "name_en": version.name_en,
        "description": version.description,
        "sector": version.sector.code,
        "levels": list(version.levels),
        "agencies": sorted(a.code for a in version.agencies.all()),
        "version": version.version,
        "effective_from": version.effective_from.isoformat()
        if isinstance(version.effective_from, dt.date)
        else str(version.effective_from),
        "online_level": version.online_level,
        "processing_time": {"value": version.processing_time, "unit": version.processing_unit},
        "cutoff_time": version.cutoff_time.strftime("%H:%M") if version.cutoff_time else None,
        "supplement_clock": version.supplement_clock,
        "fees": version.fees,
        "documents": [
            {
                "code": d.code,
                "name": d.name,
                "quantity": d.quantity,
                "form": d.form,
                "electronic_copy_accepted": d.electronic_copy_accepted,
                "national_source": d.national_source or None,
                "required": d.required,
            }
            for d in version.documents.all()
        ],
        "form_schema": version.form_schema,
        "process": [
            {
                "name": s.name,
                "role": s.role,
                "agency": s.agency.code if s.agency_id else None,
                "budget_hours": float(s.budget_hours),
            }
            for s in version.steps.select_related("agency")
        ],
        "legal_basis": list(version.legal_basis),
        "electronic_result": version.electronic_result,
        "sample": list(version.sample_parts),
    }
