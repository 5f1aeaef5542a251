import datetime

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import (
    DepartmentFactory,
    LiaisonContactFactory,
    LiaisonFactory,
    MemberFactory,
    MembershipFactory,
    MemberTermFactory,
    OrgUnitFactory,
    TermFactory,
)
from lvzhi.members.models import MemberTerm
from lvzhi.organization.models import (
    Department,
    Liaison,
    LiaisonContact,
    Membership,
    OrgUnit,
    Session,
    Term,
)

Kind = OrgUnit.Kind


def audited(action, obj, actor):
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label, object_id=str(obj.pk), actor=actor
    ).exists()


def place(term, *, name=None, sector=None, town=None, specials=(), status=MemberTerm.Status.SERVING):
    kwargs = {"name": name} if name else {}
    member = MemberFactory(committee=term.committee, **kwargs)
    row = MemberTermFactory(member=member, term=term, sector=sector, town_committee=town, status=status)
    row.special_committees.set(specials)
    return member


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


@pytest.fixture
def sector(committee):
    return OrgUnitFactory(committee=committee, kind=Kind.SECTOR, name="教育界")


@pytest.fixture
def town(committee):
    return OrgUnitFactory(committee=committee, kind=Kind.TOWN_COMMITTEE, name="城关镇工委")


@pytest.fixture
def department(committee):
    return DepartmentFactory(committee=committee, name="县教育局")


# --- the tree and the unit page -------------------------------------------------------------------


def test_the_index_groups_units_by_kind_with_member_counts(office_client, term, my_unit, sector, town):
    group = OrgUnitFactory(committee=term.committee, kind=Kind.MEMBER_GROUP, name="城关一组", parent=town)
    place(term, sector=sector, specials=[my_unit])
    place(term, sector=sector, town=town, specials=[my_unit])
    place(term, sector=sector, status=MemberTerm.Status.RESIGNED)
    old = TermFactory(committee=term.committee, number=8, name="第八届", is_current=False)
    MemberTermFactory(member=MemberFactory(committee=term.committee), term=old, sector=sector)

    response = office_client.get(reverse("organization:index"))
    assert response.status_code == 200
    tree = [(g["kind"], [(u.name, u.member_count) for u in g["units"]]) for g in response.context["groups"]]
    assert tree == [
        (Kind.SPECIAL_COMMITTEE, [("经济委员会", 2)]),
        (Kind.SECTOR, [("教育界", 2)]),
        (Kind.TOWN_COMMITTEE, [("城关镇工委", 1)]),
    ]
    html = response.content.decode()
    assert reverse("organization:unit_detail", args=[group.pk]) in html  # shown under its parent
    assert "城关一组" in html


def test_the_index_shows_nothing_of_another_committee(office_client, term, my_unit, other_committee):
    OrgUnitFactory(committee=other_committee, kind=Kind.SECTOR, name="邻县界别")
    TermFactory(committee=other_committee, name="邻县届")
    html = office_client.get(reverse("organization:index")).content.decode()
    assert "经济委员会" in html
    assert "邻县界别" not in html
    assert "邻县届" not in html


def test_the_unit_page_shows_posts_members_and_liaisons(office_client, term, my_unit, department, town):
    director = place(term, name="张三", specials=[my_unit])
    place(term, name="李四", specials=[my_unit])
    MembershipFactory(unit=my_unit, member=director, position=Membership.Position.DIRECTOR)
    MembershipFactory(
        unit=my_unit,
        member=MemberFactory(committee=term.committee, name="王五"),
        end_date=datetime.date(2020, 1, 1),
    )
    liaison = LiaisonFactory(committee=term.committee, unit=my_unit, department=department)
    LiaisonContactFactory(liaison=liaison, topic="教育经费座谈")
    LiaisonFactory(committee=term.committee, unit=my_unit, department=None, target_unit=town)

    response = office_client.get(reverse("organization:unit_detail", args=[my_unit.pk]))
    assert response.status_code == 200
    assert [(m.member.name, m.position) for m in response.context["memberships"]] == [("张三", "director")]
    assert sorted(m.name for m in response.context["members"]) == ["张三", "李四"]
    assert {str(link.target) for link in response.context["liaisons"]} == {"县教育局", "城关镇工委"}
    html = response.content.decode()
    assert "县教育局" in html
    assert "教育经费座谈" in html
    assert "王五" not in html  # a post that ended is not shown


# --- units ------------------------------------------------------------------------------------------


def unit_data(**overrides):
    return {
        "kind": Kind.SECTOR,
        "name": "科技界",
        "short_name": "",
        "sort_order": "0",
        "is_active": "on",
    } | overrides


