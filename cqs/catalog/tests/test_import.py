import copy

import pytest

from cqs.audit.models import AuditEvent
from cqs.catalog.models import Procedure, ProcedureVersion, ProcessStep, RequiredDocument, Sector
from cqs.catalog.queries import catalog_export, catalog_export_csv, version_in_force
from cqs.catalog.services import catalog_import
from cqs.core.errors import PermissionRefused, ValidationFailed
from tests.catalog_samples import BIRTH, ENTERPRISE, catalog_document


def _counts() -> tuple[int, ...]:
    return (
        Sector.objects.count(),
        Procedure.objects.count(),
        ProcedureVersion.objects.count(),
        RequiredDocument.objects.count(),
        ProcessStep.objects.count(),
        AuditEvent.objects.count(),
    )


def test_import_writes_procedures_with_documents_and_steps(personas):
    report = catalog_import(actor=personas.system_admin, document=catalog_document())
    assert report.versions_created == 2
    birth = version_in_force("1.001193")
    assert birth.name == "Đăng ký khai sinh"
    assert [d.code for d in birth.documents.all()] == ["TK", "GCS"]
    assert [s.role for s in birth.steps.all()] == ["reception", "specialist", "leader"]
    enterprise = version_in_force("2.001610")
    assert [a.code for a in enterprise.agencies.all()] == ["000.11.00.H53"]
    assert enterprise.legacy_level == 3


def test_importing_the_same_file_twice_changes_nothing(personas):
    catalog_import(actor=personas.system_admin, document=catalog_document())
    before = _counts()
    report = catalog_import(actor=personas.system_admin, document=catalog_document())
    assert report.versions_unchanged == 2
    assert report.versions_created == report.versions_updated == 0
    # Only the import's own audit event is added.
    assert _counts()[:5] == before[:5]


def test_export_round_trips_through_import(personas):
    catalog_import(actor=personas.system_admin, document=catalog_document())
    exported = catalog_export()
    report = catalog_import(actor=personas.system_admin, document=exported)
    assert report.versions_unchanged == 2
    assert exported["procedures"][0]["process"][2]["budget_hours"] == 2.5


def _bad_records() -> list[tuple[str, dict]]:
    bad_code = copy.deepcopy(BIRTH) | {"code": "1-001193"}
    unknown_agency = copy.deepcopy(ENTERPRISE) | {"agencies": ["999.99.99.Z99"]}
    bad_schema = copy.deepcopy(BIRTH) | {
        "code": "1.000001",
        "national_code": "1.000001",
        "form_schema": {"type": "object", "properties": {"x": {"type": "strin"}}},
    }
    over_budget = copy.deepcopy(ENTERPRISE) | {"code": "2.000002", "national_code": "2.000002"}
    over_budget["process"][1]["budget_hours"] = 40
    return [
        ("procedures[0].code", bad_code),
        ("procedures[1].agencies[0]", unknown_agency),
        ("procedures[2].form_schema", bad_schema),
        ("procedures[3].process", over_budget),
    ]


def test_bad_file_is_refused_as_a_whole_and_writes_nothing(personas):
    good_first = copy.deepcopy(ENTERPRISE) | {"code": "2.009999", "national_code": "2.009999"}
    bad = _bad_records()
    document = catalog_document(*(record for _where, record in bad), good_first)
    before = _counts()
    with pytest.raises(ValidationFailed) as refused:
        catalog_import(actor=personas.system_admin, document=document)
    wheres = [p["where"] for p in refused.value.details]
    for expected, _record in bad:
        assert any(w.startswith(expected) for w in wheres), (expected, wheres)
    assert _counts() == before  # not even the valid procedure or an audit event


def test_fee_rule_must_name_a_form_field(personas):
    record = copy.deepcopy(BIRTH)
    record["fees"][1]["rule"]["field"] = "khong_co"
    with pytest.raises(ValidationFailed) as refused:
        catalog_import(actor=personas.system_admin, document=catalog_document(record))
    assert refused.value.details[0]["where"] == "procedures[0].fees[1].rule.field"


def test_duplicate_version_in_one_file_is_refused(personas):
    with pytest.raises(ValidationFailed):
        catalog_import(actor=personas.system_admin, document=catalog_document(BIRTH, BIRTH))
    assert Procedure.objects.count() == 0


def test_only_catalogue_managers_may_import(personas):
    for user in (personas.agency_admin, personas.leader, personas.citizen):
        with pytest.raises(PermissionRefused):
            catalog_import(actor=user, document=catalog_document())
    assert Procedure.objects.count() == 0


def test_a_dossier_date_picks_the_version_in_force(personas):
    v2 = copy.deepcopy(BIRTH) | {"version": 2, "effective_from": "2030-01-01", "name": "Đăng ký khai sinh (mới)"}
    catalog_import(actor=personas.system_admin, document=catalog_document(BIRTH, v2))
    import datetime as dt

    assert version_in_force("1.001193").version == 1
    assert version_in_force("1.001193", on=dt.date(2030, 1, 1)).version == 2


def test_csv_export_lists_flat_fields_of_versions_in_force(personas):
    catalog_import(actor=personas.system_admin, document=catalog_document())
    lines = catalog_export_csv().splitlines()
    assert lines[0].startswith("code,national_code,name")
    assert any(line.startswith("2.001610,2.001610,Đăng ký thành lập doanh nghiệp tư nhân,DKKD") for line in lines)


def test_import_is_audited_with_before_and_after(personas):
    catalog_import(actor=personas.system_admin, document=catalog_document())
    changed = copy.deepcopy(BIRTH) | {"processing_time": {"value": 2, "unit": "working_days"}}
    catalog_import(actor=personas.system_admin, document=catalog_document(changed))
    event = AuditEvent.objects.filter(object_type="catalog.procedureversion", action="update").get()
    assert event.actor == personas.system_admin
    assert event.before["processing_time"] == {"value": 1, "unit": "working_days"}
    assert event.after["processing_time"] == {"value": 2, "unit": "working_days"}
