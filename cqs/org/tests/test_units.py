from cqs.org.models import AdministrativeUnit, UnitLevel
from cqs.org.services import units_load


def test_loads_the_two_level_structure_and_former_districts(db):
    counts = units_load(province_code=80)
    assert counts == {"province": 1, "commune": 96, "district": 24}
    assert AdministrativeUnit.objects.get(code="80").name == "Tây Ninh"
    tan_an = AdministrativeUnit.objects.get(code="27712")
    assert tan_an.name == "Phường Tân An" and tan_an.level == UnitLevel.COMMUNE and tan_an.is_current
    former = AdministrativeUnit.objects.get(code="807")
    assert former.name == "Huyện Cần Giuộc" and not former.is_current and former.level == UnitLevel.DISTRICT


def test_loading_twice_changes_nothing(db):
    units_load(province_code=80)
    before = list(AdministrativeUnit.objects.order_by("code").values_list("code", "name", "parent_id"))
    units_load(province_code=80)
    assert list(AdministrativeUnit.objects.order_by("code").values_list("code", "name", "parent_id")) == before


def test_switching_province_is_one_call(db):
    counts = units_load(province_code=1)
    assert AdministrativeUnit.objects.get(code="1").name == "Thành phố Hà Nội"
    assert counts["commune"] > 100 and counts["district"] == 0


def test_units_and_agencies_api(client, db):
    units_load(province_code=80)
    body = client.get("/api/v1/units", {"level": "commune", "page_size": 10}).json()
    assert body["count"] == 96 and len(body["results"]) == 10
    former = client.get("/api/v1/units", {"current": "false"}).json()
    assert former["count"] == 24
    assert client.get("/api/v1/agencies").json()["count"] == 0
    assert client.get("/api/v1/units", {"page_size": 0}).status_code == 400


def test_loading_units_is_recorded_in_the_audit_trail(db):
    from cqs.audit.models import AuditEvent

    units_load(province_code=80)
    event = AuditEvent.objects.get(object_type="org.administrativeunit", object_id="province:80")
    assert event.after == {"province": 1, "commune": 96, "district": 24} and event.actor_label == "system"
