"""Who comes: a participation's moves through Participation.TRANSITIONS (the member's answer, the leave
decision, check-in, leaving early, a correction after closing), each with its history and audit rows,
and the duty facts the final attendance implies (DESIGN §6.1, §6.5)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit, workflow
from lvzhi.ledger.services import Fact, SyncResult, sync_records
from lvzhi.members.models import Member
from lvzhi.notifications.services import notify

from .. import selectors
from ..models import Activity, Participation, ParticipationStatusChange
from .common import ActivityError, recipients, require_reason, require_run, when_and_where

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

Status = Activity.Status
PStatus = Participation.Status


# Meeting kinds recorded as attendance (present, leave, absent, late, left early); the ledger's names.
ATTENDANCE_MEETINGS: dict[str, str] = {
    Activity.Kind.PLENARY: "plenary",
    Activity.Kind.STANDING: "standing",
    Activity.Kind.COMMITTEE_MEETING: "committee",
}


ATTENDANCE_STATUS_NAMES: dict[str, str] = {
    PStatus.PRESENT: "present",
    PStatus.LATE: "late",
    PStatus.LEFT_EARLY: "left_early",
    PStatus.LEAVE_APPROVED: "leave",
    PStatus.ABSENT: "absent",
}


def _illegal_participation_move(participation: Participation, to_status: str) -> ActivityError:
    return ActivityError(
        _("A participation that is %(from)s cannot become %(to)s."),
        code="illegal_transition",
        params={"from": PStatus(participation.status).label, "to": PStatus(to_status).label},
    )


def _move_participation(
    participation: Participation,
    to_status: str,
    *,
    actor: User,
    event: str = "",
    label: str = "",
    reason: str = "",
    fields: Iterable[str] = (),
) -> Participation:
    """Change the (locked) participation's status through Participation.TRANSITIONS, with its history
    row (actor, reason) and audit row, of the act's audit `event` (workflow.move);
    `fields` are the other fields the caller changed on it."""
    workflow.move(
        participation,
        to_status,
        actor=actor,
        reason=reason,
        save=False,
        history=(ParticipationStatusChange, "participation"),
        error=ActivityError,
        illegal=_("A participation that is %(from)s cannot become %(to)s."),
        event=event,
        label=label,
    )
    participation.save(update_fields=["status", *fields])
    return participation


def _locked_activity(activity_id: int) -> Activity:
    """The activity, its row locked, read fresh. Every act on attendance locks the activity first and
    its participations after, the order closing takes (close_activity: lock_activity, then the rows it
    marks absent): so an act racing the close waits for it and then reads the status it left (a closed
    activity takes no check-in), and the two never wait for each other (no deadlock). Only the activity's
    row: the committee's stays free, or every check-in of the committee would queue."""
    activity: Activity = (
        Activity.objects.select_related("committee").select_for_update(of=("self",)).get(pk=activity_id)
    )
    return activity


def _locked_participation(participation: Participation) -> Participation:
    _locked_activity(participation.activity_id)
    return (
        Participation.objects.select_for_update(of=("self",))
        .select_related("activity__committee", "member")
        .get(pk=participation.pk)
    )


RESPONSES = {"confirm": PStatus.CONFIRMED, "decline": PStatus.DECLINED, "leave": PStatus.LEAVE_REQUESTED}


