"""Activity status changes: the transition table, history rows, version, permission."""

import pytest
from django.core.exceptions import PermissionDenied

from lvzhi.activities import services
from lvzhi.activities.models import Activity, ActivityStatusChange
from lvzhi.core import workflow
from lvzhi.core.models import AuditEvent

from .conftest import END, START

S = Activity.Status

MOVES = {
    "publish": lambda a, u: services.publish_activity(activity=a, actor=u),
    "start": lambda a, u: services.start_activity(activity=a, actor=u),
    "close": lambda a, u: services.close_activity(activity=a, actor=u),
    "cancel": lambda a, u: services.cancel_activity(activity=a, actor=u, reason="天气原因"),
    "reopen": lambda a, u: services.reopen_activity(activity=a, actor=u, reason="补录"),
}
TARGET = {
    "publish": S.PUBLISHED,
    "start": S.IN_PROGRESS,
    "close": S.CLOSED,
    "cancel": S.CANCELLED,
    "reopen": S.IN_PROGRESS,
}
LEGAL = {
    (S.DRAFT, "publish"),
    (S.DRAFT, "cancel"),
    (S.PUBLISHED, "start"),
    (S.PUBLISHED, "cancel"),
    (S.IN_PROGRESS, "close"),
    (S.CLOSED, "reopen"),
}


@pytest.mark.parametrize("from_status", list(S), ids=[s.value for s in S])
@pytest.mark.parametrize("move", list(MOVES))
def test_every_move_from_every_status(office, make_activity, from_status, move):
    activity = make_activity(status=from_status)
    if (from_status, move) in LEGAL:
        MOVES[move](activity, office)
        activity.refresh_from_db()
        assert activity.status == TARGET[move]
        assert activity.version == 2
        change = ActivityStatusChange.objects.get(activity=activity)
        assert (change.from_status, change.to_status, change.actor) == (from_status, TARGET[move], office)
    else:
        with pytest.raises(services.ActivityError):
            MOVES[move](activity, office)
        activity.refresh_from_db()
        assert activity.status == from_status
        assert not ActivityStatusChange.objects.filter(activity=activity).exists()


def test_the_table_matches_the_legal_moves():
    table = {(f, t) for f, targets in Activity.TRANSITIONS.items() for t in targets}
    assert table == {(f, TARGET[m]) for f, m in LEGAL}


def test_a_move_is_audited_with_its_reason(office, make_activity):
    activity = make_activity(status=S.CLOSED)
    services.reopen_activity(activity=activity, actor=office, reason="补录签到")
    event = AuditEvent.objects.filter(object_type="activities.Activity", object_id=str(activity.pk)).last()
    assert event.detail["reason"] == "补录签到"
    assert ActivityStatusChange.objects.get(activity=activity).reason == "补录签到"


@pytest.mark.parametrize("move", ["cancel", "reopen"])
def test_cancel_and_reopen_need_a_reason(office, make_activity, move):
    activity = make_activity(status=S.PUBLISHED if move == "cancel" else S.CLOSED)
    fn = services.cancel_activity if move == "cancel" else services.reopen_activity
    with pytest.raises(services.ActivityError):
        fn(activity=activity, actor=office, reason="  ")


def test_a_stale_version_is_refused(office, make_activity):
    activity = make_activity()
    with pytest.raises(workflow.StaleEdit):
        services.publish_activity(activity=activity, actor=office, expected_version=7)
    services.publish_activity(activity=activity, actor=office, expected_version=1)


def test_create_activity_makes_a_draft(office, my_unit):
    activity = services.create_activity(
        actor=office,
        kind=Activity.Kind.INSPECTION,
        title="视察",
        starts_at=START,
        ends_at=END,
        organizing_unit=my_unit,
        invitee_rules={"standing": True},
    )
    assert activity.status == S.DRAFT
    assert activity.committee_id == office.committee_id
    assert activity.created_by == office
    assert activity.invitee_rules == {"all_members": False, "standing": True, "units": [], "members": []}


def test_an_activity_cannot_end_before_it_starts(office):
    with pytest.raises(services.ActivityError):
        services.create_activity(actor=office, kind="other", title="x", starts_at=END, ends_at=START)


def test_an_account_of_no_committee_creates_no_activity(make_user):
    superuser = make_user(committee=None, is_superuser=True)

    with pytest.raises(PermissionDenied):
        services.create_activity(actor=superuser, kind="other", title="x", starts_at=START, ends_at=END)
    assert not Activity.objects.exists()


def test_unit_staff_create_for_their_unit_only(unit_staff, my_unit, other_unit):
    services.create_activity(
        actor=unit_staff,
        kind="committee_meeting",
        title="会",
        starts_at=START,
        ends_at=END,
        organizing_unit=my_unit,
    )
    for unit in (other_unit, None):
        with pytest.raises(PermissionDenied):
            services.create_activity(
                actor=unit_staff,
                kind="committee_meeting",
                title="会",
                starts_at=START,
                ends_at=END,
                organizing_unit=unit,
            )


@pytest.mark.parametrize("move", list(MOVES))
def test_unit_staff_cannot_run_another_units_activity(unit_staff, make_activity, other_unit, move):
    start = {
        "publish": S.DRAFT,
        "start": S.PUBLISHED,
        "close": S.IN_PROGRESS,
        "cancel": S.DRAFT,
        "reopen": S.CLOSED,
    }[move]
    activity = make_activity(status=start, organizing_unit=other_unit)
    with pytest.raises(PermissionDenied):
        MOVES[move](activity, unit_staff)
    activity.refresh_from_db()
    assert activity.status == start


def test_unit_staff_run_their_own_units_activity(unit_staff, make_activity, my_unit):
    activity = make_activity(kind=Activity.Kind.COMMITTEE_MEETING, organizing_unit=my_unit)
    services.publish_activity(activity=activity, actor=unit_staff)
    services.start_activity(activity=activity, actor=unit_staff)
    services.close_activity(activity=activity, actor=unit_staff)
    activity.refresh_from_db()
    assert activity.status == S.CLOSED


@pytest.mark.parametrize("role", ["leader", "member", "other_committee_office"])
def test_others_cannot_run_activities(make_user, make_activity, other_committee, role):
    from lvzhi.accounts.roles import Role

    user = {
        "leader": lambda: make_user(Role.LEADER),
        "member": lambda: make_user(Role.MEMBER),
        "other_committee_office": lambda: make_user(Role.OFFICE, committee=other_committee),
    }[role]()
    activity = make_activity()
    with pytest.raises(PermissionDenied):
        services.publish_activity(activity=activity, actor=user)
