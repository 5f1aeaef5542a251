"""Scoped writes of unit staff (issue 8, finding 2): they run only their units' kinds of activity, invite
only within their units (plus what the office put in the rules), check in only who is on the list and add
only members of their units. Enforced in the services, whatever a form offers."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import translation

from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation, Speech
from lvzhi.activities.selectors import normalize_rules
from lvzhi.ledger.models import DutyRecord

from .conftest import END, START

K = Activity.Kind
S = Activity.Status
P = Participation.Status


@pytest.fixture
def insider(make_member, my_unit):
    """A member of the unit staff's unit (经济委员会)."""
    return make_member(name="甲内", specials=[my_unit])


@pytest.fixture
def outsider(make_member, other_unit):
    """A member of another special committee, outside the unit staff's scope."""
    return make_member(name="乙外", specials=[other_unit])


def create(actor, **kwargs):
    kwargs.setdefault("kind", K.RESEARCH)
    kwargs.setdefault("title", "调研")
    kwargs.setdefault("starts_at", START)
    kwargs.setdefault("ends_at", END)
    return services.create_activity(actor=actor, **kwargs)


def codes(error):
    return [e.code for e in error.value.error_list]


@pytest.fixture(autouse=True)
def _chinese():
    # The services word their refusals in the active language; the UI's is Chinese.
    with translation.override("zh-hans"):
        yield


def text(error):
    return " ".join(error.value.messages)


# --- kinds -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [K.PLENARY, K.STANDING, K.CHAIRS])
def test_unit_staff_cannot_create_the_committees_own_meetings(unit_staff, my_unit, kind):
    with pytest.raises(services.ActivityError) as error:
        create(unit_staff, kind=kind, organizing_unit=my_unit)
    assert codes(error) == ["office_kind"]
    assert text(error).startswith("类别：")
    assert not Activity.objects.exists()


def test_the_office_still_creates_them(office):
    assert create(office, kind=K.STANDING, invitee_rules={"standing": True}).kind == K.STANDING


@pytest.mark.parametrize("kind", [K.COMMITTEE_MEETING, K.RESEARCH, K.TRAINING, K.GROUP, K.OTHER])
def test_unit_staff_create_their_units_kinds(unit_staff, my_unit, kind):
    assert create(unit_staff, kind=kind, organizing_unit=my_unit).kind == kind


def test_unit_staff_cannot_turn_their_activity_into_a_standing_meeting(make_activity, unit_staff, my_unit):
    activity = make_activity(kind=K.RESEARCH, organizing_unit=my_unit)
    with pytest.raises(services.ActivityError) as error:
        services.update_activity(activity=activity, actor=unit_staff, expected_version=1, kind=K.STANDING)
    assert codes(error) == ["office_kind"]
    activity.refresh_from_db()
    assert (activity.kind, activity.version) == (K.RESEARCH, 1)


def test_a_standing_meeting_given_to_a_unit_is_still_the_offices(make_activity, unit_staff, my_unit, insider):
    """The issue's reproduction: unit staff published and closed a 常委会议, writing absences of members
    outside their units into the ledger."""
    activity = make_activity(kind=K.STANDING, organizing_unit=my_unit, invitee_rules={"all_members": True})
    with pytest.raises(PermissionDenied):
        services.publish_activity(activity=activity, actor=unit_staff)
    Activity.objects.filter(pk=activity.pk).update(status=S.IN_PROGRESS)
    Participation.objects.create(activity=activity, member=insider)
    with pytest.raises(PermissionDenied):
        services.close_activity(activity=activity, actor=unit_staff)
    with pytest.raises(PermissionDenied):
        services.check_in(activity=activity, member=insider, actor=unit_staff, when=START)
    activity.refresh_from_db()
    assert activity.status == S.IN_PROGRESS
    source = ContentType.objects.get_for_model(Activity)
    assert not DutyRecord.objects.filter(source_type=source, source_id=activity.pk).exists()


# --- invitee rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rules", [{"all_members": True}, {"standing": True}])
def test_unit_staff_cannot_invite_everyone(unit_staff, my_unit, rules):
    with pytest.raises(services.ActivityError) as error:
        create(unit_staff, organizing_unit=my_unit, invitee_rules=rules)
    assert codes(error) == ["invitees_committee_wide"]
    assert text(error).startswith("参加范围：")
    assert not Activity.objects.exists()


def test_unit_staff_invite_only_their_units(unit_staff, my_unit, other_unit):
    with pytest.raises(services.ActivityError) as error:
        create(unit_staff, organizing_unit=my_unit, invitee_rules={"units": [my_unit.pk, other_unit.pk]})
    assert codes(error) == ["invitees_outside_units"]
    assert "提案委员会" in text(error)
    activity = create(unit_staff, organizing_unit=my_unit, invitee_rules={"units": [my_unit.pk]})
    assert activity.invitee_rules["units"] == [my_unit.pk]


def test_unit_staff_name_only_members_of_their_units(unit_staff, my_unit, insider, outsider):
    with pytest.raises(services.ActivityError) as error:
        create(unit_staff, organizing_unit=my_unit, invitee_rules={"members": [insider.pk, outsider.pk]})
    assert codes(error) == ["invitees_outside_members"]
    assert "乙外" in text(error) and "甲内" not in text(error)
    activity = create(unit_staff, organizing_unit=my_unit, invitee_rules={"members": [insider.pk]})
    assert activity.invitee_rules["members"] == [insider.pk]


