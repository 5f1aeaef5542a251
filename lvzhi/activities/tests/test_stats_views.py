"""The attendance statistics page and its Excel export: permissions, scope, views, audit, query counts."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity, Participation
from lvzhi.activities.tests.conftest import TZ
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import OrgUnitFactory
from lvzhi.organization.models import OrgUnit

P = Participation.Status
YEAR = "date_from=2026-01-01&date_to=2026-12-31"


pytestmark = pytest.mark.usefixtures("english")


def at(month, day):
    start = datetime.datetime(2026, month, day, 9, 0, tzinfo=TZ)
    return {"starts_at": start, "ends_at": start + datetime.timedelta(hours=2)}


@pytest.fixture
def closed(make_activity, invite_member):
    def make(statuses, **kwargs):
        kwargs.setdefault("status", Activity.Status.CLOSED)
        activity = make_activity(**kwargs)
        for member, status in statuses.items():
            invite_member(activity, member, status=status)
        return activity

    return make


@pytest.fixture
def data(make_member, closed, my_unit, other_unit, sector, town):
    wang = make_member(name="王芳", sector=sector, town=town)
    ding = make_member(name="丁力", sector=sector)
    office_meeting = closed({wang: P.PRESENT, ding: P.ABSENT}, title="Office meeting", **at(3, 1))
    my_meeting = closed(
        {wang: P.LATE, ding: P.LEAVE_APPROVED}, title="My unit's visit", organizing_unit=my_unit, **at(4, 1)
    )
    other_meeting = closed(
        {wang: P.ABSENT}, title="Other unit's visit", organizing_unit=other_unit, **at(5, 1)
    )
    return {"wang": wang, "ding": ding, "office": office_meeting, "mine": my_meeting, "other": other_meeting}


def url(name, query=YEAR):
    return reverse(f"activities:{name}") + (f"?{query}" if query else "")


@pytest.mark.parametrize("name", ["stats", "stats_export"])
def test_members_and_anonymous_cannot_see_statistics(client, make_member, name):
    member = make_member(login=True)
    response = client.get(url(name))
    assert response.status_code == 302
    client.force_login(member.user)
    assert client.get(url(name)).status_code == 403


@pytest.mark.parametrize("role", [Role.EDITOR, Role.HANDLING_UNIT, Role.SYSADMIN])
def test_roles_without_view_activity_get_403(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(url("stats")).status_code == 403
    assert client.get(url("stats_export")).status_code == 403


def test_default_period_is_this_year_by_activity(client, office, data):
    client.force_login(office)
    response = client.get(url("stats", ""))
    form = response.context["form"]
    today = datetime.date.today()
    assert form.cleaned_data["date_from"] == datetime.date(today.year, 1, 1)
    assert response.context["view"] == "activity"


def test_activity_view_for_office(client, office, data):
    client.force_login(office)
    response = client.get(url("stats"))
    assert response.status_code == 200
    rows = response.context["table"].rows
    assert [row.activity.title for row in rows] == ["Other unit's visit", "My unit's visit", "Office meeting"]
    page = response.content.decode()
    assert "Office meeting" in page and "50.0%" in page


def test_unit_staff_see_only_their_units_activities(client, unit_staff, data):
    client.force_login(unit_staff)
    response = client.get(url("stats"))
    assert [row.activity.title for row in response.context["table"].rows] == ["My unit's visit"]
    response = client.get(url("stats", YEAR + "&view=member"))
    assert {row.name: row.invited for row in response.context["table"].rows} == {"丁力": 1, "王芳": 1}
    assert b"Office meeting" not in client.get(url("stats_export")).content


def test_leader_sees_everything(client, leader, data):
    client.force_login(leader)
    assert len(client.get(url("stats")).context["table"].rows) == 3


@pytest.mark.parametrize(
    "view,first_cell",
    [("member", "丁力"), ("sector", "教育界"), ("town", "城关镇工委")],
)
def test_other_views(client, office, data, view, first_cell):
    client.force_login(office)
    response = client.get(url("stats", f"{YEAR}&view={view}"))
    assert response.status_code == 200
    assert response.context["view"] == view
    assert response.context["table"].rows[0].name == first_cell


def test_kinds_filter(client, office, data, closed):
    closed({data["wang"]: P.PRESENT}, title="Training day", kind=Activity.Kind.TRAINING, **at(6, 1))
    client.force_login(office)
    response = client.get(url("stats", f"{YEAR}&kinds=training"))
    assert [row.activity.title for row in response.context["table"].rows] == ["Training day"]


def test_bad_period_shows_the_error_and_no_table(client, office, data):
    client.force_login(office)
    response = client.get(url("stats", "date_from=2026-12-31&date_to=2026-01-01"))
    assert response.status_code == 200
    assert response.context["table"] is None
    assert "The end date is before the start date." in response.content.decode()
    assert client.get(url("stats_export", "date_from=2026-12-31&date_to=2026-01-01")).status_code == 400
    assert client.get(url("stats", "date_from=yesterday")).context["table"] is None


def read_sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_export_member_view(client, office, data):
    client.force_login(office)
    response = client.get(url("stats_export", f"{YEAR}&view=member"))
    assert response.status_code == 200
    rows = read_sheet(response)
    assert "Attendance statistics by Member" in rows[0][0]
    assert rows[1][:4] == ["Name", "Sector", "Town committee", "Invited"]
    assert rows[2][:10] == ["丁力", "教育界", None, 2, 0, 0, 0, 1, 1, "0.0%"]
    assert rows[3][:10] == ["王芳", "教育界", "城关镇工委", 3, 1, 1, 0, 0, 1, "66.7%"]
    assert rows[4][0] == "Total" and rows[4][3] == 5
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == office
    assert event.detail["view"] == "member" and event.detail["rows"] == 2


def test_export_escapes_formulas(client, office, closed, make_member):
    closed({make_member(): P.PRESENT}, title='=HYPERLINK("http://evil")', **at(3, 3))
    client.force_login(office)
    rows = read_sheet(client.get(url("stats_export")))
    assert rows[2][1] == '\'=HYPERLINK("http://evil")'


def test_export_sector_view_has_member_totals(client, office, data):
    client.force_login(office)
    rows = read_sheet(client.get(url("stats_export", f"{YEAR}&view=sector")))
    assert rows[1][:3] == ["Sector", "Number of members", "Invited"]
    assert rows[2][:3] == ["教育界", 2, 5]
    assert rows[-1][:3] == ["Total", 2, 5]


def _page_queries(client, view):
    with capture_queries() as queries:
        response = client.get(url("stats", f"{YEAR}&view={view}"))
    assert response.status_code == 200
    return queries, len(response.context["table"].rows)


@pytest.mark.parametrize("view", ["activity", "member", "sector", "town"])
def test_page_query_count_does_not_grow(client, office, committee, make_member, closed, view):
    sectors = [OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR) for _ in range(8)]
    towns = [OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE) for _ in range(8)]
    people = [make_member(sector=sectors[i], town=towns[i]) for i in range(8)]
    closed(dict.fromkeys(people[:2], P.PRESENT), **at(2, 1))
    closed(dict.fromkeys(people[:2], P.ABSENT), **at(2, 2))
    client.force_login(office)
    _page_queries(client, view)  # warm the session and permission caches
    small, small_rows = _page_queries(client, view)
    for day in range(3, 9):
        closed(dict.fromkeys(people, P.LATE), **at(2, day))
    big, big_rows = _page_queries(client, view)
    assert big_rows > small_rows
    assert_same_query_count(small, big)


def record_links(client, user):
    """The duty-record links of the page by member, each opened: {url: status code}."""
    client.force_login(user)
    html = client.get(url("stats", YEAR + "&view=member")).content.decode()
    links = re.findall(r'<a href="(/ledger/[^"]+)"', html)
    return {link: client.get(link).status_code for link in links}


def test_by_member_only_the_files_the_viewer_may_open_are_links(
    client, unit_staff, office, data, make_member, closed, my_unit
):
    """Unit staff see their unit's activities, which name members of other units: those names are
    plain text, not links to a 404; the office may open every one."""
    mine = make_member(name="李明", specials=[my_unit])
    closed(
        {mine: P.PRESENT, data["wang"]: P.ABSENT}, title="Another visit", organizing_unit=my_unit, **at(6, 1)
    )
    record = lambda member: reverse("ledger:member_record", args=[member.pk, 2026])  # noqa: E731

    assert record_links(client, unit_staff) == {record(mine): 200}
    page = client.get(url("stats", YEAR + "&view=member")).content.decode()
    assert "王芳" in page and "丁力" in page
    assert record_links(client, office) == {record(m): 200 for m in (mine, data["wang"], data["ding"])}
