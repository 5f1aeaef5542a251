"""Looking a member up by a full ID or phone number (issue 8, finding 7): a POST form, only for who may
see full personal data, audited as a lookup with the number masked; the number never enters a URL."""

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core import masking
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory, MemberTermFactory
from lvzhi.members import services

URL = reverse("members:lookup")


@pytest.fixture
def member(term, my_unit):
    member = MemberFactory(committee=term.committee, name="张三", phone="13912345678")
    MemberTermFactory(member=member, term=term).special_committees.set([my_unit])
    return member


@pytest.fixture
def other(term):
    return MemberFactory(committee=term.committee, name="李四", phone="13787654321")


def lookups():
    return AuditEvent.objects.filter(action=AuditEvent.Action.LOOKUP)


@pytest.mark.parametrize("spelled", ["id", "id_lower", "phone", "phone_dashed"])
def test_office_finds_the_member_and_the_lookup_is_audited_masked(client, office, member, other, spelled):
    number = {
        "id": member.id_number,
        "id_lower": member.id_number.lower(),
        "phone": member.phone,
        "phone_dashed": f"{member.phone[:3]}-{member.phone[3:7]}-{member.phone[7:]}",
    }[spelled]
    client.force_login(office)
    response = client.post(URL, {"number": number})
    assert response.status_code == 200
    assert response.context["found"] == [member]
    html = response.content.decode()
    assert reverse("members:detail", args=[member.pk]) in html
    assert "李四" not in html
    # Neither the page nor the audit row holds the number in clear.
    assert member.id_number not in html and member.phone not in html
    assert f'value="{number}"' not in html
    event = lookups().get()
    assert event.actor == office
    field = "phone" if spelled.startswith("phone") else "id_number"
    mask = masking.mask_phone if field == "phone" else masking.mask_id_number
    assert event.detail == {"field": field, "value": mask(getattr(member, field)), "found": [member.pk]}
    assert member.id_number not in str(event.detail) + str(event.params) + event.summary
    assert member.phone not in str(event.detail) + str(event.params) + event.summary


def test_a_number_nobody_has_finds_nobody_and_is_audited_too(client, office, member):
    client.force_login(office)
    response = client.post(URL, {"number": "13800000000"})
    assert response.context["found"] == []
    assert lookups().get().detail["found"] == []


def test_something_that_is_no_full_number_is_refused_on_its_field(client, office, member):
    client.force_login(office)
    for partial in (member.id_number[:17], member.phone[:10], "张三"):
        response = client.post(URL, {"number": partial})
        assert response.status_code == 200
        assert "number" in response.context["form"].errors
    assert not lookups().exists()


def test_the_lookup_is_a_post(client, office, member):
    client.force_login(office)
    response = client.get(URL, {"number": member.id_number})
    assert response.status_code == 200
    assert response.context["found"] is None
    assert not lookups().exists()


@pytest.mark.parametrize("role", [Role.LEADER, Role.EDITOR, Role.UNIT_STAFF, Role.MEMBER])
def test_roles_that_may_not_unmask_get_403_and_it_is_audited(client, make_user, member, my_unit, role):
    user = make_user(role, units=[my_unit])
    client.force_login(user)
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"number": member.id_number})
    assert response.status_code == 403
    assert "张三" not in response.content.decode()
    assert not lookups().exists()
    denials = AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED, actor=user)
    assert denials.count() == 2
    assert all(member.id_number not in str(d.detail) + d.summary for d in denials)


def test_the_service_refuses_who_may_not_unmask(make_user, member, my_unit):
    staff = make_user(Role.UNIT_STAFF, units=[my_unit])
    with pytest.raises(services.AuditedPermissionDenied):
        services.lookup_members(actor=staff, field="id_number", value=member.id_number)
    assert not lookups().exists()


def test_the_lookup_finds_only_members_the_user_may_see(make_user, office, member, other_committee):
    foreign = MemberFactory(committee=other_committee, name="邻县委员", phone=member.phone)
    assert services.lookup_members(actor=office, field="phone", value=member.phone) == [member]
    assert foreign not in services.lookup_members(actor=office, field="id_number", value=foreign.id_number)


def test_the_member_list_links_to_the_lookup_for_who_may_use_it(client, office, make_user, member):
    client.force_login(office)
    assert URL in client.get(reverse("members:list")).content.decode()
    client.force_login(make_user(Role.LEADER))
    assert URL not in client.get(reverse("members:list")).content.decode()