@transaction.atomic
def respond(
    *,
    participation: Participation,
    action: str,
    actor: User,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Participation:
    """The member's own answer to an invitation: confirm, decline (optional activities only) or ask for
    leave (with a reason). Closed after the registration deadline and after check-in."""
    participation = _locked_participation(participation)
    activity = participation.activity
    if participation.member.user_id is None or participation.member.user_id != actor.pk:
        raise PermissionDenied("activities.respond")
    if action not in RESPONSES:
        raise ActivityError(_("Unknown answer."), code="unknown_answer")
    now = now or timezone.now()
    if activity.status not in Activity.OPEN_STATUSES:
        raise ActivityError(_("This activity no longer takes answers."), code="not_open")
    if activity.registration_deadline is not None and now > activity.registration_deadline:
        raise ActivityError(_("The registration deadline has passed."), code="deadline_passed")
    if participation.is_checked_in or participation.status not in (
        *Participation.REPLIES,
        PStatus.LEAVE_APPROVED,
    ):
        raise ActivityError(_("Your attendance is recorded; ask the staff to change it."), code="checked_in")
    to_status = RESPONSES[action]
    if participation.status == PStatus.LEAVE_APPROVED and to_status == PStatus.LEAVE_REQUESTED:
        # The table has this move for the approver undoing a decision (undo_leave_decision); for the
        # member, approved leave is withdrawn, not asked for again.
        raise _illegal_participation_move(participation, to_status)
    if to_status == PStatus.DECLINED and activity.is_required:
        raise ActivityError(
            _("Attendance is required: ask for leave instead of declining."), code="required_activity"
        )
    fields = ["responded_at"]
    participation.responded_at = now
    if to_status == PStatus.LEAVE_REQUESTED:
        participation.leave_reason = require_reason(reason, _("Give a reason for your leave request."))
        participation.decided_by = None
        participation.decided_at = None
        fields += ["leave_reason", "decided_by", "decided_at"]
    if participation.status == to_status:  # the same answer again, e.g. a new leave reason
        participation.save(update_fields=fields)
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=activity.committee,
            obj=participation,
            event="activities.answered_again",
            params={"status": to_status, "participation": str(participation)},
        )
    else:
        # A leave request's history row carries its reason; confirming or declining needs none.
        reason = participation.leave_reason if to_status == PStatus.LEAVE_REQUESTED else ""
        _move_participation(
            participation, to_status, actor=actor, event="activities.answered", reason=reason, fields=fields
        )
    if to_status == PStatus.LEAVE_REQUESTED:
        _notify_leave_requested(participation, actor)
    return participation


@transaction.atomic
def decide_leave(
    *, participation: Participation, approve: bool, actor: User, note: str = ""
) -> Participation:
    """Approve or refuse a leave request. Refusing needs a reason (`note`): the member reads it in the
    notice and on their activity page."""
    if not approve:
        note = require_reason(note, _("Give the reason for refusing; the member will read it."))
    participation = _locked_participation(participation)
    activity = participation.activity
    if not selectors.can_decide_leave(actor, activity):
        raise PermissionDenied("activities.approve_leave")
    if activity.status not in Activity.OPEN_STATUSES:
        raise ActivityError(_("This activity no longer takes answers."), code="not_open")
    if participation.status != PStatus.LEAVE_REQUESTED:
        raise ActivityError(_("There is no leave request to decide."), code="no_leave_request")
    if participation.member.user_id is not None and participation.member.user_id == actor.pk:
        raise ActivityError(_("You cannot decide your own leave request."), code="own_leave_request")
    participation.decided_by = actor
    participation.decided_at = timezone.now()
    fields = ["decided_by", "decided_at"]
    if note:
        participation.note = note
        fields.append("note")
    _move_participation(
        participation,
        PStatus.LEAVE_APPROVED if approve else PStatus.LEAVE_DENIED,
        actor=actor,
        event="activities.leave_decided",
        reason=note,
        fields=fields,
    )
    _notify_leave_decided(participation, note)
    return participation


