import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from lvzhi.accounts.roles import Role
from lvzhi.core import masking
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import MemberFactory, MemberTermFactory, OrgUnitFactory, TermFactory
from lvzhi.members import views
from lvzhi.members.models import MemberTerm
from lvzhi.organization.models import OrgUnit

URL = reverse("members:list")


def serving_member(term, *, sector=None, town=None, specials=(), standing=False, status="serving", **kwargs):
    """A member of the term's committee placed in the term as given."""
    member = MemberFactory(committee=term.committee, **kwargs)
    row = MemberTermFactory(
        member=member, term=term, sector=sector, town_committee=town, is_standing=standing, status=status
    )
    row.special_committees.set(specials)
    return member


def listed(response):
    return [m.name for m in response.context["page"]]


@pytest.fixture
def sector(committee):
    return OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界")


@pytest.fixture
def town(committee):
    return OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, name="城关镇工委")


@pytest.fixture
def five(term, sector, town, my_unit):
    """张三 (education sector, town committee, 常委, CPC), 李四, 王五, 丁一, 刘一."""
    return {
        "张三": serving_member(
            term, name="张三", sector=sector, town=town, specials=[my_unit], standing=True, party="cpc"
        ),
        "李四": serving_member(term, name="李四", employer_post="县人民医院副院长"),
        "王五": serving_member(term, name="王五", status=MemberTerm.Status.RESIGNED),
        "丁一": serving_member(term, name="丁一"),
        "刘一": serving_member(term, name="刘一"),
    }


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def test_it_lists_every_member_of_the_committee_and_no_other(office_client, five, other_committee):
    MemberFactory(committee=other_committee, name="邻县委员")
    response = office_client.get(URL)
    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(five)
    assert "邻县委员" not in response.content.decode()


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("张三", ["张三"]),
        ("李", ["李四"]),
        ("zs", ["张三"]),
        ("ls", ["李四"]),
        ("LS", ["李四"]),
        ("zhang", ["张三"]),
        ("人民医院", ["李四"]),
    ],
)
def test_it_searches_by_name_initials_pinyin_and_employer(office_client, five, q, found):
    assert listed(office_client.get(URL, {"q": q})) == found


@pytest.mark.parametrize("q", ["zhangsan", "zhangs"])
def test_it_searches_by_a_prefix_of_the_full_pinyin(office_client, five, q):
    # A user types the whole name in pinyin ("zhangsan"), not only its first syllable.
    assert listed(office_client.get(URL, {"q": q})) == ["张三"]


@pytest.mark.parametrize("role", [Role.OFFICE, Role.LEADER, Role.EDITOR])
def test_the_search_never_matches_an_id_or_phone_number(client, make_user, five, role):
    # Otherwise a role that sees only masked numbers could confirm whose number it holds by searching.
    client.force_login(make_user(role))
    id_number, phone = five["王五"].id_number, five["丁一"].phone
    for q in (id_number, id_number.lower(), phone, f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"):
        response = client.get(URL, {"q": q}, headers={"HX-Request": "true"})
        assert listed(response) == []
        assert "member-lookup-notice" in response.content.decode()


def test_a_number_typed_into_the_search_is_not_kept_in_the_address(office_client, office, five):
    phone = five["丁一"].phone
    htmx = office_client.get(URL, {"q": phone}, headers={"HX-Request": "true"})
    assert htmx["HX-Push-Url"] == "false"  # not pushed into the browser's history
    assert phone not in htmx.content.decode()
    plain = office_client.get(URL, {"q": phone, "sector": ""})
    assert plain.status_code == 302
    assert plain.url == URL  # the address bar ends without the number
    page = office_client.get(plain.url).content.decode()
    with translation.override(settings.LANGUAGE_CODE):
        assert views._lookup_notice(office) in page
    assert phone not in page


def test_a_number_kept_back_by_the_browser_gets_the_notice(office_client, office, five):
    """lvzhi.js sends number_typed=1 instead of the number (tests/journeys checks the browser side)."""
    response = office_client.get(URL, {"q": "", "number_typed": "1"}, headers={"HX-Request": "true"})

    assert response["HX-Push-Url"] == "false"
    assert "member-lookup-notice" in response.content.decode()
    assert response.context["page"].paginator.count == 0  # finds nobody, as the number itself would


def test_the_notice_offers_the_lookup_only_to_who_may_use_it(client, make_user, office, five):
    lookup = reverse("members:lookup")
    client.force_login(office)
    html = client.get(URL, {"q": five["王五"].id_number}, headers={"HX-Request": "true"}).content.decode()
    assert lookup in html
    client.force_login(make_user(Role.LEADER))
    html = client.get(URL, {"q": five["王五"].id_number}, headers={"HX-Request": "true"}).content.decode()
    assert "member-lookup-notice" in html and lookup not in html


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"sector": "sector"}, ["张三"]),
        ({"town_committee": "town"}, ["张三"]),
        ({"special_committee": "my_unit"}, ["张三"]),
        ({"standing": "1"}, ["张三"]),
        ({"party": "cpc"}, ["张三"]),
        ({"status": "resigned"}, ["王五"]),
    ],
)
def test_it_filters_on_the_current_term(office_client, five, term, sector, town, my_unit, params, found):
    # 李四 sat in every unit in the previous term; only the current term counts.
    old = TermFactory(committee=term.committee, number=8, name="第八届", is_current=False)
    row = MemberTermFactory(
        member=five["李四"],
        term=old,
        sector=sector,
        town_committee=town,
        is_standing=True,
        status=MemberTerm.Status.RESIGNED,
    )
    row.special_committees.set([my_unit])
    units = {"sector": sector.pk, "town": town.pk, "my_unit": my_unit.pk}
    query = {key: units.get(value, value) for key, value in params.items()}
    assert listed(office_client.get(URL, query)) == found


