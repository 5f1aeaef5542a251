"""The activity pages of unit staff (issue 8, finding 2): the form offers only their kinds and units, names
outside their units are refused on the field, what the office allowed survives their edits, and the
participant list takes only members of their units."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.activities.models import Activity, Participation
from lvzhi.activities.selectors import normalize_rules

from .test_staff_views import form_data, page_messages

K = Activity.Kind
S = Activity.Status


@pytest.fixture
def insider(make_member, my_unit):
    return make_member(name="甲内", specials=[my_unit])


@pytest.fixture
def outsider(make_member, other_unit):
    return make_member(name="乙外", specials=[other_unit])


@pytest.fixture
def signed_in(client, unit_staff):
    client.force_login(unit_staff)
    return client


def unit_form(**overrides):
    return form_data(kind=K.RESEARCH.value, title="赴城关镇调研", **overrides)


def test_the_form_offers_only_their_kinds_and_units(signed_in, my_unit, other_unit, sector):
    response = signed_in.get(reverse("activities:new"))
    kinds = [value for value, _label in response.context["form"].fields["kind"].choices if value]
    assert kinds == [k.value for k in K if k not in (K.PLENARY, K.STANDING, K.CHAIRS)]
    rules_form = response.context["rules_form"]
    assert "all_members" not in rules_form.fields and "standing" not in rules_form.fields
    units = [pk for _group, choices in rules_form.fields["units"].choices for pk, _name in choices]
    assert units == [my_unit.pk]
    assert 'name="standing"' not in response.text and 'name="all_members"' not in response.text


def test_the_office_is_offered_everything(client, office, my_unit, other_unit):
    client.force_login(office)
    response = client.get(reverse("activities:new"))
    assert len(response.context["form"].fields["kind"].choices) == len(K) + 1
    rules_form = response.context["rules_form"]
    assert {"all_members", "standing"} <= set(rules_form.fields)
    units = [pk for _group, choices in rules_form.fields["units"].choices for pk, _name in choices]
    assert sorted(units) == sorted([my_unit.pk, other_unit.pk])


def test_a_standing_meeting_posted_anyway_is_refused(signed_in, my_unit):
    response = signed_in.post(
        reverse("activities:new"), form_data(kind="standing", organizing_unit=my_unit.pk)
    )
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_another_units_rule_posted_anyway_is_refused(signed_in, my_unit, other_unit):
    data = unit_form(organizing_unit=my_unit.pk, units=[other_unit.pk])
    response = signed_in.post(reverse("activities:new"), data)
    assert "units" in response.context["rules_form"].errors
    assert not Activity.objects.exists()


def test_a_posted_all_members_rule_is_not_theirs_to_set(signed_in, my_unit, insider):
    data = unit_form(organizing_unit=my_unit.pk, all_members="on", standing="on", units=[my_unit.pk])
    assert signed_in.post(reverse("activities:new"), data).status_code == 302
    rules = Activity.objects.get().invitee_rules
    assert (rules["all_members"], rules["standing"], rules["units"]) == (False, False, [my_unit.pk])


def test_a_name_outside_their_units_is_refused_on_the_field(signed_in, my_unit, insider, outsider):
    response = signed_in.post(
        reverse("activities:new"), unit_form(organizing_unit=my_unit.pk, names="甲内、乙外")
    )
    assert response.context["rules_form"].errors["names"] == [
        "乙外不是本单位的委员，不能邀请；如需邀请请联系办公室。"
    ]
    assert "指定委员：乙外不是本单位的委员" in response.text
    assert not Activity.objects.exists()
    response = signed_in.post(reverse("activities:new"), unit_form(organizing_unit=my_unit.pk, names="甲内"))
    assert response.status_code == 302
    assert Activity.objects.get().invitee_rules["members"] == [insider.pk]


@pytest.fixture
def widened(make_activity, my_unit, other_unit, outsider):
    """A unit's research trip the office widened: all 常委, another committee, a named outsider."""
    return make_activity(
        kind=K.RESEARCH,
        organizing_unit=my_unit,
        invitee_rules={"standing": True, "units": [other_unit.pk], "members": [outsider.pk]},
    )


def test_editing_keeps_what_the_office_allowed(signed_in, widened, my_unit, other_unit, insider, outsider):
    url = reverse("activities:edit", args=[widened.pk])
    rules_form = signed_in.get(url).context["rules_form"]
    assert "standing" in rules_form.fields and "all_members" not in rules_form.fields
    units = [pk for _group, choices in rules_form.fields["units"].choices for pk, _name in choices]
    assert sorted(units) == sorted([my_unit.pk, other_unit.pk])
    assert rules_form.initial["names"] == "乙外"

    data = unit_form(
        organizing_unit=my_unit.pk,
        version=1,
        standing="on",
        units=[other_unit.pk, my_unit.pk],
        names="乙外、甲内",
    )
    assert signed_in.post(url, data).status_code == 302
    widened.refresh_from_db()
    assert widened.title == "赴城关镇调研"
    assert widened.invitee_rules == normalize_rules(
        {"standing": True, "units": [other_unit.pk, my_unit.pk], "members": [outsider.pk, insider.pk]}
    )


def test_the_count_on_the_edit_page_reads_the_stored_rules(signed_in, widened, make_member):
    make_member(standing=True)
    make_member(standing=True)
    url = reverse("activities:invitee_count") + f"?activity={widened.pk}"
    # The two 常委 and the named outsider.
    assert 'data-count="3"' in signed_in.post(url, {"standing": "on", "names": "乙外"}).text


def test_the_count_refuses_an_activity_they_do_not_run(signed_in, make_activity, other_unit):
    theirs = make_activity(kind=K.RESEARCH, organizing_unit=other_unit)
    url = reverse("activities:invitee_count")
    assert signed_in.post(url + f"?activity={theirs.pk}", {}).status_code == 404
    assert signed_in.post(url + "?activity=nonsense", {}).status_code == 404


@pytest.fixture
def running(make_activity, my_unit):
    now = timezone.now()
    return make_activity(
        kind=K.COMMITTEE_MEETING,
        organizing_unit=my_unit,
        status=S.IN_PROGRESS,
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=2),
    )


def test_adding_to_the_list_takes_only_members_of_their_units(signed_in, running, insider, outsider):
    url = reverse("activities:checkin_add", args=[running.pk])
    response = signed_in.post(url, {"name": "乙外"}, follow=True)
    assert "委员：乙外不是本单位的委员，如需添加请联系办公室。" in page_messages(response)
    assert not Participation.objects.filter(activity=running).exists()
    response = signed_in.post(url, {"name": "甲内"}, follow=True)
    assert Participation.objects.get(activity=running).member == insider


def test_a_committee_meeting_of_their_unit_is_not_theirs_to_run(signed_in, make_activity, my_unit):
    standing = make_activity(kind=K.STANDING, organizing_unit=my_unit, status=S.DRAFT)
    # They see it (it names their unit) but neither edit nor publish it.
    assert signed_in.get(reverse("activities:manage", args=[standing.pk])).status_code == 200
    assert signed_in.get(reverse("activities:edit", args=[standing.pk])).status_code == 403
    assert (
        signed_in.post(reverse("activities:publish", args=[standing.pk]), {"version": 1}).status_code == 403
    )
    standing.refresh_from_db()
    assert standing.status == S.DRAFT
