"""Statistics of one session's proposals (the statistics page, its .xlsx and the handling report):
received / accepted / merged / converted / rejected by category, by the first proposer's sector and by
kind; per lead unit the assigned cases, replies, handling rate, on-time rate, result codes and the
proposers' satisfaction.

Definitions (the page says them too):
- received: every proposal of the session that left its proposer's hands (drafts are not counted);
  accepted: 立案, whatever became of the case since.
- sector: the first proposer's sector in their member term of the session's term; a collective
  proposal counts under its body when the body is a sector, else under "collective proposals of other
  bodies".
- per lead unit: the cases whose current lead unit (主办, not returned) it is. Replied: the unit sent a
  reply (any round). Handling rate = replied / assigned. On time: the unit's latest reply was sent on or
  before the deadline of its round (kept on the reply: after 不满意 the case gets a new one). On-time rate = on time /
  due, where due = replied, or not replied with the deadline passed. Result code: of the latest reply;
  satisfaction: the latest evaluation.

Every function costs a fixed number of queries whatever the number of proposals: one flat list of values
per model, counted in Python."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from lvzhi.members.models import MemberTerm
from lvzhi.organization.models import OrgUnit, Session

from .models import Assignment, Evaluation, Proposal, ProposalAuthor, Reply

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

Status = Proposal.Status
VIEW = "proposals.view_proposal"
RESULTS = [value for value, _label in Reply.Result.choices]
RATINGS = [value for value, _label in Evaluation.Rating.choices]
NO_VALUE = "—"


# --- sessions -----------------------------------------------------------------------------------------


def sessions_of(user: User) -> QuerySet[Session]:
    """The sessions of the user's committee, the newest first."""
    return Session.objects.visible_to(user).select_related("term").order_by("-term__number", "-number")


def default_session(user: User) -> Session | None:
    """The newest session with proposals that left their proposers' hands, else the newest session."""
    sessions = sessions_of(user)
    filed = Proposal.objects.filter(session__in=sessions).exclude(status=Status.DRAFT)
    with_proposals = sessions.filter(pk__in=filed.values("session_id")).first()
    return with_proposals or sessions.first()


def session_proposals(session: Session) -> QuerySet[Proposal]:
    """The session's proposals that left their proposers' hands (its committee's only)."""
    return Proposal.objects.filter(session=session, committee_id=session.term.committee_id).exclude(
        status=Status.DRAFT
    )


# --- the numbers ----------------------------------------------------------------------------------------


def percent(part: int, whole: int) -> float | None:
    """part / whole in per cent with one decimal; None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Counts:
    """Received / accepted / merged / converted / rejected (and still waiting for review)."""

    received: int = 0
    accepted: int = 0
    merged: int = 0
    converted: int = 0
    rejected: int = 0
    waiting: int = 0

    def add(self, status: str) -> None:
        self.received += 1
        if status in Proposal.ACCEPTED_STATUSES:
            self.accepted += 1
        elif status == Status.MERGED:
            self.merged += 1
        elif status == Status.CONVERTED:
            self.converted += 1
        elif status == Status.REJECTED:
            self.rejected += 1
        else:
            self.waiting += 1

    def row(self) -> list[int]:
        return [self.received, self.accepted, self.merged, self.converted, self.rejected]


@dataclass
class UnitNumbers:
    """One lead unit's cases of the session."""

    name: str
    assigned: int = 0
    replied: int = 0
    on_time: int = 0
    due: int = 0
    results: Counter[str] = field(default_factory=Counter)
    ratings: Counter[str] = field(default_factory=Counter)

    @property
    def handling_rate(self) -> float | None:
        return percent(self.replied, self.assigned)

    @property
    def on_time_rate(self) -> float | None:
        return percent(self.on_time, self.due)


@dataclass
class SessionNumbers:
    session: Session
    total: Counts
    by_category: list[tuple[str, Counts]]
    by_sector: list[tuple[str, Counts]]
    by_kind: list[tuple[str, Counts]]
    units: list[UnitNumbers]

    @property
    def assigned(self) -> int:
        return sum(u.assigned for u in self.units)

    @property
    def replied(self) -> int:
        return sum(u.replied for u in self.units)

    @property
    def on_time(self) -> int:
        return sum(u.on_time for u in self.units)

    @property
    def due(self) -> int:
        return sum(u.due for u in self.units)

    @property
    def results(self) -> Counter[str]:
        return sum((u.results for u in self.units), Counter())

    @property
    def ratings(self) -> Counter[str]:
        return sum((u.ratings for u in self.units), Counter())

    @property
    def not_evaluated(self) -> int:
        return self.replied - sum(self.ratings.values())


def _grouped(items: dict[Any, tuple[tuple[Any, ...], str, Counts]]) -> list[tuple[str, Counts]]:
    return [(label, counts) for _key, (_order, label, counts) in sorted(items.items(), key=lambda i: i[1][0])]


