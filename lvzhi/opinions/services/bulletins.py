"""社情民意专报: compiling signed reports into a numbered bulletin (第N期 of a year) and sending it.

A bulletin takes the next number of its committee and year from the locked SerialCounter row, so two
editors creating bulletins at once get 1 and 2, never the same number and never a gap. A report appears
in one bulletin only: adding locks the report rows and refuses one that another bulletin holds. While a
bulletin is being compiled its reports can be reordered and removed; sending it (irreversible) moves it
to SENT and marks each of its reports reported to the bulletin's recipients on the day it was sent
(services.reports.mark_reported, which writes their history, ledger and notices)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from lvzhi.core import audit, workflow
from lvzhi.core.permissions import committee_of

from ..models import Bulletin, BulletinStatusChange, OpinionReport, SerialCounter
from ..permissions import PROCESS, is_author
from .numbering import next_number

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

Status = Bulletin.Status
# reported_to on a report holds at most this much: the recipients of the bulletin that reported it.
RECIPIENTS_MAX = OpinionReport._meta.get_field("reported_to").max_length or 300
UP, DOWN = "up", "down"


class BulletinError(ValidationError):
    """A refused act on a bulletin: shown to the user as a message, never a 500."""


def _require_process(actor: User) -> None:
    if not actor.has_perm(PROCESS):
        raise PermissionDenied(PROCESS)


def _require_same_committee(actor: User, bulletin: Bulletin) -> None:
    if bulletin.committee_id != committee_of(actor):
        raise PermissionDenied(PROCESS)


def _clean_recipients(recipients: str) -> str:
    recipients = " ".join((recipients or "").split())
    if len(recipients) > RECIPIENTS_MAX:
        raise BulletinError(
            _("Recipients: at most %(max)s characters."),
            code="recipients_too_long",
            params={"max": RECIPIENTS_MAX},
        )
    return recipients


@transaction.atomic
def create_bulletin(*, actor: User, year: int, title: str = "", recipients: str = "") -> Bulletin:
    """A new bulletin, being compiled, numbered 第N期 of `year` for the actor's committee."""
    _require_process(actor)
    committee_id = committee_of(actor)
    recipients = _clean_recipients(recipients)
    number = next_number(committee_id=committee_id, year=year, series=SerialCounter.Series.BULLETIN)
    bulletin = Bulletin.objects.create(
        committee_id=committee_id,
        year=year,
        number=number,
        title=title.strip(),
        recipients=recipients,
        created_by=actor,
    )
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=committee_id,
        obj=bulletin,
        event="opinions.bulletin_created",
        params={"bulletin": str(bulletin)},
        detail={"year": year, "number": number},
    )
    return bulletin


def _lock_draft(actor: User, bulletin: Bulletin, expected_version: int | None) -> Bulletin:
    """The bulletin locked for this act, refused unless the actor may compile it and it is still a
    draft; workflow.StaleEdit when it changed since the editor's page showed `expected_version`."""
    _require_process(actor)
    _require_same_committee(actor, bulletin)
    locked = workflow.lock(Bulletin, bulletin.pk, expected_version)
    if locked.status != Status.DRAFT:
        raise BulletinError(_("A bulletin that has been sent cannot change."), code="sent")
    return locked


def _changed(actor: User, bulletin: Bulletin, what: str, **detail: object) -> None:
    bulletin.version += 1
    bulletin.save(update_fields=["version"])
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=bulletin.committee_id,
        obj=bulletin,
        event="opinions.bulletin_changed",
        params={"bulletin": str(bulletin)},
        detail={"change": what, **detail},
    )


@transaction.atomic
def update_bulletin(
    *, bulletin: Bulletin, actor: User, expected_version: int | None, title: str, recipients: str
) -> Bulletin:
    """Save the title and recipients of a bulletin being compiled."""
    bulletin = _lock_draft(actor, bulletin, expected_version)
    bulletin.title = title.strip()
    bulletin.recipients = _clean_recipients(recipients)
    bulletin.save(update_fields=["title", "recipients"])
    _changed(actor, bulletin, "details", title=bulletin.title, recipients=bulletin.recipients)
    return bulletin


def _ordered(bulletin: Bulletin) -> list[OpinionReport]:
    return list(bulletin.reports.select_for_update().order_by("bulletin_order", "pk"))


def _renumber(reports: list[OpinionReport]) -> None:
    changed = []
    for order, report in enumerate(reports, 1):
        if report.bulletin_order != order:
            report.bulletin_order = order
            changed.append(report)
    OpinionReport.objects.bulk_update(changed, ["bulletin_order"])


