import pytest
from django.urls import reverse

from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.notifications import channels
from lvzhi.notifications.models import ChannelPreference, Notification
from lvzhi.notifications.services import notify

pytestmark = pytest.mark.django_db

GATEWAY = "lvzhi.notifications.tests.test_sms.RecordingGateway"


class RecordingGateway(channels.SmsGateway):
    sent = []

    def send(self, phone, text):
        self.sent.append((phone, text))


@pytest.fixture(autouse=True)
def _clear_gateway():
    RecordingGateway.sent = []


def urgent(recipients, committee, **kwargs):
    return notify(
        recipients=recipients, committee=committee, kind="activity.moved", title="会议改期", **kwargs
    )


def sms_user(make_member_user, **kwargs):
    user = make_member_user(**kwargs)
    ChannelPreference.objects.create(user=user, sms_enabled=True)
    return user


def test_without_a_gateway_nothing_is_texted(
    make_member_user, committee, settings, django_capture_on_commit_callbacks
):
    settings.LVZHI_SMS_GATEWAY = ""
    user = sms_user(make_member_user)
    with django_capture_on_commit_callbacks(execute=True):
        urgent([user], committee, urgent=True)
    assert not channels.sms_available()
    assert RecordingGateway.sent == []
    assert Notification.objects.get().sms_sent_at is None


def test_without_a_gateway_the_preference_is_not_offered(client, make_user, settings):
    settings.LVZHI_SMS_GATEWAY = ""
    client.force_login(make_user())
    response = client.get(reverse("notifications:preferences"))
    assert "sms_enabled" not in response.context["form"].fields
    assert b'name="sms_enabled"' not in response.content


def test_with_a_gateway_the_preference_is_offered(client, make_user, settings):
    settings.LVZHI_SMS_GATEWAY = GATEWAY
    client.force_login(make_user())
    response = client.get(reverse("notifications:preferences"))
    assert b'name="sms_enabled"' in response.content


def test_urgent_notices_are_texted_to_the_member_phone(
    make_member_user, committee, settings, django_capture_on_commit_callbacks
):
    settings.LVZHI_SMS_GATEWAY = GATEWAY
    user = sms_user(make_member_user, phone="13812345678")
    with django_capture_on_commit_callbacks(execute=True):
        urgent([user], committee, urgent=True)
    assert RecordingGateway.sent == [("13812345678", "会议改期")]
    assert Notification.objects.get().sms_sent_at is not None


def test_ordinary_notices_are_not_texted(
    make_member_user, committee, settings, django_capture_on_commit_callbacks
):
    settings.LVZHI_SMS_GATEWAY = GATEWAY
    user = sms_user(make_member_user)
    with django_capture_on_commit_callbacks(execute=True):
        urgent([user], committee)
    assert RecordingGateway.sent == []


def test_users_who_did_not_enable_sms_are_not_texted(
    make_member_user, committee, settings, django_capture_on_commit_callbacks
):
    settings.LVZHI_SMS_GATEWAY = GATEWAY
    user = make_member_user()  # default preference: SMS off
    with django_capture_on_commit_callbacks(execute=True):
        urgent([user], committee, urgent=True)
    assert RecordingGateway.sent == []


def test_accounts_without_a_member_file_are_not_texted(
    make_user, committee, settings, django_capture_on_commit_callbacks
):
    settings.LVZHI_SMS_GATEWAY = GATEWAY
    user = make_user()
    ChannelPreference.objects.create(user=user, sms_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        urgent([user], committee, urgent=True)
    assert RecordingGateway.sent == []
    assert Notification.objects.get().sms_sent_at is None


def test_texting_many_members_keeps_the_query_count(
    make_member_user, committee, settings, django_capture_on_commit_callbacks
):
    settings.LVZHI_SMS_GATEWAY = GATEWAY

    def queries(n):
        users = [
            sms_user(make_member_user, phone=f"1380000{len(RecordingGateway.sent) + i:04d}") for i in range(n)
        ]
        with capture_queries() as captured, django_capture_on_commit_callbacks(execute=True):
            urgent(users, committee, urgent=True)
        return captured

    assert_same_query_count(queries(3), queries(12))
    assert len(RecordingGateway.sent) == 15
