"""The public site's start-page card (home_cards.waiting): messages awaiting moderation with the overdue
and held ones, members' suggestions awaiting review; nothing for who neither moderates nor reviews; drawn
on the start page with links to the queue's tabs."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.core.testing import body
from lvzhi.portal import home_cards
from lvzhi.portal.models import MemberSuggestion, PortalSettings, PublicMessage

pytestmark = pytest.mark.usefixtures("english")

Status = PublicMessage.Status


def days_ago(n):
    return timezone.now() - datetime.timedelta(days=n)


@pytest.fixture
def waiting_work(make_message, make_suggestion, other_committee):
    make_message(submitted_at=days_ago(1))
    make_message(submitted_at=days_ago(10), sensitive_hits="赌博")
    make_message(status=Status.CONVERTED, submitted_at=days_ago(12))
    make_message(status=Status.PUBLISHED, submitted_at=days_ago(30))
    make_message(status=Status.HIDDEN, submitted_at=days_ago(30))
    make_message(committee=other_committee, submitted_at=days_ago(30))
    make_suggestion(status=MemberSuggestion.Status.SUBMITTED)
    make_suggestion(status=MemberSuggestion.Status.DRAFT)


def test_the_office_sees_what_waits(office, waiting_work, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        card = home_cards.waiting(office)
    assert card["received"] == 2 and card["overdue"] == 2 and card["held"] == 1
    assert card["suggestions"] == 1


def test_overdue_follows_the_committees_days(office, waiting_work, committee):
    PortalSettings.objects.create(committee=committee, overdue_days=11)
    assert home_cards.waiting(office)["overdue"] == 1


@pytest.mark.parametrize(
    "role", [r for r in Role if r != Role.OFFICE], ids=[r.name for r in Role if r != Role.OFFICE]
)
def test_nobody_else_gets_the_card(role_user, role):
    assert home_cards.waiting(role_user(role)) is None


def test_a_reviewer_who_does_not_moderate_sees_only_suggestions(make_user, waiting_work):
    user = make_user(Role.EDITOR, username="reviewer")
    user.user_permissions.add(Permission.objects.get(codename="review_membersuggestion"))
    user = type(user).objects.get(pk=user.pk)
    card = home_cards.waiting(user)
    assert card["suggestions"] == 1 and "received" not in card


def test_the_start_page_draws_the_card_with_links(client, office, waiting_work):
    client.force_login(office)
    text = body(client.get(reverse("home:index")))
    card = text.split('id="home-portal-queue"')[1]
    assert f'href="{reverse("portal:moderation")}?tab=received"' in card
    assert f'href="{reverse("portal:moderation")}?tab=overdue"' in card
    assert f'href="{reverse("portal:moderation")}?tab=held"' in card
    assert 'data-card-count="messages">2<' in card and 'data-card-count="overdue">2<' in card
    assert 'data-card-count="held">1<' in card and 'data-card-count="suggestions">1<' in card


def test_the_start_page_of_a_member_has_no_card(client, member):
    client.force_login(member.user)
    assert 'id="home-portal-queue"' not in body(client.get(reverse("home:index")))
