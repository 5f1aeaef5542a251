"""Invitee rules, resolve_invitees and the invitations publish sends."""

import pytest

from lvzhi.activities import services
from lvzhi.activities.models import Participation
from lvzhi.activities.selectors import normalize_rules, resolve_invitees
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import MemberFactory, MemberTermFactory, TermFactory


@pytest.fixture
def people(make_member, sector, town, my_unit):
    return {
        "standing": make_member(standing=True),
        "teacher": make_member(sector=sector),
        "townsman": make_member(town=town),
        "economist": make_member(specials=[my_unit]),
        "plain": make_member(),
        "resigned_standing": make_member(standing=True, status="resigned"),
    }


def invited(activity):
    return set(resolve_invitees(activity))


def test_all_members_means_every_serving_member(make_activity, people):
    activity = make_activity(invitee_rules={"all_members": True})
    assert invited(activity) == {m for k, m in people.items() if k != "resigned_standing"}


def test_all_standing_committee_members(make_activity, people):
    assert invited(make_activity(invitee_rules={"standing": True})) == {people["standing"]}


@pytest.mark.parametrize("unit,who", [("sector", "teacher"), ("town", "townsman"), ("my_unit", "economist")])
def test_a_unit_invites_its_members(make_activity, people, request, unit, who):
    unit = request.getfixturevalue(unit)
    assert invited(make_activity(invitee_rules={"units": [unit.pk]})) == {people[who]}


def test_named_members_and_rules_combine(make_activity, people, sector):
    activity = make_activity(
        invitee_rules={"standing": True, "units": [sector.pk], "members": [people["plain"].pk]}
    )
    assert invited(activity) == {people["standing"], people["teacher"], people["plain"]}


def test_no_rule_invites_nobody(make_activity, people):
    assert invited(make_activity(invitee_rules={})) == set()


def test_named_members_must_be_serving_in_this_committee(make_activity, people, other_committee):
    stranger = MemberFactory(committee=other_committee)
    MemberTermFactory(member=stranger, term=TermFactory(committee=other_committee))
    activity = make_activity(invitee_rules={"members": [people["resigned_standing"].pk, stranger.pk]})
    assert invited(activity) == set()


def test_a_member_of_a_past_term_only_is_not_invited(make_activity, committee, make_member):
    old_term = TermFactory(committee=committee, number=8, name="第八届", is_current=False)
    former = MemberFactory(committee=committee)
    MemberTermFactory(member=former, term=old_term, is_standing=True)
    assert invited(make_activity(invitee_rules={"standing": True})) == set()


def test_unknown_rules_are_refused():
    with pytest.raises(ValueError):
        normalize_rules({"everyone": True})


def test_publish_invites_and_a_rerun_adds_only_the_new(office, make_activity, people, make_member):
    activity = make_activity(invitee_rules={"standing": True})
    services.publish_activity(activity=activity, actor=office)
    assert set(Participation.objects.filter(activity=activity).values_list("member", flat=True)) == {
        people["standing"].pk
    }
    Participation.objects.filter(activity=activity).update(status=Participation.Status.CONFIRMED)
    newcomer = make_member(standing=True)
    activity.refresh_from_db()
    created = services.invite(activity=activity, actor=office)
    assert [p.member_id for p in created] == [newcomer.pk]
    assert services.invite(activity=activity, actor=office) == []
    statuses = dict(Participation.objects.filter(activity=activity).values_list("member", "status"))
    assert statuses == {people["standing"].pk: "confirmed", newcomer.pk: "invited"}


def test_changing_the_rules_then_inviting_adds_the_new_units(office, make_activity, people, sector):
    activity = make_activity(invitee_rules={"standing": True})
    services.publish_activity(activity=activity, actor=office)
    activity = services.set_invitee_rules(activity=activity, rules={"units": [sector.pk]}, actor=office)
    services.invite(activity=activity, actor=office)
    members = set(Participation.objects.filter(activity=activity).values_list("member", flat=True))
    assert members == {people["standing"].pk, people["teacher"].pk}


def test_a_draft_sends_no_invitations(office, make_activity, people):
    activity = make_activity(invitee_rules={"all_members": True})
    with pytest.raises(services.ActivityError):
        services.invite(activity=activity, actor=office)


def _publish_queries(office, make_activity, make_member, sector, n):
    for i in range(n):
        make_member(standing=i % 2 == 0, sector=sector if i % 3 == 0 else None)
    activity = make_activity(invitee_rules={"standing": True, "units": [sector.pk]})
    office.unit_ids()  # warm the per-user cache, as a request would
    with capture_queries() as queries:
        services.publish_activity(activity=activity, actor=office)
    return queries, Participation.objects.filter(activity=activity).count()


def test_publishing_takes_the_same_queries_for_5_and_50_members(
    office, make_activity, make_member, sector, committee
):
    small, small_count = _publish_queries(office, make_activity, make_member, sector, 5)
    Participation.objects.all().delete()
    large, large_count = _publish_queries(office, make_activity, make_member, sector, 50)
    assert large_count > small_count > 0
    assert_same_query_count(small, large)
