"""The CKAN Action API driven by the real `ckanapi` client against the running server."""

from __future__ import annotations

import pytest
import requests
from ckanapi import RemoteCKAN
from ckanapi.errors import CKANAPIError, NotAuthorized, NotFound, SearchError, ValidationError

from cqs.audit.models import AuditEvent
from cqs.opendata.models import Dataset, DatasetState

pytestmark = pytest.mark.django_db(transaction=True)


def ckan(live_server, token: str | None = None) -> RemoteCKAN:
    return RemoteCKAN(live_server.url, apikey=token)


def new_dataset(client: RemoteCKAN, name: str, **fields):
    data = {
        "name": name,
        "title": fields.pop("title", name.replace("-", " ").title()),
        "owner_org": fields.pop("owner_org", "000-10-00-h53"),
        "license_id": fields.pop("license_id", "cc-by"),
    }
    data.update(fields)
    return client.action.package_create(**data)


def test_publisher_creates_a_dataset_with_a_resource_and_anyone_reads_it(live_server, publisher, org):
    client = ckan(live_server, publisher.token)
    created = client.action.package_create(
        name="ho-tich-2025",
        title="Số liệu hộ tịch năm 2025",
        notes="Số đăng ký khai sinh, kết hôn, khai tử theo xã.",
        owner_org="000-10-00-h53",
        license_id="cc-by",
        tags=[{"name": "hộ tịch"}, {"name": "thống kê"}],
        spatial="80",
        temporal_start="2025-01-01",
        temporal_end="2025-12-31",
        frequency="annual",
        maintainer_email="sotuphap@tayninh.gov.vn",
        extras=[{"key": "nguon", "value": "Sở Tư pháp"}],
        resources=[{"name": "Bảng số liệu", "url": "https://example.gov.vn/ho-tich-2025.csv"}],
    )
    assert created["name"] == "ho-tich-2025"
    assert created["organization"]["name"] == "000-10-00-h53"
    assert created["organization"]["title"] == "Sở Tư pháp"
    assert created["owner_org"] == created["organization"]["id"]
    assert created["num_resources"] == 1 and created["resources"][0]["format"] == "CSV"
    assert {t["name"] for t in created["tags"]} == {"hộ tịch", "thống kê"}
    assert created["license_title"] and created["state"] == "active" and created["private"] is False
    assert created["spatial"] == "80" and created["temporal_end"] == "2025-12-31"

    resource = client.action.resource_create(
        package_id=created["id"], name="Bản JSON", url="https://example.gov.vn/ho-tich-2025.json", size=1024
    )
    assert resource["format"] == "JSON" and resource["position"] == 1 and resource["size"] == 1024

    anonymous = ckan(live_server)
    shown = anonymous.action.package_show(id="ho-tich-2025")
    assert [r["name"] for r in shown["resources"]] == ["Bảng số liệu", "Bản JSON"]
    assert shown["extras"] == [{"key": "nguon", "value": "Sở Tư pháp"}]
    assert anonymous.action.resource_show(id=resource["id"])["url"].endswith(".json")
    assert anonymous.action.package_list() == ["ho-tich-2025"]
    assert anonymous.action.tag_list() == ["hộ tịch", "thống kê"]
    assert AuditEvent.objects.filter(object_type="opendata.dataset", object_id=created["id"]).exists()
    # The audit trail survives the flush of transactional tests: count this dataset's resources only.
    resource_ids = [r["id"] for r in shown["resources"]]
    assert AuditEvent.objects.filter(object_type="opendata.resource", object_id__in=resource_ids).count() == 2


def test_update_patch_and_delete(live_server, publisher):
    client = ckan(live_server, publisher.token)
    created = new_dataset(client, "ngan-sach", notes="Công khai ngân sách", tags=[{"name": "ngân sách"}])
    patched = client.action.package_patch(id=created["id"], title="Công khai ngân sách tỉnh")
    assert patched["title"] == "Công khai ngân sách tỉnh"
    assert patched["notes"] == "Công khai ngân sách" and patched["num_tags"] == 1  # kept by a patch
    updated = client.action.package_update(id="ngan-sach", title="Ngân sách", owner_org="000-10-00-h53")
    assert updated["notes"] == "" and updated["tags"] == []  # cleared by an update, as in CKAN
    client.action.package_delete(id="ngan-sach")
    assert Dataset.objects.get(name="ngan-sach").state == DatasetState.DELETED
    assert ckan(live_server).action.package_list() == []
    with pytest.raises(NotAuthorized):
        ckan(live_server).action.package_show(id="ngan-sach")