@transaction.atomic
def undo_leave_decision(*, participation: Participation, actor: User, reason: str = "") -> Participation:
    """Put a decided leave request back to pending (approved or refused → leave requested), until the
    activity closes; from there it is decided again, which is how a decision is flipped.

    Anyone entitled to decide the leave may undo the decision (selectors.can_decide_leave), not only
    the approver who made it: the decision is the committee's or the unit's, and the history row and
    the audit row name who undid it. The member is told."""
    participation = _locked_participation(participation)
    activity = participation.activity
    if not selectors.can_decide_leave(actor, activity):
        raise PermissionDenied("activities.approve_leave")
    if participation.member.user_id is not None and participation.member.user_id == actor.pk:
        raise ActivityError(_("You cannot decide your own leave request."), code="own_leave_request")
    if activity.status == Status.CLOSED:
        raise ActivityError(
            _(
                "The activity is closed: its leave decisions stand. "
                "Correct the attendance on the activity's page instead."
            ),
            code="closed",
        )
    if activity.status not in Activity.OPEN_STATUSES:
        raise ActivityError(_("This activity no longer takes answers."), code="not_open")
    if participation.status not in (PStatus.LEAVE_APPROVED, PStatus.LEAVE_DENIED) or not (
        participation.decided_at
    ):
        raise ActivityError(_("There is no leave decision to undo."), code="no_decision")
    decided = participation.status
    participation.decided_by = None
    participation.decided_at = None
    participation.note = ""
    _move_participation(
        participation,
        PStatus.LEAVE_REQUESTED,
        actor=actor,
        event="activities.leave_decision_undone",
        reason=reason,
        fields=["decided_by", "decided_at", "note"],
    )
    _notify_leave_reopened(participation, decided)
    return participation


@transaction.atomic
def check_in(
    *,
    activity: Activity,
    member: Member,
    actor: User,
    when: datetime.datetime | None = None,
    reason: str = "",
) -> Participation:
    """Record that `member`, who is on the activity's list, is here. A member checks in themselves within
    the check-in window; staff who run the activity check in anyone on the list, with a reason outside
    the window. After the start plus the grace period it counts as late. Someone not on the list is
    added by `add_participant`."""
    return _check_in(activity=activity, member=member, actor=actor, when=when, reason=reason, add=False)


@transaction.atomic
def add_participant(
    *,
    activity: Activity,
    member: Member,
    actor: User,
    when: datetime.datetime | None = None,
    reason: str = "",
) -> Participation:
    """Put a member who was not invited on the activity's list and check them in (someone who came
    anyway). The office adds any member of the committee; unit staff only members of their units
    (Member.objects.visible_to), so that their activity's attendance never reaches beyond them."""
    return _check_in(activity=activity, member=member, actor=actor, when=when, reason=reason, add=True)


def _check_in(
    *,
    activity: Activity,
    member: Member,
    actor: User,
    when: datetime.datetime | None,
    reason: str,
    add: bool,
) -> Participation:
    when = when or timezone.now()
    by_staff = add or member.user_id is None or member.user_id != actor.pk
    if by_staff and not selectors.can_run(actor, activity):
        raise PermissionDenied("activities.run_activity")
    if by_staff and member.committee_id != activity.committee_id:
        raise PermissionDenied("activities.run_activity")
    activity = _locked_activity(activity.pk)
    if activity.status not in Activity.OPEN_STATUSES:
        raise ActivityError(
            _("Check-in is possible only for a published activity in progress."), code="not_open"
        )
    if not activity.checkin_open_at(when):
        if not by_staff:
            raise ActivityError(_("Check-in is not open now."), code="window_closed")
        reason = require_reason(reason, _("Give a reason for checking in outside the check-in window."))
    participation = Participation.objects.select_for_update().filter(activity=activity, member=member).first()
    if participation is None:
        if not by_staff:
            raise ActivityError(_("You are not invited to this activity."), code="not_invited")
        if not add:
            raise ActivityError(
                _("Member: %(member)s is not on the list of this activity."),
                code="not_invited",
                params={"member": member.name},
            )
        if not actor.is_committee_wide and not Member.objects.visible_to(actor).filter(pk=member.pk).exists():
            raise ActivityError(
                _("Member: %(member)s is not a member of your units; ask the office to add them."),
                code="outside_units",
                params={"member": member.name},
            )
        participation, _created = Participation.objects.get_or_create(activity=activity, member=member)
    if participation.is_checked_in:
        raise ActivityError(
            _("%(member)s is already checked in."), code="already_checked_in", params={"member": member}
        )
    participation.activity, participation.member = activity, member
    participation.checked_in_at = when
    participation.checked_in_by = actor if by_staff else None
    return _move_participation(
        participation,
        PStatus.LATE if activity.is_late(when) else PStatus.PRESENT,
        actor=actor,
        event="activities.checked_in",
        reason=reason,
        fields=["checked_in_at", "checked_in_by"],
    )


