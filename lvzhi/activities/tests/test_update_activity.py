"""update_activity: editing facts and invitee rules, with an optimistic version check."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation
from lvzhi.core import workflow
from lvzhi.core.models import AuditEvent

S = Activity.Status
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def draft(make_activity):
    return make_activity(status=S.DRAFT, invitee_rules={"standing": True})


def test_edit_changes_fields_bumps_version_and_audits(draft, office):
    activity = services.update_activity(
        activity=draft, actor=office, expected_version=draft.version, title="新标题", place="二楼会议室"
    )
    activity.refresh_from_db()
    assert (activity.title, activity.place, activity.version) == ("新标题", "二楼会议室", 2)
    event = AuditEvent.objects.filter(object_id=str(draft.pk), event="activities.activity_edited").get()
    assert event.detail == {"changed": ["place", "title"]}


def test_no_change_saves_nothing(draft, office):
    services.update_activity(activity=draft, actor=office, expected_version=1, title=draft.title)
    draft.refresh_from_db()
    assert draft.version == 1
    assert not AuditEvent.objects.filter(event="activities.activity_edited").exists()


def test_stale_version_is_refused_and_nothing_changes(draft, office):
    services.update_activity(activity=draft, actor=office, expected_version=1, title="第一次修改")
    with pytest.raises(workflow.StaleEdit):
        services.update_activity(activity=draft, actor=office, expected_version=1, title="第二次修改")
    draft.refresh_from_db()
    assert draft.title == "第一次修改"


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.CLOSED, S.CANCELLED])
def test_only_draft_and_published_can_be_edited(make_activity, office, status):
    activity = make_activity(status=status)
    with pytest.raises(services.ActivityError) as error:
        services.update_activity(activity=activity, actor=office, expected_version=1, title="改")
    assert error.value.code == "not_editable"


def test_end_before_start_is_refused(draft, office):
    with pytest.raises(services.ActivityError):
        services.update_activity(
            activity=draft, actor=office, expected_version=1, ends_at=draft.starts_at - HOUR
        )


def test_unknown_field_is_a_programming_error(draft, office):
    with pytest.raises(ValueError):
        services.update_activity(activity=draft, actor=office, expected_version=1, status=S.CLOSED)


def test_published_activity_invites_members_the_new_rules_add(make_activity, make_member, office, sector):
    activity = make_activity(status=S.PUBLISHED, invitee_rules={"standing": True})
    standing = make_member(standing=True)
    teacher = make_member(sector=sector)
    Participation.objects.create(activity=activity, member=standing, status=Participation.Status.CONFIRMED)

    services.update_activity(
        activity=activity, actor=office, expected_version=1, invitee_rules={"units": [sector.pk]}
    )

    statuses = dict(Participation.objects.filter(activity=activity).values_list("member_id", "status"))
    # The 常委 no longer named keeps the invitation they answered; the teacher is invited now.
    assert statuses == {standing.pk: "confirmed", teacher.pk: "invited"}


def test_draft_invites_nobody(draft, make_member, office):
    make_member(standing=True)
    services.update_activity(
        activity=draft, actor=office, expected_version=1, invitee_rules={"all_members": True}
    )
    assert not Participation.objects.filter(activity=draft).exists()
    draft.refresh_from_db()
    assert draft.invitee_rules["all_members"] is True


def test_unit_staff_edit_own_unit_only(make_activity, unit_staff, my_unit, other_unit):
    mine = make_activity(kind=Activity.Kind.RESEARCH, organizing_unit=my_unit)
    services.update_activity(activity=mine, actor=unit_staff, expected_version=1, title="本委活动")
    # …but cannot hand it to another unit or to the office
    for unit in (other_unit, None):
        with pytest.raises(PermissionDenied):
            services.update_activity(
                activity=mine, actor=unit_staff, expected_version=2, organizing_unit=unit
            )
    theirs = make_activity(organizing_unit=other_unit)
    with pytest.raises(PermissionDenied):
        services.update_activity(activity=theirs, actor=unit_staff, expected_version=1, title="x")
    mine.refresh_from_db()
    assert mine.organizing_unit == my_unit and mine.version == 2


def test_unit_of_another_committee_is_refused(draft, office, other_committee):
    from lvzhi.factories import OrgUnitFactory

    foreign = OrgUnitFactory(committee=other_committee)
    with pytest.raises(PermissionDenied):
        services.update_activity(activity=draft, actor=office, expected_version=1, organizing_unit=foreign)


def test_leader_cannot_edit(draft, leader):
    with pytest.raises(PermissionDenied):
        services.update_activity(activity=draft, actor=leader, expected_version=1, title="x")