def test_the_standing_filter_also_finds_the_others(office_client, five):
    assert sorted(listed(office_client.get(URL, {"standing": "0"}))) == sorted(set(five) - {"张三"})


def test_it_ignores_a_unit_of_another_committee_as_filter(office_client, five, other_committee):
    foreign = OrgUnitFactory(committee=other_committee, kind=OrgUnit.Kind.SECTOR, name="邻县教育界")
    response = office_client.get(URL, {"sector": foreign.pk})
    assert response.context["form"].errors
    assert "邻县教育界" not in response.content.decode()


def test_it_orders_by_surname_strokes_by_default(office_client, five):
    expected = ["丁一", "王五", "刘一", "李四", "张三"]
    assert listed(office_client.get(URL)) == expected
    assert listed(office_client.get(URL, {"order": "stroke"})) == expected


def test_it_orders_by_pinyin(office_client, five):
    assert listed(office_client.get(URL, {"order": "pinyin"})) == ["丁一", "李四", "刘一", "王五", "张三"]


def test_it_paginates_by_fifty(office_client, term):
    for _ in range(60):
        serving_member(term)
    first = office_client.get(URL)
    second = office_client.get(URL, {"page": 2})
    assert len(listed(first)) == 50
    assert len(listed(second)) == 10
    assert first.context["page"].paginator.count == 60
    ids = {m.pk for m in first.context["page"]} | {m.pk for m in second.context["page"]}
    assert len(ids) == 60


def test_an_htmx_request_gets_the_fragment_only(office_client, five):
    response = office_client.get(URL, {"q": "zs"}, headers={"HX-Request": "true"})
    names = [t.name for t in response.templates]
    assert "members/_list.html" in names
    assert "members/list.html" not in names
    assert "base.html" not in names
    assert "<html" not in response.content.decode()
    assert "张三" in response.content.decode()


def test_a_normal_request_gets_the_whole_page(office_client, five):
    names = [t.name for t in office_client.get(URL).templates]
    assert "members/list.html" in names
    assert "base.html" in names


def test_the_number_of_queries_does_not_grow_with_the_rows(office_client, term, sector, town, my_unit):
    def add(n):
        for _ in range(n):
            serving_member(term, sector=sector, town=town, specials=[my_unit], standing=True)

    def page_queries():
        with capture_queries() as queries:
            response = office_client.get(URL)
        assert response.status_code == 200
        return queries, len(listed(response))

    add(5)
    office_client.get(URL)  # warm caches (content types, translations) outside the measurement
    small, rows_small = page_queries()
    add(55)
    large, rows_large = page_queries()
    assert (rows_small, rows_large) == (5, 50)
    assert_same_query_count(small, large)


def test_it_never_shows_id_numbers_or_phones_in_clear(office_client, five):
    html = office_client.get(URL).content.decode()
    for member in five.values():
        assert member.id_number not in html
        assert member.phone not in html


def test_the_detail_page_shows_only_the_masked_values(office_client, five):
    member = five["张三"]
    html = office_client.get(member.get_absolute_url()).content.decode()
    assert masking.mask_id_number(member.id_number) in html
    assert masking.mask_phone(member.phone) in html
    assert member.id_number not in html
    assert member.phone not in html


def test_it_refuses_a_user_without_the_view_permission(client, make_user, five):
    client.force_login(make_user(Role.MEMBER))
    response = client.get(URL)
    assert response.status_code == 403
    assert "张三" not in response.content.decode()


def test_unit_staff_see_only_the_members_of_their_units(client, make_user, term, my_unit, other_unit):
    serving_member(term, name="张三", specials=[my_unit])
    serving_member(term, name="李四", specials=[other_unit])
    client.force_login(make_user(Role.UNIT_STAFF, units=[my_unit]))
    assert listed(client.get(URL)) == ["张三"]
