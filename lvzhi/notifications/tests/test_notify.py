import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import UserFactory
from lvzhi.notifications.models import ChannelPreference, Notification
from lvzhi.notifications.services import notify

pytestmark = pytest.mark.django_db


def send(recipients, committee, **kwargs):
    kwargs = {"kind": "activity.invited", "title": "请参加常委会议", "url": "/activities/1/", **kwargs}
    return notify(recipients=recipients, committee=committee, **kwargs)


def test_it_creates_one_notification_per_recipient(make_user, committee, django_capture_on_commit_callbacks):
    users = [make_user() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        created = send(users, committee, body="3月5日上午9时")
    assert len(created) == 3
    rows = Notification.objects.order_by("recipient_id")
    assert [n.recipient_id for n in rows] == sorted(u.pk for u in users)
    assert {(n.kind, n.title, n.body, n.url, n.committee_id) for n in rows} == {
        ("activity.invited", "请参加常委会议", "3月5日上午9时", "/activities/1/", committee.pk)
    }


def test_it_skips_users_of_other_committees_and_inactive_accounts(make_user, committee, other_committee):
    mine = make_user()
    stranger = UserFactory(committee=other_committee)
    gone = make_user(is_active=False)
    send([mine, stranger, gone], committee)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [mine.pk]


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "activities/1/", "/\\evil"])
def test_it_refuses_links_outside_the_site(make_user, committee, url):
    with pytest.raises(ValidationError):
        send([make_user()], committee, url=url)
    assert not Notification.objects.exists()


def _queries(make_user, committee, n, capture):
    users = [make_user(email=f"u{i}@example.cn") for i in range(n)]
    with capture_queries() as queries, capture(execute=True):
        send(users, committee, urgent=True)
    assert len(mail.outbox) == n
    mail.outbox.clear()
    return queries


def test_its_query_count_does_not_grow_with_recipients(
    make_user, committee, django_capture_on_commit_callbacks
):
    few = _queries(make_user, committee, 5, django_capture_on_commit_callbacks)
    many = _queries(make_user, committee, 50, django_capture_on_commit_callbacks)
    assert_same_query_count(few, many)
    assert Notification.objects.count() == 55


def test_urgent_notices_are_emailed_at_once(make_user, committee, django_capture_on_commit_callbacks):
    user = make_user(email="a@example.cn")
    ChannelPreference.objects.create(user=user, digest=ChannelPreference.Digest.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = send([user], committee, urgent=True, title="会议改期")
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]
    assert mail.outbox[0].subject == "会议改期"
    assert "/activities/1/" in mail.outbox[0].body
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_immediate_users_get_each_notice_by_email(make_user, committee, django_capture_on_commit_callbacks):
    user = make_user(email="a@example.cn")  # no preference row: the default is immediate
    with django_capture_on_commit_callbacks(execute=True):
        send([user], committee)
    assert len(mail.outbox) == 1


def test_daily_users_get_no_email_for_ordinary_notices(
    make_user, committee, django_capture_on_commit_callbacks
):
    user = make_user(email="a@example.cn")
    ChannelPreference.objects.create(user=user, digest=ChannelPreference.Digest.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        send([user], committee)
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None


def test_users_who_turned_email_off_get_none(make_user, committee, django_capture_on_commit_callbacks):
    user = make_user(email="a@example.cn")
    ChannelPreference.objects.create(user=user, email_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        send([user], committee, urgent=True)
    assert mail.outbox == []
    assert Notification.objects.count() == 1


def test_a_member_account_is_emailed_at_the_file_address(
    make_member_user, committee, django_capture_on_commit_callbacks
):
    user = make_member_user(email="member@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        send([user], committee, urgent=True)
    assert [m.to for m in mail.outbox] == [["member@example.cn"]]


def test_nothing_is_mailed_when_the_act_is_rolled_back(
    make_user, committee, django_capture_on_commit_callbacks
):
    user = make_user(email="a@example.cn")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send([user], committee, urgent=True)
        raise RuntimeError("the act failed")
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_mail_failure_does_not_break_the_act(
    make_user, committee, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "lvzhi.notifications.tests.test_notify.BrokenBackend"
    user = make_user(email="a@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        send([user], committee, urgent=True)
    assert Notification.objects.get().emailed_at is None


class BrokenBackend:
    def __init__(self, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")
