import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.notifications.models import ChannelPreference
from lvzhi.notifications.services import update_preferences

pytestmark = pytest.mark.django_db

URL = reverse("notifications:preferences")


def test_it_shows_the_defaults_before_any_choice(client, make_user):
    client.force_login(make_user())
    form = client.get(URL).context["form"]
    assert form["email_enabled"].value() is True
    assert form["digest"].value() == ChannelPreference.Digest.IMMEDIATE


def test_it_saves_the_choice(client, make_user):
    me = make_user()
    client.force_login(me)
    response = client.post(URL, {"digest": "daily"})  # an unticked checkbox is not posted
    assert response.status_code == 302
    pref = ChannelPreference.objects.get(user=me)
    assert pref.email_enabled is False
    assert pref.digest == ChannelPreference.Digest.DAILY

    client.post(URL, {"email_enabled": "on", "digest": "immediate"})
    pref.refresh_from_db()
    assert (pref.email_enabled, pref.digest) == (True, "immediate")
    assert ChannelPreference.objects.count() == 1


def test_it_saves_sms_only_when_offered(client, make_user, settings):
    me = make_user()
    client.force_login(me)
    settings.LVZHI_SMS_GATEWAY = ""
    client.post(URL, {"digest": "daily", "sms_enabled": "on"})
    assert ChannelPreference.objects.get(user=me).sms_enabled is False

    settings.LVZHI_SMS_GATEWAY = "lvzhi.notifications.tests.test_sms.RecordingGateway"
    client.post(URL, {"digest": "daily", "sms_enabled": "on"})
    assert ChannelPreference.objects.get(user=me).sms_enabled is True


def test_it_rejects_an_unknown_digest(client, make_user):
    me = make_user()
    client.force_login(me)
    response = client.post(URL, {"digest": "hourly"})
    assert response.status_code == 200
    assert response.context["form"].errors["digest"]
    assert not ChannelPreference.objects.exists()


def test_the_service_refuses_to_choose_for_someone_else(make_user):
    me, admin = make_user(), make_user(Role.SYSADMIN)

    with pytest.raises(PermissionDenied):
        update_preferences(actor=admin, user=me, email_enabled=False, digest="daily")

    assert not ChannelPreference.objects.exists()


def test_the_service_refuses_an_unknown_digest(make_user):
    me = make_user()

    with pytest.raises(ValidationError):
        update_preferences(actor=me, user=me, email_enabled=True, digest="hourly")

    assert not ChannelPreference.objects.exists()


def test_the_service_leaves_what_it_was_not_given(make_user):
    me = make_user()
    sent_at = timezone.now()
    ChannelPreference.objects.create(user=me, sms_enabled=True, last_digest_at=sent_at)

    update_preferences(actor=me, user=me, email_enabled=False, digest="daily")

    pref = ChannelPreference.objects.get(user=me)
    assert (pref.email_enabled, pref.digest) == (False, "daily")
    assert pref.sms_enabled is True  # not offered without a gateway: the choice stays
    assert pref.last_digest_at == sent_at  # the digest's bookkeeping is not the user's to overwrite
