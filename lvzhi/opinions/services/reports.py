"""The author's side and the editors' pipeline of 社情民意 reports (DESIGN §6.2).

Every step: lock the report (and check the version the page showed) → check the transition and the
actor's right → move it with history and audit (core.workflow) → notify whom it concerns → make the
ledger match (facts.sync_report_ledger). An author never handles their own report in the pipeline."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit, uploads, workflow
from lvzhi.core.permissions import committee_of
from lvzhi.members.models import Member
from lvzhi.notifications.services import notify

from .. import permissions, selectors
from ..facts import sync_report_ledger
from ..models import (
    Bulletin,
    Category,
    InformationOfficer,
    OpinionAttachment,
    OpinionAuthor,
    OpinionReport,
    OpinionStatusChange,
    SerialCounter,
)
from .numbering import next_number

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from lvzhi.accounts.models import User
    from lvzhi.organization.models import OrgUnit

Status = OpinionReport.Status
# Reports another one may be merged into: in the pipeline or reported, not with the author or closed.
MERGE_TARGETS = (
    Status.SUBMITTED,
    Status.REGISTERED,
    Status.VERIFYING,
    Status.EDITING,
    Status.AWAITING_SIGNOFF,
    Status.SIGNED,
    Status.REPORTED,
)
# The steps from which an editor returns a report, declines it or merges it.
EDITOR_SIDE_EXIT_FROM = (Status.SUBMITTED, Status.REGISTERED, Status.VERIFYING, Status.EDITING)


class OpinionError(ValidationError):
    """An illegal move or bad input: shown to the user as a message, never a 500."""


# --- the common steps -------------------------------------------------------------------------------


def _lock(report: OpinionReport, expected_version: int | None = None) -> OpinionReport:
    # No select_related: FOR UPDATE would lock the joined rows too (the committee) or fail on the
    # nullable side of an outer join (PostgreSQL).
    return workflow.lock(OpinionReport, report.pk, expected_version)


def _move(
    report: OpinionReport, to_status: str, *, actor: User, reason: str = "", fields: Iterable[str] = ()
) -> OpinionReport:
    """Move the locked report through OpinionReport.TRANSITIONS with history and audit, stamping when
    it entered the step, and save `fields` changed with it."""
    workflow.move(
        report,
        to_status,
        actor=actor,
        reason=reason,
        history=(OpinionStatusChange, "report"),
        error=OpinionError,
        illegal=_("A report that is %(from)s cannot become %(to)s."),
        event="opinions.report_status_changed",
        save=False,
    )
    report.status_changed_at = timezone.now()
    report.save(update_fields=["status", "version", "status_changed_at", *fields])
    return report


def _require_status(report: OpinionReport, allowed: Iterable[str], to_status: str) -> None:
    """The same clear message as an illegal move where the table allows more than this step does."""
    if report.status not in allowed:
        raise OpinionError(
            _("A report that is %(from)s cannot become %(to)s."),
            code="illegal_transition",
            params={"from": Status(report.status).label, "to": Status(to_status).label},
        )


def _require_committee(actor: User, report: OpinionReport) -> None:
    if actor.committee_id is None or actor.committee_id != report.committee_id:
        raise PermissionDenied("another committee's report")


def _require_not_author(actor: User, report: OpinionReport) -> None:
    if permissions.is_author(actor, report):
        raise OpinionError(
            _(
                "You are an author of this report, so you cannot register, verify, edit, sign or report "
                "it. Ask another colleague to handle it."
            ),
            code="own_report",
        )


def _require_editor(actor: User, report: OpinionReport) -> None:
    _require_committee(actor, report)
    if not actor.has_perm(permissions.PROCESS):
        raise PermissionDenied(permissions.PROCESS)
    _require_not_author(actor, report)


def _require_leader(actor: User, report: OpinionReport) -> None:
    _require_committee(actor, report)
    if not actor.has_perm(permissions.SIGN):
        raise PermissionDenied(permissions.SIGN)
    _require_not_author(actor, report)


def _require_lead_author(actor: User, report: OpinionReport) -> None:
    _require_committee(actor, report)
    if not permissions.is_lead_author(actor, report):
        raise PermissionDenied("only the report's lead author")


def _required_text(value: str | None, message: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise OpinionError(message, code=code)
    return value


def _refresh_search_document(report: OpinionReport) -> None:
    """Keep report.search_document current: title, both texts, authors and serial cut into words by
    search.search_text (full-text search: a GIN index on PostgreSQL, a scan on SQLite). Called by every
    service that changes one of them."""
    from ..search import search_text

    authors = list(report.authors.order_by("order", "pk").values_list("name", flat=True))
    text = search_text(
        report.serial_label, report.title, report.body, report.edited_title, report.edited_body, *authors
    )
    if text != report.search_document:
        report.search_document = text
        OpinionReport.objects.filter(pk=report.pk).update(search_document=text)


def _author_user_ids(report: OpinionReport) -> set[int]:
    ids = {report.created_by_id} if report.created_by_id else set()
    for user_id, member_user_id in report.authors.values_list("user_id", "member__user_id"):
        ids.update(i for i in (user_id, member_user_id) if i)
    return ids


def _users_with_perm(committee_id: int, codename: str) -> list[Any]:
    User = get_user_model()
    return list(
        User.objects.filter(committee_id=committee_id, is_active=True)
        .filter(
            Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label="opinions")
            | Q(user_permissions__codename=codename, user_permissions__content_type__app_label="opinions")
        )
        .distinct()
        .only("pk")
    )


def _notify(
    report: OpinionReport,
    user_ids: Iterable[int],
    *,
    kind: str,
    title: str,
    body: str = "",
    skip: User | None = None,
) -> None:
    User = get_user_model()
    ids = {pk for pk in user_ids if pk and (skip is None or pk != skip.pk)}
    notify(
        recipients=[User(pk=pk) for pk in ids],
        kind=kind,
        title=title,
        body=body,
        url=reverse("opinions:detail", args=[report.pk]),
        committee=report.committee,
    )


def _notify_authors(
    report: OpinionReport, *, kind: str, title: str, body: str = "", skip: User | None = None
) -> None:
    _notify(report, _author_user_ids(report), kind=kind, title=title, body=body, skip=skip)


def _notify_editors(
    report: OpinionReport, *, kind: str, title: str, body: str = "", skip: User | None = None
) -> None:
    editors = {u.pk for u in _users_with_perm(report.committee_id, "process_opinionreport")}
    _notify(report, editors - _author_user_ids(report), kind=kind, title=title, body=body, skip=skip)


def _named(report: OpinionReport) -> dict[str, str]:
    return {"title": report.current_title, "serial": report.serial_label}


# --- the author's side ------------------------------------------------------------------------------


def _check_category(category: Category | None, committee_id: int) -> None:
    if category is not None and (category.committee_id != committee_id or not category.is_active):
        raise OpinionError(_("Category: choose one of the committee's categories."), code="bad_category")


def _check_unit(actor: User, unit: OrgUnit | None, committee_id: int) -> None:
    """A report in a unit's name is written by that unit's staff (or the office)."""
    if unit is None:
        return
    if unit.committee_id != committee_id or not (
        unit.pk in actor.unit_ids() or actor.has_perm("accounts.committee_wide")
    ):
        raise OpinionError(
            _("Unit: you write only in the name of a unit you staff."), code="unit_outside_scope"
        )


def _co_author_members(actor: User, co_authors: Iterable[Member], committee_id: int) -> list[Member]:
    members, seen = [], set()
    own = getattr(actor, "member", None)
    for member in co_authors:
        if member.committee_id != committee_id:
            raise OpinionError(
                _("Co-authors: %(name)s is not a member of this committee.") % {"name": member.name},
                code="co_author_outside",
            )
        if member.pk in seen or (own is not None and member.pk == own.pk):
            continue
        seen.add(member.pk)
        members.append(member)
    return members


def _set_co_authors(report: OpinionReport, members: list[Member]) -> bool:
    """Make the report's co-authors these members, in this order; whether anything changed."""
    current = list(report.authors.filter(role=OpinionAuthor.Role.CO).order_by("order", "pk"))
    if [a.member_id for a in current] == [m.pk for m in members]:
        return False
    report.authors.filter(role=OpinionAuthor.Role.CO).delete()
    OpinionAuthor.objects.bulk_create(
        [
            OpinionAuthor(
                report=report, member=m, user_id=m.user_id, name=m.name, role=OpinionAuthor.Role.CO, order=n
            )
            for n, m in enumerate(members, 1)
        ]
    )
    return True


