"""Feedback on a reported report (DESIGN §6.2): adoptions (采用), leaders' instructions (批示), and
transfers to a department (交办) with the department's reply.

Adoptions and instructions are recorded and, when wrong, deleted by the editors; each change syncs the
report's ledger rows (facts.sync_report_ledger: opinion.adopted.<level>, opinion.instructed.<level>) and
tells the authors (also those of reports merged into it, who share its feedback). A transfer goes to a
department; the department's account signs for it (SENT → SIGNED) and replies in lvzhi (→ REPLIED), or
an editor types in the reply that came on paper; the authors hear of the reply. A department signs for
and answers the transfers of inspection reports (services.inspections sends them) the same way."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit, uploads, workflow
from lvzhi.core.permissions import committee_of
from lvzhi.notifications.services import notify

from ..facts import sync_report_ledger, sync_report_suggestions
from ..models import Adoption, Instruction, OpinionAuthor, OpinionReport, Transfer, TransferStatusChange
from ..permissions import PROCESS, is_author

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from lvzhi.accounts.models import User
    from lvzhi.organization.models import Department

# Feedback is recorded on reports that reached the leaders.
FEEDBACK_STATUSES = (OpinionReport.Status.REPORTED, OpinionReport.Status.ARCHIVED)
TStatus = Transfer.Status


class FeedbackError(ValidationError):
    """A refused act of feedback: shown to the user as a message, never a 500."""


# --- who may ----------------------------------------------------------------------------------------


def _require_editor(actor: User, report: OpinionReport) -> None:
    if not actor.has_perm(PROCESS) or report.committee_id != committee_of(actor):
        raise PermissionDenied(PROCESS)


def _lock_report(actor: User, report: OpinionReport) -> OpinionReport:
    """The report locked for this act (its ledger is synced from what it holds at commit), refused
    unless it has been reported and the actor is an editor who did not write it."""
    _require_editor(actor, report)
    # No join: FOR UPDATE would lock the committee's row too (and fails on an outer join in PostgreSQL).
    report = workflow.lock(OpinionReport, report.pk)
    if report.status not in FEEDBACK_STATUSES:
        raise FeedbackError(
            _("Feedback is recorded on reported reports; this one is %(status)s."),
            code="not_reported",
            params={"status": report.get_status_display()},
        )
    if is_author(actor, report):
        raise FeedbackError(
            _("This is your own report: another editor records its feedback."), code="own_report"
        )
    return report


def may_record(user: User, report: OpinionReport) -> bool:
    """Whether the report page offers `user` the forms to record feedback."""
    return (
        user.has_perm(PROCESS)
        and report.committee_id == user.committee_id
        and report.status in FEEDBACK_STATUSES
        and not is_author(user, report)
    )


# --- telling people ---------------------------------------------------------------------------------


def author_user_ids(report: OpinionReport) -> set[int]:
    """The accounts of the report's authors and of the authors of reports merged into it."""
    rows = OpinionAuthor.objects.filter(Q(report=report) | Q(report__merged_into=report)).values_list(
        "user_id", "member__user_id"
    )
    ids = {pk for pair in rows for pk in pair if pk is not None}
    if report.created_by_id is not None:
        ids.add(report.created_by_id)
    return ids


def _tell_authors(report: OpinionReport, *, kind: str, title: str, body: str = "") -> None:
    User = get_user_model()
    notify(
        recipients=[User(pk=pk) for pk in sorted(author_user_ids(report))],
        kind=kind,
        title=title,
        body=body,
        url=reverse("opinions:detail", args=[report.pk]),
        committee=report.committee,
    )


# --- adoptions and instructions ---------------------------------------------------------------------


@transaction.atomic
def add_adoption(
    *,
    report: OpinionReport,
    actor: User,
    level: str,
    form: str,
    adopted_by: str,
    adopted_on: datetime.date,
    note: str = "",
) -> Adoption:
    """Record that a body took the report up (at `level`, alone or combined with others)."""
    report = _lock_report(actor, report)
    adoption = Adoption(
        report=report,
        level=level,
        form=form,
        adopted_by=adopted_by.strip(),
        adopted_on=adopted_on,
        note=note.strip(),
        created_by=actor,
    )
    adoption.full_clean()
    adoption.save()
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=report.committee,
        obj=report,
        event="opinions.adoption_recorded",
        params={"object": str(report), "level": adoption.get_level_display()},
        detail={"adoption": adoption.pk, "level": level, "form": form, "adopted_on": adopted_on.isoformat()},
    )
    sync_report_ledger(report, actor=actor)
    _tell_authors(
        report,
        kind="opinion.adopted",
        title=_("Your report was adopted: %(title)s") % {"title": report.current_title},
        body=_("%(level)s, adopted by %(by)s on %(date)s.")
        % {"level": adoption.get_level_display(), "by": adoption.adopted_by, "date": adopted_on.isoformat()},
    )
    return adoption


