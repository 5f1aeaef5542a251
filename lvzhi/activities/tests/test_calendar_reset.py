"""calendar.reset_feed, the one writer of a member's calendar subscription address."""

import pytest
from django.core.exceptions import PermissionDenied

from lvzhi.accounts.roles import Role
from lvzhi.activities.calendar import reset_feed
from lvzhi.activities.models import CalendarFeed
from lvzhi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(make_member):
    return make_member(login=True)


def test_it_creates_then_replaces_the_link_and_audits_both(member):
    feed, created = reset_feed(actor=member.user, user=member.user)
    first_token = feed.token

    again, created_again = reset_feed(actor=member.user, user=member.user)

    assert (created, created_again) == (True, False)
    assert again.pk == feed.pk
    assert CalendarFeed.objects.get().token == again.token != first_token
    events = AuditEvent.objects.filter(object_type="activities.CalendarFeed").order_by("pk")
    assert [(e.action, e.event, e.username) for e in events] == [
        (AuditEvent.Action.CREATE, "activities.calendar_link_created", member.user.username),
        (AuditEvent.Action.UPDATE, "activities.calendar_link_reset", member.user.username),
    ]


def test_it_refuses_to_reset_someone_elses_link(member, make_user):
    reset_feed(actor=member.user, user=member.user)
    token = CalendarFeed.objects.get().token

    with pytest.raises(PermissionDenied):
        reset_feed(actor=make_user(Role.SYSADMIN), user=member.user)

    assert CalendarFeed.objects.get().token == token


def test_it_refuses_an_account_without_a_member_file(office):
    with pytest.raises(PermissionDenied):
        reset_feed(actor=office, user=office)

    assert not CalendarFeed.objects.exists()
    assert not AuditEvent.objects.filter(object_type="activities.CalendarFeed").exists()
