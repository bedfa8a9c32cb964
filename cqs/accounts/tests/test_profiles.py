import json

import pytest

from cqs.accounts import queries
from cqs.accounts.models import CitizenProfile, EnterpriseProfile
from cqs.accounts.services import account_update, password_change
from cqs.accounts.tests.factories import PASSWORD, citizen_payload, enterprise_payload, register
from cqs.audit.models import AuditEvent
from cqs.core.errors import PermissionRefused


@pytest.fixture
def mai(org):
    return register(citizen_payload())


def test_audit_never_holds_the_password_or_its_hash(client, mai):
    client.force_login(mai)
    new_password = "Cay-da-dau-lang-2027"
    client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    account_update(actor=mai, user=mai, email="mai.moi@example.vn")
    mai.refresh_from_db()
    events = list(AuditEvent.objects.values("before", "after", "context", "object_type"))
    assert {e["object_type"] for e in events} >= {"accounts.user", "accounts.citizenprofile"}
    trail = json.dumps(events, ensure_ascii=False)
    for secret in (PASSWORD, new_password, mai.password, "argon2", '"password"'):
        assert secret not in trail
    assert any(e["context"].get("event") == "password_changed" for e in events)


def test_registration_is_audited_with_the_profile(mai):
    profile_event = AuditEvent.objects.get(object_type="accounts.citizenprofile")
    assert profile_event.actor_id == mai.pk
    assert profile_event.after["identity_number"] == "079300001234"


def test_profile_change_is_audited_with_before_and_after(mai):
    account_update(actor=mai, user=mai, profile={**citizen_payload(), "address_street": "Số 10 đường 30/4"})
    event = AuditEvent.objects.filter(object_type="accounts.citizenprofile").order_by("-id").first()
    assert event.before["address_street"] == "Số 8 đường Nguyễn Huệ, Khu phố 2"
    assert event.after["address_street"] == "Số 10 đường 30/4"


def test_nobody_else_changes_my_profile(mai, personas):
    with pytest.raises(PermissionRefused):
        account_update(actor=personas.reception, user=mai, phone="0911111111")
    account_update(actor=personas.system_admin, user=mai, phone="0911111111")
    with pytest.raises(PermissionRefused):
        password_change(actor=personas.system_admin, user=mai, new_password="Mot-mat-khau-moi-2027")


def test_profile_is_edited_on_the_page(client, mai):
    client.force_login(mai)
    page = client.get("/tai-khoan/sua/")
    assert 'value="079300001234"' in page.content.decode()
    data = {**citizen_payload(), "address_unit": "28159", "address_street": "Ấp Long Thạnh"}
    data.pop("password")
    response = client.post("/tai-khoan/sua/", data)
    assert response.status_code == 302
    assert queries.home_commune_code(mai) == "28159"
    bad = client.post("/tai-khoan/sua/", {**data, "identity_number": "079300001", "email": ""})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"identity_number"}


def test_official_edits_name_and_contact_only(client, personas):
    client.force_login(personas.reception)
    page = client.get("/tai-khoan/sua/")
    assert 'name="identity_number"' not in page.content.decode()
    response = client.post("/tai-khoan/sua/", {"full_name": "Trần Văn Bình", "email": "binh@tanan.gov.vn"})
    assert response.status_code == 302
    personas.reception.refresh_from_db()
    assert personas.reception.full_name == "Trần Văn Bình"


# --- Queries for the other contexts --------------------------------------------------------------
def test_prefill_values_of_a_citizen(mai):
    assert queries.prefill_values(mai) == {
        "full_name": "Trần Thị Mai",
        "identity_number": "079300001234",
        "date_of_birth": "2000-03-15",
        "phone": "0987654321",
        "email": "tran.thi.mai@example.vn",
        "address": "Số 8 đường Nguyễn Huệ, Khu phố 2, Phường Tân An",
    }


def test_prefill_values_of_an_enterprise_use_its_name_and_tax_code(org):
    enterprise = register(enterprise_payload())
    values = queries.prefill_values(enterprise)
    assert values["full_name"] == "Công ty Cổ phần Chế biến Nông sản Tân An"
    assert values["identity_number"] == "1100987656"
    assert values["date_of_birth"] == ""
    assert values["address"] == "Lô B2, Khu công nghiệp Long Hậu, Xã Cần Giuộc"


def test_applicant_snapshot_is_all_strings(mai, org):
    snapshot = queries.applicant_snapshot(mai)
    assert snapshot == {
        "kind": "citizen",
        "full_name": "Trần Thị Mai",
        "identity_number": "079300001234",
        "phone": "0987654321",
        "email": "tran.thi.mai@example.vn",
        "address": "Số 8 đường Nguyễn Huệ, Khu phố 2, Phường Tân An",
        "unit_code": "27712",
    }
    assert queries.home_commune_code(mai) == "27712"


def test_accounts_without_a_profile_still_answer(personas):
    snapshot = queries.applicant_snapshot(personas.citizen)
    assert snapshot["full_name"] == "Nguyễn Thị Hồng Nhung"
    assert snapshot["identity_number"] == "" and snapshot["unit_code"] == ""
    assert queries.home_commune_code(personas.reception) is None
    assert queries.prefill_values(personas.reception)["address"] == ""


def test_demo_profiles_are_loaded_once(personas):
    from cqs.accounts.demo import demo_profiles_load
    from cqs.accounts.validators import identity_number_facts, validate_tax_code

    demo_profiles_load()
    demo_profiles_load()
    citizen = CitizenProfile.objects.get(user=personas.citizen)
    facts = identity_number_facts(citizen.identity_number)
    assert (facts.province_code, facts.sex, facts.birth_year) == ("080", "female", 1995)
    assert citizen.date_of_birth.year == 1995
    assert queries.home_commune_code(personas.citizen) == "27712"
    enterprise = EnterpriseProfile.objects.get(user=personas.enterprise)
    validate_tax_code(enterprise.tax_code)
    personas.citizen.refresh_from_db()
    assert personas.citizen.email_verified
    assert CitizenProfile.objects.count() == 1 and EnterpriseProfile.objects.count() == 1


def test_commune_choices_are_grouped_and_in_vietnamese_order(org):
    from cqs.org.models import AdministrativeUnit, UnitLevel

    for code, name, kind in [("27700", "Xã Đức Hòa", "xã"), ("27701", "Xã An Ninh", "xã")]:
        AdministrativeUnit.objects.create(
            code=code, name=name, division_type=kind, level=UnitLevel.COMMUNE, parent=org.province
        )
    groups = dict(queries.commune_choices())
    names = [name for _code, name in groups["Xã"]]
    assert names == ["Xã An Ninh", "Xã Đức Hòa"]
