import pytest
from django.db import DatabaseError, connection, transaction

from cqs.audit.models import AuditEvent
from cqs.audit.services import audit_record


@pytest.fixture
def event(personas):
    with transaction.atomic():
        return audit_record(
            actor=personas.system_admin,
            action="create",
            object_type="test.thing",
            object_id="1",
            object_repr="thing",
            after={"a": 1},
        )


def test_orm_update_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="forged")
    event.refresh_from_db()
    assert event.object_repr == "thing"


def test_orm_save_of_an_existing_event_is_refused(event):
    event.after = {"a": 2}
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()


def test_orm_delete_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET object_repr = 'forged'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "TRUNCATE audit_event CASCADE",
    ],
)
def test_raw_sql_changes_are_refused(event, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "thing"


def test_recording_outside_a_transaction_is_a_programming_error(transactional_db):
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="create", object_type="x", object_id="1", object_repr="x")


def test_events_never_carry_password_hashes(personas):
    from cqs.audit.services import audited_save

    personas.citizen.full_name = "Tên mới"
    audited_save(actor=personas.system_admin, instance=personas.citizen)
    event = AuditEvent.objects.filter(object_type="accounts.user").latest("id")
    assert "password" not in event.after and "password" not in event.before
    assert event.before["full_name"] == "Nguyễn Thị Hồng Nhung" and event.after["full_name"] == "Tên mới"