def _is_appointed_officer(actor: User) -> bool:
    """Whether the actor holds an information officer's appointment of this year that has not ended."""
    return (
        InformationOfficer.objects.filter(year=timezone.localdate().year, ended_on__isnull=True)
        .filter(Q(user=actor) | Q(member__user=actor))
        .exists()
    )


def _may_write(actor: User) -> bool:
    return actor.has_perm(permissions.WRITE) or actor.has_perm(permissions.PROCESS)


@transaction.atomic
def create_draft(
    *,
    actor: User,
    title: str,
    body: str = "",
    category: Category | None = None,
    source: str = OpinionReport.Source.MEMBER,
    unit: OrgUnit | None = None,
    co_authors: Iterable[Member] = (),
    agrees_to_publish: bool = False,
    lead_member: Member | None = None,
    lead_name: str = "",
) -> OpinionReport:
    """A draft of the actor's committee. Its lead author is the actor's member file if they have one,
    else the actor; `lead_member` lets staff start a draft in a member's name (an inspection suggestion
    turned into a report), `lead_name` in the name of someone who is neither a member nor a user (a
    writer on the public site). Year: this year (until registration gives the serial's)."""
    committee_id = committee_of(actor)
    on_behalf = lead_member is not None or bool(lead_name)
    if not _may_write(actor) and not (on_behalf and actor.has_perm("accounts.committee_wide")):
        raise PermissionDenied(permissions.WRITE)
    title = _required_text(title, _("Title: write what the report is about."), "title_required")
    _check_category(category, committee_id)
    _check_unit(actor, unit, committee_id)
    if unit is not None and source == OpinionReport.Source.MEMBER:
        source = OpinionReport.Source.UNIT
    elif source == OpinionReport.Source.MEMBER and lead_member is None and _is_appointed_officer(actor):
        # What an appointed information officer writes came in through the officers (the statistics by
        # source count them), whether or not the officer is also a member.
        source = OpinionReport.Source.OFFICER
    if lead_member is not None and lead_member.committee_id != committee_id:
        raise PermissionDenied("a member of another committee")
    report = OpinionReport(
        committee_id=committee_id,
        year=timezone.localdate().year,
        title=title,
        body=body or "",
        category=category,
        source=source,
        unit=unit,
        agrees_to_publish=agrees_to_publish,
        status=Status.DRAFT,
        status_changed_at=timezone.now(),
        created_by=actor,
    )
    report.full_clean(exclude=["committee", "created_by", "search_document"])
    report.save()
    lead = lead_member if lead_member is not None else getattr(actor, "member", None)
    if lead_name:
        lead = None
        OpinionAuthor.objects.create(report=report, name=lead_name, role=OpinionAuthor.Role.LEAD, order=0)
    elif lead is not None and lead.committee_id == committee_id:
        OpinionAuthor.objects.create(
            report=report,
            member=lead,
            user_id=lead.user_id or (actor.pk if lead_member is None else None),
            name=lead.name,
            role=OpinionAuthor.Role.LEAD,
            order=0,
        )
    else:
        lead = None
        OpinionAuthor.objects.create(
            report=report, user=actor, name=str(actor), role=OpinionAuthor.Role.LEAD, order=0
        )
    members = _co_author_members(actor, co_authors, committee_id)
    if lead is not None:
        members = [m for m in members if m.pk != lead.pk]
    _set_co_authors(report, members)
    _refresh_search_document(report)
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=committee_id,
        obj=report,
        event="opinions.draft_saved",
        params={"title": report.title},
    )
    return report


