"""Vietnamese search: without accents, with typos, and with accents that decide the order."""

from __future__ import annotations

import pytest
from ckanapi import RemoteCKAN

from cqs.opendata.queries import search_datasets
from cqs.opendata.services import dataset_create

TITLES = {
    "ban-le-xang-dau": ("Danh sách cửa hàng bán lẻ xăng dầu", "Địa chỉ, giấy phép kinh doanh"),
    "ban-doc-thu-vien": ("Danh sách bạn đọc thư viện tỉnh", "Số thẻ bạn đọc theo năm"),
    "khai-sinh": ("Số lượt đăng ký khai sinh theo xã", "Hộ tịch điện tử"),
    "chat-luong-nuoc": ("Chất lượng nước sông Vàm Cỏ Đông", "Quan trắc môi trường hằng tháng"),
    "gia-dat": ("Bảng giá đất nông nghiệp", "Giá đất trồng lúa, đất trồng cây lâu năm"),
    "truong-hoc": ("Danh sách trường học", "Trường mầm non, tiểu học, trung học cơ sở; có số liệu khai sinh"),
}


@pytest.fixture
def catalogue(publisher, org):
    for name, (title, notes) in TITLES.items():
        dataset_create(
            actor=publisher.user, data={"name": name, "title": title, "notes": notes, "owner_org": "000-10-00-h53"}
        )


def names(q: str, user=None) -> list[str]:
    return [d.name for d in search_datasets(user=user, data={"q": q, "rows": 50}).datasets]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("khai sinh", "khai-sinh"),
        ("dang ky khai sinh", "khai-sinh"),
        ("DANG KY KHAI SINH", "khai-sinh"),
        ("chat luong nuoc", "chat-luong-nuoc"),
        ("vam co dong", "chat-luong-nuoc"),
        ("gia dat nong nghiep", "gia-dat"),
        ("xang dau", "ban-le-xang-dau"),
    ],
)
def test_unaccented_queries_find_the_dataset_first(catalogue, query, first):
    assert names(query)[0] == first


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("khai sihn", "khai-sinh"),
        ("chat luog nuoc", "chat-luong-nuoc"),
        ("xăng dâu", "ban-le-xang-dau"),
        ("truong hoc", "truong-hoc"),
        ("thu vien tinh", "ban-doc-thu-vien"),
    ],
)
def test_misspelled_queries_still_find_the_dataset(catalogue, query, first):
    assert names(query)[0] == first


@pytest.mark.django_db
def test_accents_as_typed_rank_first(catalogue):
    assert names("bán")[:2] == ["ban-le-xang-dau", "ban-doc-thu-vien"]
    assert names("bạn")[:2] == ["ban-doc-thu-vien", "ban-le-xang-dau"]
    assert set(names("ban")[:2]) == {"ban-le-xang-dau", "ban-doc-thu-vien"}


@pytest.mark.django_db
def test_titles_rank_above_descriptions(catalogue):
    found = names("khai sinh")
    assert found.index("khai-sinh") < found.index("truong-hoc")


@pytest.mark.django_db
def test_unrelated_queries_find_nothing(catalogue):
    assert names("bệnh viện đa khoa") == []


@pytest.mark.django_db(transaction=True)
def test_search_through_the_ckan_client(live_server, catalogue):
    client = RemoteCKAN(live_server.url)
    result = client.action.package_search(q="dang ky khai sinh")
    assert result["results"][0]["name"] == "khai-sinh"
    result = client.action.package_search(q="bạn", fq="organization:000-10-00-h53")
    assert [d["name"] for d in result["results"][:2]] == ["ban-doc-thu-vien", "ban-le-xang-dau"]


@pytest.mark.django_db
def test_a_colon_in_free_text_is_not_a_filter(catalogue):
    assert names("đăng ký:khai sinh")[0] == "khai-sinh"