def test_office_creates_a_unit(office_client, office, committee):
    response = office_client.post(reverse("organization:unit_create"), unit_data())
    unit = OrgUnit.objects.get(name="科技界")
    assert response.status_code == 302
    assert response.url == reverse("organization:unit_detail", args=[unit.pk])
    assert (unit.committee, unit.kind) == (committee, Kind.SECTOR)
    assert audited("create", unit, office)


def test_a_duplicate_unit_name_of_the_same_kind_is_refused(office_client, sector):
    response = office_client.post(reverse("organization:unit_create"), unit_data(name="教育界"))
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert OrgUnit.objects.filter(name="教育界").count() == 1
    assert not AuditEvent.objects.filter(action="create").exists()


def test_the_same_name_of_another_kind_is_allowed(office_client, sector):
    office_client.post(reverse("organization:unit_create"), unit_data(name="教育界", kind=Kind.MEMBER_GROUP))
    assert OrgUnit.objects.filter(name="教育界").count() == 2


def test_the_same_name_in_another_committee_does_not_clash(office_client, other_committee):
    OrgUnitFactory(committee=other_committee, kind=Kind.SECTOR, name="科技界")
    assert office_client.post(reverse("organization:unit_create"), unit_data()).status_code == 302


def test_office_edits_a_unit(office_client, office, sector):
    response = office_client.post(
        reverse("organization:unit_edit", args=[sector.pk]), unit_data(name="教育界别", description="说明")
    )
    assert response.status_code == 302
    sector.refresh_from_db()
    assert (sector.name, sector.description) == ("教育界别", "说明")
    event = AuditEvent.objects.get(action="update", object_id=str(sector.pk))
    assert event.actor == office
    assert set(event.detail["fields"]) == {"name", "description"}


def test_a_unit_cannot_be_its_own_ancestor(office_client, committee, town):
    child = OrgUnitFactory(committee=committee, kind=Kind.MEMBER_GROUP, name="一组", parent=town)
    grandchild = OrgUnitFactory(committee=committee, kind=Kind.MEMBER_GROUP, name="一组一小组", parent=child)
    url = reverse("organization:unit_edit", args=[town.pk])
    for parent in (child, grandchild):
        data = unit_data(kind=Kind.TOWN_COMMITTEE, name="城关镇工委", parent=str(parent.pk))
        response = office_client.post(url, data)
        assert response.status_code == 200
        assert "parent" in response.context["form"].errors
    self_parent = office_client.post(
        url, unit_data(kind=Kind.TOWN_COMMITTEE, name="城关镇工委", parent=town.pk)
    )
    assert "parent" in self_parent.context["form"].errors
    town.refresh_from_db()
    assert town.parent is None


def test_a_parent_of_another_committee_is_refused(office_client, sector, other_committee):
    foreign = OrgUnitFactory(committee=other_committee, kind=Kind.SECTOR, name="邻县界别")
    response = office_client.post(
        reverse("organization:unit_edit", args=[sector.pk]), unit_data(parent=foreign.pk)
    )
    assert "parent" in response.context["form"].errors
    sector.refresh_from_db()
    assert sector.parent is None


# --- departments ------------------------------------------------------------------------------------


def department_data(**overrides):
    return {"name": "县卫健局", "kind": Department.Kind.GOVERNMENT, "is_active": "on"} | overrides


def test_office_creates_and_edits_a_department(office_client, office, committee):
    response = office_client.post(reverse("organization:department_create"), department_data())
    department = Department.objects.get(name="县卫健局")
    assert response.status_code == 302
    assert department.committee == committee
    assert audited("create", department, office)
    office_client.post(
        reverse("organization:department_edit", args=[department.pk]),
        department_data(contact_person="王科长"),
    )
    department.refresh_from_db()
    assert department.contact_person == "王科长"
    assert audited("update", department, office)
    assert "县卫健局" in office_client.get(reverse("organization:departments")).content.decode()


def test_a_duplicate_department_is_refused(office_client, department):
    response = office_client.post(
        reverse("organization:department_create"), department_data(name=" 县教育局 ")
    )
    assert "name" in response.context["form"].errors
    assert Department.objects.filter(name="县教育局").count() == 1


def test_renaming_a_department_to_an_existing_name_is_refused(office_client, department, committee):
    other = DepartmentFactory(committee=committee, name="县财政局")
    response = office_client.post(
        reverse("organization:department_edit", args=[other.pk]), department_data(name="县教育局")
    )
    assert "name" in response.context["form"].errors
    other.refresh_from_db()
    assert other.name == "县财政局"


# --- terms and sessions -----------------------------------------------------------------------------


def term_data(**overrides):
    return {"number": "10", "name": "第十届", "start_date": "2030-01-08"} | overrides


def test_office_creates_a_term(office_client, office, term):
    response = office_client.post(reverse("organization:term_create"), term_data())
    new = Term.objects.get(number=10)
    assert response.status_code == 302
    assert (new.committee, new.is_current) == (term.committee, False)
    assert audited("create", new, office)


