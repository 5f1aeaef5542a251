"""Writes to training plans and study submissions. Status changes go through the transition tables on
the models, leave a history row and an audit row; every change of a submission's status re-syncs its
duty-ledger facts (DESIGN §6.5)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lvzhi.core import audit, uploads, workflow
from lvzhi.core.permissions import committee_of
from lvzhi.ledger.services import Fact, sync_records
from lvzhi.notifications.services import notify

from .models import (
    StudySubmission,
    StudySubmissionStatusChange,
    TrainingPlan,
    TrainingPlanStatusChange,
    TrainingSession,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.core.files.uploadedfile import UploadedFile

    from lvzhi.accounts.models import User
    from lvzhi.members.models import Member

Status = StudySubmission.Status
PlanStatus = TrainingPlan.Status


class StudyError(ValidationError):
    """An illegal move: shown to the user as a message, never a 500."""


# --- permissions -----------------------------------------------------------------------------------


def can_manage_plans(user: User | AnonymousUser, committee_id: int | None = None) -> bool:
    return (
        user.is_authenticated
        and user.has_perm("studies.change_trainingplan")
        and user.is_committee_wide
        and (committee_id is None or user.committee_id == committee_id)
    )


def can_acknowledge(user: User | AnonymousUser, submission: StudySubmission) -> bool:
    """Office staff for the whole committee; unit staff only for the members of their units."""
    if not user.is_authenticated or user.committee_id != submission.committee_id:
        return False
    if not user.has_perm("studies.acknowledge_studysubmission"):
        return False
    return StudySubmission.objects.visible_to(user).filter(pk=submission.pk).exists()


def _require_plan_manager(actor: User, plan: TrainingPlan | None = None) -> None:
    if not can_manage_plans(actor, plan.committee_id if plan is not None else None):
        raise PermissionDenied("studies.change_trainingplan")


# --- plans -----------------------------------------------------------------------------------------


def _locked_plan(plan: TrainingPlan, expected_version: int | None) -> TrainingPlan:
    """The plan locked for this act; workflow.StaleEdit when someone saved it since
    `expected_version`."""
    return workflow.lock(TrainingPlan, plan.pk, expected_version)


@transaction.atomic
def create_plan(*, actor: User, year: int, title: str, summary: str = "") -> TrainingPlan:
    if not actor.has_perm("studies.add_trainingplan"):
        raise PermissionDenied("studies.add_trainingplan")
    _require_plan_manager(actor)
    committee_id = committee_of(actor)
    duplicate = StudyError(
        _("There is already a training plan for %(year)s."), code="duplicate", params={"year": year}
    )
    if TrainingPlan.objects.filter(committee_id=committee_id, year=year).exists():
        raise duplicate
    try:
        # Two offices saving the same year at once: the unique constraint decides, with the same message.
        with transaction.atomic():
            plan = TrainingPlan.objects.create(
                committee_id=committee_id, year=year, title=title, summary=summary, created_by=actor
            )
    except IntegrityError:
        raise duplicate from None
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=plan.committee,
        obj=plan,
        event="studies.plan_created",
        params={"title": plan.title},
    )
    return plan


@transaction.atomic
def update_plan(
    *, plan: TrainingPlan, actor: User, title: str, summary: str, expected_version: int | None = None
) -> TrainingPlan:
    _require_plan_manager(actor, plan)
    plan = _locked_plan(plan, expected_version)
    plan.title, plan.summary = title, summary
    plan.version += 1
    plan.save(update_fields=["title", "summary", "version"])
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=plan.committee,
        obj=plan,
        event="studies.plan_edited",
        params={"title": title},
    )
    return plan


@transaction.atomic
def set_plan_status(
    *, plan: TrainingPlan, to_status: str, actor: User, expected_version: int | None = None
) -> TrainingPlan:
    """Publish a draft plan (members see it) or take a published one back to draft."""
    _require_plan_manager(actor, plan)
    plan = _locked_plan(plan, expected_version)
    return workflow.move(
        plan,
        to_status,
        actor=actor,
        history=(TrainingPlanStatusChange, "plan"),
        error=StudyError,
        illegal=_("A plan that is %(from)s cannot become %(to)s."),
        event="studies.plan_status_changed",
    )


# A session's activity is an activities.Activity of the training kind. It is typed Any: studies may not
# import activities outside the reads the import contracts name (pyproject.toml, [tool.importlinter]).
def _check_activity(plan: TrainingPlan, activity: Any) -> None:
    if activity is None:
        return
    if (
        activity.committee_id != plan.committee_id
        or activity.kind != activity.Kind.TRAINING
        or timezone.localtime(activity.starts_at).year != plan.year
    ):
        raise StudyError(
            _("Training activity: choose a study and training activity of %(year)s."),
            code="activity",
            params={"year": plan.year},
        )


@transaction.atomic
def save_session(
    *,
    plan: TrainingPlan,
    actor: User,
    planned_on: datetime.date,
    topic: str,
    lecturer: str = "",
    audience: str = "",
    activity: Any = None,
    session: TrainingSession | None = None,
) -> TrainingSession:
    """Add a session to the plan (session=None) or change one of its sessions."""
    _require_plan_manager(actor, plan)
    if session is not None and session.plan_id != plan.pk:
        raise PermissionDenied
    if planned_on.year != plan.year:
        raise StudyError(
            _("Planned date: the date must fall in %(year)s."), code="date", params={"year": plan.year}
        )
    _check_activity(plan, activity)
    created = session is None
    session = session or TrainingSession(plan=plan)
    session.planned_on, session.topic, session.lecturer = planned_on, topic, lecturer
    session.audience, session.activity = audience, activity
    session.save()
    audit.record(
        audit.Action.CREATE if created else audit.Action.UPDATE,
        actor=actor,
        committee=plan.committee,
        obj=session,
        event="studies.session_added" if created else "studies.session_edited",
        params={"session": str(session)},
    )
    return session


@transaction.atomic
def delete_session(*, session: TrainingSession, actor: User) -> None:
    plan = session.plan
    _require_plan_manager(actor, plan)
    label = str(session)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=plan.committee,
        obj=session,
        event="studies.session_deleted",
        params={"session": label},
    )
    session.delete()


# --- submissions -----------------------------------------------------------------------------------


def facts_for(submission: StudySubmission) -> list[Fact]:
    """The ledger facts one submission implies now: an acknowledged one counts for its member on the
    local date it was handed in; anything else counts for nothing."""
    if submission.status != Status.ACKNOWLEDGED:
        return []
    return [
        Fact(
            member=submission.member,
            kind=submission.ledger_kind,
            date=timezone.localdate(submission.submitted_at),
        )
    ]


def _sync_ledger(submission: StudySubmission, actor: User) -> None:
    sync_records(source=submission, committee=submission.committee, facts=facts_for(submission), actor=actor)


def _move(submission: StudySubmission, to_status: str, *, actor: User, reason: str = "") -> None:
    """Saving is left to the caller, which changes more of the submission in the same save."""
    workflow.move(
        submission,
        to_status,
        actor=actor,
        reason=reason,
        save=False,
        history=(StudySubmissionStatusChange, "submission"),
        error=StudyError,
        illegal=_("A submission that is %(from)s cannot become %(to)s."),
        event="studies.submission_status_changed",
    )


def _locked(submission: StudySubmission, expected_version: int | None = None) -> StudySubmission:
    """The submission locked for this act; workflow.StaleEdit when someone saved it since
    `expected_version`."""
    return workflow.lock(
        StudySubmission.objects.select_related("member", "committee"), submission.pk, expected_version
    )


def _check_session(member: Member, session: TrainingSession | None) -> None:
    if session is not None and session.plan.committee_id != member.committee_id:
        raise StudyError(_("Training session: choose a session of your committee's plan."), code="session")


# Notes written by hand and photographed on a phone are handed in as they are: the text or a file.
NEITHER_TEXT_NOR_FILE = gettext_lazy(
    "Write the text or attach a file (a photo of handwritten notes will do): one of the two is needed."
)


def _check_text(title: str | None, body: str | None, *, has_file: bool) -> None:
    if not (title or "").strip():
        raise StudyError(_("Title: enter a title."), code="title")
    if not (body or "").strip() and not has_file:
        raise StudyError(str(NEITHER_TEXT_NOR_FILE), code="body")


def _store_attachment(submission: StudySubmission, attachment: UploadedFile, actor: User) -> None:
    """`attachment` is the uploaded file: uploads.store checks it and replaces the old file (which goes
    only once the change is committed)."""
    try:
        uploads.store(submission, attachment, actor=actor)
    except uploads.UploadRefused as refused:
        raise StudyError(str(refused), code="attachment") from refused


@transaction.atomic
def submit(
    *,
    member: Member,
    actor: User,
    kind: str,
    title: str,
    body: str,
    session: TrainingSession | None = None,
    attachment: UploadedFile | None = None,
    now: datetime.datetime | None = None,
) -> StudySubmission:
    """A member hands in study notes or an essay. Only the member themselves may do so."""
    if member.user_id is None or member.user_id != actor.pk:
        raise PermissionDenied("studies.submit")
    return _create(member, actor, kind, title, body, session, attachment, now)


@transaction.atomic
def record_on_paper(
    *,
    member: Member,
    actor: User,
    kind: str,
    title: str,
    body: str,
    session: TrainingSession | None = None,
    attachment: UploadedFile | None = None,
    now: datetime.datetime | None = None,
) -> StudySubmission:
    """Staff type in notes or an essay a member handed in on paper (many members do), for a member
    they may see. It then goes through the same review as one handed in online."""
    from lvzhi.members.models import Member

    if not actor.has_perm("studies.acknowledge_studysubmission") or not (
        Member.objects.visible_to(actor).filter(pk=member.pk).exists()
    ):
        raise PermissionDenied("studies.acknowledge_studysubmission")
    return _create(member, actor, kind, title, body, session, attachment, now, on_paper=True)


def _create(
    member: Member,
    actor: User,
    kind: str,
    title: str,
    body: str,
    session: TrainingSession | None,
    attachment: UploadedFile | None,
    now: datetime.datetime | None,
    on_paper: bool = False,
) -> StudySubmission:
    _check_text(title, body, has_file=attachment is not None)
    _check_session(member, session)
    submission = StudySubmission(
        committee_id=member.committee_id,
        member=member,
        kind=kind,
        title=title.strip(),
        body=body,
        session=session,
        submitted_at=now or timezone.now(),
    )
    if attachment is not None:
        _store_attachment(submission, attachment, actor)
    submission.save()
    StudySubmissionStatusChange.objects.create(
        submission=submission,
        from_status="",
        to_status=Status.SUBMITTED,
        actor=actor,
        # Stored as text in the language of the moment, like the reasons staff type in.
        reason=_("Handed in on paper") if on_paper else "",
    )
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=submission.committee,
        obj=submission,
        event="studies.submission_handed_in_on_paper" if on_paper else "studies.submission_handed_in",
        params={"title": submission.title},
        detail={"kind": kind, "on_paper": on_paper},
    )
    return submission


@transaction.atomic
def resubmit(
    *,
    submission: StudySubmission,
    actor: User,
    kind: str,
    title: str,
    body: str,
    session: TrainingSession | None = None,
    attachment: UploadedFile | None = None,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> StudySubmission:
    """The member edits a returned submission and hands it in again."""
    submission = _locked(submission, expected_version)
    if submission.member.user_id != actor.pk:
        raise PermissionDenied("studies.submit")
    _check_text(title, body, has_file=attachment is not None or bool(submission.file))
    _check_session(submission.member, session)
    _move(submission, Status.SUBMITTED, actor=actor)
    submission.kind, submission.title, submission.body, submission.session = (
        kind,
        title.strip(),
        body,
        session,
    )
    submission.submitted_at = now or timezone.now()
    if attachment is not None:
        _store_attachment(submission, attachment, actor)
    submission.save()
    _sync_ledger(submission, actor)
    return submission


def _notify_member(submission: StudySubmission, title: str, body: str = "") -> None:
    user = submission.member.user
    if user is None:
        return
    notify(
        recipients=[user],
        kind="studies.submission",
        title=title,
        body=body,
        url=reverse("studies:submission_detail", args=[submission.pk]),
        committee=submission.committee,
    )


@transaction.atomic
def acknowledge(
    *, submission: StudySubmission, actor: User, note: str = "", expected_version: int | None = None
) -> StudySubmission:
    """Staff acknowledge a handed-in submission: it counts in the member's duty record."""
    if not can_acknowledge(actor, submission):
        raise PermissionDenied("studies.acknowledge_studysubmission")
    submission = _locked(submission, expected_version)
    _move(submission, Status.ACKNOWLEDGED, actor=actor, reason=note)
    submission.reviewed_by, submission.reviewed_at, submission.review_note = (
        actor,
        timezone.now(),
        note.strip(),
    )
    submission.save()
    _sync_ledger(submission, actor)
    _notify_member(
        submission,
        _("Your %(kind)s “%(title)s” has been acknowledged.")
        % {"kind": submission.get_kind_display(), "title": submission.title},
        note,
    )
    return submission


@transaction.atomic
def return_submission(
    *, submission: StudySubmission, actor: User, reason: str | None, expected_version: int | None = None
) -> StudySubmission:
    """Staff return a submission for revision, or withdraw an acknowledgement; a reason is required.
    A withdrawn acknowledgement leaves the ledger."""
    if not can_acknowledge(actor, submission):
        raise PermissionDenied("studies.acknowledge_studysubmission")
    submission = _locked(submission, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise StudyError(_("Reason: say why the submission is returned."), code="reason_required")
    _move(submission, Status.RETURNED, actor=actor, reason=reason)
    submission.reviewed_by, submission.reviewed_at, submission.review_note = actor, timezone.now(), reason
    submission.save()
    _sync_ledger(submission, actor)
    _notify_member(
        submission,
        _("Your %(kind)s “%(title)s” has been returned for revision.")
        % {"kind": submission.get_kind_display(), "title": submission.title},
        reason,
    )
    return submission
