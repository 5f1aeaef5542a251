"""Statistics of the 社情民意 pipeline (the statistics page and its .xlsx), and information officers'
progress against their quota (the officers' table, their own start-page card).

Every function costs a fixed number of queries whatever the number of reports: counts are grouped in the
database, and what must be computed in Python (days per step, months of each officer) reads one flat
list of values."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Adoption,
    InformationOfficer,
    Instruction,
    OpinionAuthor,
    OpinionReport,
    OpinionStatusChange,
)

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

Status = OpinionReport.Status
VIEW = "opinions.view_opinionreport"
MONTHS = range(1, 13)


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The year as aware datetimes in the site's time zone: [1 January 00:00, next 1 January)."""
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime(year, 1, 1, tzinfo=tz),
        datetime.datetime(year + 1, 1, 1, tzinfo=tz),
    )


# --- information officers' progress ------------------------------------------------------------------


@dataclass
class Progress:
    """An officer's reports of their year (written as lead or co-author, submitted, not drafts) by month
    of submission, against the quota."""

    officer: InformationOfficer
    by_month: list[int] = field(default_factory=lambda: [0] * 12)

    @property
    def total(self) -> int:
        return sum(self.by_month)

    @property
    def quota(self) -> int:
        return self.officer.quota

    @property
    def share(self) -> int:
        """Per cent of the quota, rounded (may pass 100)."""
        return round(100 * self.total / self.quota) if self.quota else 0

    @property
    def bar(self) -> int:
        """The progress bar's width in per cent (at most 100)."""
        return min(100, self.share)

    @property
    def expected_by_now(self) -> int:
        """How many reports the quota asks for by the end of this month (all of it for a past year)."""
        today = timezone.localdate()
        if self.officer.year < today.year:
            return self.quota
        if self.officer.year > today.year:
            return 0
        return round(self.quota * today.month / 12)

    @property
    def months(self) -> list[tuple[int, int]]:
        return list(zip(MONTHS, self.by_month, strict=True))


def officer_progress(officers: Iterable[InformationOfficer]) -> list[Progress]:
    """Progress of each officer (of one committee) in their appointment's year; one query for all."""
    rows = [Progress(officer) for officer in officers]
    if not rows:
        return rows
    by_member: dict[int, list[Progress]] = defaultdict(list)
    by_user: dict[int, list[Progress]] = defaultdict(list)
    years = set()
    for row in rows:
        if row.officer.member_id is not None:
            by_member[row.officer.member_id].append(row)
        if row.officer.user_id is not None:
            by_user[row.officer.user_id].append(row)
        years.add(row.officer.year)
    start, _end = year_bounds(min(years))
    _start, end = year_bounds(max(years))
    authorships = (
        OpinionAuthor.objects.filter(
            report__committee_id=rows[0].officer.committee_id,
            report__submitted_at__gte=start,
            report__submitted_at__lt=end,
        )
        .exclude(report__status=Status.DRAFT)
        .filter(Q(member_id__in=list(by_member)) | Q(user_id__in=list(by_user)))
        .values_list("report_id", "member_id", "user_id", "report__submitted_at")
    )
    counted: set[tuple[int, int]] = set()
    for report_id, member_id, user_id, submitted_at in authorships:
        local = timezone.localtime(submitted_at)
        for row in {id(r): r for r in by_member.get(member_id, []) + by_user.get(user_id, [])}.values():
            key = (id(row), report_id)
            if row.officer.year != local.year or key in counted:
                continue
            counted.add(key)
            row.by_month[local.month - 1] += 1
    return rows


def officers_of_year(user: User, year: int) -> QuerySet[InformationOfficer]:
    return (
        InformationOfficer.objects.visible_to(user)
        .filter(year=year)
        .select_related("member", "user")
        .order_by("ended_on", "name", "pk")
    )


def own_appointment(user: User, year: int | None = None) -> InformationOfficer | None:
    """The user's appointment of `year` (this year by default), as a member or with their own account."""
    if not user.is_authenticated or user.committee_id is None:
        return None
    year = year or timezone.localdate().year
    return (
        InformationOfficer.objects.filter(committee_id=user.committee_id, year=year)
        .filter(Q(user=user) | Q(member__user=user))
        .order_by("ended_on", "pk")
        .first()
    )


def officer_home_card(user: User) -> dict[str, Any] | None:
    """The start-page card of an information officer (a member officer too): this year's reports by
    month against the quota; nothing for anyone else. Two queries."""
    officer = own_appointment(user)
    if officer is None:
        return None
    return {"progress": officer_progress([officer])[0]}


# --- the statistics page ------------------------------------------------------------------------------


