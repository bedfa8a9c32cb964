"""Writing to loaded tables: `datastore_create`'s primary key and records, `datastore_upsert` and
`datastore_delete`, driven by the real `ckanapi` client against the running server."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import requests
from ckanapi.errors import NotAuthorized, NotFound, ValidationError
from django.db import connection

from cqs.audit.models import AuditEvent
from cqs.notify.worker import drain
from cqs.opendata import datastore
from cqs.opendata.models import Resource
from cqs.opendata.services import resource_upload
from cqs.opendata.tests.test_datastore import ckan, communes_csv, upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def table(live_server, publisher):
    """A loaded table of 30 communes: ma_xa (text code), ten_xa, dan_so (int), ngay_cap_nhat."""
    client = ckan(live_server, publisher.token)
    dataset = client.action.package_create(name="dan-so-xa", title="Dân số các xã", owner_org="000-10-00-h53")
    resource = upload(client, dataset["id"], communes_csv(), "dan-so.csv")
    drain(queues=["opendata"])
    assert Resource.objects.get(pk=resource["id"]).datastore_active
    return resource["id"]


def rows(live_server, resource_id: str, **filters) -> list[dict]:
    return ckan(live_server).action.datastore_search(resource_id=resource_id, filters=filters, limit=1000)["records"]


def key_index_exists(resource_id: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"datastore.{datastore.table_name(resource_id, '_key')}"])
        return cursor.fetchone()[0] is not None


def post(live_server, action: str, body: dict, token: str | None = None) -> requests.Response:
    headers = {"Authorization": token} if token else {}
    return requests.post(f"{live_server.url}/api/3/action/{action}", json=body, headers=headers, timeout=10)


def test_a_primary_key_is_set_only_when_the_rows_are_unique(live_server, publisher, table):
    client = ckan(live_server, publisher.token)
    # ngay_cap_nhat repeats (days 1..28 over 30 rows): refused, nothing changed.
    with pytest.raises(ValidationError) as refused:
        client.action.datastore_create(resource_id=table, primary_key="ngay_cap_nhat")
    assert "primary_key" in refused.value.args[0] and "2025-01-01" in refused.value.args[0]["primary_key"][0]
    assert datastore.primary_key(Resource.objects.get(pk=table)) == [] and not key_index_exists(table)
    with pytest.raises(ValidationError):
        client.action.datastore_create(resource_id=table, primary_key=["khong_co"])

    created = client.action.datastore_create(resource_id=table, primary_key=["ma_xa"])
    assert created["primary_key"] == ["ma_xa"] and created["method"] == "insert"
    assert key_index_exists(table)
    assert ckan(live_server).action.datastore_info(id=table)["meta"]["primary_key"] == ["ma_xa"]
    # The key and the dictionary's titles live together: editing titles keeps the key.
    client.action.datastore_create(resource_id=table, fields=[{"id": "ma_xa", "info": {"label": "Mã xã"}}])
    stored = Resource.objects.get(pk=table)
    assert datastore.primary_key(stored) == ["ma_xa"] and stored.datastore_fields[0]["title"] == "Mã xã"
    assert AuditEvent.objects.filter(object_id=table, context__datastore="primary_key").exists()


def test_upsert_updates_by_key_inserts_new_keys_and_keeps_the_counts_right(live_server, publisher, table):
    client = ckan(live_server, publisher.token)
    client.action.datastore_create(resource_id=table, primary_key="ma_xa")
    result = client.action.datastore_upsert(
        resource_id=table,
        records=[
            {"ma_xa": "00102", "dan_so": "13000"},  # only the given fields change
            {"ma_xa": "99001", "ten_xa": "Xã Hảo Đước", "dan_so": 4200, "ngay_cap_nhat": "2025-02-01"},
        ],
        force=True,
    )
    assert result["method"] == "upsert" and result["resource_id"] == table
    assert [r["ma_xa"] for r in result["records"]] == ["00102", "99001"]
    assert result["records"][0] == {
        "_id": 1,
        "ma_xa": "00102",
        "ten_xa": "Phường Tân Ninh",
        "dan_so": 13000,
        "ngay_cap_nhat": "2025-01-01",
    }
    assert result["records"][1]["_id"] == 31

    assert rows(live_server, table, ma_xa="00102")[0]["dan_so"] == 13000
    anonymous = ckan(live_server)
    assert anonymous.action.datastore_info(id=table)["meta"]["count"] == 31
    assert anonymous.action.datastore_search(resource_id=table, q="hao duoc")["total"] == 1  # search text follows
    stored = Resource.objects.get(pk=table)
    assert stored.datastore_rows_total == 31
    event = AuditEvent.objects.filter(object_id=table, context__datastore="upsert").latest("pk")
    assert event.context["method"] == "upsert" and event.context["rows"] == 2 and event.actor_id == publisher.user.pk

    # Update by `_id` needs no key; insert ignores `_id` and numbers the row itself.
    client.action.datastore_upsert(resource_id=table, method="update", records=[{"_id": 2, "ten_xa": "Xã Mới"}])
    assert rows(live_server, table, _id=2)[0]["ten_xa"] == "Xã Mới"
    inserted = client.action.datastore_upsert(
        resource_id=table, method="insert", records=[{"_id": 2, "ma_xa": "99002", "ten_xa": "Xã Chèn"}]
    )
    assert inserted["records"][0]["_id"] == 32 and inserted["records"][0]["dan_so"] is None


def test_update_of_a_missing_key_is_refused_and_nothing_is_written(live_server, publisher, table):
    client = ckan(live_server, publisher.token)
    client.action.datastore_create(resource_id=table, primary_key="ma_xa")
    with pytest.raises(ValidationError) as refused:
        client.action.datastore_upsert(
            resource_id=table,
            method="update",
            records=[{"ma_xa": "00102", "dan_so": 1}, {"ma_xa": "77777", "dan_so": 2}],
        )
    assert "77777" in refused.value.args[0]["key"][0]
    assert rows(live_server, table, ma_xa="00102")[0]["dan_so"] == 12000  # the first record was rolled back
    # Inserting a key that is there is refused the same way.
    body = {"resource_id": table, "method": "insert", "records": [{"ma_xa": "00102"}]}
    response = post(live_server, "datastore_upsert", body, publisher.token)
    assert response.status_code == 409 and "00102" in response.json()["error"]["key"][0]
    assert Resource.objects.get(pk=table).datastore_rows_total == 30


def test_a_wrong_type_value_names_its_record_and_field_and_nothing_is_written(live_server, publisher, table):
    response = post(
        live_server,
        "datastore_upsert",
        {
            "resource_id": table,
            "method": "insert",
            "records": [{"ma_xa": "99001", "dan_so": 5}, {"ma_xa": "99002", "dan_so": "hai nghìn"}],
        },
        publisher.token,
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["__type"] == "Validation Error"
    [message] = error["records"]
    assert "2" in message and "dan_so" in message and "hai nghìn" in message
    assert ckan(live_server).action.datastore_info(id=table)["meta"]["count"] == 30
    with pytest.raises(ValidationError) as refused:
        ckan(live_server, publisher.token).action.datastore_upsert(
            resource_id=table, method="insert", records=[{"ngay_cap_nhat": "31/12/2025", "khong_co": 1}]
        )
    assert len(refused.value.args[0]["records"]) == 2  # every problem of the batch, at once


def test_upsert_without_a_key_is_refused(live_server, publisher, table):
    with pytest.raises(ValidationError) as refused:
        ckan(live_server, publisher.token).action.datastore_upsert(
            resource_id=table, records=[{"ma_xa": "00102", "dan_so": 1}]
        )
    assert "table" in refused.value.args[0]
    with pytest.raises(ValidationError) as refused:
        ckan(live_server, publisher.token).action.datastore_upsert(
            resource_id=table, method="replace", records=[{"ma_xa": "1"}]
        )
    assert "method" in refused.value.args[0]


def test_writes_need_a_publisher_of_the_datasets_organisation(live_server, publisher, other_publisher, table):
    body = {"resource_id": table, "method": "insert", "records": [{"ma_xa": "99001"}]}
    response = post(live_server, "datastore_upsert", body)
    assert response.status_code == 403 and response.json()["error"]["__type"] == "Authorization Error"
    assert post(live_server, "datastore_delete", {"resource_id": table}).status_code == 403
    intruder = ckan(live_server, other_publisher.token)
    with pytest.raises(NotAuthorized):
        intruder.action.datastore_upsert(**body)
    with pytest.raises(NotAuthorized):
        intruder.action.datastore_delete(resource_id=table, filters={"ma_xa": "00102"})
    with pytest.raises(NotAuthorized):
        intruder.action.datastore_create(resource_id=table, primary_key="ma_xa")
    assert ckan(live_server).action.datastore_info(id=table)["meta"]["count"] == 30
    missing = post(live_server, "datastore_upsert", {**body, "resource_id": "0" * 32}, publisher.token)
    assert missing.status_code == 404 and missing.json()["error"]["__type"] == "Not Found Error"


def test_delete_with_filters_removes_the_matching_rows(live_server, publisher, table):
    client = ckan(live_server, publisher.token)
    result = client.action.datastore_delete(resource_id=table, filters={"ma_xa": ["00102", "00004"]}, force=True)
    assert result == {"resource_id": table, "filters": {"ma_xa": ["00102", "00004"]}}
    assert ckan(live_server).action.datastore_info(id=table)["meta"]["count"] == 28
    assert Resource.objects.get(pk=table).datastore_rows_total == 28
    with pytest.raises(ValidationError):
        client.action.datastore_delete(resource_id=table, filters={"khong_co": "1"})
    assert AuditEvent.objects.filter(object_id=table, context__datastore="delete", context__rows=2).exists()


def test_delete_without_filters_drops_the_table(live_server, publisher, table):
    client = ckan(live_server, publisher.token)
    client.action.datastore_create(resource_id=table, primary_key="ma_xa")
    client.action.datastore_delete(resource_id=table)
    stored = Resource.objects.get(pk=table)
    assert not stored.datastore_active and datastore.primary_key(stored) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"datastore.{datastore.table_name(table)}"])
        assert cursor.fetchone()[0] is None
    with pytest.raises(NotFound):
        ckan(live_server).action.datastore_search(resource_id=table)
    with pytest.raises(NotFound):  # nothing left to delete
        client.action.datastore_delete(resource_id=table)
    assert ckan(live_server).action.resource_show(id=table)["datastore_active"] is False
    assert AuditEvent.objects.filter(object_id=table, context__datastore="delete", action="delete").exists()


def test_datastore_create_appends_typed_records(live_server, publisher, table):
    client = ckan(live_server, publisher.token)
    created = client.action.datastore_create(
        resource_id=table, primary_key="ma_xa", records=[{"ma_xa": "99001", "dan_so": "77", "ngay_cap_nhat": None}]
    )
    assert created["primary_key"] == ["ma_xa"] and len(created["records"]) == 1
    assert rows(live_server, table, ma_xa="99001")[0]["dan_so"] == 77
    # A refused record refuses the key with it: one transaction.
    with pytest.raises(ValidationError):
        client.action.datastore_create(resource_id=table, primary_key=[], records=[{"dan_so": "x"}])
    assert datastore.primary_key(Resource.objects.get(pk=table)) == ["ma_xa"]


def test_a_new_version_is_held_to_the_tables_key(live_server, publisher, table):
    client = ckan(live_server, publisher.token)
    client.action.datastore_create(resource_id=table, primary_key="ma_xa")
    stored = Resource.objects.get(pk=table)
    repeated = communes_csv(rows=5).replace(b"00004,", b"00102,")
    new_version = io.BytesIO(repeated)
    new_version.name = "dan-so.csv"
    resource_upload(actor=publisher.user, dataset=stored.dataset, uploaded_file=new_version, resource=stored)
    drain(queues=["opendata"])
    stored.refresh_from_db()
    assert stored.datastore_state == "invalid"
    [error] = stored.datastore_report["errors"]
    assert error["type"] == "primary-key" and error["row"] == 3 and "ma_xa" in error["message"]

    valid = io.BytesIO(communes_csv(rows=5))
    valid.name = "dan-so.csv"
    resource_upload(actor=publisher.user, dataset=stored.dataset, uploaded_file=valid, resource=stored)
    drain(queues=["opendata"])
    assert ckan(live_server).action.datastore_info(id=table)["meta"]["primary_key"] == ["ma_xa"]
    assert key_index_exists(table)
    client.action.datastore_upsert(resource_id=table, records=[{"ma_xa": "00102", "dan_so": 1}])
    assert ckan(live_server).action.datastore_info(id=table)["meta"]["count"] == 5