@transaction.atomic
def update_draft(
    report: OpinionReport,
    *,
    actor: User,
    expected_version: int,
    title: str,
    body: str,
    category: Category | None = None,
    unit: OrgUnit | None = None,
    co_authors: Iterable[Member] | None = None,
    agrees_to_publish: bool = False,
) -> OpinionReport:
    """Save the author's text (autosave and the explicit save) of a draft or a returned report. Of two
    tabs that opened the same version, the first to save wins and the other gets StaleEdit."""
    _require_lead_author(actor, report)
    report = _lock(report, expected_version)
    if report.status not in OpinionReport.AUTHOR_EDITABLE:
        raise OpinionError(
            _("A report that is %(status)s cannot be changed by its author any more."),
            code="not_editable",
            params={"status": Status(report.status).label},
        )
    title = _required_text(title, _("Title: write what the report is about."), "title_required")
    _check_category(category, report.committee_id)
    _check_unit(actor, unit, report.committee_id)
    changed = {
        name: value
        for name, value in {
            "title": title,
            "body": body or "",
            "category": category,
            "unit": unit,
            "agrees_to_publish": agrees_to_publish,
        }.items()
        if getattr(report, name) != value
    }
    if unit is not None and report.source == OpinionReport.Source.MEMBER:
        changed["source"] = OpinionReport.Source.UNIT
    elif unit is None and report.source == OpinionReport.Source.UNIT:
        changed["source"] = OpinionReport.Source.MEMBER
    authors_changed = False
    if co_authors is not None:
        lead_member_id = report.authors.filter(role=OpinionAuthor.Role.LEAD).values_list(
            "member_id", flat=True
        )
        lead_ids = set(lead_member_id)
        members = [
            m for m in _co_author_members(actor, co_authors, report.committee_id) if m.pk not in lead_ids
        ]
        authors_changed = _set_co_authors(report, members)
    if not changed and not authors_changed:
        return report
    for name, value in changed.items():
        setattr(report, name, value)
    report.version += 1
    report.full_clean(exclude=["committee", "created_by", "search_document"])
    report.save(update_fields=[*changed.keys(), "version"])
    _refresh_search_document(report)
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=report.committee_id,
        obj=report,
        event="opinions.draft_saved",
        params={"title": report.title},
        detail={"fields": sorted(changed), "authors": authors_changed},
    )
    if authors_changed and report.status != Status.DRAFT:
        sync_report_ledger(report, actor=actor)
    return report