@transaction.atomic
def delete_adoption(*, adoption: Adoption, actor: User) -> None:
    """Delete an adoption recorded in error; the ledger follows (the level's row goes with its last
    adoption) and the authors are told."""
    report = _lock_report(actor, adoption.report)
    level = adoption.get_level_display()
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=report.committee,
        obj=report,
        event="opinions.adoption_deleted",
        params={"object": str(report), "level": level},
        detail={
            "adoption": adoption.pk,
            "level": adoption.level,
            "adopted_by": adoption.adopted_by,
            "adopted_on": adoption.adopted_on.isoformat(),
        },
    )
    adoption.delete()
    sync_report_ledger(report, actor=actor)
    _tell_authors(
        report,
        kind="opinion.adoption_deleted",
        title=_("An adoption of your report was withdrawn: %(title)s") % {"title": report.current_title},
        body=_("The %(level)s adoption recorded by %(by)s was a mistake and has been deleted.")
        % {"level": level, "by": adoption.adopted_by},
    )


@transaction.atomic
def add_instruction(
    *,
    report: OpinionReport,
    actor: User,
    level: str,
    leader_post: str,
    text: str,
    instructed_on: datetime.date,
) -> Instruction:
    """Record a leader's written instruction (批示) on the report."""
    report = _lock_report(actor, report)
    instruction = Instruction(
        report=report,
        level=level,
        leader_post=leader_post.strip(),
        text=text.strip(),
        instructed_on=instructed_on,
        created_by=actor,
    )
    instruction.full_clean()
    instruction.save()
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=report.committee,
        obj=report,
        event="opinions.instruction_recorded",
        params={"object": str(report), "level": instruction.get_level_display()},
        detail={"instruction": instruction.pk, "level": level, "instructed_on": instructed_on.isoformat()},
    )
    sync_report_ledger(report, actor=actor)
    _tell_authors(
        report,
        kind="opinion.instructed",
        title=_("A leader gave an instruction on your report: %(title)s") % {"title": report.current_title},
        body=_("%(post)s, %(date)s: %(text)s")
        % {"post": instruction.leader_post, "date": instructed_on.isoformat(), "text": instruction.text},
    )
    return instruction


@transaction.atomic
def delete_instruction(*, instruction: Instruction, actor: User) -> None:
    report = _lock_report(actor, instruction.report)
    level = instruction.get_level_display()
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=report.committee,
        obj=report,
        event="opinions.instruction_deleted",
        params={"object": str(report), "level": level},
        detail={
            "instruction": instruction.pk,
            "level": instruction.level,
            "leader_post": instruction.leader_post,
            "instructed_on": instruction.instructed_on.isoformat(),
        },
    )
    instruction.delete()
    sync_report_ledger(report, actor=actor)
    _tell_authors(
        report,
        kind="opinion.instruction_deleted",
        title=_("An instruction on your report was withdrawn: %(title)s") % {"title": report.current_title},
        body=_("The instruction recorded for %(post)s was a mistake and has been deleted.")
        % {"post": instruction.leader_post},
    )


# --- transfers to departments -----------------------------------------------------------------------


def department_user_ids(department_id: int) -> list[int]:
    return list(
        get_user_model()
        .objects.filter(department_id=department_id, is_active=True)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def transfer_report(
    *,
    report: OpinionReport,
    actor: User,
    department: Department,
    transferred_on: datetime.date,
    note: str = "",
) -> Transfer:
    """Send a reported report to a department of the committee for an answer; its accounts are told."""
    report = _lock_report(actor, report)
    if department.committee_id != report.committee_id or not department.is_active:
        raise FeedbackError(_("Choose a department of this committee."), code="department")
    transfer = Transfer.objects.create(
        committee_id=report.committee_id,
        report=report,
        department=department,
        transferred_on=transferred_on,
        note=note.strip(),
        created_by=actor,
    )
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=report.committee,
        obj=transfer,
        event="opinions.transfer_created",
        params={"object": str(report), "department": department.name},
        detail={"report": report.pk, "department": department.pk},
    )
    User = get_user_model()
    notify(
        recipients=[User(pk=pk) for pk in department_user_ids(department.pk)],
        kind="opinion.transferred",
        title=_("A public-opinion report was transferred to your department: %(title)s")
        % {"title": report.current_title},
        body=note.strip(),
        url=reverse("opinions:transfer", args=[transfer.pk]),
        committee=report.committee,
    )
    return transfer


