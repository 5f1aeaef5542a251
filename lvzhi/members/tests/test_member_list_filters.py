"""Issue 10, defect 11c: the member list's filters offer unit staff the units they staff, not every
sector and town committee of the committee; committee-wide users keep them all."""

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.factories import OrgUnitFactory
from lvzhi.organization.models import OrgUnit

Kind = OrgUnit.Kind


@pytest.fixture
def units(committee):
    made = {}
    for name in ("教育界", "经济界", "医药卫生界"):
        made[name] = OrgUnitFactory(committee=committee, kind=Kind.SECTOR, name=name)
    for name in ("城关镇工委", "东关镇工委"):
        made[name] = OrgUnitFactory(committee=committee, kind=Kind.TOWN_COMMITTEE, name=name)
    made["经济委员会"] = OrgUnitFactory(committee=committee, kind=Kind.SPECIAL_COMMITTEE, name="经济委员会")
    return made


def choices(response, field):
    form = response.context["form"]
    if field not in form.fields:
        return None
    return [unit.name for unit in form.fields[field].queryset]


def test_unit_staff_are_offered_only_the_units_they_staff(client, make_user, units):
    client.force_login(make_user(Role.UNIT_STAFF, units=[units["教育界"], units["城关镇工委"]]))
    response = client.get(reverse("members:list"))
    assert choices(response, "sector") == ["教育界"]
    assert choices(response, "town_committee") == ["城关镇工委"]
    assert choices(response, "special_committee") is None  # none staffed: no empty filter either
    html = response.content.decode()
    assert "经济界" not in html and "东关镇工委" not in html


def test_a_unit_out_of_scope_is_not_a_valid_filter(client, make_user, units):
    client.force_login(make_user(Role.UNIT_STAFF, units=[units["教育界"]]))
    response = client.get(reverse("members:list"), {"sector": units["经济界"].pk})
    assert "sector" in response.context["form"].errors


def test_committee_wide_users_keep_every_unit(client, office, units):
    client.force_login(office)
    response = client.get(reverse("members:list"))
    assert sorted(choices(response, "sector")) == sorted(["教育界", "经济界", "医药卫生界"])
    assert sorted(choices(response, "town_committee")) == sorted(["城关镇工委", "东关镇工委"])
    assert choices(response, "special_committee") == ["经济委员会"]


def test_the_export_form_is_limited_the_same_way(client, make_user, units):
    client.force_login(make_user(Role.UNIT_STAFF, units=[units["教育界"]]))
    response = client.get(reverse("members:export"))
    assert choices(response, "sector") == ["教育界"]