def _check_submittable(report: OpinionReport) -> None:
    errors = []
    if not report.title.strip():
        errors.append(OpinionError(_("Title: write what the report is about."), code="title_required"))
    if not report.body.strip():
        errors.append(
            OpinionError(
                _("Body: describe the situation, your analysis and your suggestions."), code="body_required"
            )
        )
    limit = selectors.policy_for(report.committee_id).body_limit
    if len(report.body) > limit:
        errors.append(
            OpinionError(
                _("Body: %(count)s characters, more than the limit of %(limit)s. Shorten it, please."),
                code="body_too_long",
                params={"count": len(report.body), "limit": limit},
            )
        )
    if errors:
        raise OpinionError(errors)


@transaction.atomic
def record_paper_report(
    *,
    actor: User,
    member: Member,
    title: str,
    body: str = "",
    category: Category | None = None,
    co_authors: Iterable[Member] = (),
    agrees_to_publish: bool = False,
) -> OpinionReport:
    """The office types in a report a member handed in on paper (a member without an account, or one
    who prefers paper): a draft in the member's name, submitted at once, so that it enters the pipeline
    like any other. The typist counts as its author: they never handle it in the pipeline."""
    if not actor.has_perm(permissions.RECORD_PAPER):
        raise PermissionDenied(permissions.RECORD_PAPER)
    report = create_draft(
        actor=actor,
        title=title,
        body=body,
        category=category,
        co_authors=co_authors,
        agrees_to_publish=agrees_to_publish,
        lead_member=member,
    )
    return submit(report, actor=actor)


@transaction.atomic
def record_public_message(*, actor: User, title: str, body: str, writer_name: str) -> OpinionReport:
    """A message from the public site that the office turns into a report: a draft of the public channel
    whose lead author is the writer by name only (no account, no member file, so the ledger credits
    nobody), handed in at once so that it waits in the editors' queue to be registered. The office
    member who turned it counts as its author, as for a paper report: they never handle it."""
    if not (actor.has_perm(permissions.RECORD_PAPER) or actor.has_perm(permissions.PROCESS)):
        raise PermissionDenied(permissions.RECORD_PAPER)
    report = create_draft(
        actor=actor,
        title=title,
        body=body,
        source=OpinionReport.Source.PUBLIC,
        lead_name=(writer_name or "").strip() or _("A member of the public"),
    )
    return _hand_in(report, actor=actor)


@transaction.atomic
def submit(report: OpinionReport, *, actor: User, expected_version: int | None = None) -> OpinionReport:
    """The author hands the draft in (DRAFT → SUBMITTED); the editors hear of it."""
    _require_lead_author(actor, report)
    report = _lock(report, expected_version)
    _require_status(report, (Status.DRAFT,), Status.SUBMITTED)
    return _hand_in(report, actor=actor)


@transaction.atomic
def resubmit(report: OpinionReport, *, actor: User, expected_version: int | None = None) -> OpinionReport:
    """The author hands a returned report in again (RETURNED → SUBMITTED); it keeps its serial."""
    _require_lead_author(actor, report)
    report = _lock(report, expected_version)
    _require_status(report, (Status.RETURNED,), Status.SUBMITTED)
    return _hand_in(report, actor=actor)