@transaction.atomic
def check_in_many(
    *,
    activity: Activity,
    participation_ids: Iterable[int],
    actor: User,
    when: datetime.datetime | None = None,
    reason: str = "",
) -> tuple[list[int], list[int]]:
    """Staff check in the selected participations of the activity's list at once, by the rules of
    checking in by hand one by one (`check_in`): who runs the activity, published or in progress, a
    reason outside the check-in window, present or late by the time. Returns (ids checked in, ids left
    alone): those already checked in, of another activity or not of the committee are left alone.

    In a constant number of queries however many are selected (a plenary has 270 rows): lock and read,
    one update, one insert of the history rows, and one audit row for the batch, as closing does."""
    require_run(actor, activity)
    when = when or timezone.now()
    activity = _locked_activity(activity.pk)
    if activity.status not in Activity.OPEN_STATUSES:
        raise ActivityError(
            _("Check-in is possible only for a published activity in progress."), code="not_open"
        )
    if not activity.checkin_open_at(when):
        reason = require_reason(reason, _("Give a reason for checking in outside the check-in window."))
    else:
        reason = (reason or "").strip()
    selected = sorted(set(participation_ids))
    to_status = PStatus.LATE if activity.is_late(when) else PStatus.PRESENT
    rows = list(
        selectors.bulk_checkin_candidates(activity)
        .filter(pk__in=selected)
        .select_for_update(of=("self",))
        .values_list("pk", "status")
    )
    rows = [(pk, status) for pk, status in rows if to_status in Participation.TRANSITIONS[PStatus(status)]]
    done = [pk for pk, _status in rows]
    skipped = sorted(set(selected) - set(done))
    if not done:
        raise ActivityError(
            _(
                "None of the selected members can be checked in: they are checked in already or not on the list."
            ),
            code="nothing_to_check_in",
        )
    Participation.objects.filter(pk__in=done).update(
        status=to_status, checked_in_at=when, checked_in_by=actor
    )
    ParticipationStatusChange.objects.bulk_create(
        ParticipationStatusChange(
            participation_id=pk, from_status=status, to_status=to_status, actor=actor, reason=reason
        )
        for pk, status in rows
    )
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=activity.committee,
        obj=activity,
        event="activities.checked_in_by_hand",
        params={"count": len(done), "title": activity.title, "to": to_status},
        detail={"participations": done, "to": to_status, "reason": reason},
    )
    return done, skipped


@transaction.atomic
def mark_left_early(*, participation: Participation, actor: User, reason: str = "") -> Participation:
    participation = _locked_participation(participation)
    activity = participation.activity
    require_run(actor, activity)
    if activity.status != Status.IN_PROGRESS:
        raise ActivityError(_("Only an activity in progress can be marked this way."), code="not_in_progress")
    if participation.status not in (PStatus.PRESENT, PStatus.LATE):
        # The table also lets a correction make anyone final leave early; this act needs a check-in.
        raise _illegal_participation_move(participation, PStatus.LEFT_EARLY)
    return _move_participation(
        participation, PStatus.LEFT_EARLY, actor=actor, event="activities.left_early", reason=reason
    )


