import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from lvzhi.notifications.models import ChannelPreference, Notification
from lvzhi.notifications.services import mark_read, notify, send_daily_digests

pytestmark = pytest.mark.django_db


@pytest.fixture
def daily(make_user):
    def make(email):
        user = make_user(email=email)
        ChannelPreference.objects.create(user=user, digest=ChannelPreference.Digest.DAILY)
        return user

    return make


def tell(users, committee, title, **kwargs):
    return notify(recipients=users, committee=committee, kind="test.notice", title=title, **kwargs)


def test_nothing_is_mailed_before_the_digest_then_one_mail_per_user(
    daily, committee, django_capture_on_commit_callbacks
):
    ann, bob = daily("ann@example.cn"), daily("bob@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        tell([ann, bob], committee, "会议通知", url="/activities/1/")
        tell([ann], committee, "培训通知")
    assert mail.outbox == []

    assert send_daily_digests() == 2

    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["ann@example.cn", "bob@example.cn"]
    assert "会议通知" in by_address["ann@example.cn"].body
    assert "培训通知" in by_address["ann@example.cn"].body
    assert "/activities/1/" in by_address["ann@example.cn"].body
    assert "培训通知" not in by_address["bob@example.cn"].body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_second_run_the_same_day_sends_nothing(daily, committee):
    ann = daily("ann@example.cn")
    morning = timezone.make_aware(datetime.datetime(2026, 3, 2, 8, 0))
    tell([ann], committee, "会议通知")
    Notification.objects.update(created_at=morning - datetime.timedelta(hours=12))
    assert send_daily_digests(now=morning) == 1
    tell([ann], committee, "培训通知")
    Notification.objects.filter(title="培训通知").update(created_at=morning + datetime.timedelta(hours=1))

    assert send_daily_digests(now=morning + datetime.timedelta(hours=3)) == 0
    assert len(mail.outbox) == 1

    assert send_daily_digests(now=morning + datetime.timedelta(days=1)) == 1
    assert "培训通知" in mail.outbox[1].body
    assert "会议通知" not in mail.outbox[1].body


def test_the_digest_leaves_out_read_and_urgent_notices(daily, committee):
    ann = daily("ann@example.cn")
    tell([ann], committee, "紧急通知", urgent=True)
    (read,) = tell([ann], committee, "已读通知")
    mark_read(user=ann, notification=read)
    assert send_daily_digests() == 0
    assert mail.outbox == []


def test_users_who_want_immediate_email_or_none_get_no_digest(make_user, committee):
    immediate = make_user(email="now@example.cn")
    silent = make_user(email="off@example.cn")
    ChannelPreference.objects.create(user=silent, email_enabled=False, digest=ChannelPreference.Digest.DAILY)
    tell([immediate, silent], committee, "会议通知")  # on_commit not run: the immediate mail never went
    assert send_daily_digests() == 0


def test_the_command_sends_the_digests(daily, committee, capsys):
    tell([daily("ann@example.cn")], committee, "会议通知")
    call_command("send_digests")
    assert "digests sent: 1" in capsys.readouterr().out
    assert len(mail.outbox) == 1
