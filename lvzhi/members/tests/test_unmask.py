import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory, MemberTermFactory


@pytest.fixture
def member(term, my_unit):
    member = MemberFactory(committee=term.committee, name="张三", phone="13912345678")
    MemberTermFactory(member=member, term=term).special_committees.set([my_unit])
    return member


def unmask_url(member, field="id_number"):
    return reverse("members:unmask", args=[member.pk, field])


@pytest.mark.parametrize(("field", "attribute"), [("id_number", "id_number"), ("phone", "phone")])
def test_office_sees_the_full_value_and_it_is_audited(client, office, member, field, attribute):
    client.force_login(office)
    response = client.post(unmask_url(member, field))
    assert response.status_code == 200
    assert getattr(member, attribute) in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNMASK)
    assert (event.actor, event.object_id, event.object_type) == (office, str(member.pk), "members.Member")
    assert (event.event, event.params["field"]) == ("members.unmasked", field)
    assert event.result == AuditEvent.Result.SUCCESS


def test_each_unmask_is_audited_again(client, office, member):
    client.force_login(office)
    client.post(unmask_url(member))
    client.post(unmask_url(member))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).count() == 2


@pytest.mark.parametrize("role", [Role.LEADER, Role.EDITOR, Role.UNIT_STAFF])
def test_roles_without_the_unmask_permission_are_refused_and_it_is_audited(
    client, make_user, member, my_unit, role
):
    user = make_user(role, units=[my_unit])
    client.force_login(user)
    response = client.post(unmask_url(member))
    assert response.status_code == 403
    assert member.id_number not in response.content.decode()
    denials = AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED, actor=user)
    assert denials.count() == 1  # the service's precise row, not a second one from the 403 handler
    assert denials.get().object_id == str(member.pk)
    assert denials.get().result == AuditEvent.Result.FAILURE
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).exists()


def test_a_member_cannot_unmask_even_their_own_file(client, make_user, member):
    user = make_user(Role.MEMBER)
    member.user = user
    member.save()
    client.force_login(user)
    response = client.post(unmask_url(member))
    assert response.status_code == 403
    assert member.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).exists()


def test_it_rejects_get(client, office, member):
    client.force_login(office)
    response = client.get(unmask_url(member))
    assert response.status_code == 405
    assert member.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).exists()


@pytest.mark.parametrize("field", ["email", "name", "id_number_index", "password"])
def test_an_unknown_field_is_404(client, office, member, field):
    client.force_login(office)
    assert client.post(unmask_url(member, field)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).exists()


def test_another_committees_member_is_404(client, office, other_committee):
    foreign = MemberFactory(committee=other_committee, name="邻县委员")
    client.force_login(office)
    response = client.post(unmask_url(foreign))
    assert response.status_code == 404
    assert foreign.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).exists()


def test_anonymous_is_sent_to_login(client, member):
    response = client.post(unmask_url(member))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).exists()
