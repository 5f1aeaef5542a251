"""Closing fixes attendance and writes the ledger; reopening retracts it; correcting rewrites it."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.ledger.models import DutyRecord

P = Participation.Status
FINAL_OF = {
    P.INVITED: P.ABSENT,
    P.CONFIRMED: P.ABSENT,
    P.DECLINED: P.ABSENT,
    P.LEAVE_REQUESTED: P.ABSENT,
    P.LEAVE_DENIED: P.ABSENT,
    P.LEAVE_APPROVED: P.LEAVE_APPROVED,
    P.PRESENT: P.PRESENT,
    P.LATE: P.LATE,
    P.LEFT_EARLY: P.LEFT_EARLY,
    P.ABSENT: P.ABSENT,
}
LEDGER_NAME = {
    P.ABSENT: "absent",
    P.LEAVE_APPROVED: "leave",
    P.PRESENT: "present",
    P.LATE: "late",
    P.LEFT_EARLY: "left_early",
}


def records(activity):
    return dict(
        DutyRecord.objects.filter(
            source_type=ContentType.objects.get_for_model(Activity), source_id=activity.pk
        ).values_list("member_id", "kind")
    )


@pytest.fixture
def meeting(make_activity, make_member, invite_member):
    """An in-progress activity with one participant in every status; returns (activity, {status: member})."""

    def make(kind):
        activity = make_activity(kind=kind, status=Activity.Status.IN_PROGRESS)
        by_status = {}
        for status in P:
            by_status[status] = make_member()
            invite_member(activity, by_status[status], status=status)
        return activity, by_status

    return make


@pytest.mark.parametrize(
    "kind,prefix",
    [
        ("plenary", "attendance.plenary"),
        ("standing", "attendance.standing"),
        ("committee_meeting", "attendance.committee"),
    ],
)
def test_closing_a_meeting_records_every_members_attendance(meeting, office, kind, prefix):
    activity, by_status = meeting(kind)
    services.close_activity(activity=activity, actor=office)
    finals = dict(Participation.objects.filter(activity=activity).values_list("member_id", "status"))
    assert finals == {m.pk: FINAL_OF[s] for s, m in by_status.items()}
    assert records(activity) == {m.pk: f"{prefix}.{LEDGER_NAME[FINAL_OF[s]]}" for s, m in by_status.items()}
    dates = set(DutyRecord.objects.filter(source_id=activity.pk).values_list("date", flat=True))
    assert dates == {datetime.date(2026, 6, 10)}


@pytest.mark.parametrize("kind", ["inspection", "training", "chairs", "study_tour"])
def test_closing_another_activity_records_only_those_who_took_part(meeting, office, kind):
    activity, by_status = meeting(kind)
    services.close_activity(activity=activity, actor=office)
    assert records(activity) == {
        by_status[s].pk: f"activity.{kind}" for s in (P.PRESENT, P.LATE, P.LEFT_EARLY)
    }


def test_the_ledger_date_is_the_local_date(make_activity, make_member, invite_member, office):
    # 23:30 UTC on 9 June is 07:30 on 10 June in the committee's time zone.
    starts = datetime.datetime(2026, 6, 9, 23, 30, tzinfo=datetime.UTC)
    activity = make_activity(
        kind="standing",
        status=Activity.Status.IN_PROGRESS,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
    )
    invite_member(activity, make_member(), status=P.PRESENT)
    services.close_activity(activity=activity, actor=office)
    assert DutyRecord.objects.get(source_id=activity.pk).date == datetime.date(2026, 6, 10)


def test_syncing_a_closed_activity_again_changes_nothing(meeting, office):
    activity, _ = meeting("standing")
    services.close_activity(activity=activity, actor=office)
    before = list(DutyRecord.objects.order_by("pk").values_list("pk", "member_id", "kind", "date"))
    activity.refresh_from_db()
    assert not services.sync_ledger(activity=activity, actor=office).changed
    assert list(DutyRecord.objects.order_by("pk").values_list("pk", "member_id", "kind", "date")) == before


def test_closing_twice_is_refused(meeting, office):
    activity, _ = meeting("standing")
    services.close_activity(activity=activity, actor=office)
    with pytest.raises(services.ActivityError):
        services.close_activity(activity=activity, actor=office)
    assert len(records(activity)) == len(P)


def test_reopening_retracts_and_closing_again_rewrites(meeting, office):
    activity, by_status = meeting("standing")
    services.close_activity(activity=activity, actor=office)
    written = records(activity)
    services.reopen_activity(activity=activity, actor=office, reason="签到漏记")
    assert records(activity) == {}
    # Staff fix the attendance while it is open again, then close it.
    fixed = Participation.objects.get(activity=activity, member=by_status[P.CONFIRMED])
    assert fixed.status == P.ABSENT
    services.close_activity(activity=activity, actor=office)
    assert records(activity) == written


def test_correcting_attendance_rewrites_the_ledger(meeting, office):
    activity, by_status = meeting("plenary")
    services.close_activity(activity=activity, actor=office)
    absent = Participation.objects.get(activity=activity, member=by_status[P.INVITED])
    services.correct_attendance(participation=absent, status=P.LEAVE_APPROVED, actor=office, reason="补假条")
    after = records(activity)
    assert after[by_status[P.INVITED].pk] == "attendance.plenary.leave"
    assert len(after) == len(P)
    assert DutyRecord.objects.filter(source_id=activity.pk, member=by_status[P.INVITED]).count() == 1


def test_correcting_a_non_meeting_to_absent_removes_the_record(meeting, office):
    activity, by_status = meeting("inspection")
    services.close_activity(activity=activity, actor=office)
    present = Participation.objects.get(activity=activity, member=by_status[P.PRESENT])
    services.correct_attendance(participation=present, status=P.ABSENT, actor=office, reason="误签")
    assert by_status[P.PRESENT].pk not in records(activity)
    assert len(records(activity)) == 2


def test_correction_needs_a_closed_activity_a_final_status_and_a_reason(meeting, office):
    activity, by_status = meeting("standing")
    participation = Participation.objects.get(activity=activity, member=by_status[P.PRESENT])
    with pytest.raises(services.ActivityError):
        services.correct_attendance(participation=participation, status=P.ABSENT, actor=office, reason="x")
    services.close_activity(activity=activity, actor=office)
    with pytest.raises(services.ActivityError):
        services.correct_attendance(participation=participation, status=P.CONFIRMED, actor=office, reason="x")
    with pytest.raises(services.ActivityError):
        services.correct_attendance(participation=participation, status=P.ABSENT, actor=office, reason="")


def test_unit_staff_cannot_correct_another_units_activity(meeting, unit_staff, other_unit, office):
    activity, by_status = meeting("committee_meeting")
    Activity.objects.filter(pk=activity.pk).update(organizing_unit=other_unit)
    services.close_activity(activity=activity, actor=office)
    participation = Participation.objects.get(activity=activity, member=by_status[P.PRESENT])
    with pytest.raises(PermissionDenied):
        services.correct_attendance(
            participation=participation, status=P.ABSENT, actor=unit_staff, reason="x"
        )


def test_an_unclosed_activity_implies_no_facts(meeting):
    activity, _ = meeting("standing")
    assert services.facts_for(activity) == []


def test_closing_costs_the_same_queries_for_any_number_of_invitees(
    make_activity, make_member, invite_member, office
):
    def queries_to_close(invitees):
        activity = make_activity(kind=Activity.Kind.STANDING, status=Activity.Status.IN_PROGRESS)
        for n in range(invitees):
            invite_member(activity, make_member(), status=P.PRESENT if n % 2 else P.INVITED)
        with capture_queries() as queries:
            services.close_activity(activity=activity, actor=office)
        assert len(records(activity)) == invitees
        return queries

    assert_same_query_count(queries_to_close(2), queries_to_close(12))
