"""A member's place in a term (界别, 镇区工委, 专委会, 常委, status) is written by one writer,
services.TermPlacements, whichever way it comes: the member form, the roster import or the demo; and the
place of a new member is in the file's history and in the audit log like any later change."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory, OrgUnitFactory, TermFactory, valid_id_number
from lvzhi.members import roster_import, services
from lvzhi.members.models import Member, MemberChange, MemberTerm
from lvzhi.members.tests.test_roster_import import HEADER, id_for, make_units, person, xlsx
from lvzhi.organization.models import OrgUnit


@pytest.fixture
def units(committee):
    return make_units(committee)


def file_data(name="李四", *, with_id=True):
    birth = datetime.date(1975, 3, 1)
    return {
        "name": name,
        "gender": Member.Gender.MALE,
        "birth_date": birth,
        "id_number": valid_id_number(birth, male=True) if with_id else "",
        "party": Member.Party.NON_PARTY,
    }


def place(units, **overrides):
    values = {
        "sector": units["教育界"],
        "town_committee": units["城关镇"],
        "special_committees": [units["经济委员会"], units["提案委员会"]],
        "is_standing": True,
        "status": MemberTerm.Status.SERVING,
        "status_date": None,
        "status_reason": "",
    }
    return values | overrides


def history(member):
    return {c["field"]: c["new"] for c in MemberChange.objects.get(member=member).changes}


def test_a_new_members_place_is_in_the_history_and_the_audit(committee, term, units, office):
    member = services.create_member(
        committee=committee, data=file_data(), actor=office, term=term, term_values=place(units)
    )
    recorded = history(member)
    assert recorded["name"] == "李四"
    assert recorded["term.sector"] == "教育界"
    assert recorded["term.town_committee"] == "城关镇政协工委"
    assert recorded["term.special_committees"] == "提案委员会、经济委员会"
    assert "term.is_standing" in recorded and "term.status" in recorded
    label = next(
        c["label"] for c in MemberChange.objects.get(member=member).changes if c["field"] == "term.sector"
    )
    assert label.startswith(term.name)
    event = AuditEvent.objects.get(action="create", object_id=str(member.pk))
    assert {"name", "term.sector", "term.special_committees"} <= set(event.detail["fields"])


def test_the_member_form_places_a_new_member_with_history(client, office, term, units):
    client.force_login(office)
    data = {
        "name": "李四",
        "gender": "male",
        "birth_date": "1975-03-01",
        "id_number": valid_id_number(datetime.date(1975, 3, 1), male=True),
        "party": "non_party",
        "term-sector": str(units["经济界"].pk),
        "term-special_committees": [str(units["提案委员会"].pk)],
        "term-status": MemberTerm.Status.SERVING,
    }
    assert client.post(reverse("members:create"), data).status_code == 302
    member = Member.objects.get(name="李四")
    assert MemberTerm.objects.get(member=member).sector == units["经济界"]
    recorded = history(member)
    assert (recorded["term.sector"], recorded["term.special_committees"]) == ("经济界", "提案委员会")


def test_a_new_member_with_every_default_is_still_placed_in_the_term(committee, term, office):
    values = {"sector": None, "town_committee": None, "special_committees": [], "is_standing": False}
    member = services.create_member(
        committee=committee, data=file_data(), actor=office, term=term, term_values=values
    )
    row = MemberTerm.objects.get(member=member)
    assert (row.term, row.status) == (term, MemberTerm.Status.SERVING)
    assert "term.status" in history(member)


def test_an_imported_new_members_place_is_in_the_history_as_the_form_writes_it(
    committee, other_committee, term, units, office, make_user
):
    row = person("张三", id_number=id_for(seq=11), 专委会="经济委员会、提案委员会", 是否常委="是")
    table = roster_import.read_roster(xlsx([HEADER, row]), "名单.xlsx")
    plan = roster_import.plan_import(committee=committee, table=table)
    roster_import.apply_import(committee=committee, plan=plan, actor=office)
    imported = Member.objects.get(committee=committee)
    recorded = history(imported)
    assert recorded["term.sector"] == "教育界"
    assert recorded["term.special_committees"] == "提案委员会、经济委员会"
    # The same file and place typed into the form of another committee: the same history.
    other_units = make_units(other_committee)
    other_term = TermFactory(committee=other_committee)
    typed = services.create_member(
        committee=other_committee,
        data={name: getattr(imported, name) for name in roster_import.MEMBER_FIELDS},
        actor=make_user(Role.OFFICE, committee=other_committee, username="other-office"),
        term=other_term,
        term_values=place(other_units),
    )
    imported_changes = MemberChange.objects.get(member=imported).changes
    assert imported_changes == MemberChange.objects.get(member=typed).changes
    batch = AuditEvent.objects.get(action="create", committee_id=committee.pk)
    assert batch.detail["member_ids"] == [imported.pk]
    assert batch.detail["placed"] == 1


def test_an_import_and_the_form_write_the_same_row(committee, term, units, office):
    """Changing a member's place by import is the same write as by the form: the row, the history."""
    member = services.create_member(
        committee=committee,
        data=file_data("张三", with_id=False),
        actor=office,
        term=term,
        term_values=place(units, is_standing=False, special_committees=[]),
    )
    row = person("张三", id_number="", 界别="经济界", 专委会="教科卫体委员会")
    plan = roster_import.plan_import(
        committee=committee, table=roster_import.read_roster(xlsx([HEADER, row]), "名单.xlsx")
    )
    roster_import.apply_import(committee=committee, plan=plan, actor=office)
    placed = MemberTerm.objects.get(member=member)
    assert (placed.sector, list(placed.special_committees.all())) == (
        units["经济界"],
        [units["教科卫体委员会"]],
    )
    change = MemberChange.objects.filter(member=member).first()
    assert change.source == MemberChange.Source.IMPORT
    fields = {c["field"]: (c["old"], c["new"]) for c in change.changes}
    assert fields["term.sector"] == ("教育界", "经济界")
    assert fields["term.special_committees"] == ("", "教科卫体委员会")