def _move_transfer(transfer: Transfer, to_status: str, *, actor: User) -> Transfer:
    return workflow.move(
        transfer,
        to_status,
        actor=actor,
        history=(TransferStatusChange, "transfer"),
        error=FeedbackError,
        illegal=_("A transfer that is %(from)s cannot become %(to)s."),
        event="opinions.transfer_status_changed",
        save=False,
    )


def _require_department(actor: User, transfer: Transfer) -> None:
    """Only an account of the department the transfer went to signs for it and replies."""
    if not actor.department_id or actor.department_id != transfer.department_id:
        raise PermissionDenied("opinions.transfer")
    if actor.committee_id != transfer.committee_id:
        raise PermissionDenied("opinions.transfer")


def _lock_transfer(transfer: Transfer) -> Transfer:
    return workflow.lock(Transfer, transfer.pk)


@transaction.atomic
def sign_transfer(*, transfer: Transfer, actor: User) -> Transfer:
    """The department acknowledges it received the transfer (签收)."""
    _require_department(actor, transfer)
    transfer = _lock_transfer(transfer)
    _move_transfer(transfer, TStatus.SIGNED, actor=actor)
    transfer.signed_at = timezone.now()
    transfer.signed_by = actor
    transfer.save(update_fields=["status", "signed_at", "signed_by"])
    return transfer


def _store_document(transfer: Transfer, document: UploadedFile | None, actor: User) -> None:
    if document is None:
        return
    try:
        uploads.store(transfer, document, actor=actor)
    except uploads.UploadRefused as refused:
        raise FeedbackError(str(refused), code="upload_refused") from refused


def _replied(transfer: Transfer, actor: User) -> None:
    """Tell the report's authors, and the editor who transferred it, that the department answered."""
    report = transfer.report
    inspection = transfer.inspection_report
    subject = report.current_title if report is not None else (inspection.title if inspection else "")
    title = _("%(department)s replied to: %(title)s") % {
        "department": transfer.department.name,
        "title": subject,
    }
    if report is not None:
        _tell_authors(report, kind="opinion.transfer_replied", title=title, body=transfer.reply[:500])
    if inspection is not None:
        sync_report_suggestions(inspection, actor=actor)
    if transfer.created_by_id and transfer.created_by_id != actor.pk:
        User = get_user_model()
        notify(
            recipients=[User(pk=transfer.created_by_id)],
            kind="opinion.transfer_replied",
            title=title,
            url=reverse("opinions:transfer", args=[transfer.pk]),
            committee=transfer.committee,
        )


def _clean_reply(reply: str) -> str:
    reply = (reply or "").strip()
    if not reply:
        raise FeedbackError(_("Reply: write the department's answer."), code="reply_required")
    return reply


@transaction.atomic
def reply_transfer(
    *, transfer: Transfer, actor: User, reply: str, document: UploadedFile | None = None
) -> Transfer:
    """The department answers in lvzhi (signing for it on the way, if it had not), with an optional
    reply document checked and stored by core.uploads."""
    _require_department(actor, transfer)
    reply = _clean_reply(reply)
    transfer = _lock_transfer(transfer)
    _move_transfer(transfer, TStatus.REPLIED, actor=actor)
    _store_document(transfer, document, actor)
    transfer.reply = reply
    transfer.replied_on = timezone.localdate()
    transfer.replied_by = actor
    transfer.on_paper = False
    transfer.save()
    _replied(transfer, actor)
    return transfer


@transaction.atomic
def record_paper_reply(
    *,
    transfer: Transfer,
    actor: User,
    reply: str,
    replied_on: datetime.date,
    document: UploadedFile | None = None,
) -> Transfer:
    """An editor who did not write the report types in the reply that came on paper (with a scan,
    optionally)."""
    if transfer.report is None:
        raise PermissionDenied(PROCESS)
    _require_editor(actor, transfer.report)
    if is_author(actor, transfer.report):
        raise PermissionDenied("the report's author")
    return write_paper_reply(
        transfer=transfer, actor=actor, reply=reply, replied_on=replied_on, document=document
    )


def write_paper_reply(
    *,
    transfer: Transfer,
    actor: User,
    reply: str,
    replied_on: datetime.date,
    document: UploadedFile | None = None,
) -> Transfer:
    """The paper reply's writing, once the caller has checked the actor's right: the editors' for a
    report (record_paper_reply), the compilers' for an inspection report (inspections.record_paper_reply)."""
    reply = _clean_reply(reply)
    transfer = _lock_transfer(transfer)
    _move_transfer(transfer, TStatus.REPLIED, actor=actor)
    _store_document(transfer, document, actor)
    transfer.reply = reply
    transfer.replied_on = replied_on
    transfer.replied_by = actor
    transfer.on_paper = True
    transfer.save()
    _replied(transfer, actor)
    return transfer
