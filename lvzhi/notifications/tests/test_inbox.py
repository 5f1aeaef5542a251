import pytest
from django.urls import reverse

from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.notifications.models import Notification
from lvzhi.notifications.services import notify

pytestmark = pytest.mark.django_db

URL = reverse("notifications:inbox")


def tell(users, committee, title, **kwargs):
    return notify(recipients=users, committee=committee, kind="test.notice", title=title, **kwargs)


def test_it_shows_only_my_notifications(client, make_user, committee):
    me, other = make_user(), make_user()
    tell([me], committee, "给我的通知")
    tell([other], committee, "给别人的通知")
    client.force_login(me)
    response = client.get(URL)
    assert [n.title for n in response.context["page"]] == ["给我的通知"]
    assert "给别人的通知" not in response.content.decode()


def test_unread_come_first_and_bold(client, make_user, committee):
    me = make_user()
    tell([me], committee, "旧的未读")
    (read,) = tell([me], committee, "新的已读")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client.force_login(me)
    response = client.get(URL)
    assert [n.title for n in response.context["page"]] == ["旧的未读", "新的已读"]
    assert 'fw-bold">旧的未读' in response.content.decode()
    assert 'fw-bold">新的已读' not in response.content.decode()


def test_mark_all_read_marks_only_mine(client, make_user, committee):
    me, other = make_user(), make_user()
    tell([me, other], committee, "通知")
    client.force_login(me)
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1


def test_mark_all_read_rejects_get(client, make_user):
    client.force_login(make_user())
    assert client.get(reverse("notifications:read_all")).status_code == 405


def test_it_needs_a_sign_in(client):
    assert client.get(URL).status_code == 302


def test_its_query_count_does_not_grow_with_rows(client, make_user, committee):
    me = make_user()
    client.force_login(me)

    def queries(n):
        for i in range(n):
            tell([me], committee, f"通知{i}")
        with capture_queries() as captured:
            response = client.get(URL)
        assert response.status_code == 200
        return captured

    assert_same_query_count(queries(5), queries(25))
