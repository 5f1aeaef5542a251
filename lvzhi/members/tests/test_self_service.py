import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from lvzhi.accounts.roles import Role
from lvzhi.core import masking
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory, MemberTermFactory, UserFactory
from lvzhi.members.models import ContactUpdateRequest, Member, MemberChange

ME = reverse("members:me")
NEW_CONTACT = {"phone": "13800001234", "email": "zhangsan@example.cn", "address": "城关镇新街1号"}


def translated(msgid):
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(msgid)


def decide_url(contact_request, decision="approve"):
    return reverse("members:contact_request_decide", args=[contact_request.pk, decision])


@pytest.fixture
def member_user(make_user):
    return make_user(Role.MEMBER, username="member")


@pytest.fixture
def me(term, member_user, my_unit):
    member = MemberFactory(
        committee=term.committee, name="张三", user=member_user, email="old@example.cn", address="老街2号"
    )
    MemberTermFactory(member=member, term=term).special_committees.set([my_unit])
    return member


@pytest.fixture
def colleague(term):
    return MemberFactory(committee=term.committee, name="李四")


@pytest.fixture
def member_client(client, member_user):
    client.force_login(member_user)
    return client


def contact_values(member):
    member.refresh_from_db()
    return member.phone, member.email, member.address, member.version


@pytest.fixture
def pending(me):
    return ContactUpdateRequest.objects.create(member=me, **NEW_CONTACT)


def test_a_member_sees_their_own_file_masked(member_client, me):
    response = member_client.get(ME)
    html = response.content.decode()
    assert response.status_code == 200
    assert "张三" in html
    assert masking.mask_id_number(me.id_number) in html
    assert masking.mask_phone(me.phone) in html
    assert me.id_number not in html
    assert me.phone not in html
    assert reverse("members:unmask", args=[me.pk, "id_number"]) not in html


def test_their_own_file_url_leads_to_my_file(member_client, me):
    response = member_client.get(reverse("members:detail", args=[me.pk]))
    assert response.status_code == 302
    assert response.url == ME


def test_a_member_cannot_see_another_members_file(member_client, me, colleague):
    response = member_client.get(reverse("members:detail", args=[colleague.pk]))
    assert response.status_code == 404
    assert "李四" not in response.content.decode()


def test_a_member_cannot_see_the_list(member_client, me, colleague):
    response = member_client.get(reverse("members:list"))
    assert response.status_code == 403
    assert "李四" not in response.content.decode()


def test_a_member_cannot_edit_their_own_file(member_client, me):
    before = contact_values(me)
    assert member_client.get(reverse("members:edit", args=[me.pk])).status_code == 403
    response = member_client.post(reverse("members:edit", args=[me.pk]), {"name": "张三丰", "version": 1})
    assert response.status_code == 403
    assert contact_values(me) == before
    assert Member.objects.get(pk=me.pk).name == "张三"


def test_a_member_cannot_read_the_history_of_their_own_file(member_client, me):
    assert member_client.get(reverse("members:history", args=[me.pk])).status_code == 403


def test_a_user_not_linked_to_a_file_gets_404(client, make_user):
    client.force_login(make_user(Role.MEMBER))
    assert client.get(ME).status_code == 404


def test_submitting_the_contact_form_creates_a_pending_request_only(member_client, member_user, me):
    before = contact_values(me)
    response = member_client.post(ME, NEW_CONTACT)
    assert response.status_code == 302
    request = ContactUpdateRequest.objects.get(member=me)
    assert request.status == ContactUpdateRequest.Status.PENDING
    assert (request.phone, request.email, request.address) == tuple(NEW_CONTACT.values())
    assert contact_values(me) == before
    assert not MemberChange.objects.exists()
    assert AuditEvent.objects.filter(action="create", actor=member_user, object_id=str(request.pk)).exists()


def test_an_empty_phone_keeps_the_current_one(member_client, me):
    member_client.post(ME, {**NEW_CONTACT, "phone": ""})
    assert ContactUpdateRequest.objects.get(member=me).phone == me.phone


def test_a_bad_phone_is_refused(member_client, me):
    response = member_client.post(ME, {**NEW_CONTACT, "phone": "1380000123"})
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert not ContactUpdateRequest.objects.exists()


def test_a_second_submission_replaces_the_first(member_client, me):
    member_client.post(ME, NEW_CONTACT)
    member_client.post(ME, {**NEW_CONTACT, "address": "城关镇新街3号"})
    first, second = ContactUpdateRequest.objects.order_by("pk")
    assert first.status == ContactUpdateRequest.Status.REJECTED
    assert second.status == ContactUpdateRequest.Status.PENDING
    assert second.address == "城关镇新街3号"


