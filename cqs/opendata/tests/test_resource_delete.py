"""Deleting a resource and replacing its file: the service, the CKAN action and the publisher's
pages (a confirmation before deleting; a new file checked and validated again)."""

from __future__ import annotations

import io

import pytest
import requests
from ckanapi import RemoteCKAN
from ckanapi.errors import NotAuthorized, NotFound
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from cqs.audit.models import AuditEvent
from cqs.core.errors import PermissionRefused
from cqs.notify.worker import drain
from cqs.opendata import datastore, services
from cqs.opendata.models import Dataset, Resource

pytestmark = pytest.mark.django_db

JUSTICE = "000-10-00-h53"


def csv_bytes(rows: int) -> bytes:
    return ("ma_xa,ten_xa,dan_so\n" + "".join(f"{n + 1:05d},Xã {n},{1000 + n}\n" for n in range(rows))).encode()


def csv_file(rows: int, name: str = "dan-so.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows), "text/csv")


def table_exists(resource_id) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"datastore.{datastore.table_name(resource_id)}"])
        return cursor.fetchone()[0] is not None


def drop_jobs() -> int:
    from cqs.opendata.tasks import drop_resource_table

    return ProcrastinateJob.objects.filter(task_name=drop_resource_table.name).count()


@pytest.fixture
def dataset(publisher) -> Dataset:
    """A dataset of the Department of Justice with three link resources."""
    return services.dataset_create(
        actor=publisher.user,
        data={
            "name": "ho-tich-2025",
            "title": "Số liệu hộ tịch năm 2025",
            "owner_org": JUSTICE,
            "license_id": "cc-by",
            "resources": [
                {"name": f"Quý {n}", "url": f"https://example.vn/quy-{n}.csv", "format": "CSV"} for n in (1, 2, 3)
            ],
        },
    )


def names_in_order(dataset: Dataset) -> list[tuple[int, str]]:
    return list(dataset.resources.order_by("position").values_list("position", "name"))


# --- The service -------------------------------------------------------------------------------


def test_deleting_a_resource_closes_up_the_others_and_is_audited(dataset, publisher):
    modified = dataset.metadata_modified
    second = dataset.resources.get(name="Quý 2")
    services.resource_delete(actor=publisher.user, ref=str(second.pk))
    assert names_in_order(dataset) == [(0, "Quý 1"), (1, "Quý 3")]
    event = AuditEvent.objects.get(object_id=str(second.pk), action="delete")
    assert event.actor_id == publisher.user.pk and event.before["name"] == "Quý 2"
    dataset.refresh_from_db()
    assert dataset.metadata_modified > modified
    # A link has no table: nothing to drop.
    assert drop_jobs() == 0
    # A resource added afterwards goes at the end, with no gap.
    services.resource_create(actor=publisher.user, data={"package_id": str(dataset.pk), "url": "https://example.vn/4"})
    assert [p for p, _name in names_in_order(dataset)] == [0, 1, 2]


def test_a_publisher_of_another_organisation_may_not_delete_and_nothing_is_written(dataset, other_publisher, personas):
    first = dataset.resources.get(name="Quý 1")
    events = AuditEvent.objects.count()
    for actor in (other_publisher.user, personas.citizen):
        with pytest.raises(PermissionRefused):
            services.resource_delete(actor=actor, ref=str(first.pk))
    assert names_in_order(dataset) == [(0, "Quý 1"), (1, "Quý 2"), (2, "Quý 3")]
    assert AuditEvent.objects.count() == events and drop_jobs() == 0


def test_deleting_an_unknown_resource_is_not_found(dataset, publisher):
    from cqs.core.errors import NotFound as Missing

    for ref in ("5b0c3f0e-0000-4000-8000-000000000000", "khong-phai-uuid", ""):
        with pytest.raises(Missing):
            services.resource_delete(actor=publisher.user, ref=ref)