def _hand_in(report: OpinionReport, *, actor: User) -> OpinionReport:
    _check_submittable(report)
    first = report.submitted_at is None
    if first:
        report.submitted_at = timezone.now()
    _move(report, Status.SUBMITTED, actor=actor, fields=["submitted_at"])
    _notify_editors(
        report,
        kind="opinion.submitted",
        title=(_("New public-opinion report: %(title)s") if first else _("Report resubmitted: %(title)s"))
        % _named(report),
        skip=actor,
    )
    sync_report_ledger(report, actor=actor)
    return report


@transaction.atomic
def add_attachment(*, report: OpinionReport, uploaded_file: UploadedFile, actor: User) -> OpinionAttachment:
    """A file sent with the report, checked and stored by core.uploads; the author adds it while the
    report is theirs to change, an editor at any open step."""
    _require_attachment_right(actor, report)
    report = _lock(report)
    _require_attachment_right(actor, report)
    attachment = OpinionAttachment(report=report)
    try:
        uploads.store(attachment, uploaded_file, actor=actor)
    except uploads.UploadRefused as refused:
        raise OpinionError(str(refused), code="upload_refused") from refused
    attachment.save()
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=report.committee_id,
        obj=attachment,
        event="opinions.attachment_added",
        params={"object": str(report), "file": attachment.original_name},
        detail={"report": report.pk, "size": attachment.size, "content_type": attachment.content_type},
    )
    return attachment


@transaction.atomic
def delete_attachment(*, attachment: OpinionAttachment, actor: User) -> None:
    report = attachment.report
    _require_attachment_right(actor, report)
    report = _lock(report)
    _require_attachment_right(actor, report)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=report.committee_id,
        obj=attachment,
        event="opinions.attachment_deleted",
        params={"object": str(report), "file": attachment.original_name},
        detail={"report": report.pk, "name": attachment.original_name},
    )
    attachment.delete()
    uploads.delete_after_commit(attachment)


def may_change_attachments(actor: User, report: OpinionReport) -> bool:
    if actor.committee_id != report.committee_id:
        return False
    if report.status in OpinionReport.AUTHOR_EDITABLE and permissions.is_lead_author(actor, report):
        return True
    return (
        report.status in (*EDITOR_SIDE_EXIT_FROM, Status.AWAITING_SIGNOFF)
        and actor.has_perm(permissions.PROCESS)
        and not permissions.is_author(actor, report)
    )


def _changes_attachments_at_all(actor: User, report: OpinionReport) -> bool:
    """Whether `actor` is one who ever changes this report's attachments: its lead author, or an editor
    of its committee who did not write it (whether they may now depends on the status)."""
    return actor.committee_id == report.committee_id and (
        permissions.is_lead_author(actor, report)
        or (actor.has_perm(permissions.PROCESS) and not permissions.is_author(actor, report))
    )


def _require_attachment_right(actor: User, report: OpinionReport) -> None:
    # Someone who only reads the report (office, leaders, co-authors) is refused as such, not told the
    # attachments are frozen (security walk: a refusal is a 403, never a redirect with a message).
    if not _changes_attachments_at_all(actor, report):
        raise PermissionDenied("only the report's lead author or an editor changes its attachments")
    if not may_change_attachments(actor, report):
        raise OpinionError(
            _("The attachments of this report cannot be changed now."), code="attachments_frozen"
        )


# --- the editors' pipeline --------------------------------------------------------------------------


@transaction.atomic
def register(
    report: OpinionReport,
    *,
    actor: User,
    category: Category | None,
    source: str | None = None,
    expected_version: int | None = None,
) -> OpinionReport:
    """SUBMITTED → REGISTERED: the editor confirms the category and the source channel, and the report
    gets the committee's next serial number of this year (〔2026〕N; a resubmitted report keeps its own)."""
    _require_editor(actor, report)
    report = _lock(report, expected_version)
    _require_status(report, (Status.SUBMITTED,), Status.REGISTERED)
    if category is None:
        raise OpinionError(_("Category: choose the report's category."), code="category_required")
    _check_category(category, report.committee_id)
    if source is not None and source not in OpinionReport.Source.values:
        raise OpinionError(_("Source channel: choose one from the list."), code="bad_source")
    report.category = category
    if source:
        report.source = source
    fields = ["category", "source"]
    if report.serial is None:
        report.year = timezone.localdate().year
        report.serial = next_number(
            committee_id=report.committee_id, year=report.year, series=SerialCounter.Series.REPORT
        )
        fields += ["year", "serial"]
    _move(report, Status.REGISTERED, actor=actor, fields=fields)
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=report.committee_id,
        obj=report,
        event="opinions.report_registered",
        params={"serial": report.serial_label, "title": report.title},
    )
    _refresh_search_document(report)
    _notify_authors(
        report,
        kind="opinion.registered",
        title=_("Your report was registered as %(serial)s: %(title)s") % _named(report),
    )
    sync_report_ledger(report, actor=actor)
    return report