def _sectors(proposals: QuerySet[Proposal], session: Session) -> dict[int, tuple[int, int, str] | None]:
    """Proposal id → (sector id, sort order, name) of its first proposer in the session's term, or None. Two
    queries."""
    first_author: dict[int, int] = {}
    authors = (
        ProposalAuthor.objects.filter(proposal__in=proposals.values("pk"), member__isnull=False)
        .order_by("proposal_id", "order", "pk")
        .values_list("proposal_id", "member_id", "role")
    )
    leads: dict[int, int] = {}
    for proposal_id, member_id, role in authors:
        first_author.setdefault(proposal_id, member_id)
        if role == ProposalAuthor.Role.LEAD:
            leads.setdefault(proposal_id, member_id)
    first_author.update(leads)
    sector_of: dict[int, tuple[int, int, str]] = {
        member_id: (sector_id, order, name)
        for member_id, sector_id, order, name in MemberTerm.objects.filter(
            term_id=session.term_id,
            member_id__in=ProposalAuthor.objects.filter(
                proposal__in=proposals.values("pk"), member__isnull=False
            ).values("member_id"),
            sector__isnull=False,
        ).values_list("member_id", "sector_id", "sector__sort_order", "sector__name")
    }
    return {pk: sector_of.get(member_id) for pk, member_id in first_author.items()}


def session_numbers(session: Session, *, today: datetime.date | None = None) -> SessionNumbers:
    """Every number of the session's statistics; seven queries whatever the number of proposals."""
    today = today or timezone.localdate()
    proposals = session_proposals(session)
    rows = list(
        proposals.order_by("serial", "pk").values_list(
            "pk",
            "status",
            "kind",
            "category_id",
            "category__name",
            "category__order",
            "collective_unit_id",
            "collective_unit__kind",
            "collective_unit__name",
            "collective_unit__sort_order",
            "deadline",
        )
    )
    sectors = _sectors(proposals, session)
    total = Counts()
    categories: dict[Any, tuple[tuple[Any, ...], str, Counts]] = {}
    by_sector: dict[Any, tuple[tuple[Any, ...], str, Counts]] = {}
    kinds = {value: Counts() for value, _label in Proposal.Kind.choices}
    deadlines: dict[int, datetime.date | None] = {}
    for (
        pk,
        status,
        kind,
        category_id,
        category_name,
        category_order,
        unit_id,
        unit_kind,
        unit_name,
        unit_order,
        deadline,
    ) in rows:
        deadlines[pk] = deadline
        total.add(status)
        kinds[kind].add(status)
        if category_id is None:
            entry = categories.setdefault(None, ((1, 0, 0), _("No category"), Counts()))
        else:
            entry = categories.setdefault(
                category_id, ((0, category_order, category_id), category_name, Counts())
            )
        entry[2].add(status)
        if kind == Proposal.Kind.COLLECTIVE:
            if unit_id is not None and unit_kind == OrgUnit.Kind.SECTOR:
                entry = by_sector.setdefault(unit_id, ((0, unit_order, unit_name), unit_name, Counts()))
            else:
                entry = by_sector.setdefault(
                    "collective", ((2, 0, ""), _("Collective proposals of other bodies"), Counts())
                )
        else:
            sector = sectors.get(pk)
            if sector is None:
                entry = by_sector.setdefault(None, ((3, 0, ""), _("No sector recorded"), Counts()))
            else:
                entry = by_sector.setdefault(sector[0], ((0, sector[1], sector[2]), sector[2], Counts()))
        entry[2].add(status)
    return SessionNumbers(
        session=session,
        total=total,
        by_category=_grouped(categories),
        by_sector=_grouped(by_sector),
        by_kind=[(str(label), kinds[value]) for value, label in Proposal.Kind.choices],
        units=_units(proposals, deadlines, today),
    )


def _units(
    proposals: QuerySet[Proposal], deadlines: dict[int, datetime.date | None], today: datetime.date
) -> list[UnitNumbers]:
    """Per current lead unit (three queries: the leads, the sent replies, the evaluations)."""
    leads = (
        Assignment.objects.filter(proposal__in=proposals.values("pk"), role=Assignment.Role.LEAD)
        .exclude(status=Assignment.Status.RETURNED)
        .values_list("proposal_id", "department_id", "department__name")
    )
    latest_reply: dict[tuple[int, int], tuple[str, Any, datetime.date | None]] = {}
    for proposal_id, department_id, result, sent_at, round_deadline in (
        Reply.objects.filter(proposal__in=proposals.values("pk"), sent_at__isnull=False)
        .order_by("round", "pk")
        .values_list("proposal_id", "department_id", "result", "sent_at", "deadline")
    ):
        latest_reply[(proposal_id, department_id)] = (result, sent_at, round_deadline)
    latest_rating: dict[tuple[int, int], str] = {}
    for proposal_id, department_id, rating in (
        Evaluation.objects.filter(reply__proposal__in=proposals.values("pk"))
        .order_by("reply__round", "at", "pk")
        .values_list("reply__proposal_id", "reply__department_id", "rating")
    ):
        latest_rating[(proposal_id, department_id)] = rating
    units: dict[int, UnitNumbers] = {}
    for proposal_id, department_id, name in leads:
        unit = units.setdefault(department_id, UnitNumbers(name))
        unit.assigned += 1
        deadline = deadlines.get(proposal_id)
        reply = latest_reply.get((proposal_id, department_id))
        if reply is None:
            if deadline is not None and deadline < today:
                unit.due += 1
            continue
        result, sent_at, round_deadline = reply
        unit.replied += 1
        unit.due += 1
        # Against the deadline of the reply's own round (a 不满意 since gave the case a new one).
        deadline = round_deadline or deadline
        if deadline is None or timezone.localdate(sent_at) <= deadline:
            unit.on_time += 1
        if result:
            unit.results[result] += 1
        latest = latest_rating.get((proposal_id, department_id))
        if latest:
            unit.ratings[latest] += 1
    return sorted(units.values(), key=lambda u: (-u.assigned, u.name))


