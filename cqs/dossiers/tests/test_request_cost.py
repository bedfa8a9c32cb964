"""What an online submission costs the database, request by request, and the transaction
plumbing that keeps it low (`cqs.dossiers.transactions`) without changing what a request does."""

import io
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cqs.accounts.services import api_token_issue
from cqs.accounts.tests.factories import citizen_payload, register
from cqs.core.errors import ValidationFailed
from cqs.dossiers import queries, services
from cqs.dossiers.lifecycle import State
from cqs.dossiers.models import Dossier, IdempotencyRecord
from cqs.dossiers.tests.conftest import BIRTH_FORM, pdf_bytes
from cqs.dossiers.transactions import mark_locked, take_locked


def _token(client, user):
    """A token already used once, as a client's is (its first use records when)."""
    token = api_token_issue(user=user).token
    client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {token}"})
    return token


def _call(client, user, path, **kwargs):
    token = getattr(user, "_test_token", None) or _token(client, user)
    user._test_token = token
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, headers=headers, **kwargs)
    return response, [q["sql"] for q in captured.captured_queries]


def _attach(client, user, ref, requirement):
    upload = io.BytesIO(pdf_bytes())
    upload.name = f"{requirement}.pdf"
    return _call(client, user, f"/api/v1/dossiers/{ref}/documents", data={"requirement": requirement, "file": upload})


def _submit(client, user, ref, key=None):
    return _call(client, user, f"/api/v1/dossiers/{ref}/submit", headers={"Idempotency-Key": key} if key else {})


def _dossier_reads(statements):
    """Reads whose main table is the dossier table (ORM-written or hand-written)."""
    return [s for s in statements if re.match(r'SELECT .*? FROM "?dossiers_dossier"?\s', s)]


@pytest.mark.django_db(transaction=True)
def test_create_attach_submit_read_the_dossier_once_and_open_no_savepoint(client, catalog, org, personas):
    citizen = personas.citizen
    body = {"procedure": "1.001193", "form": BIRTH_FORM, "agency": org.committee_a.code}
    key = {"Idempotency-Key": "k"}
    created, create_sql = _call(
        client, citizen, "/api/v1/dossiers", data=body, content_type="application/json", headers=key
    )
    assert created.status_code == 201, created.content
    ref = created.json()["id"]
    attach_sql = []
    for requirement in ("TK", "GCS"):
        attached, attach_sql = _attach(client, citizen, ref, requirement)
        assert attached.status_code == 201, attached.content
    submitted, submit_sql = _submit(client, citizen, ref, key="s")
    assert submitted.status_code == 200, submitted.content
    for statements in (create_sql, attach_sql, submit_sql):
        assert not [s for s in statements if "SAVEPOINT" in s]
    assert len(_dossier_reads(attach_sql)) == len(_dossier_reads(submit_sql)) == 1
    # Ceilings, with the token check and BEGIN/COMMIT; the submission also feeds the warehouse and
    # queues the applicant's e-mail.
    assert len(create_sql) <= 10 and len(attach_sql) <= 9 and len(submit_sql) <= 16


@pytest.mark.django_db(transaction=True)
def test_the_applicants_profile_comes_with_the_token_read_and_is_what_the_dossier_freezes(client, catalog, org):
    citizen = register(citizen_payload())  # with a profile: identity number, address
    body = {"procedure": "1.001193", "form": BIRTH_FORM, "agency": org.committee_a.code}
    created, create_sql = _call(client, citizen, "/api/v1/dossiers", data=body, content_type="application/json")
    ref = created.json()["id"]
    for requirement in ("TK", "GCS"):
        assert _attach(client, citizen, ref, requirement)[0].status_code == 201
    submitted, submit_sql = _submit(client, citizen, ref)
    assert submitted.status_code == 200, submitted.content
    for statements in (create_sql, submit_sql):
        profile_reads = [s for s in statements if "accounts_citizenprofile" in s]
        assert len(profile_reads) == 1 and "accounts_apitoken" in profile_reads[0]  # one read: the token's
    profile = citizen.citizen_profile
    dossier = Dossier.objects.get(pk=ref)
    assert (dossier.applicant_name, dossier.applicant_identity) == (profile.full_name, profile.identity_number)
    assert profile.address_street in dossier.applicant_address


def test_a_refused_submit_rolls_back_its_idempotency_claim(client, draft, personas):
    """No savepoint inside the request: the refusal must still undo the whole request, so the
    corrected retry with the same key does the work instead of replaying the refusal."""
    refused, _sql = _submit(client, personas.citizen, draft.pk, key="s")
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="s").exists()
    for requirement in ("TK", "GCS"):
        services.dossier_attach(
            actor=personas.citizen,
            dossier=draft,
            requirement_code=requirement,
            stream=io.BytesIO(pdf_bytes()),
            filename="a.pdf",
        )
    retried, _sql = _submit(client, personas.citizen, draft.pk, key="s")
    assert retried.status_code == 200 and retried.json()["status"] == State.SUBMITTED


def test_a_use_case_called_directly_in_a_transaction_still_fails_alone(draft, personas):
    """Outside an API request a refused use case rolls back to its own savepoint: the caller's
    transaction goes on."""
    with transaction.atomic():
        with pytest.raises(ValidationFailed):
            services.dossier_submit(actor=personas.citizen, dossier=draft)
        assert Dossier.objects.get(pk=draft.pk).status == State.DRAFT


def test_another_users_dossier_stays_invisible_to_a_locked_read(client, draft, personas):
    assert _attach(client, personas.enterprise, draft.pk, "TK")[0].status_code == 404
    assert _submit(client, personas.enterprise, draft.pk)[0].status_code == 404
    assert _submit(client, personas.enterprise, draft.pk, key="s")[0].status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_dossier_locked_in_an_earlier_transaction_is_read_again(catalog, org, personas):
    draft = services.dossier_create_draft(
        actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_a.code
    )
    with transaction.atomic():
        kept = queries.dossier_for(personas.citizen, str(draft.pk), for_update=True)
    Dossier.objects.filter(pk=draft.pk).update(form_data={"so_ban_sao": 3})
    with transaction.atomic():
        assert services._locked(kept).form_data == {"so_ban_sao": 3}


def test_the_lock_mark_is_used_once(draft):
    with transaction.atomic():
        mark_locked(draft)
        assert take_locked(draft)
        assert not take_locked(draft)
