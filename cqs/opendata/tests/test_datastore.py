"""Uploaded resources, their validation and the DataStore, driven by the real `ckanapi` client."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import requests
from ckanapi import RemoteCKAN
from ckanapi.errors import NotAuthorized, ValidationError

from cqs.audit.models import AuditEvent
from cqs.notify.worker import drain
from cqs.opendata import datastore
from cqs.opendata.models import Dataset, Resource

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def ckan(live_server, token: str | None = None) -> RemoteCKAN:
    return RemoteCKAN(live_server.url, apikey=token)


def communes_csv(rows: int = 30, bad: dict[int, str] | None = None) -> bytes:
    lines = ["ma_xa,ten_xa,dan_so,ngay_cap_nhat"]
    for i in range(rows):
        population = (bad or {}).get(i, str(1000 + i))
        lines.append(f"{i * 3 + 1:05d},Xã Đức {i},{population},2025-01-{i % 28 + 1:02d}")
    lines[1] = "00102,Phường Tân Ninh,12000,2025-01-01"
    return ("\n".join(lines) + "\n").encode()


def upload(client: RemoteCKAN, dataset_id: str, content: bytes, name: str, **fields):
    handle = io.BytesIO(content)
    handle.name = name
    return client.action.resource_create(package_id=dataset_id, name=fields.pop("title", name), upload=handle, **fields)


def stored_files(media: Path) -> list[Path]:
    return [p for p in (media / "opendata").rglob("*") if p.is_file()] if (media / "opendata").exists() else []


@pytest.fixture
def dataset(live_server, publisher):
    return ckan(live_server, publisher.token).action.package_create(
        name="dan-so-xa", title="Dân số các xã", owner_org="000-10-00-h53", license_id="cc-by"
    )


def test_a_csv_upload_is_validated_loaded_and_searchable(live_server, publisher, dataset, media):
    client = ckan(live_server, publisher.token)
    resource = upload(client, dataset["id"], communes_csv(), "dan-so.csv", title="Dân số theo xã")
    assert resource["url_type"] == "upload" and resource["format"] == "CSV" and resource["mimetype"] == "text/csv"
    assert resource["size"] == len(communes_csv()) and len(resource["hash"]) == 64
    assert resource["datastore_state"] == "queued"
    assert resource["url"].endswith("/tep-goc") and resource["hash"] not in resource["url"]
    original = requests.get(resource["url"], timeout=10)
    assert original.status_code == 200 and original.content == communes_csv()
    assert AuditEvent.objects.filter(object_type="opendata.resource", object_id=resource["id"]).exists()

    drain(queues=["opendata"])
    stored = Resource.objects.get(pk=resource["id"])
    assert stored.datastore_state == "valid" and stored.datastore_active
    assert stored.datastore_rows_done == stored.datastore_rows_total == 30

    anonymous = ckan(live_server)
    info = anonymous.action.datastore_info(id=resource["id"])
    types = {f["id"]: f["type"] for f in info["fields"]}
    assert types == {"ma_xa": "text", "ten_xa": "text", "dan_so": "int", "ngay_cap_nhat": "date"}
    assert info["meta"]["count"] == 30

    result = anonymous.action.datastore_search(resource_id=resource["id"], filters={"ma_xa": "00102"})
    assert result["total"] == 1 and result["records"][0]["ma_xa"] == "00102"  # the leading zero is kept
    assert result["records"][0]["ten_xa"] == "Phường Tân Ninh" and result["records"][0]["dan_so"] == 12000
    assert [f["id"] for f in result["fields"]] == ["_id", "ma_xa", "ten_xa", "dan_so", "ngay_cap_nhat"]

    # Accent-insensitive q: "phuong tan ninh" finds "Phường Tân Ninh".
    assert anonymous.action.datastore_search(resource_id=resource["id"], q="phuong tan ninh")["total"] == 1
    assert anonymous.action.datastore_search(resource_id=resource["id"], q="DUC")["total"] == 29

    ordered = anonymous.action.datastore_search(resource_id=resource["id"], sort="dan_so desc", limit=3)
    assert [r["dan_so"] for r in ordered["records"]] == [12000, 1029, 1028]
    lists = anonymous.action.datastore_search(
        resource_id=resource["id"], fields="ma_xa,dan_so", records_format="lists", limit=2
    )
    assert lists["records"] == [["00102", 12000], ["00004", 1001]]
    text = anonymous.action.datastore_search(resource_id=resource["id"], records_format="csv", limit=1, fields="ma_xa")
    assert text["records"] == "00102\n"

    # Paging through `_links.next` (CKAN's form), then `next_page`, until a page is empty.
    seen: list[int] = []
    page = anonymous.action.datastore_search(resource_id=resource["id"], limit=7)
    while page["records"]:
        seen += [r["_id"] for r in page["records"]]
        response = requests.get(live_server.url + page["_links"]["next"], timeout=10)
        page = response.json()["result"]
    assert seen == list(range(1, 31))
    last = anonymous.action.datastore_search(resource_id=resource["id"], limit=10, offset=20)
    assert "next_page" not in last and len(last["records"]) == 10
    first = anonymous.action.datastore_search(resource_id=resource["id"], limit=10)
    assert requests.get(live_server.url + first["next_page"], timeout=10).json()["result"]["offset"] == 10

    # Downloads of the loaded table keep codes as strings.
    stored.refresh_from_db()
    assert "".join(datastore.stream_csv(stored)).splitlines()[1].startswith("1,00102,")
    assert '"ma_xa": "00102"' in "".join(datastore.stream_json(stored))


def test_sorting_on_an_unknown_field_is_a_validation_error(live_server, publisher, dataset):
    resource = upload(ckan(live_server, publisher.token), dataset["id"], communes_csv(), "dan-so.csv")
    drain(queues=["opendata"])
    with pytest.raises(ValidationError) as refused:
        ckan(live_server).action.datastore_search(resource_id=resource["id"], sort="khong_co desc")
    assert "sort" in refused.value.args[0]
    response = requests.get(
        live_server.url + "/api/3/action/datastore_search",
        params={"resource_id": resource["id"], "limit": 32001},
        timeout=10,
    )
    assert response.status_code == 409 and response.json()["error"]["__type"] == "Validation Error"


def test_the_dictionary_is_editable_by_the_publisher(live_server, publisher, other_publisher, dataset):
    client = ckan(live_server, publisher.token)
    resource = upload(client, dataset["id"], communes_csv(), "dan-so.csv")
    drain(queues=["opendata"])
    client.action.datastore_create(
        resource_id=resource["id"],
        fields=[{"id": "ma_xa", "info": {"label": "Mã xã", "notes": "Mã đơn vị hành chính cấp xã"}}],
    )
    info = ckan(live_server).action.datastore_info(id=resource["id"])
    assert info["fields"][0]["info"]["label"] == "Mã xã" and info["fields"][0]["type"] == "text"
    with pytest.raises(NotAuthorized):
        ckan(live_server, other_publisher.token).action.datastore_create(
            resource_id=resource["id"], fields=[{"id": "ma_xa", "info": {"label": "Sửa trộm"}}]
        )
    with pytest.raises(ValidationError):
        client.action.datastore_create(resource_id=resource["id"], fields=[{"id": "khong_co"}])
    assert Resource.objects.get(pk=resource["id"]).datastore_fields[0]["title"] == "Mã xã"


def test_a_malformed_csv_is_reported_and_nothing_is_loaded(live_server, publisher, dataset):
    content = b"ma_xa,ten_xa\n00102,A\n00103,B,thua\n00104\n"
    resource = upload(ckan(live_server, publisher.token), dataset["id"], content, "hong.csv")
    drain(queues=["opendata"])
    stored = Resource.objects.get(pk=resource["id"])
    assert stored.datastore_state == "invalid" and not stored.datastore_active
    report = stored.datastore_report
    assert report["valid"] is False and {e["type"] for e in report["errors"]} == {"extra-cell", "missing-cell"}
    assert {e["row"] for e in report["errors"]} == {3, 4}
    assert all(e["message"] for e in report["errors"])
    with pytest.raises(Exception):  # noqa: B017 - no table: CKAN answers Not Found
        ckan(live_server).action.datastore_search(resource_id=resource["id"])


def test_a_wrong_type_value_in_a_typed_table_is_reported_with_its_row_and_field(live_server, publisher, dataset):
    client = ckan(live_server, publisher.token)
    resource = upload(client, dataset["id"], communes_csv(), "dan-so.csv")
    drain(queues=["opendata"])
    # A new version of the same table: the dictionary's types (dan_so: integer) are the contract.
    stored = Resource.objects.get(pk=resource["id"])
    from cqs.opendata.services import resource_upload

    new_version = io.BytesIO(communes_csv(bad={24: "hai nghìn"}))
    new_version.name = "dan-so.csv"
    resource_upload(actor=publisher.user, dataset=stored.dataset, uploaded_file=new_version, resource=stored)
    drain(queues=["opendata"])
    stored.refresh_from_db()
    assert stored.datastore_state == "invalid"
    [error] = stored.datastore_report["errors"]
    assert error["row"] == 26 and error["field"] == "dan_so" and error["type"] == "type-error"
    assert "hai nghìn" in error["message"] and "số nguyên" in error["message"]
    assert not stored.datastore_active  # the previous version's table is gone with its file


def test_a_new_valid_version_replaces_the_loaded_table(live_server, publisher, dataset):
    client = ckan(live_server, publisher.token)
    resource = upload(client, dataset["id"], communes_csv(), "dan-so.csv")
    drain(queues=["opendata"])
    stored = Resource.objects.get(pk=resource["id"])
    from cqs.opendata.services import resource_upload

    new_version = io.BytesIO(communes_csv(rows=12))
    new_version.name = "dan-so.csv"
    resource_upload(actor=publisher.user, dataset=stored.dataset, uploaded_file=new_version, resource=stored)
    drain(queues=["opendata"])
    assert ckan(live_server).action.datastore_info(id=resource["id"])["meta"]["count"] == 12
    # Through CKAN's resource_patch, as `ckanapi` sends a new file.
    third = io.BytesIO(communes_csv(rows=5))
    third.name = "dan-so.csv"
    patched = client.action.resource_patch(id=resource["id"], upload=third, description="Bản tháng 12")
    assert patched["datastore_state"] == "queued" and patched["description"] == "Bản tháng 12"
    drain(queues=["opendata"])
    assert ckan(live_server).action.datastore_search(resource_id=resource["id"])["total"] == 5
    renamed = client.action.resource_patch(id=resource["id"], name="Dân số", url="https://elsewhere.example/x.csv")
    assert renamed["name"] == "Dân số" and renamed["url"].endswith("/tep-goc")  # an upload keeps its address
    assert Resource.objects.filter(dataset_id=dataset["id"]).count() == 1


def test_refused_uploads_write_nothing(live_server, publisher, other_publisher, dataset, media, settings):
    client = ckan(live_server, publisher.token)
    # A PDF named as a CSV.
    with pytest.raises(ValidationError) as refused:
        upload(client, dataset["id"], b"%PDF-1.7\n...", "so-lieu.csv")
    assert "upload" in refused.value.args[0]
    # Binary bytes of no format we take.
    with pytest.raises(ValidationError):
        upload(client, dataset["id"], b"\x00\x01\x02garbage", "so-lieu.xlsx")
    # Too large.
    settings.CQS_OPENDATA_MAX_UPLOAD_BYTES = 1024
    response = requests.post(
        live_server.url + "/api/3/action/resource_create",
        data={"package_id": dataset["id"]},
        files={"upload": ("lon.csv", communes_csv(rows=200))},
        headers={"Authorization": publisher.token},
        timeout=10,
    )
    assert response.status_code == 409 and response.json()["error"]["__type"] == "Validation Error"
    assert "upload" in response.json()["error"]
    settings.CQS_OPENDATA_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
    # Without a token, and by another organisation's publisher.
    with pytest.raises(NotAuthorized):
        upload(ckan(live_server), dataset["id"], communes_csv(), "dan-so.csv")
    response = requests.post(
        live_server.url + "/api/3/action/resource_create",
        data={"package_id": dataset["id"]},
        files={"upload": ("dan-so.csv", communes_csv())},
        timeout=10,
    )
    assert response.status_code == 403 and response.json()["error"]["__type"] == "Authorization Error"
    with pytest.raises(NotAuthorized):
        upload(ckan(live_server, other_publisher.token), dataset["id"], communes_csv(), "dan-so.csv")
    assert not Resource.objects.exists()
    assert stored_files(media) == []
    assert not [p for p in (media / "tmp").glob("*")] if (media / "tmp").exists() else True


def test_a_link_and_a_plain_file_are_resources_without_a_table(live_server, publisher, dataset, media):
    client = ckan(live_server, publisher.token)
    link = client.action.resource_create(package_id=dataset["id"], url="https://example.gov.vn/a.json", name="Liên kết")
    assert link["url_type"] is None and link["format"] == "JSON" and link["datastore_active"] is False
    pdf = upload(client, dataset["id"], b"%PDF-1.7\n%\xe2\xe3\n", "bao-cao.pdf")
    assert pdf["format"] == "PDF" and pdf["mimetype"] == "application/pdf" and pdf["datastore_state"] is None
    assert len(stored_files(media)) == 1
    assert Dataset.objects.get(pk=dataset["id"]).resources.count() == 2


def test_an_xlsx_upload_keeps_codes_as_strings(live_server, publisher, dataset):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã huyện", "Tên", "Số hộ"])
    for i in range(20):
        sheet.append([f"{i + 1:03d}", f"Huyện {i}", 100 + i])
    buffer = io.BytesIO()
    workbook.save(buffer)
    resource = upload(ckan(live_server, publisher.token), dataset["id"], buffer.getvalue(), "huyen.xlsx")
    assert resource["format"] == "XLSX"
    drain(queues=["opendata"])
    info = ckan(live_server).action.datastore_info(id=resource["id"])
    assert {f["id"]: f["type"] for f in info["fields"]} == {"Mã huyện": "text", "Tên": "text", "Số hộ": "int"}
    found = ckan(live_server).action.datastore_search(resource_id=resource["id"], filters={"Mã huyện": "007"})
    assert found["records"][0]["Tên"] == "Huyện 6" and found["records"][0]["Số hộ"] == 106


def test_replacing_a_datasets_resources_drops_their_tables(live_server, publisher, dataset):
    client = ckan(live_server, publisher.token)
    resource = upload(client, dataset["id"], communes_csv(), "dan-so.csv")
    drain(queues=["opendata"])
    client.action.package_patch(id=dataset["id"], resources=[])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"datastore.{datastore.table_name(resource['id'])}"])
        assert cursor.fetchone()[0] is None