def test_every_refusal_is_told_at_once(unit_staff, my_unit, other_unit, outsider):
    with pytest.raises(services.ActivityError) as error:
        create(
            unit_staff,
            organizing_unit=my_unit,
            invitee_rules={"standing": True, "units": [other_unit.pk], "members": [outsider.pk]},
        )
    assert codes(error) == ["invitees_committee_wide", "invitees_outside_units", "invitees_outside_members"]


@pytest.fixture
def widened(make_activity, my_unit, other_unit, outsider):
    """The office widened a unit's research trip: all 常委, another committee, a named outsider."""
    return make_activity(
        kind=K.RESEARCH,
        organizing_unit=my_unit,
        invitee_rules={"standing": True, "units": [other_unit.pk], "members": [outsider.pk]},
    )


def test_what_the_office_allowed_stays_valid_when_unit_staff_edit(widened, unit_staff, my_unit, insider):
    stored = widened.invitee_rules
    rules = {**stored, "units": [*stored["units"], my_unit.pk], "members": [*stored["members"], insider.pk]}
    activity = services.update_activity(
        activity=widened, actor=unit_staff, expected_version=1, title="调研（改）", invitee_rules=rules
    )
    assert activity.invitee_rules == normalize_rules(rules)
    assert activity.invitee_rules["standing"] is True


def test_unit_staff_may_narrow_what_the_office_allowed(widened, unit_staff):
    activity = services.set_invitee_rules(activity=widened, rules={}, actor=unit_staff)
    assert activity.invitee_rules == {"all_members": False, "standing": False, "units": [], "members": []}


def test_only_what_unit_staff_add_is_checked(widened, unit_staff, make_member, sector):
    stranger = make_member(name="丙外", sector=sector)
    stored = dict(widened.invitee_rules)
    for added in (
        {"all_members": True},
        {"units": [*stored["units"], sector.pk]},
        {"members": [stranger.pk]},
    ):
        with pytest.raises(services.ActivityError):
            services.set_invitee_rules(activity=widened, rules={**stored, **added}, actor=unit_staff)
        with pytest.raises(services.ActivityError):
            services.update_activity(
                activity=widened, actor=unit_staff, expected_version=1, invitee_rules={**stored, **added}
            )
    widened.refresh_from_db()
    assert (widened.invitee_rules, widened.version) == (stored, 1)


def test_the_office_invites_anyone(make_activity, office, my_unit, other_unit, outsider):
    activity = make_activity(kind=K.RESEARCH, organizing_unit=my_unit)
    rules = {"all_members": True, "units": [other_unit.pk], "members": [outsider.pk]}
    assert services.set_invitee_rules(activity=activity, rules=rules, actor=office).invitee_rules[
        "all_members"
    ]


# --- check-in and the list -------------------------------------------------------------------------


@pytest.fixture
def running(make_activity, my_unit):
    return make_activity(kind=K.COMMITTEE_MEETING, organizing_unit=my_unit, status=S.IN_PROGRESS)


@pytest.mark.parametrize("who", ["unit_staff", "office"])
def test_check_in_is_for_who_is_on_the_list(running, insider, who, request):
    actor = request.getfixturevalue(who)
    with pytest.raises(services.ActivityError) as error:
        services.check_in(activity=running, member=insider, actor=actor, when=START)
    assert codes(error) == ["not_invited"]
    assert not Participation.objects.filter(activity=running).exists()


def test_unit_staff_check_in_an_invitee_the_office_allowed(running, unit_staff, outsider, invite_member):
    invite_member(running, outsider)
    participation = services.check_in(activity=running, member=outsider, actor=unit_staff, when=START)
    assert (participation.status, participation.checked_in_by) == (P.PRESENT, unit_staff)


def test_unit_staff_add_members_of_their_units(running, unit_staff, insider):
    participation = services.add_participant(activity=running, member=insider, actor=unit_staff, when=START)
    assert (participation.status, participation.checked_in_by) == (P.PRESENT, unit_staff)


def test_unit_staff_cannot_add_members_outside_their_units(running, unit_staff, outsider):
    with pytest.raises(services.ActivityError) as error:
        services.add_participant(activity=running, member=outsider, actor=unit_staff, when=START)
    assert codes(error) == ["outside_units"]
    assert text(error).startswith("委员：")
    assert not Participation.objects.filter(activity=running).exists()


def test_the_office_adds_anyone(running, office, outsider):
    services.add_participant(activity=running, member=outsider, actor=office, when=START)
    assert Participation.objects.get(activity=running, member=outsider).status == P.PRESENT


# --- speeches --------------------------------------------------------------------------------------


def test_unit_staff_record_speeches_of_who_is_on_the_list(
    running, unit_staff, insider, outsider, invite_member
):
    with pytest.raises(services.ActivityError) as error:
        services.record_speech(activity=running, member=outsider, kind="oral", title="发言", actor=unit_staff)
    assert codes(error) == ["not_on_list"]
    assert text(error).startswith("委员：")
    invite_member(running, insider)
    services.record_speech(activity=running, member=insider, kind="oral", title="发言", actor=unit_staff)
    assert list(Speech.objects.values_list("member__name", flat=True)) == ["甲内"]