def test_only_one_term_is_current(office_client, term):
    response = office_client.post(reverse("organization:term_create"), term_data(is_current="on"))
    assert "is_current" in response.context["form"].errors
    assert list(Term.objects.values_list("number", flat=True)) == [9]


def test_editing_the_current_term_keeps_it_current(office_client, office, term):
    response = office_client.post(
        reverse("organization:term_edit", args=[term.pk]),
        term_data(number="9", name="第九届委员会", start_date="2025-01-08", is_current="on"),
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.name, term.is_current) == ("第九届委员会", True)
    assert audited("update", term, office)


def test_a_duplicate_term_number_is_refused(office_client, term):
    response = office_client.post(reverse("organization:term_create"), term_data(number="9"))
    assert "number" in response.context["form"].errors
    assert Term.objects.count() == 1


def test_office_creates_and_edits_a_session(office_client, office, term):
    data = {"term": term.pk, "number": "1", "name": "第一次会议", "start_date": "2025-01-08"}
    assert office_client.post(reverse("organization:session_create"), data).status_code == 302
    session = Session.objects.get(term=term)
    assert audited("create", session, office)
    office_client.post(reverse("organization:session_edit", args=[session.pk]), data | {"name": "一次会议"})
    session.refresh_from_db()
    assert session.name == "一次会议"
    assert audited("update", session, office)
    assert "一次会议" in office_client.get(reverse("organization:index")).content.decode()


def test_a_session_of_another_committees_term_is_refused(office_client, term, other_committee):
    foreign = TermFactory(committee=other_committee)
    data = {"term": foreign.pk, "number": "1", "name": "第一次会议", "start_date": "2025-01-08"}
    response = office_client.post(reverse("organization:session_create"), data)
    assert "term" in response.context["form"].errors
    assert not Session.objects.exists()


# --- counterpart liaison ----------------------------------------------------------------------------


def liaison_url(unit):
    return reverse("organization:liaison_create", args=[unit.pk])


def test_office_links_a_special_committee_to_a_department(office_client, office, my_unit, department):
    response = office_client.post(liaison_url(my_unit), {"department": department.pk, "note": "对口"})
    liaison = Liaison.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("organization:liaison_detail", args=[liaison.pk])
    assert (liaison.unit, liaison.department, liaison.target_unit) == (my_unit, department, None)
    assert liaison.committee == my_unit.committee
    assert audited("create", liaison, office)


def test_office_links_a_special_committee_to_a_town_committee(office_client, my_unit, town):
    office_client.post(liaison_url(my_unit), {"target_unit": town.pk})
    assert Liaison.objects.get().target_unit == town


