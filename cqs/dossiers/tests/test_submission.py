"""Applying online: drafts, attachments, submission — and every bad input refused with nothing written."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cqs.core.errors import NotFound, PermissionRefused, ValidationFailed
from cqs.dossiers import services
from cqs.dossiers.lifecycle import IllegalTransition, State
from cqs.dossiers.models import Dossier, DossierCounter, DossierDocument, DossierEvent, StoredFile
from cqs.dossiers.tests.conftest import BIRTH_FORM, PNG_BYTES, attach_all, pdf_bytes
from cqs.notify.models import Notification


def _stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "files"
    return {p.name for p in root.glob("*/*/*")} if root.exists() else set()


def _snapshot() -> tuple:
    return (
        Dossier.objects.count(),
        DossierDocument.objects.count(),
        DossierEvent.objects.count(),
        StoredFile.objects.count(),
        DossierCounter.objects.count(),
        Notification.objects.count(),
        frozenset(_stored_files()),
    )


def test_submission_gives_a_code_and_the_first_history_event(submitted, org):
    assert re.fullmatch(rf"{re.escape(org.desk_a.code)}-\d{{6}}-0001", submitted.code)
    assert submitted.status == State.SUBMITTED and submitted.national_status == 1
    assert submitted.receiving_agency == org.desk_a  # the committee receives through its one-stop desk
    assert [e.action for e in submitted.events.order_by("id")] == ["create", "submit"]
    assert submitted.fee_total == 16000  # two copies at 8,000 đ
    assert submitted.applicant_name == "Nguyễn Thị Hồng Nhung"
    assert Notification.objects.filter(topic="dossier.submit").count() == 1


def test_the_ten_thousandth_dossier_of_a_day_gets_five_digits_not_a_repeat(draft, personas):
    from django.utils import timezone

    attach_all(draft, personas.citizen)
    DossierCounter.objects.create(agency=draft.receiving_agency, day=timezone.localdate(), last=9999)
    submitted = services.dossier_submit(actor=personas.citizen, dossier=draft)
    assert submitted.code.endswith(f"-{timezone.localdate():%y%m%d}-10000")
    stored = Dossier.objects.get(pk=submitted.pk)
    assert (stored.code, stored.status, stored.submitted_at) == (submitted.code, "submitted", submitted.submitted_at)


def test_a_draft_keeps_the_procedure_version_it_was_filed_under(draft):
    assert draft.procedure_version.version == 1 and draft.status == State.DRAFT and draft.code is None


def test_form_that_violates_the_schema_is_refused_with_every_field(catalog, org, personas):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        services.dossier_create_draft(
            actor=personas.citizen,
            procedure_code="1.001193",
            agency_code=org.committee_a.code,
            form={"ho_ten_tre": "x" * 101, "ngay_sinh": "31/02/2026", "so_ban_sao": 99},
        )
    fields = {d["field"] for d in refused.value.details}
    assert fields == {"form.ho_ten_tre", "form.ngay_sinh", "form.so_ban_sao"}
    assert _snapshot() == before


def test_submit_without_required_documents_lists_them_and_writes_nothing(draft, personas):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        services.dossier_submit(actor=personas.citizen, dossier=draft)
    assert {d["field"] for d in refused.value.details} == {"documents.TK", "documents.GCS"}
    assert _snapshot() == before
    draft.refresh_from_db()
    assert draft.status == State.DRAFT and draft.code is None


def test_submit_with_missing_required_answers_is_refused(catalog, org, personas):
    dossier = services.dossier_create_draft(
        actor=personas.citizen, procedure_code="1.001193", agency_code=org.committee_a.code, form={}
    )
    attach_all(dossier, personas.citizen)
    with pytest.raises(ValidationFailed) as refused:
        services.dossier_submit(actor=personas.citizen, dossier=dossier)
    assert {d["field"] for d in refused.value.details} == {"form.ho_ten_tre", "form.ngay_sinh"}


def test_a_file_that_lies_about_its_type_is_refused(draft, personas):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        services.dossier_attach(
            actor=personas.citizen,
            dossier=draft,
            requirement_code="TK",
            stream=io.BytesIO(PNG_BYTES),
            filename="to-khai.pdf",
        )
    assert refused.value.details[0]["field"] == "file"
    with pytest.raises(ValidationFailed):
        services.dossier_attach(
            actor=personas.citizen,
            dossier=draft,
            requirement_code="TK",
            stream=io.BytesIO(b"MZ\x90\x00 not a document"),
            filename="virus.pdf",
        )
    assert _snapshot() == before


def test_an_oversized_file_is_refused(draft, personas, settings):
    settings.CQS_MAX_UPLOAD_BYTES = 4096
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        services.dossier_attach(
            actor=personas.citizen,
            dossier=draft,
            requirement_code="TK",
            stream=io.BytesIO(pdf_bytes(10_000)),
            filename="big.pdf",
        )
    assert "dung lượng" in refused.value.message
    assert _snapshot() == before


def test_an_unknown_requirement_is_refused(draft, personas):
    before = _snapshot()
    with pytest.raises(ValidationFailed):
        services.dossier_attach(
            actor=personas.citizen,
            dossier=draft,
            requirement_code="NOPE",
            stream=io.BytesIO(pdf_bytes()),
            filename="a.pdf",
        )
    assert _snapshot() == before


def test_same_bytes_are_stored_once(draft, personas):
    attach_all(draft, personas.citizen, pdf_bytes(3000))
    assert StoredFile.objects.count() == 1 and DossierDocument.objects.count() == 2


def test_a_second_upload_for_a_requirement_replaces_the_first_which_stays_in_the_history(draft, personas):
    def upload(content: bytes):
        return services.dossier_attach(
            actor=personas.citizen,
            dossier=draft,
            requirement_code="TK",
            stream=io.BytesIO(content),
            filename="to-khai.pdf",
        )

    first, second = upload(pdf_bytes(3000)), upload(pdf_bytes(4000))
    documents = DossierDocument.objects.filter(dossier=draft, requirement__code="TK")
    assert {(d.pk, d.is_current) for d in documents} == {(first.pk, False), (second.pk, True)}
    assert second.requirement.code == "TK" and second.file.size == len(pdf_bytes(4000))
    assert StoredFile.objects.filter(pk=second.file.sha256).exists()


def test_unknown_procedure_is_not_found(catalog, personas):
    before = _snapshot()
    with pytest.raises(NotFound):
        services.dossier_create_draft(actor=personas.citizen, procedure_code="9.999999")
    assert _snapshot() == before


def test_procedure_not_offered_online_is_refused(catalog, org, personas):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        services.dossier_create_draft(
            actor=personas.citizen, procedure_code="1.000656", agency_code=org.committee_a.code, form={}
        )
    assert refused.value.code == "not_offered_online"
    assert _snapshot() == before


def test_a_second_submit_is_refused_and_changes_nothing(submitted, personas):
    before = _snapshot()
    with pytest.raises(IllegalTransition):
        services.dossier_submit(actor=personas.citizen, dossier=submitted)
    assert _snapshot() == before


def test_submit_by_someone_else_is_refused(draft, personas):
    attach_all(draft, personas.citizen)
    before = _snapshot()
    for intruder in (personas.enterprise, personas.other_admin, personas.reception):
        with pytest.raises(PermissionRefused):
            services.dossier_submit(actor=intruder, dossier=draft)
    assert _snapshot() == before


def test_a_crash_in_the_middle_of_submission_leaves_the_draft_and_the_counter_untouched(draft, personas):
    attach_all(draft, personas.citizen)
    # A real failure inside the transaction: the history insert fails after the code was allocated.
    with connection.cursor() as cursor:
        cursor.execute("""
            CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'disk full'; END $$;
            CREATE TRIGGER crash BEFORE INSERT ON dossiers_dossierevent FOR EACH ROW EXECUTE FUNCTION fail_insert();
        """)
    before = _snapshot()
    with pytest.raises(Exception, match="disk full"):
        services.dossier_submit(actor=personas.citizen, dossier=draft)
    assert _snapshot() == before
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER crash ON dossiers_dossierevent; DROP FUNCTION fail_insert();")
    # The number the failed attempt took was given back: the next one is still 0001.
    assert services.dossier_submit(actor=personas.citizen, dossier=draft).code.endswith("-0001")


def test_a_crash_while_attaching_leaves_no_orphan_file(draft, personas):
    with connection.cursor() as cursor:
        cursor.execute("""
            CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'power cut'; END $$;
            CREATE TRIGGER crash BEFORE INSERT ON dossiers_dossierdocument FOR EACH ROW
            EXECUTE FUNCTION fail_insert();
        """)
    before = _snapshot()
    with pytest.raises(Exception, match="power cut"):
        services.dossier_attach(
            actor=personas.citizen,
            dossier=draft,
            requirement_code="TK",
            stream=io.BytesIO(pdf_bytes(5000)),
            filename="a.pdf",
        )
    assert _snapshot() == before
    assert not list((Path(settings.MEDIA_ROOT) / "tmp").glob("*"))


def test_officials_register_counter_dossiers_for_walk_in_applicants(catalog, org, personas):
    from cqs.dossiers.models import Channel

    dossier = services.dossier_create_draft(
        actor=personas.reception,
        procedure_code="1.000656",
        agency_code=org.committee_a.code,
        channel=Channel.COUNTER,
        form=BIRTH_FORM,
        applicant_data={"full_name": "Trần Văn Tư", "identity_number": "080090001234", "phone": "0912345678"},
    )
    attach_all(dossier, personas.reception)
    dossier = services.dossier_submit(actor=personas.reception, dossier=dossier)
    assert dossier.channel == Channel.COUNTER and dossier.applicant is None and dossier.code
    accepted = services.dossier_accept(actor=personas.reception, dossier=dossier)
    assert accepted.due_at is not None


def test_counter_reception_needs_the_reception_role_at_that_agency(catalog, org, personas):
    from cqs.dossiers.models import Channel

    for actor in (personas.other_admin, personas.citizen, personas.specialist):
        with pytest.raises(PermissionRefused):
            services.dossier_create_draft(
                actor=actor,
                procedure_code="1.000656",
                agency_code=org.committee_a.code,
                channel=Channel.COUNTER,
                applicant_data={"full_name": "A", "identity_number": "080090001234"},
            )
    assert Dossier.objects.count() == 0