@transaction.atomic
def add_reports(
    *, bulletin: Bulletin, actor: User, expected_version: int | None, reports: Iterable[OpinionReport]
) -> list[OpinionReport]:
    """Add signed reports at the end of a bulletin being compiled. The report rows are locked, so of two
    bulletins taking the same report at once one gets it and the other is refused; a report already in
    a bulletin, not signed, of another committee, or written by the actor is refused, and then none is
    added."""
    bulletin = _lock_draft(actor, bulletin, expected_version)
    ids = sorted({report.pk for report in reports})
    if not ids:
        raise BulletinError(_("Choose the reports to add."), code="none_chosen")
    # Locked in id order: two editors adding overlapping sets wait for each other, never deadlock.
    locked = list(
        OpinionReport.objects.select_for_update()
        .filter(pk__in=ids, committee_id=bulletin.committee_id)
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise PermissionDenied(PROCESS)
    for report in locked:
        if report.bulletin_id is not None:
            raise BulletinError(
                _("“%(title)s” is already in %(bulletin)s; a report appears in one bulletin only."),
                code="in_another_bulletin",
                params={"title": report.current_title, "bulletin": _bulletin_label(report.bulletin_id)},
            )
        if report.status != OpinionReport.Status.SIGNED:
            raise BulletinError(
                _("“%(title)s” is %(status)s; only signed reports go into a bulletin."),
                code="not_signed",
                params={"title": report.current_title, "status": report.get_status_display()},
            )
        if is_author(actor, report):
            raise BulletinError(
                _("“%(title)s” is your own report: another editor compiles it into a bulletin."),
                code="own_report",
                params={"title": report.current_title},
            )
    last = bulletin.reports.aggregate(last=Max("bulletin_order"))["last"] or 0
    for order, report in enumerate(locked, last + 1):
        report.bulletin = bulletin
        report.bulletin_order = order
    OpinionReport.objects.bulk_update(locked, ["bulletin", "bulletin_order"])
    _changed(actor, bulletin, "reports_added", reports=[r.pk for r in locked])
    return locked


def _bulletin_label(pk: int) -> str:
    other = Bulletin.objects.filter(pk=pk).only("year", "number").first()
    return str(other) if other else ""


def _position(report: OpinionReport, reports: list[OpinionReport]) -> int:
    for index, row in enumerate(reports):
        if row.pk == report.pk:
            return index
    raise BulletinError(_("That report is not in this bulletin."), code="not_in_bulletin")


@transaction.atomic
def remove_report(
    *, bulletin: Bulletin, actor: User, expected_version: int | None, report: OpinionReport
) -> Bulletin:
    """Take a report out of a bulletin being compiled; it can go into another one."""
    bulletin = _lock_draft(actor, bulletin, expected_version)
    reports = _ordered(bulletin)
    index = _position(report, reports)
    removed = reports.pop(index)
    OpinionReport.objects.filter(pk=removed.pk).update(bulletin=None, bulletin_order=None)
    _renumber(reports)
    _changed(actor, bulletin, "report_removed", report=removed.pk)
    return bulletin


@transaction.atomic
def move_report(
    *, bulletin: Bulletin, actor: User, expected_version: int | None, report: OpinionReport, direction: str
) -> Bulletin:
    """Move a report one place up or down in a bulletin being compiled (the first stays first)."""
    bulletin = _lock_draft(actor, bulletin, expected_version)
    reports = _ordered(bulletin)
    index = _position(report, reports)
    other = index - 1 if direction == UP else index + 1
    if 0 <= other < len(reports):
        reports[index], reports[other] = reports[other], reports[index]
        _renumber(reports)
        _changed(actor, bulletin, "report_moved", report=report.pk, direction=direction)
    return bulletin


@transaction.atomic
def send_bulletin(
    *, bulletin: Bulletin, actor: User, expected_version: int | None, sent_on: datetime.date
) -> Bulletin:
    """Send the bulletin: it becomes SENT on `sent_on` (irreversible), and each of its reports is marked
    reported to its recipients on that day, through this bulletin. Refused when it is empty, has no
    recipients, or holds a report that is no longer signed (sent back to editing since it was added)."""
    from .reports import mark_reported

    bulletin = _lock_draft(actor, bulletin, expected_version)
    if not bulletin.recipients:
        raise BulletinError(_("Say to whom the bulletin goes before sending it."), code="no_recipients")
    reports = _ordered(bulletin)
    if not reports:
        raise BulletinError(_("Add at least one signed report before sending."), code="empty")
    for report in reports:
        if report.status != OpinionReport.Status.SIGNED:
            raise BulletinError(
                _("“%(title)s” is %(status)s, no longer signed: remove it or have it signed again."),
                code="not_signed",
                params={"title": report.current_title, "status": report.get_status_display()},
            )
    bulletin.sent_on = sent_on
    workflow.move(
        bulletin,
        Status.SENT,
        actor=actor,
        history=(BulletinStatusChange, "bulletin"),
        error=BulletinError,
        illegal=_("A bulletin that is %(from)s cannot become %(to)s."),
        event="opinions.bulletin_status_changed",
        save=False,
    )
    bulletin.save(update_fields=["status", "version", "sent_on"])
    for report in reports:
        mark_reported(
            report, actor=actor, reported_on=sent_on, reported_to=bulletin.recipients, bulletin=bulletin
        )
    return bulletin
