"""Issue 10, defect 7: a 对口联络 contact can be corrected and deleted (with a confirmation first), by whoever
may record contacts and within their scope, audited with the client address; a date in the future is
refused on recording and on correcting, with a message naming the field."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import DepartmentFactory, LiaisonContactFactory, LiaisonFactory, OrgUnitFactory
from lvzhi.organization import services
from lvzhi.organization.models import LiaisonContact, OrgUnit

ADDRESS = "203.0.113.7"


@pytest.fixture
def liaison(my_unit):
    return LiaisonFactory(
        committee=my_unit.committee,
        unit=my_unit,
        department=DepartmentFactory(committee=my_unit.committee, name="县教育局"),
    )


@pytest.fixture
def contact(liaison, office):
    return LiaisonContactFactory(
        liaison=liaison, topic="双减座谈", participants="主任、局长", recorded_by=office
    )


def edit_url(contact):
    return reverse("organization:liaison_contact_edit", args=[contact.pk])


def delete_url(contact):
    return reverse("organization:liaison_contact_delete", args=[contact.pk])


def contact_data(**overrides):
    return {
        "date": "2026-04-02",
        "participants": "主任、副局长",
        "topic": "双减落实情况座谈",
        "follow_up": "",
        **overrides,
    }


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.mark.parametrize("role", [Role.OFFICE, Role.UNIT_STAFF])
def test_staff_correct_a_contact_and_it_is_audited_with_the_address(
    client, make_user, my_unit, contact, role
):
    user = make_user(role, units=[my_unit])
    client.force_login(user)
    page = client.get(edit_url(contact))
    assert page.status_code == 200 and "双减座谈" in page.content.decode()
    response = client.post(edit_url(contact), contact_data(), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.date, contact.topic) == (datetime.date(2026, 4, 2), "双减落实情况座谈")
    event = AuditEvent.objects.get(action="update", object_type="organization.LiaisonContact")
    assert event.actor == user and event.ip_address == ADDRESS
    assert set(event.detail["fields"]) == {"date", "participants", "topic"}


def test_delete_asks_first_then_deletes_and_audits(client, office, contact):
    client.force_login(office)
    page = client.get(delete_url(contact))
    assert page.status_code == 200
    html = page.content.decode()
    assert "双减座谈" in html and 'method="post"' in html
    assert LiaisonContact.objects.filter(pk=contact.pk).exists()  # asking deletes nothing
    response = client.post(delete_url(contact), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    assert response.url == reverse("organization:liaison_detail", args=[contact.liaison_id])
    assert not LiaisonContact.objects.filter(pk=contact.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_type="organization.LiaisonContact")
    assert event.actor == office and event.ip_address == ADDRESS
    assert event.object_id == str(contact.pk)


def test_the_liaison_page_offers_correct_and_delete_to_those_who_may(client, office, make_user, contact):
    client.force_login(office)
    html = client.get(reverse("organization:liaison_detail", args=[contact.liaison_id])).content.decode()
    assert edit_url(contact) in html and delete_url(contact) in html
    client.force_login(make_user(Role.LEADER))
    html = client.get(reverse("organization:liaison_detail", args=[contact.liaison_id])).content.decode()
    assert edit_url(contact) not in html and delete_url(contact) not in html


@pytest.mark.parametrize("role", [Role.LEADER, Role.EDITOR, Role.MEMBER])
def test_who_may_not_record_contacts_may_not_correct_or_delete_them(client, make_user, contact, role):
    client.force_login(make_user(role))
    assert client.post(edit_url(contact), contact_data()).status_code in (403, 404)
    assert client.post(delete_url(contact)).status_code in (403, 404)
    contact.refresh_from_db()
    assert contact.topic == "双减座谈"


def test_unit_staff_of_another_unit_cannot_reach_the_contact(client, make_user, committee, contact):
    other = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SPECIAL_COMMITTEE, name="提案委员会")
    client.force_login(make_user(Role.UNIT_STAFF, units=[other]))
    assert client.get(edit_url(contact)).status_code == 404
    assert client.post(delete_url(contact)).status_code == 404
    assert LiaisonContact.objects.filter(pk=contact.pk).exists()


def test_another_committees_office_cannot_reach_the_contact(client, make_user, other_committee, contact):
    client.force_login(make_user(Role.OFFICE, committee=other_committee))
    assert client.get(edit_url(contact)).status_code == 404
    assert client.post(delete_url(contact)).status_code == 404
    assert LiaisonContact.objects.filter(pk=contact.pk).exists()


def test_a_future_date_is_refused_when_recording(client, office, liaison):
    client.force_login(office)
    url = reverse("organization:liaison_detail", args=[liaison.pk])
    response = client.post(url, contact_data(date=tomorrow().isoformat()))
    assert response.status_code == 200
    errors = response.context["form"].errors["date"]
    assert "日期" in errors[0] and "今天" in errors[0]
    assert not LiaisonContact.objects.exists()


def test_a_future_date_is_refused_when_correcting(client, office, contact):
    client.force_login(office)
    response = client.post(edit_url(contact), contact_data(date=tomorrow().isoformat()))
    assert response.status_code == 200
    assert "日期" in response.context["form"].errors["date"][0]
    contact.refresh_from_db()
    assert contact.date == datetime.date(2026, 5, 6)


def test_the_services_refuse_a_future_date_too(office, liaison, contact):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.record_liaison_contact(
            actor=office, liaison=liaison, data={"date": tomorrow(), "participants": "主任", "topic": "座谈"}
        )
    assert "date" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.update_liaison_contact(actor=office, contact=contact, data={"date": tomorrow()})


def test_todays_date_is_accepted(client, office, liaison):
    client.force_login(office)
    url = reverse("organization:liaison_detail", args=[liaison.pk])
    assert client.post(url, contact_data(date=timezone.localdate().isoformat())).status_code == 302
