"""The organization services check rights and scope themselves, whoever calls them: a view that forgot,
or a tampered form, still cannot reach another unit or committee."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import (
    DepartmentFactory,
    LiaisonFactory,
    MemberFactory,
    MemberTermFactory,
    OrgUnitFactory,
    TermFactory,
)
from lvzhi.organization import services
from lvzhi.organization.models import Department, LiaisonContact, Membership, OrgUnit, Session

Kind = OrgUnit.Kind


@pytest.fixture
def unit_staff(make_user, my_unit):
    return make_user(Role.UNIT_STAFF, units=[my_unit])


def test_the_audit_names_the_fields_that_changed(office, my_unit):
    services.save_unit(
        actor=office, unit=my_unit, data={"name": "经济科技委员会", "sort_order": my_unit.sort_order}
    )

    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(my_unit.pk))
    assert event.detail == {"fields": ["name"]}
    assert event.actor == office


def test_unit_staff_change_only_their_units(unit_staff, other_unit):
    with pytest.raises(PermissionDenied):
        services.save_unit(actor=unit_staff, unit=other_unit, data={"name": "改名"})
    other_unit.refresh_from_db()
    assert other_unit.name == "提案委员会"


def test_a_parent_of_another_committee_is_refused(office, my_unit, other_committee):
    foreign = OrgUnitFactory(committee=other_committee, kind=Kind.SPECIAL_COMMITTEE, name="外县委员会")

    with pytest.raises(PermissionDenied):
        services.save_unit(actor=office, unit=my_unit, data={"parent": foreign})


def test_a_unit_cannot_be_placed_under_itself(office, committee, my_unit):
    child = OrgUnitFactory(committee=committee, kind=Kind.MEMBER_GROUP, name="一组", parent=my_unit)

    with pytest.raises(ValidationError):
        services.save_unit(actor=office, unit=my_unit, data={"parent": child})


def test_a_session_under_a_term_of_another_committee_is_refused(office, other_committee):
    foreign_term = TermFactory(committee=other_committee)
    data = {"term": foreign_term, "number": 1, "name": "第一次会议", "start_date": datetime.date(2026, 1, 5)}

    with pytest.raises(PermissionDenied):
        services.save_session(actor=office, data=data)
    assert not Session.objects.exists()


def test_roles_without_the_right_create_nothing(make_user):
    leader = make_user(Role.LEADER)

    with pytest.raises(PermissionDenied):
        services.save_department(actor=leader, data={"name": "县水利局", "kind": "government"})
    with pytest.raises(PermissionDenied):
        services.save_term(
            actor=leader, data={"number": 10, "name": "第十届", "start_date": datetime.date(2027, 1, 1)}
        )


def test_unit_staff_add_posts_only_for_members_they_may_see(unit_staff, committee, term, my_unit, other_unit):
    outsider = MemberFactory(committee=committee, name="局外人")
    MemberTermFactory(member=outsider, term=term)
    data = {"member": outsider, "position": Membership.Position.MEMBER}

    with pytest.raises(PermissionDenied):
        services.add_membership(actor=unit_staff, unit=my_unit, data=data)
    with pytest.raises(PermissionDenied):
        services.add_membership(actor=unit_staff, unit=other_unit, data=data)
    assert not Membership.objects.exists()


def test_a_liaison_contact_is_recorded_only_along_a_liaison_one_may_see(unit_staff, committee, other_unit):
    theirs = LiaisonFactory(
        committee=committee, unit=other_unit, department=DepartmentFactory(committee=committee)
    )
    data = {"date": datetime.date(2026, 5, 6), "participants": "主任", "topic": "座谈"}

    with pytest.raises(PermissionDenied):
        services.record_liaison_contact(actor=unit_staff, liaison=theirs, data=data)
    assert not LiaisonContact.objects.exists()


def test_a_field_the_service_does_not_set_is_a_programming_error(office, my_unit):
    with pytest.raises(ValueError, match="committee"):
        services.save_unit(actor=office, unit=my_unit, data={"committee": my_unit.committee})


def test_an_account_of_no_committee_creates_nothing(make_user):
    superuser = make_user(committee=None, is_superuser=True)

    with pytest.raises(PermissionDenied):
        services.save_department(actor=superuser, data={"name": "县水利局", "kind": "government"})
    assert not Department.objects.exists()
