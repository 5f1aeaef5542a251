"""The statistics of a session's proposals: who sees them, the exact numbers on a built dataset, the
page's charts and tables, the .xlsx read back (one sheet per table, formulas escaped, audited), and a
query count that does not grow with the number of proposals."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import OrgUnitFactory
from lvzhi.members.models import MemberTerm
from lvzhi.proposals import stats
from lvzhi.proposals.models import Evaluation, Proposal, ProposalCategory

from .fixtures import member_with_account
from .stats_fixtures import *  # noqa: F403
from .stats_fixtures import FUTURE, PAST, TODAY, Status, reply

pytestmark = pytest.mark.usefixtures("english")


def _table(tables, key):
    table = next(t for t in tables if t.key == key)
    return {row[0]: row[1:] for row in table.rows}


# --- rights -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["office", "leader"])
def test_staff_and_leaders_see_the_statistics(client, request, who, session):
    client.force_login(request.getfixturevalue(who))
    for name in ("stats", "stats_export", "catalogue", "handling_report"):
        assert client.get(reverse(f"proposals:{name}"), {"session": session.pk}).status_code == 200, name


@pytest.mark.parametrize("who", ["proposer", "unit_user"])
def test_members_and_units_do_not(client, request, who, session):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    for name in ("stats", "stats_export", "catalogue", "handling_report"):
        assert client.get(reverse(f"proposals:{name}"), {"session": session.pk}).status_code == 403, name
    assert not AuditEvent.objects.filter(action="export").exists()


def test_another_committees_session_is_not_found(client, foreign_office, session):
    client.force_login(foreign_office)
    for name in ("stats", "stats_export", "catalogue", "handling_report"):
        assert client.get(reverse(f"proposals:{name}"), {"session": session.pk}).status_code == 404, name
    for hostile in ("x" * 40, "9" * 30, "-1", "1\x00"):
        assert client.get(reverse("proposals:stats"), {"session": hostile}).status_code == 404


# --- the numbers --------------------------------------------------------------------------------------------


def test_the_totals_by_category_sector_and_kind(dataset, session):
    numbers, tables = stats.statistics_of_session(session)
    assert _table(tables, "overview") == {
        "Received": [11],
        "Accepted": [5],
        "Merged": [1],
        "Converted": [1],
        "Not accepted": [1],
        "Waiting for review": [3],
    }
    # Columns: received, accepted, merged, converted, not accepted; in the list's order, none last.
    category = next(t for t in tables if t.key == "category")
    assert category.rows == [
        ["经济", 5, 3, 1, 0, 0],
        ["社会", 5, 2, 0, 0, 1],
        ["No category", 1, 0, 0, 1, 0],
    ]
    sector = next(t for t in tables if t.key == "sector")
    assert sector.rows == [
        ["教育界", 1, 1, 0, 0, 0],
        ["经济界", 8, 4, 1, 1, 1],
        ["Collective proposals of other bodies", 1, 0, 0, 0, 0],
        ["No sector recorded", 1, 0, 0, 0, 0],
    ]
    assert _table(tables, "kind") == {
        "Individual proposal": [8, 5, 1, 1, 0],
        "Joint proposal": [1, 0, 0, 0, 1],
        "Collective proposal": [2, 0, 0, 0, 0],
    }


def test_the_lead_units(dataset, session):
    _numbers, tables = stats.statistics_of_session(session)
    units = next(t for t in tables if t.key == "units")
    assert units.columns[1:] == [
        "Assigned",
        "Replied",
        "Handling rate (%)",
        "Replied on time",
        "On-time rate (%)",
        "A",
        "B",
        "C",
        "D",
        "Satisfied",
        "Basically satisfied",
        "Not satisfied",
    ]
    # 交通: P1 (not due), P2 (A on time), P4 (latest C on time, latest 满意), P9 (overdue, no reply); the
    # returned 住建局 and the co-unit role count for nobody. 财政: P3 (B late, 基本满意).
    assert units.rows == [
        ["县交通运输局", 4, 2, 50.0, 2, 66.7, 1, 0, 1, 0, 1, 0, 0],
        ["县财政局", 1, 1, 100.0, 0, 0.0, 0, 1, 0, 0, 0, 1, 0],
    ]
    assert _table(tables, "results") == {
        "A: solved or basically solved": [1],
        "B: being solved or planned": [1],
        "C: to be solved later": [1],
        "D: kept for reference": [0],
    }
    assert _table(tables, "satisfaction") == {
        "Satisfied": [1],
        "Basically satisfied": [1],
        "Not satisfied": [0],
        "Not evaluated yet": [1],
    }


def test_a_unit_with_nothing_due_has_no_on_time_rate(session, make_proposal, department):
    make_proposal(Status.HANDLING, lead=department, deadline=FUTURE)
    _numbers, tables = stats.statistics_of_session(session)
    assert next(t for t in tables if t.key == "units").rows == [
        ["县交通运输局", 1, 0, 0.0, 0, "—", 0, 0, 0, 0, 0, 0, 0]
    ]


def test_a_reply_on_the_deadline_is_on_time(session, make_proposal, department):
    proposal = make_proposal(Status.REPLIED, lead=department, deadline=TODAY)
    reply(proposal, department, "B", sent_on=TODAY)
    late = make_proposal(Status.REPLIED, lead=department, deadline=PAST)
    reply(late, department, "B", sent_on=PAST + datetime.timedelta(days=1))
    numbers = stats.session_numbers(session)
    assert (numbers.units[0].on_time, numbers.units[0].due) == (1, 2)


def test_the_default_session_is_the_newest_with_proposals(office, dataset, session, term):
    assert stats.default_session(office) == session
    Proposal.objects.filter(session=session).update(session=dataset["earlier"])
    assert stats.default_session(office) == dataset["earlier"]


# --- the page and the workbook ----------------------------------------------------------------------------


def test_the_page_has_charts_beside_tables(client, office, dataset, session):
    client.force_login(office)
    response = client.get(reverse("proposals:stats"))
    text = response.content.decode()
    assert response.context["session"] == session
    assert 'id="proposal-stats-data"' in text and 'data-chart="opinion-bars"' in text
    assert "echarts.min.js" in text and "lvzhi/charts.js" in text
    assert "<script>" not in text.replace('<script type="application/json"', "")
    for key in ("overview", "category", "sector", "kind", "units", "results", "satisfaction"):
        assert f'id="stats-{key}-table"' in text
    assert "县交通运输局" in text and "66.7" in text
    chart = response.context["chart"]
    assert chart["units"]["values"] == [50.0, 100.0]
    assert chart["overview"]["values"] == [11, 5, 1, 1, 1, 3]
    for element in (
        "stats-session",
        "stats-export",
        "stats-catalogue",
        "stats-handling-report",
        "stats-settings",
    ):
        assert f'id="{element}"' in text


def test_a_session_without_proposals_says_so(client, leader, session):
    client.force_login(leader)
    text = client.get(reverse("proposals:stats")).content.decode()
    assert "Nothing to count yet." in text or "0 proposals" in text
    assert "proposal-stats-data" not in text
    assert 'id="stats-settings"' not in text  # a leader does not configure


def test_the_export_has_one_sheet_per_table_and_is_audited(client, office, dataset, session):
    # A category named like a formula is written as text.
    Proposal.objects.filter(pk=dataset["p2"].pk).update(category=None)
    ProposalCategory.objects.filter(committee=session.term.committee, name="社会").update(name="=1+1")
    client.force_login(office)
    response = client.get(reverse("proposals:stats_export"), {"session": session.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Proposals of the session",
        "By category",
        "By the first proposer's sector",
        "By kind",
        "By lead unit",
        "Result codes of the replies",
        "The proposers' evaluations",
    ]
    units = list(book["By lead unit"].iter_rows(min_row=3, values_only=True))
    assert units == [
        ("县交通运输局", 4, 2, 50.0, 2, 66.7, 1, 0, 1, 0, 1, 0, 0),
        ("县财政局", 1, 1, 100.0, 0, 0.0, 0, 1, 0, 0, 0, 1, 0),
    ]
    categories = {row[0]: row[1] for row in book["By category"].iter_rows(min_row=3, values_only=True)}
    assert categories["'=1+1"] == 4 and categories["No category"] == 2
    event = AuditEvent.objects.get(event="proposals.stats_exported")
    assert event.actor == office and event.action == "export"
    assert event.detail["proposals"] == 11 and event.detail["session"] == session.pk


# --- queries -----------------------------------------------------------------------------------------------


def test_the_page_costs_the_same_queries_for_few_and_many_proposals(
    client, office, committee, term, session, make_proposal, department, co_department
):
    sector = OrgUnitFactory(committee=committee, name="农业界")
    count = iter(range(1000))

    def add(n):
        for _ in range(n):
            member = member_with_account(committee, f"委员{next(count)}")
            MemberTerm.objects.create(member=member, term=term, sector=sector)
            proposal = make_proposal(
                Status.EVALUATED, author=member, lead=department, co_units=[co_department], deadline=FUTURE
            )
            reply(proposal, department, "A", sent_on=TODAY, rating=Evaluation.Rating.SATISFIED)
            make_proposal(Status.REJECTED, author=member)

    client.force_login(office)
    url = reverse("proposals:stats")
    add(2)
    client.get(url, {"session": session.pk})
    with capture_queries() as small:
        client.get(url, {"session": session.pk})
    add(20)
    with capture_queries() as large:
        response = client.get(url, {"session": session.pk})
    assert response.status_code == 200
    assert response.context["numbers"].total.received == 44
    assert_same_query_count(small, large)
