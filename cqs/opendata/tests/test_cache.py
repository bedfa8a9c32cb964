"""The cache of anonymous CKAN reads: a hit is byte-for-byte the answer the view gave, and no
change to the catalogue (committed, rolled back, by any path) can leave a stale answer behind."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction

from cqs.opendata import services
from cqs.opendata.cache import HIT_HEADER, catalogue_version
from cqs.opendata.models import Dataset

pytestmark = pytest.mark.django_db


def _dataset(publisher, name: str = "gia-dat-2026", title: str = "Bảng giá đất 2026") -> Dataset:
    return services.dataset_create(
        actor=publisher.user, data={"name": name, "title": title, "owner_org": "000-10-00-h53", "license_id": "cc-by"}
    )


def _show(client, name: str, **headers):
    return client.get("/api/3/action/package_show", {"id": name}, **headers)


def test_a_second_anonymous_read_is_served_from_the_cache_with_the_same_answer(client, publisher):
    _dataset(publisher)
    first = _show(client, "gia-dat-2026")
    second = _show(client, "gia-dat-2026")
    assert first[HIT_HEADER] == "miss" and second[HIT_HEADER] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert json.loads(second.content)["result"]["title"] == "Bảng giá đất 2026"


def test_a_change_to_the_catalogue_is_seen_by_the_next_read(client, publisher):
    _dataset(publisher)
    _show(client, "gia-dat-2026")
    services.dataset_update(actor=publisher.user, ref="gia-dat-2026", data={"title": "Bảng giá đất mới"}, partial=True)
    after = _show(client, "gia-dat-2026")
    assert after[HIT_HEADER] == "miss"
    assert json.loads(after.content)["result"]["title"] == "Bảng giá đất mới"


def test_a_change_made_outside_the_services_also_invalidates(client, publisher):
    _dataset(publisher)
    search = {"q": "giá đất", "facet.field": '["organization"]'}
    assert json.loads(client.get("/api/3/action/package_search", search).content)["result"]["count"] == 1
    with connection.cursor() as cursor:  # e.g. an administrator's SQL, or the admin site
        cursor.execute("UPDATE opendata_dataset SET state = 'deleted'")
    again = client.get("/api/3/action/package_search", search)
    assert again[HIT_HEADER] == "miss" and json.loads(again.content)["result"]["count"] == 0


def test_a_rolled_back_change_never_leaves_its_answer_behind(client, publisher):
    _dataset(publisher)
    before = catalogue_version()
    _show(client, "gia-dat-2026")

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        Dataset.objects.filter(name="gia-dat-2026").update(title="Tạm thời")
        inside = _show(client, "gia-dat-2026")  # read inside the change's own transaction
        assert json.loads(inside.content)["result"]["title"] == "Tạm thời"
        raise Undo
    assert catalogue_version() == before
    after = _show(client, "gia-dat-2026")
    assert json.loads(after.content)["result"]["title"] == "Bảng giá đất 2026"
    # The next change gets a new number, never the rolled-back one, so the answer cached inside
    # the rolled-back transaction can never be served.
    Dataset.objects.filter(name="gia-dat-2026").update(title="Bảng giá đất chính thức")
    assert json.loads(_show(client, "gia-dat-2026").content)["result"]["title"] == "Bảng giá đất chính thức"


def test_a_caller_with_a_token_or_a_session_is_never_served_from_the_cache(client, publisher):
    _dataset(publisher)
    _show(client, "gia-dat-2026")
    with_token = _show(client, "gia-dat-2026", HTTP_AUTHORIZATION=publisher.token)
    assert HIT_HEADER not in with_token
    client.force_login(publisher.user)
    assert HIT_HEADER not in _show(client, "gia-dat-2026")


def test_errors_writes_and_datastore_reads_are_not_cached(client, publisher):
    assert HIT_HEADER not in _show(client, "khong-co")
    assert HIT_HEADER not in _show(client, "khong-co")
    assert HIT_HEADER not in client.get("/api/3/action/datastore_search", {"resource_id": "x"})
    assert HIT_HEADER not in client.post("/api/3/action/package_show", {"id": "khong-co"})


def test_an_answer_built_by_one_web_process_serves_the_others(publisher, rf):
    from cqs.opendata.cache import CkanReadCacheMiddleware

    _dataset(publisher)
    built = []

    def view(request):
        from django.contrib.auth.models import AnonymousUser

        from cqs.opendata.ckan_api import action

        request.user = AnonymousUser()  # what the authentication middleware sets behind the cache
        built.append(request.path)
        return action(request, "package_show")

    first, second = CkanReadCacheMiddleware(view), CkanReadCacheMiddleware(view)  # two processes' caches
    request = rf.get("/api/3/action/package_show", {"id": "gia-dat-2026"})
    a = first(request)
    b = second(rf.get("/api/3/action/package_show", {"id": "gia-dat-2026"}))
    assert a[HIT_HEADER] == "miss" and b[HIT_HEADER] == "hit"
    assert len(built) == 1 and b.content == a.content


def test_a_hit_costs_one_query(client, publisher, django_assert_num_queries):
    _dataset(publisher)
    _show(client, "gia-dat-2026")
    with django_assert_num_queries(1):
        assert _show(client, "gia-dat-2026")[HIT_HEADER] == "hit"