def test_a_write_without_a_token_is_refused_and_writes_nothing(live_server, publisher):
    with pytest.raises(NotAuthorized) as refused:
        new_dataset(ckan(live_server), "khong-co-ma")
    assert refused.value.args[0]["__type"] == "Authorization Error"
    response = requests.post(
        live_server.url + "/api/3/action/package_create", json={"name": "x1", "owner_org": "000-10-00-h53"}, timeout=10
    )
    assert response.status_code == 403
    assert response.json()["success"] is False
    assert not Dataset.objects.exists()


def test_a_publisher_of_another_organisation_is_refused(live_server, publisher, other_publisher):
    with pytest.raises(NotAuthorized):
        new_dataset(ckan(live_server, other_publisher.token), "cua-so-khac", owner_org="000-10-00-h53")
    new_dataset(ckan(live_server, publisher.token), "cua-tu-phap")
    with pytest.raises(NotAuthorized):
        ckan(live_server, other_publisher.token).action.package_patch(id="cua-tu-phap", title="Sửa trộm")
    assert Dataset.objects.get(name="cua-tu-phap").title == "Cua Tu Phap"
    assert not Dataset.objects.filter(name="cua-so-khac").exists()


def test_bearer_token_and_x_ckan_api_key_are_accepted(live_server, publisher):
    url = live_server.url + "/api/action/organization_list_for_user"
    for headers in ({"Authorization": f"Bearer {publisher.token}"}, {"X-CKAN-API-Key": publisher.token}):
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 200
        assert [o["name"] for o in response.json()["result"]] == ["000-10-00-h53"]
    assert ckan(live_server, publisher.token).action.organization_list_for_user()[0]["capacity"] == "editor"
    assert ckan(live_server).action.organization_list_for_user() == []


def test_validation_errors_name_each_field(live_server, publisher):
    client = ckan(live_server, publisher.token)
    new_dataset(client, "trung-ten")
    with pytest.raises(ValidationError) as refused:
        new_dataset(client, "trung-ten", license_id="khong-co", spatial="99999", temporal_start="2025-13-01")
    error = refused.value.args[0]
    assert error["__type"] == "Validation Error"
    assert set(error) >= {"name", "license_id", "spatial", "temporal_start"}
    with pytest.raises(ValidationError):
        new_dataset(client, "Tên Có Dấu")
    assert Dataset.objects.count() == 1


def test_both_paths_answer_without_redirect_and_unknown_actions_are_bad_requests(live_server, publisher):
    for path in ("/api/3/action/status_show", "/api/action/status_show", "/api/3/action/status_show/"):
        response = requests.get(live_server.url + path, allow_redirects=False, timeout=10)
        assert response.status_code == 200, path
        body = response.json()
        assert body["success"] is True and body["help"].endswith("help_show?name=status_show")
        assert body["result"]["ckan_version"].startswith("2.")
    response = requests.get(live_server.url + "/api/3/action/khong_ton_tai", allow_redirects=False, timeout=10)
    assert response.status_code == 400
    assert response.json() == "Bad request - Action name not known: khong_ton_tai"
    with pytest.raises(CKANAPIError):
        ckan(live_server).call_action("khong_ton_tai")
    # Writes are POST only, as in CKAN.
    response = requests.get(live_server.url + "/api/3/action/package_create?name=x", timeout=10)
    assert response.status_code == 400