@transaction.atomic
def correct_attendance(
    *, participation: Participation, status: str, actor: User, reason: str | None
) -> Participation:
    """Change a closed activity's final attendance (with a reason) and rewrite the ledger."""
    participation = _locked_participation(participation)
    activity = participation.activity
    require_run(actor, activity)
    reason = require_reason(reason, _("Say why the attendance is corrected."))
    if activity.status != Status.CLOSED:
        raise ActivityError(_("Attendance is corrected after the activity is closed."), code="not_closed")
    if status not in Participation.FINAL:
        raise ActivityError(_("Choose an attendance status."), code="not_final")
    if status == participation.status:
        raise ActivityError(
            _("The attendance of %(member)s is %(status)s already: choose the status it should be."),
            code="unchanged",
            params={"member": participation.member.name, "status": PStatus(status).label},
        )
    # The reason goes in the history row; `note` keeps what the leave approver wrote.
    _move_participation(
        participation, status, actor=actor, event="activities.attendance_corrected", reason=reason
    )
    sync_ledger(activity=activity, actor=actor)
    return participation


def facts_for(activity: Activity) -> list[Fact]:
    """Every duty fact the activity implies now (DESIGN §6.5): none until it is closed."""
    if activity.status != Status.CLOSED:
        return []
    date = timezone.localdate(activity.starts_at)
    meeting = ATTENDANCE_MEETINGS.get(activity.kind)
    facts: list[Fact] = []
    # Only what the ledger needs of each member: whole rows (encrypted fields and all) cost most of
    # the closing time of a plenary (bench/activity_close.py).
    participations = (
        activity.participations.filter(status__in=Participation.FINAL)
        .select_related("member")
        .only("activity_id", "status", "member__id", "member__committee_id", "member__name")
    )
    for participation in participations:
        if meeting is not None:
            kind = f"attendance.{meeting}.{ATTENDANCE_STATUS_NAMES[participation.status]}"
        elif participation.status in Participation.ATTENDED:
            kind = f"activity.{activity.kind}"
        else:
            continue
        facts.append(Fact(member=participation.member, kind=kind, date=date))
    return facts


def sync_ledger(*, activity: Activity, actor: User) -> SyncResult:
    """Make the ledger match the activity; idempotent, so safe to call after any change."""
    return sync_records(source=activity, committee=activity.committee, facts=facts_for(activity), actor=actor)


def _notify_leave_requested(participation: Participation, actor: User) -> None:
    activity = participation.activity
    notify(
        recipients=selectors.leave_approvers(activity).exclude(pk=actor.pk),
        kind="activity.leave_requested",
        title=_("Leave request from %(member)s: %(title)s")
        % {"member": participation.member.name, "title": activity.title},
        body="\n".join(
            [when_and_where(activity), _("Reason: %(reason)s") % {"reason": participation.leave_reason}]
        ),
        url=reverse("activities:leave_requests"),
        committee=activity.committee,
    )


def _notify_leave_decided(participation: Participation, note: str) -> None:
    user_id = participation.member.user_id
    if user_id is None:
        return
    activity = participation.activity
    if participation.status == PStatus.LEAVE_APPROVED:
        title = _("Leave approved: %(title)s") % {"title": activity.title}
        body = note
    else:
        title = _("Leave refused: %(title)s") % {"title": activity.title}
        body = "\n".join([when_and_where(activity), _("Reason for refusing: %(reason)s") % {"reason": note}])
    notify(
        recipients=recipients([user_id]),
        kind=f"activity.{participation.status}",
        title=title,
        body=body,
        url=reverse("activities:detail", args=[activity.pk]),
        urgent=False,
        committee=activity.committee,
    )


def _notify_leave_reopened(participation: Participation, decided: str) -> None:
    user_id = participation.member.user_id
    if user_id is None:
        return
    activity = participation.activity
    if decided == PStatus.LEAVE_APPROVED:
        body = _("The approval of your leave is withdrawn; your request waits for a decision again.")
    else:
        body = _("The refusal of your leave is withdrawn; your request waits for a decision again.")
    notify(
        recipients=recipients([user_id]),
        kind="activity.leave_reopened",
        title=_("Leave decision undone: %(title)s") % {"title": activity.title},
        body="\n".join([body, when_and_where(activity)]),
        url=reverse("activities:detail", args=[activity.pk]),
        urgent=False,
        committee=activity.committee,
    )
