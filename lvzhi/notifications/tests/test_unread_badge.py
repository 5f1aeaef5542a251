import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from lvzhi.notifications.services import mark_read, notify

pytestmark = pytest.mark.django_db


def tell(users, committee, n=1):
    notes = []
    for i in range(n):
        notes += notify(recipients=users, committee=committee, kind="test.notice", title=f"通知{i}")
    return notes


def badge(response):
    match = re.search(r'id="unread-count">(\d+)', response.content.decode())
    return int(match.group(1)) if match else None


def test_the_nav_shows_my_unread_count(client, make_user, committee):
    me, other = make_user(), make_user()
    notes = tell([me], committee, n=3)
    tell([other], committee, n=5)
    mark_read(user=me, notification=notes[0])
    client.force_login(me)
    assert badge(client.get(reverse("home:index"))) == 2


def test_the_nav_shows_no_badge_when_all_is_read(client, make_user, committee):
    me = make_user()
    client.force_login(me)
    response = client.get(reverse("home:index"))
    assert badge(response) is None
    assert reverse("notifications:inbox") in response.content.decode()


def test_the_count_is_one_query_per_request(make_user, committee, django_assert_num_queries):
    me = make_user()
    tell([me], committee, n=2)
    request = RequestFactory().get("/")
    request.user = me
    template = Template(
        "{% load notifications %}{% unread_count as a %}{% unread_count as b %}{{ a }}/{{ b }}"
    )
    with django_assert_num_queries(1):
        assert template.render(Context({"request": request})) == "2/2"


def test_anonymous_visitors_count_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    template = Template("{% load notifications %}{% unread_count as n %}{{ n }}")
    assert template.render(Context({"request": request})) == "0"
