import pytest

from cqs.accounts.models import CitizenProfile, EnterpriseProfile, User, UserKind
from cqs.accounts.tests.factories import PASSWORD, citizen_payload, enterprise_payload, register
from cqs.notify.models import Notification


def post_register(client, payload):
    return client.post("/api/v1/auth/register", payload, content_type="application/json")


def fields_of(response):
    return {d["field"] for d in response.json()["error"]["details"]}


# --- API ----------------------------------------------------------------------------------------
def test_citizen_registers_through_the_api(client, org):
    response = post_register(client, citizen_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "citizen"
    assert body["email"] == "tran.thi.mai@example.vn"
    assert body["email_verified"] is False
    assert body["phone_verified"] is False
    assert body["profile"]["identity_number"] == "079300001234"
    assert body["profile"]["address_unit_name"] == "Phường Tân An"
    assert "password" not in response.content.decode()
    user = User.objects.get(email="tran.thi.mai@example.vn")
    assert user.full_name == "Trần Thị Mai"
    assert user.check_password(PASSWORD)
    assert user.password.startswith("argon2")


def test_enterprise_registers_through_the_api(client, org):
    response = post_register(client, enterprise_payload(phone="+84 356 789 012"))
    assert response.status_code == 201, response.content
    user = User.objects.get(kind=UserKind.ENTERPRISE, email="lienhe@nongsanvamco.example.vn")
    assert user.phone == "0356789012"
    assert user.full_name == "Công ty Cổ phần Chế biến Nông sản Tân An"
    assert user.enterprise_profile.tax_code == "1100987656"


def test_registration_lists_every_bad_field_and_writes_nothing(client, org):
    payload = citizen_payload(
        email="not-an-address",
        phone="0212345678",
        password="123",
        identity_number="003195012345",
        full_name="",
        address_unit="99999",
        address_street="",
    )
    response = post_register(client, payload)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert fields_of(response) == {
        "email",
        "phone",
        "password",
        "identity_number",
        "full_name",
        "address_unit",
        "address_street",
    }
    assert all(d["message"] for d in error["details"])
    assert not User.objects.filter(kind=UserKind.CITIZEN).exists()
    assert not Notification.objects.exists()


def test_enterprise_registration_checks_the_tax_code_and_the_representative(client, org):
    response = post_register(client, enterprise_payload(tax_code="1100987657", representative_identity="08007800112"))
    assert response.status_code == 400
    assert fields_of(response) == {"tax_code", "representative_identity"}
    assert not EnterpriseProfile.objects.exists()


def test_identity_number_must_agree_with_the_date_of_birth(client, org):
    response = post_register(client, citizen_payload(date_of_birth="1999-03-15"))
    assert response.status_code == 400
    assert fields_of(response) == {"identity_number"}


def test_an_email_or_a_phone_is_needed(client, org):
    response = post_register(client, citizen_payload(email="", phone=None))
    assert response.status_code == 400
    assert fields_of(response) == {"email", "phone"}


def test_a_phone_number_is_enough(client, org):
    response = post_register(client, citizen_payload(email=None))
    assert response.status_code == 201
    assert not Notification.objects.exists()  # nothing to verify by e-mail


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "TRAN.THI.MAI@Example.VN"), ("phone", "+84987654321"), ("identity_number", "079300001234")],
)
def test_an_email_phone_or_identity_number_is_registered_once(client, org, field, value):
    register(citizen_payload())
    other = citizen_payload(email="khac@example.vn", phone="0911111111", identity_number="079300005678")
    other[field] = value
    response = post_register(client, other)
    assert response.status_code == 400
    assert fields_of(response) == {field}
    assert User.objects.filter(kind=UserKind.CITIZEN).count() == 1


def test_officials_cannot_register_themselves(client, org):
    response = post_register(client, citizen_payload(kind="official"))
    assert response.status_code == 400
    assert "kind" in fields_of(response)


def test_commune_must_be_current(client, org):
    from cqs.org.models import AdministrativeUnit, UnitLevel

    AdministrativeUnit.objects.create(
        code="802", name="Thành phố Tân An (cũ)", level=UnitLevel.DISTRICT, parent=org.province, is_current=False
    )
    response = post_register(client, citizen_payload(address_unit="802"))
    assert fields_of(response) == {"address_unit"}


# --- The page ----------------------------------------------------------------------------------
def form_data(payload, **extra):
    data = {k: v for k, v in payload.items() if v is not None}
    data["password_confirm"] = data["password"]
    data.update(extra)
    return data


def test_citizen_registers_on_the_page_and_is_signed_in(client, org):
    page = client.get("/tai-khoan/dang-ky/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<label for="id_identity_number">' in html
    assert 'value="27712"' in html and "Phường Tân An" in html
    response = client.post("/tai-khoan/dang-ky/", form_data(citizen_payload()))
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/"
    account = client.get("/tai-khoan/")
    assert "Trần Thị Mai" in account.content.decode()
    assert "Chưa xác thực" in account.content.decode()
    assert CitizenProfile.objects.get().user.email == "tran.thi.mai@example.vn"


def test_enterprise_registers_on_the_page(client, org):
    page = client.get("/tai-khoan/dang-ky/?kind=enterprise")
    assert 'name="tax_code"' in page.content.decode()
    assert 'name="identity_number"' not in page.content.decode()
    response = client.post("/tai-khoan/dang-ky/?kind=enterprise", form_data(enterprise_payload()))
    assert response.status_code == 302
    assert EnterpriseProfile.objects.get().name == "Công ty Cổ phần Chế biến Nông sản Tân An"


def test_page_shows_every_error_next_to_its_field_and_writes_nothing(client, org):
    register(citizen_payload())
    data = form_data(
        citizen_payload(phone="0911111111", identity_number="079300001234", address_street=""),
        password_confirm="something-else",
    )
    response = client.post("/tai-khoan/dang-ky/", data)
    assert response.status_code == 400
    html = response.content.decode()
    form = response.context["form"]
    assert set(form.errors) == {"email", "identity_number", "address_street", "password_confirm"}
    assert "Hai mật khẩu không khớp nhau." in html
    assert "Địa chỉ thư điện tử này đã được dùng cho một tài khoản khác." in html
    assert 'id="id_email_error"' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'aria-invalid="true"' in html
    assert User.objects.filter(kind=UserKind.CITIZEN).count() == 1


def test_weak_password_is_explained_on_the_page(client, org):
    data = form_data(citizen_payload(password="12345678"))
    response = client.post("/tai-khoan/dang-ky/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(kind=UserKind.CITIZEN).exists()