@pytest.mark.django_db(transaction=True)
def test_deleting_a_loaded_table_drops_it_once_the_deletion_commits(publisher, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    dataset = services.dataset_create(
        actor=publisher.user, data={"name": "dan-so-xa", "title": "Dân số xã", "owner_org": JUSTICE}
    )
    resource = services.resource_upload(actor=publisher.user, dataset=dataset, uploaded_file=csv_file(12))
    drain(["opendata"])
    assert table_exists(resource.pk)
    services.resource_delete(actor=publisher.user, ref=str(resource.pk))
    assert not Resource.objects.filter(pk=resource.pk).exists()
    drain(["opendata"])
    assert not table_exists(resource.pk)
    # The bytes wait for the sweep: another resource could hold the same hash.
    assert datastore.STORE.exists(resource.file_sha256)


@pytest.mark.django_db(transaction=True)
def test_a_resource_deleted_while_its_validation_is_queued_leaves_no_table(publisher, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    dataset = services.dataset_create(
        actor=publisher.user, data={"name": "dan-so-xa", "title": "Dân số xã", "owner_org": JUSTICE}
    )
    resource = services.resource_upload(actor=publisher.user, dataset=dataset, uploaded_file=csv_file(12))
    services.resource_delete(actor=publisher.user, ref=str(resource.pk))
    drain(["opendata"])  # the validation finds no resource; the drop finds no table
    assert not table_exists(resource.pk)


# --- The CKAN action ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ckan_resource_delete_answers_none_and_ckans_errors(live_server, dataset, publisher, other_publisher):
    resource_id = str(dataset.resources.get(name="Quý 2").pk)
    with pytest.raises(NotAuthorized):
        RemoteCKAN(live_server.url, apikey=other_publisher.token).action.resource_delete(id=resource_id)
    anonymous = requests.post(f"{live_server.url}/api/3/action/resource_delete", json={"id": resource_id}, timeout=10)
    assert anonymous.status_code == 403 and anonymous.json()["error"]["__type"] == "Authorization Error"
    assert Resource.objects.filter(pk=resource_id).exists()

    client = RemoteCKAN(live_server.url, apikey=publisher.token)
    assert client.action.resource_delete(id=resource_id) is None
    assert [r["name"] for r in client.action.package_show(id="ho-tich-2025")["resources"]] == ["Quý 1", "Quý 3"]
    with pytest.raises(NotFound):
        client.action.resource_delete(id=resource_id)
    missing = requests.post(
        f"{live_server.url}/api/action/resource_delete",
        json={"id": resource_id},
        headers={"Authorization": publisher.token},
        timeout=10,
    )
    assert missing.status_code == 404 and missing.json()["error"]["__type"] == "Not Found Error"
    no_id = requests.post(
        f"{live_server.url}/api/action/resource_delete", json={}, headers={"Authorization": publisher.token}, timeout=10
    )
    assert no_id.status_code == 409 and "id" in no_id.json()["error"]


# --- The publisher's pages ---------------------------------------------------------------------


def test_the_edit_page_offers_replace_and_delete_for_each_resource(client, dataset, publisher):
    client.force_login(publisher.user)
    page = client.get(reverse("opendata:dataset_edit", args=["ho-tich-2025"])).content.decode()
    for resource in dataset.resources.all():
        assert reverse("opendata:resource_replace", args=["ho-tich-2025", resource.pk]) in page
        assert reverse("opendata:resource_delete", args=["ho-tich-2025", resource.pk]) in page
    assert "Thay tệp" in page


def test_others_are_refused_the_replace_and_delete_pages(client, dataset, other_publisher, personas):
    resource = dataset.resources.get(name="Quý 1")
    replace = reverse("opendata:resource_replace", args=["ho-tich-2025", resource.pk])
    delete = reverse("opendata:resource_delete", args=["ho-tich-2025", resource.pk])
    assert client.get(delete)["Location"].startswith("/tai-khoan/dang-nhap/")
    for user in (other_publisher.user, personas.citizen):
        client.force_login(user)
        assert client.get(replace).status_code == 403 and client.get(delete).status_code == 403
        assert client.post(replace, {"upload": csv_file(3)}).status_code == 403
        assert client.post(delete).status_code == 403
    assert dataset.resources.count() == 3 and not dataset.resources.filter(url_type="upload").exists()


def test_a_resource_of_another_dataset_or_an_unknown_one_is_not_found(client, dataset, publisher):
    other = services.dataset_create(
        actor=publisher.user,
        data={
            "name": "ket-hon-2025",
            "title": "Kết hôn",
            "owner_org": JUSTICE,
            "resources": [{"url": "https://a.vn/b"}],
        },
    )
    client.force_login(publisher.user)
    foreign = other.resources.get().pk
    for name in ("resource_replace", "resource_delete"):
        assert client.get(reverse(f"opendata:{name}", args=["ho-tich-2025", foreign])).status_code == 404
        assert client.post(reverse(f"opendata:{name}", args=["ho-tich-2025", foreign])).status_code == 404
    assert Resource.objects.filter(pk=foreign).exists()


def test_delete_asks_first_then_deletes_on_post(client, dataset, publisher):
    resource = dataset.resources.get(name="Quý 2")
    url = reverse("opendata:resource_delete", args=["ho-tich-2025", resource.pk])
    client.force_login(publisher.user)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Quý 2" in confirm.content.decode()
    assert Resource.objects.filter(pk=resource.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("opendata:dataset_edit", args=["ho-tich-2025"])
    assert names_in_order(dataset) == [(0, "Quý 1"), (1, "Quý 3")]


def test_delete_without_the_csrf_token_is_refused(dataset, publisher):
    resource = dataset.resources.get(name="Quý 2")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(publisher.user)
    assert browser.post(reverse("opendata:resource_delete", args=["ho-tich-2025", resource.pk])).status_code == 403
    assert Resource.objects.filter(pk=resource.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_replacing_the_file_checks_it_and_validates_it_again(client, publisher, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    dataset = services.dataset_create(
        actor=publisher.user, data={"name": "dan-so-xa", "title": "Dân số xã", "owner_org": JUSTICE}
    )
    resource = services.resource_upload(
        actor=publisher.user, dataset=dataset, name="Dân số theo xã", uploaded_file=csv_file(12)
    )
    drain(["opendata"])
    first_hash = Resource.objects.get(pk=resource.pk).file_sha256
    url = reverse("opendata:resource_replace", args=["dan-so-xa", resource.pk])
    client.force_login(publisher.user)
    assert client.get(url).status_code == 200

    # The same strict checks as a first upload: a PDF named as a CSV is refused, nothing changes.
    lying = SimpleUploadedFile("dan-so.csv", b"%PDF-1.7\n...", "text/csv")
    refused = client.post(url, {"upload": lying})
    assert refused.status_code == 400 and refused.context["form"].errors["upload"]
    assert client.post(url, {}).status_code == 400
    kept = Resource.objects.get(pk=resource.pk)
    assert kept.file_sha256 == first_hash and kept.datastore_state == "valid"

    response = client.post(url, {"upload": csv_file(5, "dan-so-thang-12.csv")})
    assert response.status_code == 302
    assert response["Location"] == reverse("opendata:resource", args=["dan-so-xa", resource.pk])
    replaced = Resource.objects.get(pk=resource.pk)
    assert replaced.file_sha256 != first_hash and replaced.file_name == "dan-so-thang-12.csv"
    assert replaced.name == "Dân số theo xã" and replaced.datastore_state == "queued"
    page = client.get(response["Location"]).content.decode()
    assert "Đang chờ kiểm tra" in page and "opendata/resource.js" in page  # the page follows the validation
    drain(["opendata"])
    replaced.refresh_from_db()
    assert replaced.datastore_state == "valid" and replaced.datastore_rows_total == 5
    assert datastore.search(replaced, q="", limit=10, offset=0).total == 5
    assert AuditEvent.objects.filter(object_id=str(resource.pk), action="update").exists()


def test_a_link_resource_can_be_replaced_by_an_uploaded_file(client, dataset, publisher, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    resource = dataset.resources.get(name="Quý 1")
    client.force_login(publisher.user)
    pdf = io.BytesIO(b"%PDF-1.7\n%\xe2\xe3\n")
    upload = SimpleUploadedFile("bao-cao.pdf", pdf.getvalue(), "application/pdf")
    response = client.post(reverse("opendata:resource_replace", args=["ho-tich-2025", resource.pk]), {"upload": upload})
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.url_type == "upload" and resource.format == "PDF" and resource.url.endswith("/tep-goc")
