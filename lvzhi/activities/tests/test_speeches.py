"""Speeches (大会发言, 书面发言): recording and deleting them, the ledger rows they write, and the staff page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation, Speech
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import MemberFactory
from lvzhi.ledger.models import DutyRecord

from .conftest import TZ

S = Activity.Status
ORAL, WRITTEN = Speech.Kind.ORAL, Speech.Kind.WRITTEN


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def activity(make_activity, my_unit):
    # A unit's own kind, so that its staff run it as well as the office.
    return make_activity(kind=Activity.Kind.COMMITTEE_MEETING, status=S.IN_PROGRESS, organizing_unit=my_unit)


@pytest.fixture
def speaker(activity, make_member, invite_member):
    member = make_member(name="王发言")
    invite_member(activity, member, status=Participation.Status.PRESENT)
    return member


def _record(activity, member, actor, kind=ORAL, title="关于乡村振兴的建议"):
    return services.record_speech(activity=activity, member=member, kind=kind, title=title, actor=actor)


def _ledger():
    return sorted(DutyRecord.objects.values_list("member_id", "kind", "date", "source_id"))


# --- the service ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.PUBLISHED, S.IN_PROGRESS, S.CLOSED])
def test_recording_writes_one_ledger_row(activity, speaker, office, status):
    Activity.objects.filter(pk=activity.pk).update(status=status)
    speech = _record(activity, speaker, office)
    assert (speech.kind, speech.title, speech.recorded_by) == (ORAL, "关于乡村振兴的建议", office)
    assert _ledger() == [(speaker.pk, "speech.oral", datetime.date(2026, 6, 10), speech.pk)]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(speech.pk)).exists()


def test_the_date_is_the_local_day_of_the_start(make_activity, make_member, office):
    # 00:30 in Beijing is still the day before in UTC.
    starts = datetime.datetime(2026, 3, 5, 0, 30, tzinfo=TZ)
    activity = make_activity(
        status=S.PUBLISHED, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )
    _record(activity, make_member(), office, kind=WRITTEN)
    assert DutyRecord.objects.get().date == datetime.date(2026, 3, 5)


def test_oral_and_written_are_two_sources_and_deleting_one_keeps_the_other(activity, speaker, office):
    oral = _record(activity, speaker, office, ORAL)
    written = _record(activity, speaker, office, WRITTEN, title="书面发言稿")
    day = datetime.date(2026, 6, 10)
    assert _ledger() == sorted(
        [(speaker.pk, "speech.oral", day, oral.pk), (speaker.pk, "speech.written", day, written.pk)]
    )
    services.delete_speech(speech=oral, actor=office)
    assert not Speech.objects.filter(pk=oral.pk).exists()
    assert _ledger() == [(speaker.pk, "speech.written", day, written.pk)]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, object_id=str(oral.pk)).exists()


def test_speeches_never_touch_the_attendance_rows(activity, speaker, office):
    activity = services.close_activity(activity=activity, actor=office)
    attendance = _ledger()
    assert [row[1] for row in attendance] == ["attendance.committee.present"]
    speech = _record(activity, speaker, office)
    assert len(_ledger()) == 2
    services.delete_speech(speech=speech, actor=office)
    assert _ledger() == attendance


def test_a_second_speech_of_the_same_kind_is_refused(activity, speaker, office):
    _record(activity, speaker, office)
    with pytest.raises(services.ActivityError, match="王发言 already has an oral speech"):
        _record(activity, speaker, office, title="另一篇")
    assert Speech.objects.count() == 1 and DutyRecord.objects.count() == 1


@pytest.mark.parametrize("status", [S.DRAFT, S.CANCELLED])
def test_no_speech_on_a_draft_or_cancelled_activity(activity, speaker, office, status):
    Activity.objects.filter(pk=activity.pk).update(status=status)
    with pytest.raises(services.ActivityError, match="cannot be recorded"):
        _record(activity, speaker, office)
    assert not Speech.objects.exists() and not DutyRecord.objects.exists()


def test_a_member_of_another_committee_is_refused(activity, office, other_committee):
    with pytest.raises(services.ActivityError, match="member of this committee"):
        _record(activity, MemberFactory(committee=other_committee), office)
    assert not DutyRecord.objects.exists()


def test_a_title_is_required(activity, speaker, office):
    with pytest.raises(services.ActivityError, match="Title"):
        _record(activity, speaker, office, title="  ")


@pytest.fixture
def outsiders(make_user, make_member, other_unit, other_committee, leader):
    return {
        "staff_of_another_unit": make_user(Role.UNIT_STAFF, units=[other_unit]),
        "member": make_member(login=True).user,
        "leader": leader,
        "other_committee_office": make_user(Role.OFFICE, committee=other_committee),
    }


@pytest.mark.parametrize("who", ["staff_of_another_unit", "member", "leader", "other_committee_office"])
def test_only_those_who_run_the_activity_record_or_delete(activity, speaker, office, outsiders, who):
    with pytest.raises(PermissionDenied):
        _record(activity, speaker, outsiders[who])
    speech = _record(activity, speaker, office)
    with pytest.raises(PermissionDenied):
        services.delete_speech(speech=speech, actor=outsiders[who])
    assert Speech.objects.count() == 1 and DutyRecord.objects.count() == 1


def test_the_units_staff_record_and_delete(activity, speaker, unit_staff):
    speech = _record(activity, speaker, unit_staff)
    services.delete_speech(speech=speech, actor=unit_staff)
    assert not DutyRecord.objects.exists()


# --- the page ------------------------------------------------------------------------------------


def _url(activity):
    return reverse("activities:speeches", args=[activity.pk])


def _delete_url(speech):
    return reverse("activities:speech_delete", args=[speech.activity_id, speech.pk])


@pytest.mark.parametrize("who", ["office", "unit_staff"])
def test_staff_see_the_list_and_the_form(request, client, activity, speaker, who):
    actor = request.getfixturevalue(who)
    _record(activity, speaker, actor)
    client.force_login(actor)
    response = client.get(_url(activity))
    assert response.status_code == 200
    assert "关于乡村振兴的建议" in response.text
    assert response.context["form"] is not None
    assert _delete_url(activity.speeches.get()) in response.text


def test_leaders_read_without_changing(client, activity, speaker, office, leader):
    speech = _record(activity, speaker, office)
    client.force_login(leader)
    response = client.get(_url(activity))
    assert response.status_code == 200 and "关于乡村振兴的建议" in response.text
    assert response.context["form"] is None and _delete_url(speech) not in response.text
    post = {"member": speaker.pk, "kind": WRITTEN, "title": "书面"}
    assert client.post(_url(activity), post).status_code == 403
    assert client.post(_delete_url(speech)).status_code == 403
    assert Speech.objects.count() == 1


@pytest.mark.parametrize(
    "who,status", [("staff_of_another_unit", 404), ("member", 403), ("other_committee_office", 404)]
)
def test_others_cannot_open_the_page(client, activity, speaker, office, outsiders, who, status):
    speech = _record(activity, speaker, office)
    user = outsiders[who]
    if who == "member":  # invited, so the activity is visible to them, but the page is for staff
        Participation.objects.create(activity=activity, member=user.member)
    client.force_login(user)
    assert client.get(_url(activity)).status_code == status
    assert (
        client.post(_url(activity), {"member": speaker.pk, "kind": WRITTEN, "title": "x"}).status_code
        == status
    )
    assert client.post(_delete_url(speech)).status_code == status
    assert Speech.objects.count() == 1


def test_anonymous_users_are_sent_to_sign_in(client, activity, speaker, office):
    speech = _record(activity, speaker, office)
    for response in (client.get(_url(activity)), client.post(_delete_url(speech))):
        assert response.status_code == 302 and "/login" in response.url
    assert Speech.objects.count() == 1


def test_the_member_choice_is_the_participants_in_name_order(
    client, activity, make_member, invite_member, office
):
    names = ["王五", "丁一", "李四"]
    for name in names:
        invite_member(activity, make_member(name=name))
    make_member(name="马六")  # not a participant
    client.force_login(office)
    choices = [
        label for value, label in client.get(_url(activity)).context["form"].fields["member"].choices if value
    ]
    assert choices == ["丁一", "王五", "李四"]  # by the surname's strokes: 丁 2, 王 4, 李 7


def test_adding_through_the_page(client, activity, speaker, office):
    client.force_login(office)
    response = client.post(_url(activity), {"member": speaker.pk, "kind": WRITTEN, "title": "书面发言稿"})
    assert response.status_code == 302
    speech = Speech.objects.get()
    assert (speech.member, speech.kind, speech.title) == (speaker, WRITTEN, "书面发言稿")
    assert DutyRecord.objects.get().kind == "speech.written"


def test_a_duplicate_through_the_page_is_shown_as_a_message(client, activity, speaker, office):
    _record(activity, speaker, office, WRITTEN)
    client.force_login(office)
    response = client.post(_url(activity), {"member": speaker.pk, "kind": WRITTEN, "title": "又一篇"})
    assert response.status_code == 200
    assert "王发言 already has a written speech recorded for this activity." in response.text
    assert Speech.objects.count() == 1


def test_a_non_participant_cannot_be_chosen(client, activity, make_member, office):
    client.force_login(office)
    response = client.post(_url(activity), {"member": make_member().pk, "kind": ORAL, "title": "x"})
    assert response.status_code == 200 and response.context["form"].errors["member"]
    assert not Speech.objects.exists()


def test_deleting_through_the_page(client, activity, speaker, office):
    speech = _record(activity, speaker, office)
    client.force_login(office)
    assert client.get(_delete_url(speech)).status_code == 405
    assert client.post(_delete_url(speech)).status_code == 302
    assert not Speech.objects.exists() and not DutyRecord.objects.exists()


def test_a_speech_of_another_activity_is_not_deleted_through_this_one(
    client, activity, speaker, office, make_activity
):
    elsewhere = make_activity(status=S.IN_PROGRESS)
    speech = _record(elsewhere, speaker, office)
    client.force_login(office)
    url = reverse("activities:speech_delete", args=[activity.pk, speech.pk])
    assert client.post(url).status_code == 404
    assert Speech.objects.count() == 1


def _page_queries(client, activity, office, make_member, invite_member, n):
    while activity.speeches.count() < n:
        member = make_member()
        invite_member(activity, member)
        _record(activity, member, office)
    client.force_login(office)
    with capture_queries() as queries:
        assert client.get(_url(activity)).status_code == 200
    return queries


def test_the_page_costs_the_same_for_2_or_10_speeches(client, activity, office, make_member, invite_member):
    few = _page_queries(client, activity, office, make_member, invite_member, 2)
    assert_same_query_count(few, _page_queries(client, activity, office, make_member, invite_member, 10))


def test_an_activity_with_speeches_is_not_cancelled(make_activity, speaker, office):
    activity = make_activity(status=S.PUBLISHED)
    speech = _record(activity, speaker, office)
    with pytest.raises(services.ActivityError, match="delete them before cancelling"):
        services.cancel_activity(activity=activity, actor=office, reason="取消")
    activity.refresh_from_db()
    assert activity.status == S.PUBLISHED and DutyRecord.objects.count() == 1
    services.delete_speech(speech=speech, actor=office)
    services.cancel_activity(activity=activity, actor=office, reason="取消")
    activity.refresh_from_db()
    assert activity.status == S.CANCELLED and not DutyRecord.objects.exists()


def test_a_members_speeches_latest_first(make_activity, speaker, make_member, office):
    from lvzhi.activities.selectors import speeches_of_member

    september = datetime.datetime(2026, 9, 1, 9, tzinfo=TZ)
    later = make_activity(status=S.CLOSED, starts_at=september, ends_at=september)
    earlier = make_activity(status=S.CLOSED)
    first = _record(earlier, speaker, office, WRITTEN)
    second = _record(later, speaker, office, ORAL)
    _record(earlier, make_member(), office)  # someone else's
    assert list(speeches_of_member(speaker)) == [second, first]


def test_the_duty_record_is_labelled_with_the_kind_and_title_not_the_name(activity, office, make_member):
    member = make_member()
    speech = services.record_speech(
        activity=activity, member=member, kind=Speech.Kind.WRITTEN, title="关于文旅融合的建议", actor=office
    )
    label = DutyRecord.objects.get(member=member).source_label
    assert label == f"{speech.get_kind_display()} · 关于文旅融合的建议"
    assert member.name not in label
