import pytest
from django.urls import reverse

from lvzhi.notifications.services import notify

pytestmark = pytest.mark.django_db


def tell(user, committee, url="/members/me/"):
    (note,) = notify(recipients=[user], committee=committee, kind="test.notice", title="通知", url=url)
    return note


def test_it_marks_read_and_follows_the_link(client, make_user, committee):
    me = make_user()
    note = tell(me, committee)
    client.force_login(me)
    response = client.post(reverse("notifications:read", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/members/me/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_without_a_link_it_returns_to_the_inbox(client, make_user, committee):
    me = make_user()
    note = tell(me, committee, url="")
    client.force_login(me)
    response = client.post(reverse("notifications:read", args=[note.pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_it_refuses_someone_elses_notification(client, make_user, committee):
    me, other = make_user(), make_user()
    note = tell(other, committee)
    client.force_login(me)
    response = client.post(reverse("notifications:read", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_it_rejects_get(client, make_user, committee):
    me = make_user()
    note = tell(me, committee)
    client.force_login(me)
    assert client.get(reverse("notifications:read", args=[note.pk])).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None