@transaction.atomic
def assign_verifier(
    report: OpinionReport, *, actor: User, verifier: User, expected_version: int | None = None
) -> OpinionReport:
    """Ask a staff member of the committee to verify the report (调查核实): REGISTERED or EDITING →
    VERIFYING, or another verifier for one being verified."""
    _require_editor(actor, report)
    report = _lock(report, expected_version)
    if (
        verifier.committee_id != report.committee_id
        or not permissions.is_staff_user(verifier)
        or permissions.is_author(verifier, report)
    ):
        raise OpinionError(
            _("Verifier: choose a staff member of the committee who is not an author of the report."),
            code="bad_verifier",
        )
    report.verifier = verifier
    if report.status == Status.VERIFYING:
        report.version += 1
        report.save(update_fields=["verifier", "version"])
    else:
        _move(report, Status.VERIFYING, actor=actor, fields=["verifier"])
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=report.committee_id,
        obj=report,
        event="opinions.verifier_assigned",
        params={"verifier": str(verifier), "object": str(report)},
    )
    _notify(
        report,
        [verifier.pk],
        kind="opinion.verify",
        title=_("Please verify the report %(serial)s %(title)s") % _named(report),
    )
    sync_report_ledger(report, actor=actor)
    return report


@transaction.atomic
def record_findings(
    report: OpinionReport, *, actor: User, findings: str, expected_version: int | None = None
) -> OpinionReport:
    """The verifier (or an editor) writes what the verification found; the editors hear of it."""
    _require_committee(actor, report)
    if not (report.verifier_id == actor.pk or actor.has_perm(permissions.PROCESS)):
        raise PermissionDenied("only the verifier or an editor")
    _require_not_author(actor, report)
    report = _lock(report, expected_version)
    if report.status != Status.VERIFYING:
        raise OpinionError(
            _("Findings are recorded while the report is being verified."), code="not_verifying"
        )
    report.findings = _required_text(
        findings, _("Findings: write what the verification found."), "findings_required"
    )
    report.version += 1
    report.save(update_fields=["findings", "version"])
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=report.committee_id,
        obj=report,
        event="opinions.findings_recorded",
        params={"object": str(report)},
    )
    _notify_editors(
        report,
        kind="opinion.findings",
        title=_("Findings recorded on %(serial)s %(title)s") % _named(report),
        skip=actor,
    )
    sync_report_ledger(report, actor=actor)
    return report


@transaction.atomic
def start_editing(
    report: OpinionReport, *, actor: User, expected_version: int | None = None
) -> OpinionReport:
    """REGISTERED or VERIFYING → EDITING; the edited text starts as the author's."""
    _require_editor(actor, report)
    report = _lock(report, expected_version)
    _require_status(report, (Status.REGISTERED, Status.VERIFYING), Status.EDITING)
    fields = []
    if not report.edited_title and not report.edited_body:
        report.edited_title, report.edited_body = report.title, report.body
        fields = ["edited_title", "edited_body"]
    _move(report, Status.EDITING, actor=actor, fields=fields)
    sync_report_ledger(report, actor=actor)
    return report


@transaction.atomic
def save_edit(
    report: OpinionReport,
    *,
    actor: User,
    expected_version: int,
    edited_title: str,
    edited_body: str,
) -> OpinionReport:
    """The editor's version, kept beside the author's; of two editors on the same version the first
    to save wins (StaleEdit for the other)."""
    _require_editor(actor, report)
    report = _lock(report, expected_version)
    if report.status != Status.EDITING:
        raise OpinionError(_("The text is edited only while the report is being edited."), code="not_editing")
    report.edited_title = _required_text(
        edited_title, _("Edited title: the title cannot be empty."), "title_required"
    )
    report.edited_body = _required_text(
        edited_body, _("Edited body: the text cannot be empty."), "body_required"
    )
    report.version += 1
    report.full_clean(exclude=["committee", "created_by", "search_document"])
    report.save(update_fields=["edited_title", "edited_body", "version"])
    _refresh_search_document(report)
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=report.committee_id,
        obj=report,
        event="opinions.report_edited",
        params={"object": str(report)},
    )
    return report


