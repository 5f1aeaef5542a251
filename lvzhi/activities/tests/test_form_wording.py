"""Wording of the activity forms and pages: meaningful empty choices, labels of their own, no colon typed
after a translated label."""

import pytest
from django.urls import reverse

from lvzhi.activities.forms import ActivityForm, StandingReportForm
from lvzhi.activities.models import Activity, Participation
from lvzhi.activities.speech_views import SpeechForm

pytestmark = pytest.mark.usefixtures("english")


def test_select_fields_name_their_empty_choice(office, make_activity):
    assert list(ActivityForm(user=office).fields["kind"].choices)[0] == ("", "Choose a kind")
    member_choices = list(SpeechForm(activity=make_activity()).fields["member"].choices)
    assert member_choices[0][1] == "Choose a member"


def test_standing_report_fields_say_which_mode_they_belong_to(office):
    form = StandingReportForm(user=office)
    assert "data-switch" in str(form["mode"])
    assert 'data-shown-for="meeting"' in str(form["meeting"])
    assert 'data-shown-for="period"' in str(form["date_from"]) and 'data-shown-for="period"' in str(
        form["date_to"]
    )
    assert 'id="id_date_from"' in str(form["date_from"])  # ids and names stay


def test_manage_page_labels(client, office, make_activity, make_member, invite_member):
    activity = make_activity(status=Activity.Status.PUBLISHED, is_required=True)
    invite_member(
        activity, make_member(name="请假人"), status=Participation.Status.LEAVE_REQUESTED, leave_reason="出差"
    )
    client.force_login(office)
    page = client.get(reverse("activities:manage", args=[activity.pk])).content.decode()
    assert "Attendance requirement" in page and "Check-in time" in page
    assert "Leave: 出差" in page
    assert "Leave: </" not in page and "Leave:  " not in page
