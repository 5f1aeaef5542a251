"""A member who scans the kiosk's code while signed out and must choose a new password at this first
sign-in still checks in (issue 10, defect 2): the scan's grant and the way back to the scan page survive
the sign-in and the forced password change."""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.models import User
from lvzhi.activities.models import Activity, Participation
from lvzhi.core.rotating_tokens import make_token

pytestmark = pytest.mark.usefixtures("english")

MIN = datetime.timedelta(minutes=1)
OLD, NEW = "Lvzhi-2026-pass", "Brand#New2026"


def test_a_scan_survives_sign_in_and_the_forced_password_change(
    client, make_member, make_activity, invite_member, monkeypatch
):
    member = make_member(login=True)
    member.user.set_password(OLD)
    member.user.save()
    User.objects.filter(pk=member.user.pk).update(must_change_password=True)
    now = timezone.now()
    activity = make_activity(
        starts_at=now - 5 * MIN, ends_at=now + 60 * MIN, status=Activity.Status.IN_PROGRESS
    )
    invitation = invite_member(activity, member, status=Participation.Status.CONFIRMED)
    scan = reverse(
        "activities:scan", args=[activity.pk, make_token(purpose="activity-checkin", object_id=activity.pk)]
    )

    login_page = client.get(scan).url
    assert login_page.startswith(reverse("accounts:login"))
    after_login = client.post(login_page, {"username": member.user.username, "password": OLD}).url
    assert after_login == scan
    password_page = client.get(after_login).url
    assert password_page.startswith(reverse("accounts:password_change"))
    # Typing the new password twice on a phone: the scanned code itself has expired by now.
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 90)
    back = client.post(password_page, {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})
    assert back.url == scan

    confirm = client.get(back.url)
    assert confirm.status_code == 200 and '<form method="post"' in confirm.content.decode()
    response = client.post(scan, follow=True)
    invitation.refresh_from_db()
    assert invitation.status == Participation.Status.PRESENT
    assert "You are checked in." in response.content.decode()
