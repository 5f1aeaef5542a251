"""The statistics page of the 社情民意 pipeline: who sees it, its numbers, the .xlsx read back, and a
query count that does not grow with the number of reports."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import CommitteeFactory, OrgUnitFactory
from lvzhi.opinions import stats
from lvzhi.opinions.models import Adoption, Instruction, OpinionReport, OpinionStatusChange

from .factories import ReportFactory

Status = OpinionReport.Status
TZ = datetime.timezone(datetime.timedelta(hours=8))
YEAR = 2026


def at(month, day=10, hour=10):
    return datetime.datetime(YEAR, month, day, hour, 0, tzinfo=TZ)


def history(report, *steps):
    """Status changes at the given times: history(report, (from, to, at), ...)."""
    for from_status, to_status, when in steps:
        change = OpinionStatusChange.objects.create(
            report=report, from_status=from_status, to_status=to_status
        )
        OpinionStatusChange.objects.filter(pk=change.pk).update(at=when)


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADER, username="leader")


@pytest.mark.parametrize("role", [Role.LEADER, Role.OFFICE, Role.EDITOR])
def test_staff_who_see_every_report_see_the_statistics(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("opinions:stats")).status_code == 200
    assert client.get(reverse("opinions:stats_export")).status_code == 200


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OFFICER, Role.UNIT_STAFF, Role.HANDLING_UNIT])
def test_others_do_not(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("opinions:stats")).status_code == 403
    assert client.get(reverse("opinions:stats_export")).status_code == 403


@pytest.fixture
def reports(committee):
    unit = OrgUnitFactory(committee=committee, name="经济委员会")
    first = ReportFactory(committee=committee, status=Status.REPORTED, submitted_at=at(3))
    second = ReportFactory(committee=committee, status=Status.REPORTED, submitted_at=at(3, 20), unit=unit)
    third = ReportFactory(
        committee=committee, status=Status.EDITING, submitted_at=at(5), source=OpinionReport.Source.OFFICER
    )
    # Not counted: a draft, a report of another year, another committee's report.
    ReportFactory(committee=committee, status=Status.DRAFT)
    ReportFactory(
        committee=committee, year=YEAR - 1, submitted_at=datetime.datetime(YEAR - 1, 5, 1, tzinfo=TZ)
    )
    ReportFactory(committee=CommitteeFactory(), status=Status.REPORTED, submitted_at=at(3))
    Adoption.objects.create(
        report=first, level="city", adopted_by="市政协", adopted_on=datetime.date(YEAR, 4, 1)
    )
    Adoption.objects.create(
        report=first, level="county", adopted_by="县委", adopted_on=datetime.date(YEAR, 4, 2)
    )
    Adoption.objects.create(
        report=second, level="city", adopted_by="市政协", adopted_on=datetime.date(YEAR, 4, 3)
    )
    Instruction.objects.create(
        report=first,
        level="county",
        leader_post="县委书记",
        text="请研究。",
        instructed_on=datetime.date(YEAR, 4, 5),
    )
    # Submitted → registered after 2 days, then 4 days; registered → editing after 1 day, then 3.
    history(
        first,
        (Status.DRAFT, Status.SUBMITTED, at(3, 1)),
        (Status.SUBMITTED, Status.REGISTERED, at(3, 3)),
        (Status.REGISTERED, Status.EDITING, at(3, 4)),
    )
    history(
        second,
        (Status.DRAFT, Status.SUBMITTED, at(3, 10)),
        (Status.SUBMITTED, Status.REGISTERED, at(3, 14)),
        (Status.REGISTERED, Status.EDITING, at(3, 17)),
        (Status.EDITING, Status.VERIFYING, at(3, 18)),
        (Status.VERIFYING, Status.EDITING, at(3, 28)),
    )
    history(third, (Status.DRAFT, Status.SUBMITTED, at(5, 1)))
    return first, second, third


def _table(tables, key):
    return next(t for t in tables if t.key == key)


def test_the_numbers(leader, reports):
    tables = stats.statistics_of_year(leader, YEAR)
    assert dict(map(tuple, _table(tables, "status").rows)) == {
        str(Status.REPORTED.label): 2,
        str(Status.EDITING.label): 1,
    }
    assert _table(tables, "status").total == 3
    assert sum(row[1] for row in _table(tables, "source").rows) == 3
    assert sorted(row[1] for row in _table(tables, "unit").rows) == [1, 2]
    months = [row[1] for row in _table(tables, "month").rows]
    assert months == [0, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    adoption = _table(tables, "adoption").rows
    # City: two adoptions of two reports; county: one of one.
    assert [row[1:] for row in adoption] == [[1, 1], [2, 2]]
    assert [row[1:] for row in _table(tables, "instruction").rows] == [[1, 1]]
    steps = {row[0]: row[1:] for row in _table(tables, "steps").rows}
    labels = {str(Status(s).label): s for s in Status}
    by_step = {labels[name]: values for name, values in steps.items()}
    assert by_step[Status.SUBMITTED] == [2, 3.0, 4.0]
    assert by_step[Status.REGISTERED] == [2, 2.0, 3.0]
    assert by_step[Status.EDITING] == [1, 1.0, 1.0]
    assert by_step[Status.VERIFYING] == [1, 10.0, 10.0]


@pytest.mark.usefixtures("english")
def test_the_page_has_charts_and_tables(client, leader, reports):
    client.force_login(leader)
    text = client.get(reverse("opinions:stats"), {"year": YEAR}).content.decode()
    assert 'id="opinion-stats-data"' in text and 'data-chart="opinion-bars"' in text
    assert "echarts.min.js" in text and "charts.js" in text
    assert "Reports by category" in text and "Time spent per step (days)" in text


def test_the_export_reads_back(client, leader, reports):
    client.force_login(leader)
    response = client.get(reverse("opinions:stats_export"), {"year": YEAR})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 8
    month_sheet = book.worksheets[4]
    values = [row[1] for row in month_sheet.iter_rows(min_row=3, values_only=True)]
    assert values == [0, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    status_sheet = book.worksheets[0]
    assert sum(row[1] for row in status_sheet.iter_rows(min_row=3, values_only=True)) == 3
    event = AuditEvent.objects.get(event="opinions.exported")
    assert event.actor == leader and event.detail["reports"] == 3


def test_the_page_costs_the_same_queries_for_few_and_many_reports(client, leader, committee):
    def add(n):
        for i in range(n):
            report = ReportFactory(committee=committee, status=Status.REPORTED, submitted_at=at(1 + i % 12))
            Adoption.objects.create(
                report=report, level="city", adopted_by="市", adopted_on=datetime.date(YEAR, 6, 1)
            )
            Instruction.objects.create(
                report=report,
                level="county",
                leader_post="县长",
                text="阅",
                instructed_on=datetime.date(YEAR, 6, 2),
            )
            history(
                report, (Status.DRAFT, Status.SUBMITTED, at(1)), (Status.SUBMITTED, Status.REGISTERED, at(2))
            )

    client.force_login(leader)
    url = reverse("opinions:stats")
    add(2)
    client.get(url, {"year": YEAR})
    with capture_queries() as small:
        client.get(url, {"year": YEAR})
    add(25)
    with capture_queries() as large:
        response = client.get(url, {"year": YEAR})
    assert response.status_code == 200
    assert_same_query_count(small, large)
