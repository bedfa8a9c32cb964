"""The dossier API as a client uses it: bearer tokens, JSON errors, idempotency keys."""

import io

import pytest

from cqs.accounts.services import api_token_issue
from cqs.dossiers.models import Dossier, DossierDocument
from cqs.dossiers.tests.conftest import BIRTH_FORM, PNG_BYTES, pdf_bytes


@pytest.fixture
def api(client):
    def call(user, method, path, **kwargs):
        token = api_token_issue(user=user).token
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return getattr(client, method)(path, headers=headers, **kwargs)

    return call


def create(api, personas, org, **extra):
    body = {"procedure": "1.001193", "form": BIRTH_FORM, "agency": org.committee_a.code} | extra
    return api(
        personas.citizen,
        "post",
        "/api/v1/dossiers",
        data=body,
        content_type="application/json",
        headers={"Idempotency-Key": extra.pop("key", "k-1")},
    )


def upload(api, user, ref, requirement, content, name):
    return api(
        user,
        "post",
        f"/api/v1/dossiers/{ref}/documents",
        data={"requirement": requirement, "file": _named(content, name)},
    )


def _named(content: bytes, name: str):
    f = io.BytesIO(content)
    f.name = name
    return f


def test_apply_end_to_end_through_the_api(api, catalog, org, personas):
    created = create(api, personas, org)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["id"]
    for requirement in ("TK", "GCS"):
        attached = upload(api, personas.citizen, body["id"], requirement, pdf_bytes(), f"{requirement}.pdf")
        assert attached.status_code == 201, attached.content
    submitted = api(
        personas.citizen, "post", f"/api/v1/dossiers/{body['id']}/submit", headers={"Idempotency-Key": "s-1"}
    )
    assert submitted.status_code == 200, submitted.content
    result = submitted.json()
    assert result["status"] == "submitted" and result["national_status"] == 1 and result["submitted_at"]
    code = result["code"]
    assert api(personas.citizen, "get", f"/api/v1/dossiers/{code}").json()["code"] == code
    mine = api(personas.citizen, "get", "/api/v1/dossiers").json()
    assert mine["count"] == 1 and mine["results"][0]["code"] == code
    receipt = api(personas.citizen, "get", f"/api/v1/dossiers/{code}/receipt.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert b"".join(receipt.streaming_content if receipt.streaming else [receipt.content]).startswith(b"%PDF")


def test_retrying_with_the_same_key_returns_the_first_answer(api, catalog, org, personas):
    first = create(api, personas, org)
    again = create(api, personas, org)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert Dossier.objects.count() == 1
    different = api(
        personas.citizen,
        "post",
        "/api/v1/dossiers",
        content_type="application/json",
        data={"procedure": "2.001610", "form": {}},
        headers={"Idempotency-Key": "k-1"},
    )
    assert different.status_code == 409 and different.json()["error"]["code"] == "idempotency_key_reused"
    assert Dossier.objects.count() == 1  # the refused request's own draft was rolled back


def test_a_second_submit_with_the_same_key_replays_and_without_it_is_refused(api, catalog, org, personas):
    ref = create(api, personas, org).json()["id"]
    for requirement in ("TK", "GCS"):
        upload(api, personas.citizen, ref, requirement, pdf_bytes(), "a.pdf")
    first = api(personas.citizen, "post", f"/api/v1/dossiers/{ref}/submit", headers={"Idempotency-Key": "s"})
    replay = api(personas.citizen, "post", f"/api/v1/dossiers/{ref}/submit", headers={"Idempotency-Key": "s"})
    assert replay.json()["code"] == first.json()["code"]
    refused = api(personas.citizen, "post", f"/api/v1/dossiers/{ref}/submit")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "illegal_transition" and "accept" in error["details"]["allowed_actions"]


def test_validation_errors_list_every_bad_field(api, catalog, org, personas):
    response = create(api, personas, org, form={"ho_ten_tre": 5, "ngay_sinh": "hôm qua"})
    assert response.status_code == 400
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert fields == {"form.ho_ten_tre", "form.ngay_sinh"}
    assert Dossier.objects.count() == 0


def test_a_file_that_lies_about_its_type_gets_a_json_error(api, catalog, org, personas):
    ref = create(api, personas, org).json()["id"]
    response = upload(api, personas.citizen, ref, "TK", PNG_BYTES, "to-khai.pdf")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_file"
    assert DossierDocument.objects.count() == 0


def test_unknown_and_offline_procedures(api, catalog, org, personas):
    assert create(api, personas, org, procedure="9.999999").status_code == 404
    offline = create(api, personas, org, procedure="1.000656", key="k-2")
    assert offline.status_code == 400 and offline.json()["error"]["code"] == "not_offered_online"


def test_another_users_dossier_is_invisible(api, catalog, org, personas):
    ref = create(api, personas, org).json()["id"]
    assert api(personas.enterprise, "get", f"/api/v1/dossiers/{ref}").status_code == 404
    assert api(personas.enterprise, "post", f"/api/v1/dossiers/{ref}/submit").status_code == 404


def test_without_a_token_the_api_answers_401(client, catalog):
    assert client.get("/api/v1/dossiers").status_code == 401
    assert client.get("/api/v1/dossiers", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_a_citizen_token_on_an_office_endpoint_gets_403(api, submitted, personas):
    response = api(
        personas.citizen,
        "post",
        f"/api/v1/office/dossiers/{submitted.code}/actions/accept",
        data={},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_reception_accepts_through_the_office_api(api, submitted, personas):
    response = api(
        personas.reception,
        "post",
        f"/api/v1/office/dossiers/{submitted.code}/actions/accept",
        data={"note": "Đủ hồ sơ"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "received" and response.json()["due_at"]


def test_supplement_through_the_api(api, submitted, personas):
    asked = api(
        personas.reception,
        "post",
        f"/api/v1/office/dossiers/{submitted.code}/actions/request_supplement",
        data={"items": [{"requirement": "GCS", "message": "Ảnh mờ"}]},
        content_type="application/json",
    )
    assert asked.status_code == 200
    seen = api(personas.citizen, "get", f"/api/v1/dossiers/{submitted.code}").json()
    assert seen["status"] == "supplement_requested" and seen["national_status"] == 5
    assert seen["supplement_requests"][0]["items"] == [{"requirement": "GCS", "message": "Ảnh mờ"}]
    upload(api, personas.citizen, submitted.code, "GCS", pdf_bytes(3333), "gcs.pdf")
    back = api(
        personas.citizen,
        "post",
        f"/api/v1/dossiers/{submitted.code}/supplement",
        data={},
        content_type="application/json",
    )
    assert back.status_code == 200 and back.json()["status"] == "supplemented"


def test_public_tracking_endpoint(client, submitted):
    submitted.applicant_identity = "080195012345"
    submitted.save()
    ok = client.get(f"/api/v1/track/{submitted.code}", {"verify": "2345"})
    assert ok.status_code == 200 and ok.json()["national_status"] == 1
    assert "Nguyễn" not in ok.content.decode()
    assert client.get(f"/api/v1/track/{submitted.code}", {"verify": "1111"}).status_code == 404
