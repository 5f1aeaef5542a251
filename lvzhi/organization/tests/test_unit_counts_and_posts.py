"""Issue 10, defects 11a and 11b: the tree and the unit page count the same members (serving in the current
term), former members are labelled on the unit page, and posts are listed by rank (主任 before 副主任)."""

import pytest
from django.urls import reverse

from lvzhi.factories import MemberFactory, MembershipFactory, MemberTermFactory, OrgUnitFactory
from lvzhi.members.models import MemberTerm
from lvzhi.organization.models import POSITION_RANK, Membership, OrgUnit


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def place(term, name, sector, status=MemberTerm.Status.SERVING):
    member = MemberFactory(committee=term.committee, name=name)
    MemberTermFactory(member=member, term=term, sector=sector, status=status)
    return member


def test_the_tree_and_the_unit_page_count_the_same_and_label_former_members(office_client, term):
    sector = OrgUnitFactory(committee=term.committee, kind=OrgUnit.Kind.SECTOR, name="教育界")
    place(term, "张三", sector)
    place(term, "李四", sector)
    place(term, "王五", sector, status=MemberTerm.Status.RESIGNED)

    tree = office_client.get(reverse("organization:index"))
    counted = {u.name: u.member_count for g in tree.context["groups"] for u in g["units"]}
    page = office_client.get(reverse("organization:unit_detail", args=[sector.pk]))
    assert counted["教育界"] == 2
    assert sorted(m.name for m in page.context["members"]) == ["张三", "李四"]
    assert [m.name for m in page.context["former_members"]] == ["王五"]
    html = page.content.decode()
    serving_part, former_part = html.split('id="unit-former-members"')
    assert "王五" not in serving_part
    assert "王五" in former_part and "已离任" in former_part and "辞去" in former_part


def test_posts_are_listed_by_rank_then_name(office_client, term, my_unit):
    for name, position in [
        ("甲副主任", Membership.Position.DEPUTY_DIRECTOR),
        ("乙成员", Membership.Position.MEMBER),
        ("丙主任", Membership.Position.DIRECTOR),
        ("丁召集人", Membership.Position.CONVENER),
        ("丁副主任", Membership.Position.DEPUTY_DIRECTOR),
    ]:
        MembershipFactory(
            unit=my_unit, member=MemberFactory(committee=term.committee, name=name), position=position
        )
    page = office_client.get(reverse("organization:unit_detail", args=[my_unit.pk]))
    positions = [m.position for m in page.context["memberships"]]
    assert positions == ["director", "deputy_director", "deputy_director", "convener", "member"]
    html = page.content.decode()
    assert (
        html.index("丙主任") < html.index("丁副主任") < html.index("甲副主任")
    )  # 丁 (2 strokes) before 甲 (5)


def test_every_position_has_a_rank():
    assert set(POSITION_RANK) == set(Membership.Position.values)
