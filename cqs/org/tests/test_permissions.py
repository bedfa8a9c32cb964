import pytest

from cqs.audit.models import AuditEvent
from cqs.core.errors import PermissionRefused
from cqs.org.models import Agency, Membership, Role
from cqs.org.permissions import Action, agencies_where, has_permission
from cqs.org.services import agency_update, membership_grant, membership_revoke


def test_agency_admin_may_edit_own_agency_and_its_desk(org, personas):
    agency_update(actor=personas.agency_admin, agency=org.committee_a, phone="0272 3826 111")
    agency_update(actor=personas.agency_admin, agency=org.desk_a, email="motcua@tanan.example")
    assert Agency.objects.get(pk=org.committee_a.pk).phone == "0272 3826 111"
    event = AuditEvent.objects.filter(object_type="org.agency", object_id=str(org.committee_a.pk)).get()
    assert event.before["phone"] == "" and event.after["phone"] == "0272 3826 111"
    assert event.actor == personas.agency_admin


def test_official_of_another_agency_cannot_change_its_data(org, personas):
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionRefused):
        agency_update(actor=personas.other_admin, agency=org.committee_a, name="Bị sửa")
    assert Agency.objects.get(pk=org.committee_a.pk).name == "UBND Phường Tân An"
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("who", ["specialist", "leader", "reception", "citizen", "dept_specialist"])
def test_officials_without_the_admin_role_cannot_change_agency_data(org, personas, who):
    with pytest.raises(PermissionRefused):
        agency_update(actor=getattr(personas, who), agency=org.committee_a, phone="1")


def test_agency_admin_cannot_move_the_agency_in_the_organisation(org, personas):
    with pytest.raises(PermissionRefused):
        agency_update(actor=personas.agency_admin, agency=org.committee_a, parent=org.justice)
    agency_update(actor=personas.system_admin, agency=org.desk_a, parent=org.committee_b)


def test_agency_admin_grants_roles_only_in_own_agency(org, personas):
    membership_grant(actor=personas.agency_admin, user=personas.dept_specialist, agency=org.desk_a, role=Role.RECEPTION)
    with pytest.raises(PermissionRefused):
        membership_grant(
            actor=personas.agency_admin, user=personas.dept_specialist, agency=org.committee_b, role=Role.RECEPTION
        )
    with pytest.raises(PermissionRefused):
        membership_grant(
            actor=personas.agency_admin, user=personas.dept_specialist, agency=org.committee_a, role=Role.SYSTEM_ADMIN
        )


def test_other_agency_cannot_revoke_a_role(org, personas):
    membership = Membership.objects.get(user=personas.specialist)
    with pytest.raises(PermissionRefused):
        membership_revoke(actor=personas.other_admin, membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_role_scopes(org, personas):
    assert has_permission(personas.reception, Action.RECEIVE_DOSSIER, org.desk_a)
    assert not has_permission(personas.reception, Action.RECEIVE_DOSSIER, org.committee_b)
    assert not has_permission(personas.specialist, Action.APPROVE_DOSSIER, org.committee_a)
    assert has_permission(personas.leader, Action.APPROVE_DOSSIER, org.committee_a)
    assert not has_permission(personas.citizen, Action.PROCESS_DOSSIER, org.committee_a)
    assert has_permission(personas.system_admin, Action.MANAGE_CATALOG)
    assert not has_permission(personas.agency_admin, Action.MANAGE_CATALOG)
    assert set(agencies_where(personas.agency_admin, Action.MANAGE_AGENCY)) == {org.committee_a, org.desk_a}


def test_inactive_membership_grants_nothing(org, personas):
    Membership.objects.filter(user=personas.leader).update(is_active=False)
    assert not has_permission(personas.leader, Action.APPROVE_DOSSIER, org.committee_a)


def test_admin_page_of_another_agency_is_refused(client, org, personas):
    client.force_login(personas.other_admin)
    url = f"/admin/org/agency/{org.committee_a.pk}/change/"
    assert client.get(url).status_code in (302, 403, 404)
    response = client.post(
        url, {"name": "Bị sửa", "name_en": "", "email": "", "phone": "", "address": "", "is_active": "on"}
    )
    assert response.status_code in (302, 403, 404)
    assert Agency.objects.get(pk=org.committee_a.pk).name == "UBND Phường Tân An"


def test_admin_page_of_own_agency_saves_through_the_audit(client, org, personas):
    client.force_login(personas.agency_admin)
    url = f"/admin/org/agency/{org.committee_a.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"name": "UBND Phường Tân An (mới)", "name_en": "", "email": "", "phone": "", "address": "", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Agency.objects.get(pk=org.committee_a.pk).name == "UBND Phường Tân An (mới)"
    assert AuditEvent.objects.filter(object_type="org.agency", actor=personas.agency_admin).exists()
    # The list shows only the agencies the admin manages.
    listing = client.get("/admin/org/agency/").content.decode()
    assert "Cần Giuộc" not in listing