@transaction.atomic
def send_for_signoff(
    report: OpinionReport, *, actor: User, expected_version: int | None = None
) -> OpinionReport:
    """EDITING → AWAITING_SIGNOFF; the leaders hear of it."""
    _require_editor(actor, report)
    report = _lock(report, expected_version)
    _require_status(report, (Status.EDITING,), Status.AWAITING_SIGNOFF)
    fields = []
    if not report.edited_title or not report.edited_body:
        report.edited_title = report.edited_title or report.title
        report.edited_body = report.edited_body or report.body
        fields = ["edited_title", "edited_body"]
    _move(report, Status.AWAITING_SIGNOFF, actor=actor, fields=fields)
    leaders = {u.pk for u in _users_with_perm(report.committee_id, "sign_opinionreport")}
    _notify(
        report,
        leaders - _author_user_ids(report),
        kind="opinion.signoff",
        title=_("Report awaiting your sign-off: %(serial)s %(title)s") % _named(report),
    )
    sync_report_ledger(report, actor=actor)
    return report


@transaction.atomic
def sign(report: OpinionReport, *, actor: User, expected_version: int | None = None) -> OpinionReport:
    """A leader signs the report off (AWAITING_SIGNOFF → SIGNED); the editors hear of it."""
    _require_leader(actor, report)
    report = _lock(report, expected_version)
    _require_status(report, (Status.AWAITING_SIGNOFF,), Status.SIGNED)
    report.signed_by = actor
    report.signed_at = timezone.now()
    _move(report, Status.SIGNED, actor=actor, fields=["signed_by", "signed_at"])
    _notify_editors(
        report, kind="opinion.signed", title=_("Report signed: %(serial)s %(title)s") % _named(report)
    )
    sync_report_ledger(report, actor=actor)
    return report


@transaction.atomic
def send_back(
    report: OpinionReport, *, actor: User, comments: str, expected_version: int | None = None
) -> OpinionReport:
    """A leader sends the report back to editing with comments (from awaiting sign-off, or signed and
    not yet reported)."""
    _require_leader(actor, report)
    comments = _required_text(
        comments, _("Comments: say what the editors should change."), "comments_required"
    )
    report = _lock(report, expected_version)
    _require_status(report, (Status.AWAITING_SIGNOFF, Status.SIGNED), Status.EDITING)
    report.signed_by = None
    report.signed_at = None
    fields = ["signed_by", "signed_at"]
    # A signed report waiting in a bulletin being compiled leaves it: only signed reports go out.
    if report.bulletin is not None and report.bulletin.status == Bulletin.Status.DRAFT:
        report.bulletin = None
        report.bulletin_order = None
        fields += ["bulletin", "bulletin_order"]
    _move(report, Status.EDITING, actor=actor, reason=comments, fields=fields)
    _notify_editors(
        report,
        kind="opinion.sent_back",
        title=_("Report sent back to editing: %(serial)s %(title)s") % _named(report),
        body=comments,
    )
    sync_report_ledger(report, actor=actor)
    return report


@transaction.atomic
def return_to_author(
    report: OpinionReport, *, actor: User, reason: str, expected_version: int | None = None
) -> OpinionReport:
    """Return the report to its author for revision, saying what to change; they edit and resubmit."""
    _require_editor(actor, report)
    reason = _required_text(reason, _("What to change: tell the author what to revise."), "reason_required")
    report = _lock(report, expected_version)
    _require_status(report, EDITOR_SIDE_EXIT_FROM, Status.RETURNED)
    _move(report, Status.RETURNED, actor=actor, reason=reason)
    _notify_authors(
        report,
        kind="opinion.returned",
        title=_("Your report was returned for revision: %(title)s") % _named(report),
        body=reason,
    )
    sync_report_ledger(report, actor=actor)
    return report


@transaction.atomic
def not_adopt(
    report: OpinionReport, *, actor: User, reason: str, expected_version: int | None = None
) -> OpinionReport:
    """Decline the report with a reason (an editor before sign-off, a leader at sign-off); the authors
    are told why."""
    _require_committee(actor, report)
    reason = _required_text(reason, _("Reason: say why the report is not adopted."), "reason_required")
    report = _lock(report, expected_version)
    if report.status == Status.AWAITING_SIGNOFF:
        _require_leader(actor, report)
    else:
        _require_editor(actor, report)
        _require_status(report, EDITOR_SIDE_EXIT_FROM, Status.NOT_ADOPTED)
    _move(report, Status.NOT_ADOPTED, actor=actor, reason=reason)
    _notify_authors(
        report,
        kind="opinion.not_adopted",
        title=_("Your report was not adopted: %(title)s") % _named(report),
        body=reason,
    )
    sync_report_ledger(report, actor=actor)
    return report