@pytest.mark.parametrize("both", [True, False])
def test_a_liaison_needs_exactly_one_target(office_client, my_unit, department, town, both):
    data = {"department": department.pk, "target_unit": town.pk} if both else {"note": "无对象"}
    response = office_client.post(liaison_url(my_unit), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Liaison.objects.exists()


def test_a_duplicate_liaison_is_refused(office_client, my_unit, department, town):
    LiaisonFactory(committee=my_unit.committee, unit=my_unit, department=department)
    LiaisonFactory(committee=my_unit.committee, unit=my_unit, department=None, target_unit=town)
    first = office_client.post(liaison_url(my_unit), {"department": department.pk})
    second = office_client.post(liaison_url(my_unit), {"target_unit": town.pk})
    assert "department" in first.context["form"].errors
    assert "target_unit" in second.context["form"].errors
    assert Liaison.objects.count() == 2


def test_another_special_committee_may_link_to_the_same_department(
    office_client, my_unit, other_unit, department
):
    LiaisonFactory(committee=my_unit.committee, unit=my_unit, department=department)
    assert office_client.post(liaison_url(other_unit), {"department": department.pk}).status_code == 302
    assert Liaison.objects.count() == 2


def test_only_a_special_committee_has_liaisons(office_client, sector, department):
    assert office_client.get(liaison_url(sector)).status_code == 403
    assert office_client.post(liaison_url(sector), {"department": department.pk}).status_code == 403
    assert not Liaison.objects.exists()


def test_a_department_of_another_committee_cannot_be_linked(office_client, my_unit, other_committee):
    foreign = DepartmentFactory(committee=other_committee, name="邻县教育局")
    response = office_client.post(liaison_url(my_unit), {"department": foreign.pk})
    assert "department" in response.context["form"].errors
    assert not Liaison.objects.exists()


@pytest.mark.parametrize("role", [Role.OFFICE, Role.UNIT_STAFF])
def test_staff_log_a_liaison_contact(client, make_user, my_unit, department, role):
    user = make_user(role, units=[my_unit])
    liaison = LiaisonFactory(committee=my_unit.committee, unit=my_unit, department=department)
    client.force_login(user)
    url = reverse("organization:liaison_detail", args=[liaison.pk])
    data = {
        "date": "2026-04-01",
        "participants": "主任、局长",
        "topic": "双减落实情况",
        "follow_up": "下月回访",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    contact = LiaisonContact.objects.get()
    assert (contact.liaison, contact.recorded_by, contact.topic) == (liaison, user, "双减落实情况")
    assert audited("create", contact, user)
    html = client.get(url).content.decode()
    assert "双减落实情况" in html
    assert "下月回访" in html


def test_a_contact_without_a_topic_is_refused(office_client, my_unit, department):
    liaison = LiaisonFactory(committee=my_unit.committee, unit=my_unit, department=department)
    url = reverse("organization:liaison_detail", args=[liaison.pk])
    response = office_client.post(url, {"date": "2026-04-01", "participants": "主任"})
    assert response.status_code == 200
    assert "topic" in response.context["form"].errors
    assert not LiaisonContact.objects.exists()


# --- posts (memberships) ----------------------------------------------------------------------------


def test_office_adds_and_removes_a_post(office_client, office, term, my_unit):
    member = place(term, name="张三", specials=[my_unit])
    response = office_client.post(
        reverse("organization:membership_create", args=[my_unit.pk]),
        {"member": member.pk, "position": Membership.Position.DIRECTOR, "start_date": "2025-01-08"},
    )
    assert response.status_code == 302
    post = Membership.objects.get()
    assert (post.unit, post.member, post.position) == (my_unit, member, "director")
    assert audited("create", post, office)
    detail = office_client.get(reverse("organization:unit_detail", args=[my_unit.pk]))
    assert [m.member.name for m in detail.context["memberships"]] == ["张三"]

    post_pk = post.pk
    response = office_client.post(reverse("organization:membership_delete", args=[post_pk]))
    assert response.status_code == 302
    assert response.url == reverse("organization:unit_detail", args=[my_unit.pk])
    assert not Membership.objects.exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(post_pk), actor=office).exists()


def test_a_post_ending_before_it_starts_is_refused(office_client, term, my_unit):
    member = place(term, specials=[my_unit])
    response = office_client.post(
        reverse("organization:membership_create", args=[my_unit.pk]),
        {"member": member.pk, "position": "member", "start_date": "2025-01-08", "end_date": "2024-01-08"},
    )
    assert "end_date" in response.context["form"].errors
    assert not Membership.objects.exists()


def test_a_member_of_another_committee_cannot_get_a_post(office_client, my_unit, other_committee):
    foreign = MemberFactory(committee=other_committee, name="邻县委员")
    response = office_client.post(
        reverse("organization:membership_create", args=[my_unit.pk]),
        {"member": foreign.pk, "position": "member"},
    )
    assert "member" in response.context["form"].errors
    assert not Membership.objects.exists()


def test_removing_a_post_needs_post(office_client, my_unit):
    post = MembershipFactory(unit=my_unit)
    assert office_client.get(reverse("organization:membership_delete", args=[post.pk])).status_code == 405
    assert Membership.objects.exists()


# --- query counts -----------------------------------------------------------------------------------


def build_structure(committee, term, n):
    """n sectors, n town committees each with a member group, n sections of the office, n departments
    each liaised by a special committee with a contact, n sessions, and members placed in all of them."""
    office = OrgUnit.objects.get_or_create(committee=committee, kind=Kind.OFFICE, name="办公室")[0]
    for _ in range(n):
        OrgUnitFactory(committee=committee, kind=Kind.OFFICE, parent=office)
        sector = OrgUnitFactory(committee=committee, kind=Kind.SECTOR)
        town = OrgUnitFactory(committee=committee, kind=Kind.TOWN_COMMITTEE)
        OrgUnitFactory(committee=committee, kind=Kind.MEMBER_GROUP, parent=town)
        special = OrgUnitFactory(committee=committee, kind=Kind.SPECIAL_COMMITTEE)
        place(term, sector=sector, town=town, specials=[special])
        department = DepartmentFactory(committee=committee)
        liaison = LiaisonFactory(committee=committee, unit=special, department=department)
        LiaisonContactFactory(liaison=liaison)
        number = term.sessions.count() + 1
        term.sessions.create(number=number, name=f"第{number}次会议", start_date=datetime.date(2025, 1, 8))


def queries_for(client, url):
    with capture_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return queries


@pytest.mark.parametrize("route", ["organization:index", "organization:departments", "organization:liaisons"])
def test_the_number_of_queries_does_not_grow_with_the_structure(office_client, committee, term, route):
    url = reverse(route)
    build_structure(committee, term, 2)
    office_client.get(url)  # warm caches outside the measurement
    small = queries_for(office_client, url)
    build_structure(committee, term, 12)
    large = queries_for(office_client, url)
    assert_same_query_count(small, large)
