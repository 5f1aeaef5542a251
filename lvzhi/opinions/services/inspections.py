"""Members' findings and suggestions after an inspection or research activity, and the report staff
compile from them (视察报告 / 调研报告) and send to the departments concerned (issue 11).

Who may do what is in `inspection_scope`: members hand in for activities they are invited to, during or
after them, until the report is sent; office staff compile the report of any such activity, unit staff
of their units' activities. The departments answer through the same transfers as for 社情民意 reports
(services.feedback: signing for it, replying, a paper reply).

Each suggestion is its own ledger source (DESIGN §6.5): opinion.suggestion for its member on the day it
was handed in, and opinion.suggestion.adopted once staff mark it adopted; every service that changes a
suggestion ends with `sync_suggestion_ledger`, and withdrawing one retracts its rows.

A suggestion becomes a 社情民意 draft of its member in one step (`to_report_draft`, linked both ways by
Suggestion.report). Turning one into a proposal draft waits for the proposals app (issue 12): it will be
a second service here beside `to_report_draft`, calling the proposals app's create-draft service, with a
link field on Suggestion like `report`."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.activities.models import Activity
from lvzhi.core import audit, workflow
from lvzhi.ledger.services import retract_all
from lvzhi.notifications.services import notify
from lvzhi.organization.models import Department

from .. import inspection_scope as scope
from ..facts import sync_suggestion_ledger
from ..models import InspectionReport, InspectionReportStatusChange, OpinionReport, Suggestion, Transfer
from . import feedback
from .reports import create_draft

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from lvzhi.accounts.models import User

# Long enough for a page of findings; the form shows the limit.
TEXT_LIMIT = 5000
TITLE_LIMIT = 200  # InspectionReport.title's max_length


class InspectionError(ValidationError):
    """A refused act on a suggestion or an inspection report: shown as a message, never a 500."""


# --- the ledger ------------------------------------------------------------------------------------


# --- members ---------------------------------------------------------------------------------------


def _closed_message(reason: str) -> str:
    return {
        "kind": _("Suggestions are handed in for inspection, research and study-tour activities only."),
        "status": _("This activity takes no suggestions: it is a draft or was cancelled."),
        "not_started": _("Suggestions can be handed in once the activity has started."),
        "sent": _("The report of this activity has been sent to the departments: suggestions are closed."),
    }[reason]


def _require_open(activity: Activity, *, lock: bool = True) -> InspectionReport | None:
    """The activity's report (locked, so that sending it waits for this act and the other way round),
    after refusing the act when suggestions are closed."""
    reports = InspectionReport.objects.filter(activity=activity)
    report = (reports.select_for_update() if lock else reports).first()
    reason = scope.hand_in_closed_reason(activity, report)
    if reason:
        raise InspectionError(_closed_message(reason), code=f"closed_{reason}")
    return report


def _clean_texts(findings: str | None, text: str | None) -> tuple[str, str]:
    findings, text = (findings or "").strip(), (text or "").strip()
    if not text:
        raise InspectionError(_("Suggestions: write at least one suggestion."), code="text_required")
    for label, value in ((_("Findings"), findings), (_("Suggestions"), text)):
        if len(value) > TEXT_LIMIT:
            raise InspectionError(
                _("%(field)s: at most %(limit)s characters (this has %(length)s)."),
                code="too_long",
                params={"field": label, "limit": TEXT_LIMIT, "length": len(value)},
            )
    return findings, text


def _require_own(actor: User, suggestion: Suggestion) -> None:
    member = scope.member_of(actor)
    if member is None or suggestion.member_id != member.pk:
        raise PermissionDenied("not the author of this suggestion")


@transaction.atomic
def hand_in(*, activity: Activity, actor: User, findings: str | None = "", text: str | None) -> Suggestion:
    """A member hands in findings and suggestions for an activity they are invited to."""
    member = scope.member_of(actor)
    if member is None or member.committee_id != activity.committee_id:
        raise PermissionDenied("no member file of this committee")
    if not scope.is_invited(member, activity):
        raise InspectionError(
            _("You are not on the list of this activity, so you cannot hand in suggestions for it."),
            code="not_invited",
        )
    _require_open(activity)
    findings, text = _clean_texts(findings, text)
    suggestion = Suggestion.objects.create(
        committee_id=activity.committee_id,
        activity=activity,
        member=member,
        findings=findings,
        text=text,
        created_by=actor,
    )
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=activity.committee,
        obj=suggestion,
        event="opinions.suggestion_handed_in",
        params={"activity": activity.title},
        detail={"activity": activity.pk, "member": member.pk},
    )
    sync_suggestion_ledger(suggestion, actor=actor)
    return suggestion


def _lock_suggestion(suggestion: Suggestion, expected_version: int | None = None) -> Suggestion:
    return workflow.lock(
        Suggestion.objects.select_related("activity", "member", "committee"), suggestion.pk, expected_version
    )


@transaction.atomic
def edit_suggestion(
    *, suggestion: Suggestion, actor: User, findings: str | None, text: str | None, expected_version: int
) -> Suggestion:
    """The member changes their own suggestion while the report is not sent (optimistic lock)."""
    _require_own(actor, suggestion)
    _require_open(suggestion.activity)
    suggestion = _lock_suggestion(suggestion, expected_version)
    findings, text = _clean_texts(findings, text)
    suggestion.findings, suggestion.text = findings, text
    suggestion.version += 1
    suggestion.save(update_fields=["findings", "text", "version"])
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=suggestion.committee,
        obj=suggestion,
        event="opinions.suggestion_changed",
        params={"activity": suggestion.activity.title},
        detail={"fields": ["findings", "text"]},
    )
    sync_suggestion_ledger(suggestion, actor=actor)
    return suggestion


@transaction.atomic
def withdraw_suggestion(*, suggestion: Suggestion, actor: User) -> None:
    """The member takes back their own suggestion while the report is not sent; its duty records go.
    One that became a 社情民意 draft stays, so that the draft keeps saying where it came from."""
    _require_own(actor, suggestion)
    _require_open(suggestion.activity)
    suggestion = _lock_suggestion(suggestion)
    if suggestion.report_id is not None:
        raise InspectionError(
            _(
                "This suggestion became a public-opinion draft, so it stays; staff may leave it out of the report."
            ),
            code="converted",
        )
    retract_all(source=suggestion, actor=actor, committee=suggestion.committee)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=suggestion.committee,
        obj=suggestion,
        event="opinions.suggestion_withdrawn",
        params={"activity": suggestion.activity.title},
        detail={"activity": suggestion.activity_id, "member": suggestion.member_id},
    )
    suggestion.delete()


def draft_title(suggestion: Suggestion) -> str:
    title = _("Suggestions from %(activity)s") % {"activity": suggestion.activity.title}
    return title[: OpinionReport._meta.get_field("title").max_length]


def draft_body(suggestion: Suggestion) -> str:
    if not suggestion.findings:
        return suggestion.text
    return "\n\n".join(
        [
            _("Findings: %(text)s") % {"text": suggestion.findings},
            _("Suggestions: %(text)s") % {"text": suggestion.text},
        ]
    )


@transaction.atomic
def to_report_draft(*, suggestion: Suggestion, actor: User) -> OpinionReport:
    """Turn a suggestion into a 社情民意 draft (source: inspection or research) whose lead author is the
    suggestion's member: the member's own act, or staff's who compile the activity's report (the draft
    is then started in the member's name). Linked both ways: the suggestion names the draft, the draft's
    page names the suggestion. Once only (a draft deleted since frees it again)."""
    member = scope.member_of(actor)
    own = member is not None and suggestion.member_id == member.pk
    if not own:
        _require_compile(actor, suggestion.activity)
    suggestion = _lock_suggestion(suggestion)
    if suggestion.report_id is not None:
        raise InspectionError(
            _("This suggestion has already been turned into a public-opinion draft."), code="converted"
        )
    report = create_draft(
        actor=actor,
        title=draft_title(suggestion),
        body=draft_body(suggestion),
        source=OpinionReport.Source.INSPECTION,
        lead_member=None if own else suggestion.member,
    )
    suggestion.report = report
    suggestion.save(update_fields=["report"])
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=suggestion.committee,
        obj=suggestion,
        event="opinions.suggestion_converted",
        params={"activity": suggestion.activity.title},
        detail={"report": report.pk},
    )
    sync_suggestion_ledger(suggestion, actor=actor)
    return report


# --- staff: the report ----------------------------------------------------------------------------


def _require_compile(actor: User, activity: Activity) -> None:
    if not scope.can_compile(actor, activity):
        raise PermissionDenied(scope.COMPILE)


def default_title(activity: Activity) -> str:
    if activity.kind == Activity.Kind.INSPECTION:
        title = _("Inspection report on %(activity)s")
    elif activity.kind == Activity.Kind.RESEARCH:
        title = _("Research report on %(activity)s")
    else:
        title = _("Study-tour report on %(activity)s")
    return (title % {"activity": activity.title})[:TITLE_LIMIT]


def _clean_title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise InspectionError(_("Title: give the report a title."), code="title_required")
    if len(title) > TITLE_LIMIT:
        raise InspectionError(_("Title: at most 200 characters."), code="title_too_long")
    return title


@transaction.atomic
def save_report(
    *,
    activity: Activity,
    actor: User,
    title: str | None,
    body: str | None,
    shown_ids: Collection[int],
    listed_ids: Collection[int],
    expected_version: int,
) -> InspectionReport:
    """Staff save the report's draft: its title and text, and which of the suggestions their page
    showed (`shown_ids`) are listed in it (`listed_ids`); a suggestion handed in since the page was
    opened keeps its listing. `expected_version` is the report's version the page showed, 0 when it
    showed no report yet: of two editors, the first to save wins and the other saves nothing."""
    _require_compile(actor, activity)
    title = _clean_title(title)
    body = (body or "").strip()
    existing = InspectionReport.objects.filter(activity=activity).values_list("pk", flat=True).first()
    if existing is None:
        if expected_version:
            raise workflow.StaleEdit
        try:
            with transaction.atomic():
                report = InspectionReport.objects.create(
                    committee_id=activity.committee_id,
                    activity=activity,
                    title=title,
                    body=body,
                    created_by=actor,
                )
        except IntegrityError:
            # Another editor created the activity's report at the same moment.
            raise workflow.StaleEdit from None
    else:
        report = workflow.lock(InspectionReport, existing, expected_version)
        if report.status != InspectionReport.Status.DRAFT:
            raise InspectionError(_("The report has been sent and can no longer be changed."), code="sent")
        report.title, report.body = title, body
        report.version += 1
        report.save(update_fields=["title", "body", "version"])
    shown = Suggestion.objects.filter(activity=activity, pk__in=set(shown_ids))
    listed = set(listed_ids)
    shown.filter(pk__in=listed).update(included=True)
    shown.exclude(pk__in=listed).update(included=False)
    audit.record(
        audit.Action.UPDATE if existing else audit.Action.CREATE,
        actor=actor,
        committee=activity.committee,
        obj=report,
        event="opinions.inspection_report_saved",
        params={"title": report.title},
        detail={"activity": activity.pk, "listed": sorted(listed & set(shown_ids))},
    )
    return report


def listed_suggestions(report: InspectionReport) -> list[Suggestion]:
    """The suggestions the report lists, in the order they were handed in, with their members."""
    return list(
        Suggestion.objects.filter(activity_id=report.activity_id, included=True)
        .select_related("member")
        .order_by("created_at", "pk")
    )


@transaction.atomic
def send_report(
    *,
    report: InspectionReport,
    actor: User,
    departments: Iterable[Department],
    note: str = "",
    sent_on: datetime.date | None = None,
    expected_version: int,
) -> InspectionReport:
    """Send the report to the departments concerned: DRAFT → SENT (history, audit), and one transfer
    to each department, which signs for it and replies as for a 社情民意 report. Suggestions close."""
    activity = report.activity
    _require_compile(actor, activity)
    report = workflow.lock(
        InspectionReport.objects.select_related("activity", "committee"), report.pk, expected_version
    )
    departments = list({d.pk: d for d in departments}.values())
    if not departments:
        raise InspectionError(_("Departments: choose at least one department."), code="no_department")
    if any(d.committee_id != report.committee_id or not d.is_active for d in departments):
        raise InspectionError(
            _("Departments: choose departments of this committee."), code="foreign_department"
        )
    if not report.body and not Suggestion.objects.filter(activity=activity, included=True).exists():
        raise InspectionError(
            _("The report is empty: write its text or list at least one suggestion."), code="empty"
        )
    sent_on = sent_on or timezone.localdate()
    workflow.move(
        report,
        InspectionReport.Status.SENT,
        actor=actor,
        history=(InspectionReportStatusChange, "inspection_report"),
        error=InspectionError,
        illegal=_("An inspection report that is %(from)s cannot become %(to)s."),
        event="opinions.inspection_report_status_changed",
        save=False,
    )
    report.sent_on = sent_on
    report.save(update_fields=["status", "version", "sent_on"])
    for department in departments:
        _transfer(report, department=department, note=note, on=sent_on, actor=actor)
    return report


def _transfer(
    report: InspectionReport, *, department: Department, note: str, on: datetime.date, actor: User
) -> Transfer:
    transfer = Transfer.objects.create(
        committee_id=report.committee_id,
        inspection_report=report,
        department=department,
        transferred_on=on,
        note=note,
        created_by=actor,
    )
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=report.committee,
        obj=transfer,
        event="opinions.transfer_created",
        params={"object": report.title, "department": department.name},
        detail={"inspection_report": report.pk, "department": department.pk},
    )
    User = get_user_model()
    notify(
        recipients=[User(pk=pk) for pk in feedback.department_user_ids(department.pk)],
        kind="opinion.transferred",
        title=_("An inspection or research report was sent to your department: %(title)s")
        % {"title": report.title},
        body=note,
        url=reverse("opinions:transfer", args=[transfer.pk]),
        committee=report.committee,
    )
    return transfer


@transaction.atomic
def set_adopted(*, suggestion: Suggestion, actor: User, adopted: bool) -> Suggestion:
    """Staff mark a listed suggestion of a sent report adopted by the departments (or take the mark
    back); the member's duty record follows, and the member hears of it."""
    _require_compile(actor, suggestion.activity)
    suggestion = _lock_suggestion(suggestion)
    report = InspectionReport.objects.filter(activity_id=suggestion.activity_id).first()
    if report is None or report.status != InspectionReport.Status.SENT:
        raise InspectionError(
            _("A suggestion can be marked adopted once the report has been sent."), code="not_sent"
        )
    if not suggestion.included:
        raise InspectionError(
            _("Only suggestions listed in the report can be marked adopted."), code="not_listed"
        )
    if suggestion.adopted == adopted:
        return suggestion
    suggestion.adopted = adopted
    suggestion.version += 1
    suggestion.save(update_fields=["adopted", "version"])
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=suggestion.committee,
        obj=suggestion,
        event="opinions.suggestion_changed",
        params={"activity": suggestion.activity.title},
        detail={"adopted": adopted, "member": suggestion.member_id},
    )
    sync_suggestion_ledger(suggestion, actor=actor)
    member_user = suggestion.member.user
    if adopted and member_user is not None:
        notify(
            recipients=[member_user],
            kind="opinion.suggestion_adopted",
            title=_("Your suggestion from %(activity)s was adopted")
            % {"activity": suggestion.activity.title},
            url=reverse("opinions:my_suggestions"),
            committee=suggestion.committee,
        )
    return suggestion


@transaction.atomic
def record_paper_reply(
    *,
    transfer: Transfer,
    actor: User,
    reply: str,
    replied_on: datetime.date,
    document: UploadedFile | None = None,
) -> Transfer:
    """Staff who compile an inspection report type in a department's reply that came on paper: the same
    steps as services.feedback.record_paper_reply for a 社情民意 report (move with history, the stored
    document, the notice), with the inspection's right (office, or the activity's unit staff) instead
    of the editors'."""
    report = transfer.inspection_report
    if report is None:
        raise PermissionDenied("not a transfer of an inspection report")
    _require_compile(actor, report.activity)
    return feedback.write_paper_reply(
        transfer=transfer, actor=actor, reply=reply, replied_on=replied_on, document=document
    )


def record_download(*, report: InspectionReport, actor: User) -> None:
    """The audit row of a download of the report's Word document."""
    audit.record(
        audit.Action.EXPORT,
        actor=actor,
        committee=report.committee,
        obj=report,
        event="opinions.inspection_report_downloaded",
        params={"title": report.title},
        detail={"activity": report.activity_id},
    )
