"""The Open Data Portal's pages: search with facets, dataset page, visibility, publisher forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cqs.audit.models import AuditEvent
from cqs.opendata import services
from cqs.opendata.models import Dataset, DatasetState

pytestmark = pytest.mark.django_db

PASSWORD = "Mat-khau-that-dai-2026"


def publish(actor, name: str, title: str, org: str = "000-10-00-h53", **fields) -> Dataset:
    return services.dataset_create(
        actor=actor,
        data={"name": name, "title": title, "owner_org": org, "license_id": "cc-by", **fields},
    )


@pytest.fixture
def catalogue(publisher, other_publisher, org):
    """Three public datasets of two organisations, one private and one draft."""
    births = publish(
        publisher.user,
        "ho-tich-2025",
        "Số liệu đăng ký khai sinh năm 2025",
        notes="Số trẻ được đăng ký khai sinh theo xã, phường.",
        tags=[{"name": "hộ tịch"}, {"name": "thống kê"}],
        spatial="80",
        frequency="monthly",
        version="1.2",
        maintainer="Phòng Hộ tịch",
        maintainer_email="hotich@example.vn",
        temporal_start="2025-01-01",
        temporal_end="2025-12-31",
        resources=[{"name": "Bảng số liệu", "url": "https://example.vn/ho-tich.csv", "format": "CSV"}],
    )
    marriages = publish(publisher.user, "ket-hon-2025", "Số liệu đăng ký kết hôn năm 2025", tags=[{"name": "hộ tịch"}])
    budget = publish(
        other_publisher.user,
        "ngan-sach-2025",
        "Dự toán ngân sách tỉnh năm 2025",
        org="000-11-00-h53",
        tags=[{"name": "tài chính"}],
        resources=[{"name": "Dự toán", "url": "https://example.vn/du-toan.xlsx", "format": "XLSX"}],
    )
    secret = publish(publisher.user, "noi-bo-ho-tich", "Hộ tịch nội bộ chưa công bố", private=True)
    draft = publish(publisher.user, "ban-nhap-ho-tich", "Hộ tịch bản nháp", state="draft")
    return {"births": births, "marriages": marriages, "budget": budget, "secret": secret, "draft": draft}


def search_titles(response) -> list[str]:
    return [d.title for d in response.context["result"].datasets]


def test_search_without_accents_finds_the_dataset(client, catalogue):
    response = client.get(reverse("opendata:search"), {"q": "dang ky khai sinh"})
    assert response.status_code == 200
    assert search_titles(response)[0] == "Số liệu đăng ký khai sinh năm 2025"


def test_facets_combine_and_count(client, catalogue):
    url = reverse("opendata:search")
    everything = client.get(url)
    assert everything.context["result"].count == 3
    organisations = {f["field"]: f for f in everything.context["facets"]}["organization"]["items"]
    assert {(i["name"], i["count"]) for i in organisations} == {("000-10-00-h53", 2), ("000-11-00-h53", 1)}

    # Two values of one facet widen (OR); another facet narrows (AND).
    both = client.get(url, {"organization": ["000-10-00-h53", "000-11-00-h53"]})
    assert both.context["result"].count == 3
    narrowed = client.get(url, {"organization": ["000-10-00-h53", "000-11-00-h53"], "res_format": "CSV"})
    assert search_titles(narrowed) == ["Số liệu đăng ký khai sinh năm 2025"]
    tagged = client.get(url, {"tags": "hộ tịch", "sort": "title asc"})
    assert set(search_titles(tagged)) == {"Số liệu đăng ký kết hôn năm 2025", "Số liệu đăng ký khai sinh năm 2025"}
    assert 'value="hộ tịch" checked' in tagged.content.decode()


def test_search_pages_through_results(client, publisher, org):
    for n in range(23):
        publish(publisher.user, f"bo-du-lieu-{n:02d}", f"Bộ dữ liệu số {n:02d}")
    url = reverse("opendata:search")
    first = client.get(url, {"sort": "title asc"})
    second = client.get(url, {"sort": "title asc", "page": 2})
    assert len(search_titles(first)) == 20 and search_titles(second) == [f"Bộ dữ liệu số {n}" for n in (20, 21, 22)]
    assert "page=2" in first.content.decode()


def test_dataset_page_shows_metadata_resources_dcat_links_and_api_snippets(client, catalogue):
    response = client.get(reverse("opendata:dataset", args=["ho-tich-2025"]))
    assert response.status_code == 200
    page = response.content.decode()
    for expected in (
        "Số liệu đăng ký khai sinh năm 2025",
        "Sở Tư pháp",
        "Creative Commons Attribution 4.0",
        "hotich@example.vn",
        "01/01/2025",
        "31/12/2025",
        "Tây Ninh",
        "Hằng tháng",
        "1.2",
        "Bảng số liệu",
        "/dataset/ho-tich-2025.ttl",
        "/dataset/ho-tich-2025.jsonld",
        "/dataset/ho-tich-2025.rdf",
        "/api/3/action/package_show?id=ho-tich-2025",
        "RemoteCKAN",
    ):
        assert expected in page, expected


def test_private_and_draft_datasets_are_hidden_from_the_public(client, catalogue):
    titles = search_titles(client.get(reverse("opendata:search"), {"q": "ho tich"}))
    assert "Hộ tịch nội bộ chưa công bố" not in titles and "Hộ tịch bản nháp" not in titles
    assert client.get(reverse("opendata:dataset", args=["noi-bo-ho-tich"])).status_code == 404
    assert client.get(reverse("opendata:dataset", args=["ban-nhap-ho-tich"])).status_code == 404


def test_a_publisher_sees_their_private_dataset_and_the_other_organisation_does_not(
    client, catalogue, publisher, other_publisher
):
    client.force_login(publisher.user)
    assert client.get(reverse("opendata:dataset", args=["noi-bo-ho-tich"])).status_code == 200
    assert "Hộ tịch nội bộ chưa công bố" in search_titles(client.get(reverse("opendata:search"), {"q": "ho tich"}))
    client.force_login(other_publisher.user)
    assert client.get(reverse("opendata:dataset", args=["noi-bo-ho-tich"])).status_code == 404


def test_my_datasets_lists_the_organisations_drafts_and_private_datasets(client, catalogue, publisher):
    client.force_login(publisher.user)
    page = client.get(reverse("opendata:my_datasets")).content.decode()
    assert "Hộ tịch bản nháp" in page and "Hộ tịch nội bộ chưa công bố" in page
    assert "Dự toán ngân sách tỉnh năm 2025" not in page


def test_a_citizen_is_refused_the_publisher_pages(client, personas):
    client.force_login(personas.citizen)
    assert client.get(reverse("opendata:my_datasets")).status_code == 403
    assert client.get(reverse("opendata:dataset_create")).status_code == 403


def test_publisher_creates_a_dataset_through_the_form(client, publisher, org):
    client.force_login(publisher.user)
    response = client.post(
        reverse("opendata:dataset_create"),
        {
            "title": "Danh sách điểm phát Wi-Fi công cộng",
            "name": "",
            "notes": "Các điểm Wi-Fi miễn phí.",
            "owner_org": "000-10-00-h53",
            "tags": "wifi, hạ tầng số",
            "license_id": "cc-by",
            "spatial": "27712",
            "frequency": "annual",
            "temporal_start": "2026-01-01",
            "state": "active",
        },
    )
    created = Dataset.objects.get(name="danh-sach-diem-phat-wi-fi-cong-cong")
    assert response.status_code == 302
    assert response["Location"] == reverse("opendata:resource_add", args=[created.name])
    assert created.tags == ["wifi", "hạ tầng số"] and created.spatial.code == "27712" and not created.private
    assert AuditEvent.objects.filter(object_id=str(created.pk)).exists()


def test_form_errors_keep_the_input_and_write_nothing(client, catalogue, publisher):
    client.force_login(publisher.user)
    before = Dataset.objects.count()
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("opendata:dataset_create"),
        {
            "title": "Bộ dữ liệu trùng tên",
            "name": "ho-tich-2025",  # taken
            "notes": "Mô tả cần được giữ lại",
            "owner_org": "000-10-00-h53",
            "license_id": "cc-by",
            "maintainer_email": "khong-phai-email",
            "temporal_start": "2026-05-01",
            "temporal_end": "2026-01-01",
            "state": "active",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Mô tả cần được giữ lại" in page and 'value="Bộ dữ liệu trùng tên"' in page
    assert 'aria-invalid="true"' in page
    assert response.context["form"].errors["maintainer_email"]
    # Fixing the e-mail, the services' own rules answer next to their fields.
    response = client.post(
        reverse("opendata:dataset_create"),
        {
            "title": "Bộ dữ liệu trùng tên",
            "name": "ho-tich-2025",
            "owner_org": "000-10-00-h53",
            "license_id": "cc-by",
            "temporal_start": "2026-05-01",
            "temporal_end": "2026-01-01",
            "state": "active",
        },
    )
    errors = response.context["form"].errors
    assert response.status_code == 400 and "name" in errors and "temporal_end" in errors
    assert Dataset.objects.count() == before and AuditEvent.objects.count() == events


def test_a_publisher_of_another_organisation_is_refused(client, catalogue, other_publisher):
    client.force_login(other_publisher.user)
    edit = reverse("opendata:dataset_edit", args=["ho-tich-2025"])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"title": "Đã bị sửa", "owner_org": "000-11-00-h53"}).status_code == 403
    assert client.post(reverse("opendata:dataset_delete", args=["ho-tich-2025"])).status_code == 403
    assert client.post(reverse("opendata:resource_add", args=["ho-tich-2025"]), {"name": "x"}).status_code == 403
    # Nor may they create a dataset in the Department of Justice's name.
    response = client.post(
        reverse("opendata:dataset_create"),
        {"title": "Giả danh", "owner_org": "000-10-00-h53", "license_id": "cc-by", "state": "active"},
    )
    assert response.status_code == 400 and "owner_org" in response.context["form"].errors
    births = Dataset.objects.get(name="ho-tich-2025")
    assert births.title == "Số liệu đăng ký khai sinh năm 2025" and births.state == DatasetState.ACTIVE
    assert not Dataset.objects.filter(title="Giả danh").exists()


def test_publisher_edits_and_deletes_a_dataset(client, catalogue, publisher):
    client.force_login(publisher.user)
    edit = reverse("opendata:dataset_edit", args=["ket-hon-2025"])
    form = client.get(edit).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, "", [], False)}
    data.update({"title": "Số liệu kết hôn 2025 (đã hiệu đính)", "private": "on"})
    response = client.post(edit, data)
    assert response.status_code == 302
    marriages = Dataset.objects.get(name="ket-hon-2025")
    assert marriages.title == "Số liệu kết hôn 2025 (đã hiệu đính)" and marriages.private
    assert marriages.tags == ["hộ tịch"]

    response = client.post(reverse("opendata:dataset_delete", args=["ket-hon-2025"]))
    assert response.status_code == 302
    assert Dataset.objects.get(name="ket-hon-2025").state == DatasetState.DELETED
    client.logout()
    assert client.get(reverse("opendata:dataset", args=["ket-hon-2025"])).status_code == 404


def test_publisher_adds_a_link_resource(client, catalogue, publisher):
    client.force_login(publisher.user)
    url = reverse("opendata:resource_add", args=["ket-hon-2025"])
    refused = client.post(url, {"name": "Thiếu địa chỉ"})
    assert refused.status_code == 400 and refused.context["form"].errors["upload"]
    response = client.post(url, {"name": "Bảng kết hôn", "url": "https://example.vn/ket-hon.csv"})
    resource = Dataset.objects.get(name="ket-hon-2025").resources.get()
    assert response.status_code == 302 and resource.format == "CSV"
    page = client.get(response["Location"]).content.decode()
    assert "Bảng kết hôn" in page and "https://example.vn/ket-hon.csv" in page


def test_resource_page_follows_a_running_validation_with_a_refresh_link(client, catalogue):
    resource = catalogue["births"].resources.get()
    resource.datastore_state, resource.datastore_rows_done, resource.datastore_rows_total = "running", 250, 1000
    resource.save()
    url = reverse("opendata:resource", args=["ho-tich-2025", resource.pk])
    page = client.get(url).content.decode()
    assert "Đang kiểm tra" in page and "25%" in page
    assert f'href="{url}"' in page and "opendata/resource.js" in page
    status = client.get(reverse("opendata:resource_status", args=["ho-tich-2025", resource.pk])).json()
    assert status == {
        "status": "running",
        "status_label": "Đang kiểm tra",
        "progress": 25,
        "finished": False,
        "datastore_active": False,
    }


def test_the_validation_report_is_shown_to_the_publisher_only(client, catalogue, publisher):
    resource = catalogue["births"].resources.get()
    resource.datastore_state = "invalid"
    resource.datastore_report = {
        "valid": False,
        "error_count": 1,
        "errors": [{"row": 3, "field": "so_luong", "type": "type-error", "message": "Giá trị 'mười' không phải số."}],
    }
    resource.save()
    url = reverse("opendata:resource", args=["ho-tich-2025", resource.pk])
    public = client.get(url).content.decode()
    assert "Không hợp lệ" in public and "không phải số" not in public and "opendata/resource.js" not in public
    client.force_login(publisher.user)
    assert "Giá trị &#x27;mười&#x27; không phải số." in client.get(url).content.decode()


def test_resources_of_hidden_datasets_are_hidden_too(client, catalogue, publisher):
    client.force_login(publisher.user)
    client.post(
        reverse("opendata:resource_add", args=["noi-bo-ho-tich"]), {"name": "Bảng", "url": "https://example.vn/a.csv"}
    )
    resource = Dataset.objects.get(name="noi-bo-ho-tich").resources.get()
    client.logout()
    for name in ("resource", "resource_status", "resource_original", "resource_csv"):
        assert client.get(reverse(f"opendata:{name}", args=["noi-bo-ho-tich", resource.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not hasattr(services, "resource_upload"), reason="the DataStore upload service is not in yet")
def test_an_uploaded_table_is_previewed_described_and_downloaded(client, publisher, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cqs.notify.worker import drain

    publish(publisher.user, "diem-wifi", "Điểm phát Wi-Fi công cộng")
    rows = "".join(f"{27700 + n:05d},Điểm số {n},{n % 5}\n" for n in range(30))
    upload = SimpleUploadedFile(
        "diem-wifi.csv", ("ma_xa,ten_diem,so_diem\n00102,Nhà văn hoá Xã Cần Giuộc,2\n" + rows).encode(), "text/csv"
    )
    client.force_login(publisher.user)
    response = client.post(
        reverse("opendata:resource_add", args=["diem-wifi"]), {"name": "Danh sách điểm", "upload": upload}
    )
    assert response.status_code == 302
    resource = Dataset.objects.get(name="diem-wifi").resources.get()
    assert resource.datastore_state == "queued" and resource.hash == resource.file_sha256
    drain(["opendata"])
    resource.refresh_from_db()
    assert resource.datastore_state == "valid" and resource.datastore_active

    url = reverse("opendata:resource", args=["diem-wifi", resource.pk])
    first = client.get(url)
    assert first.context["preview"]["total"] == 31 and len(first.context["preview"]["rows"]) == 25
    assert first.context["preview"]["pages"] == 2 and "page=2" in first.content.decode()
    found = client.get(url, {"q": "nha van hoa"})
    assert found.context["preview"]["rows"] == [["00102", "Nhà văn hoá Xã Cần Giuộc", 2]]

    edit = reverse("opendata:dictionary_edit", args=["diem-wifi", resource.pk])
    assert client.post(edit, {"title_0": "Mã xã", "description_0": "Mã đơn vị hành chính cấp xã"}).status_code == 302
    page = client.get(url).content.decode()
    assert "Mã đơn vị hành chính cấp xã" in page and '<th scope="col">Mã xã</th>' in page

    client.logout()
    csv_text = b"".join(client.get(reverse("opendata:resource_csv", args=["diem-wifi", resource.pk])).streaming_content)
    assert "00102,Nhà văn hoá Xã Cần Giuộc,2" in csv_text.decode("utf-8-sig")
    import json

    json_body = b"".join(
        client.get(reverse("opendata:resource_json", args=["diem-wifi", resource.pk])).streaming_content
    )
    assert json.loads(json_body)["records"][0]["ma_xa"] == "00102"
    original = client.get(reverse("opendata:resource_original", args=["diem-wifi", resource.pk]))
    assert b"".join(original.streaming_content).startswith(b"ma_xa,ten_diem")