@pytest.mark.parametrize("who", ["unit staff", "another committee's office"])
def test_only_the_office_of_the_committee_creates_member_files(
    committee, other_committee, term, make_user, my_unit, who
):
    actor = (
        make_user(Role.UNIT_STAFF, units=[my_unit])
        if who == "unit staff"
        else make_user(Role.OFFICE, committee=other_committee, username="other-office")
    )
    with pytest.raises(PermissionDenied):
        services.create_member(
            committee=committee, data=file_data(), actor=actor, term=term, term_values={"is_standing": True}
        )
    with pytest.raises(PermissionDenied):
        services.create_members(committee=committee, rows=[file_data()], actor=actor)
    assert not Member.objects.exists()
    assert not MemberTerm.objects.exists()


def test_an_edit_that_changes_only_the_place_writes_the_row_and_history(committee, term, units, office):
    member = MemberFactory(committee=committee, name="王五")
    before = services.snapshot(member)
    services.update_member(
        member=member,
        before=before,
        expected_version=member.version,
        actor=office,
        term=term,
        term_values=place(units, special_committees=[units["经济委员会"]]),
    )
    row = MemberTerm.objects.get(member=member, term=term)
    assert list(row.special_committees.all()) == [units["经济委员会"]]
    assert history(member)["term.special_committees"] == "经济委员会"
    assert Member.objects.get(pk=member.pk).version == 2


def test_an_edit_of_a_member_without_a_place_and_no_change_places_nobody(committee, term, office):
    # A member who left in an earlier term keeps no place in this one when the office saves the file.
    member = MemberFactory(committee=committee, name="赵六")
    before = services.snapshot(member)
    member.notes = "已调离"
    services.update_member(
        member=member,
        before=before,
        expected_version=member.version,
        actor=office,
        term=term,
        term_values={"sector": None, "town_committee": None, "special_committees": [], "is_standing": False},
    )
    assert not MemberTerm.objects.filter(member=member).exists()
    assert set(history(member)) == {"notes"}


def test_units_of_another_committee_are_refused(committee, other_committee, term, office):
    foreign = OrgUnitFactory(committee=other_committee, kind=OrgUnit.Kind.SECTOR, name="外县界别")
    with pytest.raises(PermissionDenied):
        services.create_member(
            committee=committee,
            data=file_data(),
            actor=office,
            term=term,
            term_values={"sector": foreign},
        )
    assert not Member.objects.exists()
