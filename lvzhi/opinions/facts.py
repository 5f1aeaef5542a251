"""What a report implies for the duty ledger (DESIGN §6.5): every service that changes a report's
status, its authors or its feedback ends with `sync_report_ledger`, which makes the ledger hold exactly
these facts, so corrections and deletions need no special code.

- opinion.submitted: each member author, from the day it was first submitted (a report returned for
  revision or not adopted was still submitted);
- opinion.reported: each member author, once it is reported;
- opinion.adopted.<level> / opinion.instructed.<level>: each member author, at the first adoption or
  instruction of that level. Authors of reports merged into this one share its reporting and feedback
  with the role "merged", and rule sets decide what that is worth.

A suggestion handed in after an inspection or research activity is its own source: opinion.suggestion
for its member, and opinion.suggestion.adopted once adopted, dated by the first department reply to the
inspection report that carried it (or the day the report was sent, before any reply)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from lvzhi.ledger.services import Fact, SyncResult, sync_records

from .models import InspectionReport, OpinionAuthor, OpinionReport, Suggestion, Transfer

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

_REPORTED = (OpinionReport.Status.REPORTED, OpinionReport.Status.ARCHIVED)


def report_facts(report: OpinionReport) -> list[Fact]:
    if report.submitted_at is None or report.status == OpinionReport.Status.DRAFT:
        return []
    own = [a for a in report.authors.select_related("member") if a.member_id is not None]
    merged = [
        a
        for a in OpinionAuthor.objects.filter(report__merged_into=report, member__isnull=False)
        .select_related("member")
        .order_by("report_id", "order", "pk")
    ]
    facts = [
        Fact(a.member, "opinion.submitted", timezone.localdate(report.submitted_at), role=a.role) for a in own
    ]
    credited = {}
    for author in own:
        credited[author.member_id] = (author.member, author.role)
    for author in merged:
        credited.setdefault(author.member_id, (author.member, "merged"))
    if report.status in _REPORTED and report.reported_on:
        facts += [Fact(m, "opinion.reported", report.reported_on, role=r) for m, r in credited.values()]
    firsts: dict[str, object] = {}
    for adoption in report.adoptions.order_by("adopted_on", "pk"):
        firsts.setdefault(f"opinion.adopted.{adoption.level}", adoption.adopted_on)
    for instruction in report.instructions.order_by("instructed_on", "pk"):
        firsts.setdefault(f"opinion.instructed.{instruction.level}", instruction.instructed_on)
    for kind, day in firsts.items():
        facts += [Fact(m, kind, day, role=r) for m, r in credited.values()]  # type: ignore[arg-type]
    return facts


def sync_report_ledger(report: OpinionReport, *, actor: User | None) -> SyncResult:
    return sync_records(source=report, committee=report.committee, facts=report_facts(report), actor=actor)


def adopted_on(suggestion: Suggestion) -> datetime.date | None:
    """The day a suggestion counts as adopted: the first reply of a department to the report that
    carried it, or, before any reply (staff heard otherwise), the day the report was sent."""
    report = getattr(suggestion.activity, "inspection_report", None)
    if report is None or report.sent_on is None:
        return None
    first_reply = (
        Transfer.objects.filter(inspection_report=report, replied_on__isnull=False)
        .order_by("replied_on")
        .values_list("replied_on", flat=True)
        .first()
    )
    return first_reply or report.sent_on


def suggestion_facts(suggestion: Suggestion) -> list[Fact]:
    facts = [Fact(suggestion.member, "opinion.suggestion", timezone.localdate(suggestion.created_at))]
    if suggestion.adopted:
        day = adopted_on(suggestion)
        if day is not None:
            facts.append(Fact(suggestion.member, "opinion.suggestion.adopted", day))
    return facts


def sync_suggestion_ledger(suggestion: Suggestion, *, actor: User | None) -> SyncResult:
    return sync_records(
        source=suggestion, committee=suggestion.committee, facts=suggestion_facts(suggestion), actor=actor
    )


def sync_report_suggestions(report: InspectionReport, *, actor: User | None) -> None:
    """Re-date the adopted suggestions' ledger rows after a department's reply (the first reply dates
    an adoption, see `adopted_on`)."""
    adopted = Suggestion.objects.filter(activity_id=report.activity_id, adopted=True)
    for suggestion in adopted.select_related("member", "committee", "activity"):
        sync_suggestion_ledger(suggestion, actor=actor)