@dataclass
class Table:
    """One table of the page (and one sheet of the workbook): a title, column titles, rows."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]

    @property
    def total(self) -> int:
        return sum(row[1] for row in self.rows if isinstance(row[1], int))


def reports_of_year(user: User, year: int) -> QuerySet[OpinionReport]:
    """The committee's reports of `year` that left the author's hands (not drafts), as the user may see
    them; a plain queryset (no DISTINCT) to group on."""
    visible = OpinionReport.objects.visible_to(user).values("pk")
    return OpinionReport.objects.filter(pk__in=visible, year=year).exclude(status=Status.DRAFT)


def _counted(qs: QuerySet[Any], key: str) -> dict[Any, int]:
    return {row[key]: row["n"] for row in qs.order_by().values(key).annotate(n=Count("pk", distinct=True))}


def _by_choices(counts: dict[Any, int], choices: Iterable[tuple[str, Any]]) -> list[list[Any]]:
    return [[str(label), counts.get(value, 0)] for value, label in choices if counts.get(value, 0)]


def by_status(reports: QuerySet[OpinionReport]) -> Table:
    counts = _counted(reports, "status")
    return Table(
        "status", _("Reports by status"), [_("Status"), _("Reports")], _by_choices(counts, Status.choices)
    )


def by_category(reports: QuerySet[OpinionReport]) -> Table:
    rows = [
        [row["category__name"] or _("No category"), row["n"]]
        for row in reports.order_by()
        .values("category__name", "category__order", "category_id")
        .annotate(n=Count("pk"))
        .order_by("category__order", "category_id")
    ]
    return Table("category", _("Reports by category"), [_("Category"), _("Reports")], rows)


def by_source(reports: QuerySet[OpinionReport]) -> Table:
    counts = _counted(reports, "source")
    return Table(
        "source",
        _("Reports by source channel"),
        [_("Source channel"), _("Reports")],
        _by_choices(counts, OpinionReport.Source.choices),
    )


def by_unit(reports: QuerySet[OpinionReport]) -> Table:
    rows = [
        [row["unit__name"] or _("Members and officers (no unit)"), row["n"]]
        for row in reports.order_by()
        .values("unit__name", "unit_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit_id")
    ]
    return Table("unit", _("Reports by unit"), [_("Unit"), _("Reports")], rows)


def by_month(reports: QuerySet[OpinionReport]) -> Table:
    """By month of submission (in the site's time zone)."""
    counts = _counted(
        reports.filter(submitted_at__isnull=False).annotate(month=ExtractMonth("submitted_at")), "month"
    )
    rows = [[_("Month %(month)s") % {"month": month}, counts.get(month, 0)] for month in MONTHS]
    return Table("month", _("Reports by month of submission"), [_("Month"), _("Reports")], rows)


def adoptions_by_level(reports: QuerySet[OpinionReport]) -> Table:
    counted = {
        row["level"]: row
        for row in Adoption.objects.filter(report__in=reports.values("pk"))
        .values("level")
        .annotate(n=Count("pk"), reports=Count("report", distinct=True))
    }
    rows = [
        [str(label), counted[value]["n"], counted[value]["reports"]]
        for value, label in Adoption.Level.choices
        if value in counted
    ]
    return Table(
        "adoption", _("Adoptions by level"), [_("Level"), _("Adoptions"), _("Reports adopted")], rows
    )


def instructions_by_level(reports: QuerySet[OpinionReport]) -> Table:
    counted = {
        row["level"]: row
        for row in Instruction.objects.filter(report__in=reports.values("pk"))
        .values("level")
        .annotate(n=Count("pk"), reports=Count("report", distinct=True))
    }
    rows = [
        [str(label), counted[value]["n"], counted[value]["reports"]]
        for value, label in Instruction.Level.choices
        if value in counted
    ]
    return Table(
        "instruction",
        _("Leaders' instructions by level"),
        [_("Level"), _("Instructions given"), _("Reports instructed")],
        rows,
    )


def _days(delta: datetime.timedelta) -> float:
    return delta.total_seconds() / 86400


def time_per_step(reports: QuerySet[OpinionReport]) -> Table:
    """For each step an editor or leader works on (OpinionReport.WORK_STEPS): how often a report went
    through it and the median and longest days it stayed there, from the status history (entering the
    step → leaving it). A report still in a step is not counted for it yet."""
    changes = (
        OpinionStatusChange.objects.filter(report__in=reports.values("pk"))
        .order_by("report_id", "at", "pk")
        .values_list("report_id", "from_status", "to_status", "at")
    )
    stays: dict[str, list[float]] = defaultdict(list)
    entered: dict[str, datetime.datetime] = {}
    current = None
    for report_id, from_status, to_status, at in changes:
        if report_id != current:
            current, entered = report_id, {}
        if from_status in entered:
            stays[from_status].append(_days(at - entered.pop(from_status)))
        entered[to_status] = at
    rows = []
    for step in OpinionReport.WORK_STEPS:
        values = stays.get(step)
        if values:
            rows.append(
                [
                    str(Status(step).label),
                    len(values),
                    round(statistics.median(values), 1),
                    round(max(values), 1),
                ]
            )
    return Table(
        "steps",
        _("Time spent per step (days)"),
        [_("Step"), _("Times passed"), _("Median days"), _("Longest days")],
        rows,
    )


def statistics_of_year(user: User, year: int) -> list[Table]:
    """Every table of the statistics page, in the page's order; a fixed number of queries."""
    reports = reports_of_year(user, year)
    return [
        by_status(reports),
        by_category(reports),
        by_source(reports),
        by_unit(reports),
        by_month(reports),
        adoptions_by_level(reports),
        instructions_by_level(reports),
        time_per_step(reports),
    ]


def chart_data(tables: list[Table]) -> dict[str, Any]:
    """The numbers the page's charts draw (static/lvzhi/charts.js), from the tables themselves."""
    return {
        table.key: {
            "key": table.key,
            "title": table.title,
            "labels": [row[0] for row in table.rows],
            "values": [row[2] if table.key == "steps" else row[1] for row in table.rows],
            "series": table.columns[2] if table.key == "steps" else table.columns[1],
        }
        for table in tables
    }
