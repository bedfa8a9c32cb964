"""`cqs.core.rows` gives what Django's own calls give, only faster: the values a save writes and
the instances a read builds."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from cqs.core import rows
from cqs.dossiers.models import Dossier, DossierEvent

MOMENT = dt.datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def _django_values(obj, fields):
    return [f.get_db_prep_save(f.pre_save(obj, add=False), connection=connection) for f in fields]


def _comparable(values):
    return [(type(v), repr(v)) for v in values]


def test_the_values_of_a_row_are_what_django_would_write_with_their_types():
    dossier = Dossier(
        procedure_version_id=7,
        applicant_id=12,
        created_by_id=12,
        receiving_agency_id=3,
        applicant_name="Nguyễn Thị Hồng Nhung",
        channel=3,
        status="submitted",
        code=None,
        form_data={"ho_ten": "Nguyễn Văn A", "so_ban_sao": 2},
        fee_lines=[{"name": "Lệ phí", "kind": "fee", "amount": 8000}],
        fee_total=16000,
        submitted_at=MOMENT,
        due_at=dt.datetime(2026, 12, 10, 17, 0),  # naive: Django's own call makes it aware
        is_overdue=False,
    )
    fields = [f for f in Dossier._meta.concrete_fields if not f.generated and not getattr(f, "auto_now", False)]
    with pytest.warns(RuntimeWarning, match="naive datetime"):  # both go through Django's call for it
        ours, django = rows.values(dossier, fields, add=False), _django_values(dossier, fields)
    assert _comparable(ours) == _comparable(django)


def test_integers_keep_the_width_django_gives_them_and_keys_stay_plain():
    event = DossierEvent(dossier_id=uuid.uuid4(), at=MOMENT, actor_id=5, action="submit", agency_id=9, data={})
    fields = list(DossierEvent._meta.concrete_fields)
    assert _comparable(rows.values(event, fields, add=False)) == _comparable(_django_values(event, fields))
    channel = Dossier._meta.get_field("channel")
    [value] = rows.values(Dossier(channel=3), [channel], add=False)
    assert type(value).__name__ == "Int2" and value == 3


def test_an_instance_read_from_a_row_equals_the_one_django_builds():
    names = [f.attname for f in DossierEvent._meta.concrete_fields]
    row = [41, uuid.uuid4(), MOMENT, 5, "submit", "draft", "submitted", 9, "", '{"a": 1}']  # as read
    ours = rows.instance(DossierEvent, row)  # with the fields' converters: the JSON text parsed
    django = DossierEvent.from_db(connection.alias, names, [*row[:-1], {"a": 1}])
    assert {n: getattr(ours, n) for n in names} == {n: getattr(django, n) for n in names}
    assert (ours._state.adding, ours._state.db) == (False, connection.alias)
    assert rows.instance(DossierEvent, [None, *row[1:]]) is None  # an outer join that found nothing


@pytest.mark.django_db
def test_writes_together_answer_from_a_named_clause_and_all_of_them_happen():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE together_probe (n int)")
    answer = rows.execute_together(
        [("INSERT INTO together_probe VALUES (%s)", [1]), ("INSERT INTO together_probe VALUES (%s)", [2])],
        named=[("bumped", "INSERT INTO together_probe VALUES (%s) RETURNING n * 10", [3])],
        answer="SELECT * FROM bumped",
    )
    assert answer == (30,)
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_agg(n ORDER BY n) FROM together_probe")
        assert cursor.fetchone() == ([1, 2, 3],)
    with pytest.raises(ValueError):  # a named clause nobody reads is a mistake, not a write
        rows.execute_together([], named=[("lost", "SELECT 1", [])])