def test_office_sees_the_pending_request_without_the_phone_in_clear(client, office, pending, me):
    client.force_login(office)
    html = client.get(reverse("members:contact_requests")).content.decode()
    assert "张三" in html
    assert masking.mask_phone(NEW_CONTACT["phone"]) in html
    assert NEW_CONTACT["phone"] not in html
    assert me.phone not in html


def test_office_approves_and_the_file_changes(client, office, pending, me):
    client.force_login(office)
    response = client.post(decide_url(pending), {"note": "已核实"})
    assert response.status_code == 302
    me.refresh_from_db()
    assert (me.phone, me.email, me.address) == tuple(NEW_CONTACT.values())
    assert me.version == 2
    pending.refresh_from_db()
    assert pending.status == ContactUpdateRequest.Status.APPROVED
    assert (pending.decided_by, pending.decision_note) == (office, "已核实")
    change = MemberChange.objects.get(member=me)
    assert (change.source, change.actor) == (MemberChange.Source.SELF_SERVICE, office)
    assert {c["field"] for c in change.changes} == {"phone", "email", "address"}
    assert AuditEvent.objects.filter(action="approve", actor=office, object_id=str(pending.pk)).exists()


def test_office_rejects_and_the_file_stays(client, office, pending, me):
    before = contact_values(me)
    client.force_login(office)
    client.post(decide_url(pending, "reject"))
    assert contact_values(me) == before
    pending.refresh_from_db()
    assert pending.status == ContactUpdateRequest.Status.REJECTED
    assert not MemberChange.objects.exists()
    assert AuditEvent.objects.filter(action="reject", actor=office, object_id=str(pending.pk)).exists()


@pytest.mark.parametrize("role", [Role.UNIT_STAFF, Role.LEADER, Role.EDITOR, Role.MEMBER])
def test_roles_without_the_approve_permission_get_403(client, make_user, my_unit, pending, me, role):
    before = contact_values(me)
    client.force_login(make_user(role, units=[my_unit]))
    assert client.post(decide_url(pending)).status_code == 403
    assert client.get(reverse("members:contact_requests")).status_code == 403
    assert contact_values(me) == before
    pending.refresh_from_db()
    assert pending.status == ContactUpdateRequest.Status.PENDING


def test_the_member_cannot_approve_their_own_request(member_client, pending, me):
    before = contact_values(me)
    assert member_client.post(decide_url(pending)).status_code == 403
    assert contact_values(me) == before


def test_office_of_another_committee_gets_404(client, other_committee, pending, me):
    client.force_login(UserFactory(committee=other_committee, role=Role.OFFICE))
    before = contact_values(me)
    response = client.post(decide_url(pending))
    assert response.status_code == 404
    assert "张三" not in response.content.decode()
    assert contact_values(me) == before
    pending.refresh_from_db()
    assert pending.status == ContactUpdateRequest.Status.PENDING


def test_an_unknown_decision_is_404(client, office, pending, me):
    client.force_login(office)
    assert client.post(decide_url(pending, "maybe")).status_code == 404
    pending.refresh_from_db()
    assert pending.status == ContactUpdateRequest.Status.PENDING


def test_deciding_needs_post(client, office, pending):
    client.force_login(office)
    assert client.get(decide_url(pending)).status_code == 405


def test_a_second_decision_shows_an_error_and_changes_nothing(client, office, pending, me):
    client.force_login(office)
    client.post(decide_url(pending, "reject"), follow=True)
    before = contact_values(me)
    response = client.post(decide_url(pending, "approve"), follow=True)
    assert [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)] == [
        ("error", translated("This request has already been decided."))
    ]
    assert contact_values(me) == before
    pending.refresh_from_db()
    assert pending.status == ContactUpdateRequest.Status.REJECTED
    assert not MemberChange.objects.exists()


def test_an_edit_opened_before_the_approval_is_refused_after_it(client, office, pending, me):
    client.force_login(office)
    edit = client.get(reverse("members:edit", args=[me.pk]))
    assert edit.context["form"]["version"].value() == 1
    client.post(decide_url(pending))
    data = {
        "name": "张三",
        "gender": "male",
        "birth_date": "1975-03-01",
        "version": "1",
        "term-status": "serving",
    }
    data["notes"] = "旧表单"
    response = client.post(reverse("members:edit", args=[me.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    me.refresh_from_db()
    assert (me.phone, me.notes, me.version) == (NEW_CONTACT["phone"], "", 2)