def test_not_found(live_server, publisher):
    with pytest.raises(NotFound):
        ckan(live_server).action.package_show(id="khong-co")
    with pytest.raises(NotFound):
        ckan(live_server).action.organization_show(id="999-99-99-h99")
    response = requests.get(live_server.url + "/api/3/action/package_show?id=khong-co", timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["__type"] == "Not Found Error"


def test_form_bodies_are_accepted(live_server, publisher):
    response = requests.post(
        live_server.url + "/api/3/action/package_create",
        data={"name": "bieu-mau", "title": "Biểu mẫu", "owner_org": "000-10-00-h53", "tag_string": "a1,b2"},
        headers={"Authorization": publisher.token},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert [t["name"] for t in response.json()["result"]["tags"]] == ["a1", "b2"]


def test_search_with_facets_filters_and_paging(live_server, publisher, other_publisher):
    client = ckan(live_server, publisher.token)
    finance = ckan(live_server, other_publisher.token)
    for i in range(7):
        new_dataset(
            client,
            f"tu-phap-{i}",
            tags=[{"name": "hộ tịch"}] + ([{"name": "công chứng"}] if i % 2 else []),
            resources=[{"url": f"https://example.gov.vn/{i}.csv"}],
        )
    for i in range(3):
        new_dataset(
            finance, f"tai-chinh-{i}", owner_org="000-11-00-h53", license_id="odc-by", tags=[{"name": "ngân sách"}]
        )
    new_dataset(client, "rieng-tu", private=True)

    anonymous = ckan(live_server)
    result = anonymous.call_action(
        "package_search", {"facet.field": '["organization", "tags", "license_id", "res_format"]', "rows": 0}
    )
    assert result["count"] == 10 and result["results"] == []
    assert result["facets"]["organization"] == {"000-10-00-h53": 7, "000-11-00-h53": 3}
    assert result["facets"]["tags"] == {"hộ tịch": 7, "công chứng": 3, "ngân sách": 3}
    assert result["facets"]["res_format"] == {"CSV": 7}
    items = result["search_facets"]["organization"]["items"]
    assert items[0] == {"name": "000-10-00-h53", "display_name": "Sở Tư pháp", "count": 7}
    assert result["search_facets"]["license_id"]["title"] == "license_id"

    limited = anonymous.call_action("package_search", {"facet.field": ["tags"], "facet.limit": 1, "rows": 0})
    assert limited["facets"]["tags"] == {"hộ tịch": 7}
    mincount = anonymous.call_action("package_search", {"facet.field": ["tags"], "facet.mincount": 4, "rows": 0})
    assert mincount["facets"]["tags"] == {"hộ tịch": 7}

    assert anonymous.action.package_search(fq="organization:000-11-00-h53")["count"] == 3
    assert anonymous.action.package_search(fq='tags:"công chứng"')["count"] == 3
    assert anonymous.action.package_search(fq='-tags:"hộ tịch"')["count"] == 3
    assert anonymous.action.package_search(fq="license_id:(odc-by OR cc-zero)")["count"] == 3
    assert anonymous.action.package_search(fq='organization:000-11-00-h53 OR tags:"công chứng"')["count"] == 6
    assert anonymous.action.package_search(fq="metadata_modified:[NOW-1DAY TO *]")["count"] == 10
    assert anonymous.action.package_search(q='tags:"ngân sách"')["count"] == 3

    # Private datasets: only with include_private, only for their own publishers.
    assert anonymous.action.package_search(include_private=True)["count"] == 10
    assert client.action.package_search(include_private=True)["count"] == 11
    assert finance.action.package_search(include_private=True)["count"] == 10

    seen = []
    for start in range(0, 12, 4):
        page = anonymous.action.package_search(sort="name asc", rows=4, start=start)
        assert page["count"] == 10
        seen += [d["name"] for d in page["results"]]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 10
    assert anonymous.action.organization_show(id="000-10-00-h53")["package_count"] == 7
    assert {o["name"]: o["package_count"] for o in anonymous.action.organization_list(all_fields=True)}[
        "000-11-00-h53"
    ] == 3


def test_search_refuses_too_many_rows_and_unknown_fields(live_server, publisher):
    anonymous = ckan(live_server)
    with pytest.raises(ValidationError) as refused:
        anonymous.action.package_search(rows=1001)
    assert "rows" in refused.value.args[0]
    assert anonymous.action.package_search(rows=1000)["count"] == 0
    with pytest.raises(SearchError):
        anonymous.action.package_search(fq="khong_co_truong:1")
    with pytest.raises(SearchError):
        anonymous.action.package_search(sort="khong_co desc")
    response = requests.get(live_server.url + "/api/3/action/package_search?fq=bogus:1", timeout=10)
    assert response.status_code == 409
    assert response.json()["error"]["__type"] == "Search Error"


def test_groups_organizations_and_licences(live_server, publisher, personas):
    from cqs.opendata.services import group_create

    group = group_create(actor=personas.system_admin, name="xa-hoi", title="Xã hội")
    client = ckan(live_server, publisher.token)
    new_dataset(client, "co-chu-de", groups=[{"name": "xa-hoi"}])
    anonymous = ckan(live_server)
    assert anonymous.action.group_list() == ["xa-hoi"]
    assert anonymous.action.group_show(id="xa-hoi")["package_count"] == 1
    assert anonymous.action.group_show(id=str(group.pk))["title"] == "Xã hội"
    assert anonymous.action.package_search(fq="groups:xa-hoi")["count"] == 1
    assert "000-10-00-h53" in anonymous.action.organization_list()
    licences = {lic["id"]: lic for lic in anonymous.action.license_list()}
    assert {"cc-by", "cc-zero", "odc-by", "other-open"} <= set(licences)
    assert licences["cc-by"]["url"].startswith("https://creativecommons.org/")