@transaction.atomic
def merge(
    report: OpinionReport,
    *,
    actor: User,
    into: OpinionReport,
    reason: str = "",
    expected_version: int | None = None,
) -> OpinionReport:
    """Merge a duplicate into another open report of the committee: its authors are credited on that
    one (role "merged") once it is reported or adopted. Reports merged into this one move along."""
    _require_editor(actor, report)
    if into.pk == report.pk:
        raise OpinionError(_("A report cannot be merged into itself."), code="merge_self")
    if into.committee_id != report.committee_id:
        raise OpinionError(_("Merge into: choose a report of this committee."), code="merge_other_committee")
    # Both rows locked, always in the same order, so that two merges cannot deadlock.
    first, second = sorted([report.pk, into.pk])
    locked = {
        r.pk: r
        for r in OpinionReport.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")
    }
    report, into = locked[report.pk], locked[into.pk]
    if expected_version is not None and report.version != expected_version:
        raise workflow.StaleEdit
    if into.status not in MERGE_TARGETS:
        raise OpinionError(
            _("Merge into: %(target)s is %(status)s; choose a report that is still open."),
            code="merge_closed_target",
            params={"target": str(into), "status": Status(into.status).label},
        )
    _require_status(report, EDITOR_SIDE_EXIT_FROM, Status.MERGED)
    report.merged_into = into
    _move(report, Status.MERGED, actor=actor, reason=reason, fields=["merged_into"])
    moved = list(OpinionReport.objects.filter(merged_into=report))
    OpinionReport.objects.filter(merged_into=report).update(merged_into=into)
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=report.committee_id,
        obj=report,
        event="opinions.report_merged",
        params={"object": str(report), "target": str(into)},
        detail={"into": into.pk, "moved": [r.pk for r in moved], "reason": reason},
    )
    _notify_authors(
        report,
        kind="opinion.merged",
        title=_("Your report was merged into %(target)s") % {"target": str(into)},
        body=reason,
    )
    sync_report_ledger(report, actor=actor)
    sync_report_ledger(into, actor=actor)
    return report


@transaction.atomic
def mark_reported(
    report: OpinionReport,
    *,
    actor: User,
    reported_on: datetime.date,
    reported_to: str,
    bulletin: Bulletin | None = None,
) -> OpinionReport:
    """SIGNED → REPORTED: to whom and when (and through which bulletin, when a bulletin carried it). The
    authors are told and credited in the ledger. Bulletins call it when they send a bulletin."""
    _require_editor(actor, report)
    reported_to = _required_text(
        reported_to, _("Reported to: say to whom the report was sent."), "reported_to_required"
    )
    if reported_on is None:
        raise OpinionError(_("Reported on: give the date it was sent."), code="reported_on_required")
    report = _lock(report)
    _require_status(report, (Status.SIGNED,), Status.REPORTED)
    report.reported_on = reported_on
    report.reported_to = reported_to[:300]
    fields = ["reported_on", "reported_to"]
    if bulletin is not None:
        if bulletin.committee_id != report.committee_id:
            raise PermissionDenied("another committee's bulletin")
        report.bulletin = bulletin
        fields.append("bulletin")
    elif report.bulletin_id is not None:
        raise OpinionError(
            _(
                "This report is in bulletin %(bulletin)s, which is being compiled: send it with the bulletin, or take it out of the bulletin first."
            ),
            code="in_bulletin",
            params={"bulletin": report.bulletin},
        )
    _move(report, Status.REPORTED, actor=actor, reason=reported_to, fields=fields)
    _notify_authors(
        report,
        kind="opinion.reported",
        title=_("Your report was sent to %(to)s: %(title)s")
        % {"to": reported_to, "title": report.current_title},
    )
    sync_report_ledger(report, actor=actor)
    return report


def report_directly(
    report: OpinionReport, *, actor: User, reported_on: datetime.date, reported_to: str
) -> OpinionReport:
    """The editor's 报送 without a bulletin."""
    return mark_reported(report, actor=actor, reported_on=reported_on, reported_to=reported_to)


@transaction.atomic
def archive(report: OpinionReport, *, actor: User, expected_version: int | None = None) -> OpinionReport:
    """REPORTED → ARCHIVED."""
    _require_editor(actor, report)
    report = _lock(report, expected_version)
    _require_status(report, (Status.REPORTED,), Status.ARCHIVED)
    _move(report, Status.ARCHIVED, actor=actor)
    sync_report_ledger(report, actor=actor)
    return report