# --- the page's tables ----------------------------------------------------------------------------------


@dataclass
class Table:
    """One table of the page (and one sheet of the workbook): a title, column titles, rows; the chart
    draws column `chart_column` (0: no chart)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    chart_column: int = 1
    # The chart's labels when the rows' are too long under a bar (the result codes' letters).
    chart_labels: list[str] | None = None

    @property
    def chart_series(self) -> str:
        return self.columns[self.chart_column] if self.chart_column else ""


def _rate(value: float | None) -> float | str:
    return NO_VALUE if value is None else value


def _count_columns(first: str) -> list[str]:
    return [
        first,
        pgettext("proposal statistics", "Received"),
        pgettext("proposal statistics", "Accepted"),
        pgettext("proposal statistics", "Merged"),
        pgettext("proposal statistics", "Converted"),
        pgettext("proposal statistics", "Not accepted"),
    ]


def tables(numbers: SessionNumbers) -> list[Table]:
    """The page's tables, in its order."""
    total = numbers.total
    overview = Table(
        "overview",
        _("Proposals of the session"),
        [_("Proposals"), pgettext("proposal statistics", "Number")],
        [
            [pgettext("proposal statistics", "Received"), total.received],
            [pgettext("proposal statistics", "Accepted"), total.accepted],
            [pgettext("proposal statistics", "Merged"), total.merged],
            [pgettext("proposal statistics", "Converted"), total.converted],
            [pgettext("proposal statistics", "Not accepted"), total.rejected],
            [_("Waiting for review"), total.waiting],
        ],
    )
    category = Table(
        "category",
        _("By category"),
        _count_columns(_("Category")),
        [[label, *counts.row()] for label, counts in numbers.by_category],
    )
    sector = Table(
        "sector",
        _("By the first proposer's sector"),
        _count_columns(_("Sector")),
        [[label, *counts.row()] for label, counts in numbers.by_sector],
    )
    kind = Table(
        "kind",
        _("By kind"),
        _count_columns(_("Kind")),
        [[label, *counts.row()] for label, counts in numbers.by_kind],
    )
    units = Table(
        "units",
        _("By lead unit"),
        [
            _("Lead unit"),
            pgettext("proposal statistics", "Assigned"),
            pgettext("proposal statistics", "Replied"),
            _("Handling rate (%)"),
            _("Replied on time"),
            _("On-time rate (%)"),
            *RESULTS,
            *[str(label) for _value, label in Evaluation.Rating.choices],
        ],
        [
            [
                unit.name,
                unit.assigned,
                unit.replied,
                _rate(unit.handling_rate),
                unit.on_time,
                _rate(unit.on_time_rate),
                *[unit.results.get(code, 0) for code in RESULTS],
                *[unit.ratings.get(rating, 0) for rating in RATINGS],
            ]
            for unit in numbers.units
        ],
        chart_column=3,
    )
    results = numbers.results
    result_table = Table(
        "results",
        _("Result codes of the replies"),
        [_("Result"), _("Proposals")],
        [[str(label), results.get(value, 0)] for value, label in Reply.Result.choices],
        chart_labels=RESULTS,
    )
    ratings = numbers.ratings
    satisfaction = Table(
        "satisfaction",
        _("The proposers' evaluations"),
        [_("Evaluation"), _("Proposals")],
        [
            *[[str(label), ratings.get(value, 0)] for value, label in Evaluation.Rating.choices],
            [_("Not evaluated yet"), numbers.not_evaluated],
        ],
    )
    return [overview, category, sector, kind, units, result_table, satisfaction]


def statistics_of_session(session: Session) -> tuple[SessionNumbers, list[Table]]:
    numbers = session_numbers(session)
    return numbers, tables(numbers)


def chart_data(tables: list[Table]) -> dict[str, Any]:
    """The numbers the page's charts draw (static/lvzhi/charts.js "opinion-bars", one series a chart),
    from the tables themselves."""
    return {
        table.key: {
            "key": table.key,
            "title": table.title,
            "labels": table.chart_labels or [str(row[0]) for row in table.rows],
            "values": [
                row[table.chart_column] if isinstance(row[table.chart_column], int | float) else 0
                for row in table.rows
            ],
            "series": table.chart_series,
        }
        for table in tables
        if table.chart_column and table.rows
    }
