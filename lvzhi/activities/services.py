"""Writes to activities and participations. Every status change goes through a transition table here,
leaves a history row and an audit row, and closing/reopening/correcting keeps the duty ledger in step
(DESIGN §6.1, §6.5)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit, uploads, workflow
from lvzhi.ledger.services import Fact, retract_all, sync_records
from lvzhi.members.models import Member
from lvzhi.notifications.services import notify
from lvzhi.organization.models import OrgUnit

from . import selectors
from .models import Activity, ActivityStatusChange, Participation, ParticipationStatusChange, Speech

Status = Activity.Status
PStatus = Participation.Status

# Meeting kinds recorded as attendance (present, leave, absent, late, left early); the ledger's names.
ATTENDANCE_MEETINGS = {
    Activity.Kind.PLENARY: "plenary",
    Activity.Kind.STANDING: "standing",
    Activity.Kind.COMMITTEE_MEETING: "committee",
}
ATTENDANCE_STATUS_NAMES = {
    PStatus.PRESENT: "present",
    PStatus.LATE: "late",
    PStatus.LEFT_EARLY: "left_early",
    PStatus.LEAVE_APPROVED: "leave",
    PStatus.ABSENT: "absent",
}


class ActivityError(ValidationError):
    """An illegal move: shown to the user as a message, never a 500."""


class StaleActivityError(ActivityError):
    """Someone changed the activity after this editor opened it."""


# --- helpers ---------------------------------------------------------------------------------------


def _require_run(actor, activity):
    if not selectors.can_run(actor, activity):
        raise PermissionDenied("activities.run_activity")


def _locked(activity, expected_version=None):
    return workflow.lock(
        Activity,
        activity.pk,
        expected_version,
        error=StaleActivityError,
        message=_("Someone else changed this activity; reload it and try again."),
    )


def _move(activity, to_status, *, actor, reason="", only_from=None):
    """Change the (locked) activity's status through the transition table, with history and audit.
    `only_from` narrows the table where two moves share a target (starting vs reopening)."""
    return workflow.move(
        activity,
        to_status,
        actor=actor,
        reason=reason,
        only_from=only_from,
        history=(ActivityStatusChange, "activity"),
        error=ActivityError,
        illegal=_("An activity that is %(from)s cannot become %(to)s."),
        label="Activity",
    )


def _illegal_participation_move(participation, to_status):
    return ActivityError(
        _("A participation that is %(from)s cannot become %(to)s."),
        code="illegal_transition",
        params={"from": PStatus(participation.status).label, "to": PStatus(to_status).label},
    )


def _move_participation(participation, to_status, *, actor, label, reason="", fields=()):
    """Change the (locked) participation's status through Participation.TRANSITIONS, with its history
    row (actor, reason) and audit row, whose summary starts with `label`, the act ("Check-in");
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
        label=label,
    )
    participation.save(update_fields=["status", *fields])
    return participation


def _locked_participation(participation):
    return (
        Participation.objects.select_for_update()
        .select_related("activity__committee", "member")
        .get(pk=participation.pk)
    )


def _require_kind(actor, kind):
    """Unit staff choose only their units' kinds: the committee's own meetings are the office's."""
    if kind in Activity.COMMITTEE_KINDS and not actor.is_committee_wide:
        raise ActivityError(
            _("Kind: %(kind)s is run by the office; choose a kind of activity of your units."),
            code="office_kind",
            params={"kind": Activity.Kind(kind).label},
        )


def _require_invitees_in_scope(actor, rules, stored=None):
    """Refuse, naming each, the invitees `rules` add to `stored` beyond the actor's scope
    (selectors.invitees_beyond_scope)."""
    wide, unit_ids, member_ids = selectors.invitees_beyond_scope(actor, rules, stored)
    errors = []
    if wide:
        errors.append(
            ActivityError(
                _("Invitees: only the office invites all members or all standing committee members."),
                code="invitees_committee_wide",
            )
        )
    if unit_ids:
        names = dict(
            OrgUnit.objects.filter(committee_id=actor.committee_id, pk__in=unit_ids).values_list("pk", "name")
        )
        errors.append(
            ActivityError(
                _("Invitees: you invite only the units you staff, not %(units)s."),
                code="invitees_outside_units",
                params={"units": "、".join(names.get(pk, f"#{pk}") for pk in unit_ids)},
            )
        )
    if member_ids:
        names = dict(
            Member.objects.filter(committee_id=actor.committee_id, pk__in=member_ids).values_list(
                "pk", "name"
            )
        )
        errors.append(
            ActivityError(
                _("Invitees: %(names)s are not members of your units; ask the office to invite them."),
                code="invitees_outside_members",
                params={"names": "、".join(names.get(pk, f"#{pk}") for pk in member_ids)},
            )
        )
    if errors:
        raise ActivityError(errors)


def _require_reason(reason, message):
    reason = (reason or "").strip()
    if not reason:
        raise ActivityError(message, code="reason_required")
    return reason


# --- activities ------------------------------------------------------------------------------------


@transaction.atomic
def create_activity(
    *,
    actor,
    kind,
    title,
    starts_at,
    ends_at,
    organizing_unit=None,
    place="",
    agenda="",
    is_required=True,
    registration_deadline=None,
    checkin_opens_at=None,
    checkin_closes_at=None,
    invitee_rules=None,
):
    """A draft activity of the actor's committee, run by `organizing_unit` (None: the office). Unit staff
    create only their units' kinds, inviting within their units."""
    if not actor.has_perm("activities.add_activity"):
        raise PermissionDenied("activities.add_activity")
    _require_kind(actor, kind)
    _require_invitees_in_scope(actor, invitee_rules)
    activity = Activity(
        committee_id=actor.committee_id,
        organizing_unit=organizing_unit,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        agenda=agenda,
        is_required=is_required,
        registration_deadline=registration_deadline,
        checkin_opens_at=checkin_opens_at,
        checkin_closes_at=checkin_closes_at,
        invitee_rules=selectors.normalize_rules(invitee_rules),
        created_by=actor,
    )
    _require_run(actor, activity)
    if organizing_unit is not None and organizing_unit.committee_id != actor.committee_id:
        raise PermissionDenied("activities.run_activity")
    if ends_at < starts_at:
        raise ActivityError(_("An activity cannot end before it starts."), code="ends_before_start")
    activity.full_clean(exclude=["committee", "created_by"])
    activity.save()
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=activity.committee,
        obj=activity,
        summary=f"Activity: {title}",
    )
    return activity


@transaction.atomic
def set_invitee_rules(*, activity, rules, actor, expected_version=None):
    """Change who is invited. On a published activity, call `invite` afterwards to add the new ones."""
    _require_run(actor, activity)
    activity = _locked(activity, expected_version)
    if activity.status in (Status.CLOSED, Status.CANCELLED):
        raise ActivityError(_("The invitees of a closed or cancelled activity cannot change."))
    _require_invitees_in_scope(actor, rules, activity.invitee_rules)
    activity.invitee_rules = selectors.normalize_rules(rules)
    activity.version += 1
    activity.save(update_fields=["invitee_rules", "version"])
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=activity.committee,
        obj=activity,
        summary=f"Activity invitees changed: {activity.title}",
        detail={"rules": activity.invitee_rules},
    )
    return activity


@transaction.atomic
def invite(*, activity, actor):
    """Invite every member the rules name who is not invited yet; returns the new participations.
    Members invited before and no longer named keep their invitation (they may have answered)."""
    _require_run(actor, activity)
    if activity.status not in Activity.OPEN_STATUSES:
        raise ActivityError(_("Invitations go out when the activity is published."))
    already = Participation.objects.filter(activity=activity).values("member_id")
    new_rows = list(selectors.resolve_invitees(activity).exclude(pk__in=already).values_list("pk", "user_id"))
    created = Participation.objects.bulk_create(
        [Participation(activity=activity, member_id=pk) for pk, _user_id in new_rows], ignore_conflicts=True
    )
    _notify_invited(activity, [user_id for _pk, user_id in new_rows if user_id is not None])
    if created:
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=activity.committee,
            obj=activity,
            summary=f"Activity invitations: {activity.title}",
            detail={"invited": len(created)},
        )
    return created


@transaction.atomic
def publish_activity(*, activity, actor, expected_version=None):
    """draft → published, inviting every member the rules name."""
    _require_run(actor, activity)
    activity = _locked(activity, expected_version)
    _move(activity, Status.PUBLISHED, actor=actor)
    invite(activity=activity, actor=actor)
    return activity


@transaction.atomic
def cancel_activity(*, activity, actor, reason, expected_version=None):
    _require_run(actor, activity)
    reason = _require_reason(reason, _("Say why the activity is cancelled."))
    activity = _locked(activity, expected_version)
    if activity.speeches.exists():
        # Their ledger rows would outlive the activity; deleting them first is a deliberate act.
        raise ActivityError(
            _("Speeches are recorded for this activity: delete them before cancelling it."),
            code="has_speeches",
        )
    _move(activity, Status.CANCELLED, actor=actor, reason=reason)
    _notify_cancelled(activity, reason)
    return activity


@transaction.atomic
def start_activity(*, activity, actor, expected_version=None):
    _require_run(actor, activity)
    activity = _locked(activity, expected_version)
    return _move(activity, Status.IN_PROGRESS, actor=actor, only_from=Status.PUBLISHED)


def facts_for(activity):
    """Every duty fact the activity implies now (DESIGN §6.5): none until it is closed."""
    if activity.status != Status.CLOSED:
        return []
    date = timezone.localdate(activity.starts_at)
    meeting = ATTENDANCE_MEETINGS.get(activity.kind)
    facts = []
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


def sync_ledger(*, activity, actor):
    """Make the ledger match the activity; idempotent, so safe to call after any change."""
    return sync_records(source=activity, committee=activity.committee, facts=facts_for(activity), actor=actor)


@transaction.atomic
def close_activity(*, activity, actor, expected_version=None):
    """in_progress → closed: every participation becomes final (attended and approved leave stay,
    anything else is absent), then the ledger is written."""
    _require_run(actor, activity)
    activity = _locked(activity, expected_version)
    _move(activity, Status.CLOSED, actor=actor)
    _mark_absent(activity, actor=actor)
    sync_ledger(activity=activity, actor=actor)
    return activity


def _mark_absent(activity, *, actor):
    """Every participation of the activity that is not final yet becomes absent, with its history row,
    in three queries (lock and read, update, insert) however many there are: every status that is not
    final may become absent (Participation.TRANSITIONS), and the activity's own audit row records the
    closing. Locked, so that a check-in committing meanwhile is neither overwritten nor misrecorded."""
    pending = list(
        activity.participations.exclude(status__in=Participation.FINAL)
        .select_for_update()
        .values_list("pk", "status")
    )
    Participation.objects.filter(pk__in=[pk for pk, _status in pending]).update(status=PStatus.ABSENT)
    ParticipationStatusChange.objects.bulk_create(
        ParticipationStatusChange(
            participation_id=pk, from_status=from_status, to_status=PStatus.ABSENT, actor=actor
        )
        for pk, from_status in pending
    )


@transaction.atomic
def reopen_activity(*, activity, actor, reason, expected_version=None):
    """closed → in_progress, with a reason; its ledger rows are retracted until it closes again."""
    _require_run(actor, activity)
    reason = _require_reason(reason, _("Say why the activity is reopened."))
    activity = _locked(activity, expected_version)
    _move(activity, Status.IN_PROGRESS, actor=actor, reason=reason, only_from=Status.CLOSED)
    sync_ledger(activity=activity, actor=actor)
    return activity


# --- participations --------------------------------------------------------------------------------

RESPONSES = {"confirm": PStatus.CONFIRMED, "decline": PStatus.DECLINED, "leave": PStatus.LEAVE_REQUESTED}


@transaction.atomic
def respond(*, participation, action, actor, reason="", now=None):
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
    if to_status == PStatus.DECLINED and activity.is_required:
        raise ActivityError(
            _("Attendance is required: ask for leave instead of declining."), code="required_activity"
        )
    fields = ["responded_at"]
    participation.responded_at = now
    if to_status == PStatus.LEAVE_REQUESTED:
        participation.leave_reason = _require_reason(reason, _("Give a reason for your leave request."))
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
            summary=f"Answered {action} again: {participation}",
        )
    else:
        # A leave request's history row carries its reason; confirming or declining needs none.
        reason = participation.leave_reason if to_status == PStatus.LEAVE_REQUESTED else ""
        _move_participation(
            participation, to_status, actor=actor, label="Answer", reason=reason, fields=fields
        )
    if to_status == PStatus.LEAVE_REQUESTED:
        _notify_leave_requested(participation, actor)
    return participation


@transaction.atomic
def decide_leave(*, participation, approve, actor, note=""):
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
        label="Leave decision",
        reason=note,
        fields=fields,
    )
    _notify_leave_decided(participation, note)
    return participation


@transaction.atomic
def check_in(*, activity, member, actor, when=None, reason=""):
    """Record that `member`, who is on the activity's list, is here. A member checks in themselves within
    the check-in window; staff who run the activity check in anyone on the list, with a reason outside
    the window. After the start plus the grace period it counts as late. Someone not on the list is
    added by `add_participant`."""
    return _check_in(activity=activity, member=member, actor=actor, when=when, reason=reason, add=False)


@transaction.atomic
def add_participant(*, activity, member, actor, when=None, reason=""):
    """Put a member who was not invited on the activity's list and check them in (someone who came
    anyway). The office adds any member of the committee; unit staff only members of their units
    (Member.objects.visible_to), so that their activity's attendance never reaches beyond them."""
    return _check_in(activity=activity, member=member, actor=actor, when=when, reason=reason, add=True)


def _check_in(*, activity, member, actor, when, reason, add):
    when = when or timezone.now()
    by_staff = add or member.user_id is None or member.user_id != actor.pk
    if by_staff and not selectors.can_run(actor, activity):
        raise PermissionDenied("activities.run_activity")
    if by_staff and member.committee_id != activity.committee_id:
        raise PermissionDenied("activities.run_activity")
    activity = Activity.objects.select_related("committee").get(pk=activity.pk)
    if activity.status not in Activity.OPEN_STATUSES:
        raise ActivityError(
            _("Check-in is possible only for a published activity in progress."), code="not_open"
        )
    if not activity.checkin_open_at(when):
        if not by_staff:
            raise ActivityError(_("Check-in is not open now."), code="window_closed")
        reason = _require_reason(reason, _("Give a reason for checking in outside the check-in window."))
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
        label="Check-in",
        reason=reason,
        fields=["checked_in_at", "checked_in_by"],
    )


@transaction.atomic
def mark_left_early(*, participation, actor, reason=""):
    participation = _locked_participation(participation)
    activity = participation.activity
    _require_run(actor, activity)
    if activity.status != Status.IN_PROGRESS:
        raise ActivityError(_("Only an activity in progress can be marked this way."), code="not_in_progress")
    if participation.status not in (PStatus.PRESENT, PStatus.LATE):
        # The table also lets a correction make anyone final leave early; this act needs a check-in.
        raise _illegal_participation_move(participation, PStatus.LEFT_EARLY)
    return _move_participation(
        participation, PStatus.LEFT_EARLY, actor=actor, label="Left early", reason=reason
    )


@transaction.atomic
def correct_attendance(*, participation, status, actor, reason):
    """Change a closed activity's final attendance (with a reason) and rewrite the ledger."""
    participation = _locked_participation(participation)
    activity = participation.activity
    _require_run(actor, activity)
    reason = _require_reason(reason, _("Say why the attendance is corrected."))
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
    _move_participation(participation, status, actor=actor, label="Attendance correction", reason=reason)
    sync_ledger(activity=activity, actor=actor)
    return participation


# --- editing and attachments -----------------------------------------------------------------------

# What update_activity may change; the rest (committee, status, version, creator) has its own paths.
EDITABLE_FIELDS = (
    "kind",
    "organizing_unit",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "agenda",
    "is_required",
    "registration_deadline",
    "checkin_opens_at",
    "checkin_closes_at",
    "invitee_rules",
)
EDITABLE_STATUSES = (Status.DRAFT, Status.PUBLISHED)


def _field_value(activity, name):
    # Compare units by id, so an unchanged unit never counts as a change.
    return activity.organizing_unit_id if name == "organizing_unit" else getattr(activity, name)


@transaction.atomic
def update_activity(*, activity, actor, expected_version, **fields):
    """Edit a draft or published activity. On a published activity, the members the new invitee rules
    add are invited at once; members no longer named keep their invitation (they may have answered)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    _require_run(actor, activity)
    activity = _locked(activity, expected_version)
    if activity.status not in EDITABLE_STATUSES:
        raise ActivityError(
            _("An activity that is %(status)s cannot be edited."),
            code="not_editable",
            params={"status": Status(activity.status).label},
        )
    if "invitee_rules" in fields:
        _require_invitees_in_scope(actor, fields["invitee_rules"], activity.invitee_rules)
        fields["invitee_rules"] = selectors.normalize_rules(fields["invitee_rules"])
    if fields.get("kind", activity.kind) != activity.kind:
        _require_kind(actor, fields["kind"])
    unit = fields.get("organizing_unit", activity.organizing_unit)
    if unit is not None and unit.committee_id != activity.committee_id:
        raise PermissionDenied("activities.run_activity")
    changed = {}
    for name, value in fields.items():
        before = _field_value(activity, name)
        setattr(activity, name, value)
        after = _field_value(activity, name)
        if before != after:
            changed[name] = (before, after)
    if not changed:
        return activity
    # Unit staff cannot hand an activity to a unit they do not run (nor to the office).
    _require_run(actor, activity)
    if activity.ends_at < activity.starts_at:
        raise ActivityError(_("An activity cannot end before it starts."), code="ends_before_start")
    activity.full_clean(exclude=["committee", "created_by"])
    activity.version += 1
    activity.save()
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=activity.committee,
        obj=activity,
        summary=f"Activity edited: {activity.title}",
        detail={"changed": sorted(changed)},
    )
    if "invitee_rules" in changed and activity.status == Status.PUBLISHED:
        invite(activity=activity, actor=actor)
    if "starts_at" in changed:
        # Speeches count on the activity's day: moving the activity moves their ledger rows.
        for speech in activity.speeches.select_related("member"):
            speech.activity = activity
            sync_records(source=speech, committee=activity.committee, facts=speech_facts(speech), actor=actor)
    return activity


def _require_open_for_files(activity):
    if activity.status in (Status.CLOSED, Status.CANCELLED):
        raise ActivityError(
            _("The attachments of a closed or cancelled activity cannot change."), code="files_frozen"
        )


@transaction.atomic
def add_attachment(*, activity, uploaded_file, actor):
    """Attach a document, checked and stored by uploads.store (judged by its content, kept under a
    random name with the extension the check gave; the uploaded name only for display)."""
    from .models import ActivityAttachment

    _require_run(actor, activity)
    activity = _locked(activity)
    _require_open_for_files(activity)
    attachment = ActivityAttachment(activity=activity)
    try:
        uploads.store(attachment, uploaded_file, actor=actor)
    except uploads.UploadRefused as refused:
        raise ActivityError(str(refused), code="upload_refused") from refused
    attachment.save()
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=activity.committee,
        obj=attachment,
        summary=f"Attachment added to {activity.title}: {attachment.original_name}",
        detail={"activity": activity.pk, "size": attachment.size, "content_type": attachment.content_type},
    )
    return attachment


@transaction.atomic
def delete_attachment(*, attachment, actor):
    activity = attachment.activity
    _require_run(actor, activity)
    activity = _locked(activity)
    _require_open_for_files(activity)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=activity.committee,
        obj=attachment,
        summary=f"Attachment removed from {activity.title}: {attachment.original_name}",
        detail={"activity": activity.pk, "name": attachment.original_name},
    )
    attachment.delete()
    uploads.delete_after_commit(attachment)


# --- notifications ---------------------------------------------------------------------------------
# notify() creates the in-app notices at once and delivers email/SMS after the commit, in a constant
# number of queries; these helpers only say who hears what.


def _when_and_where(activity):
    start = timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")
    end = timezone.localtime(activity.ends_at).strftime("%Y-%m-%d %H:%M")
    return _("Time: %(start)s to %(end)s. Place: %(place)s.") % {
        "start": start,
        "end": end,
        "place": activity.place or "—",
    }


def _users(user_ids):
    # notify() reads only the ids and fetches the users itself (scoped to the committee, active only).
    User = get_user_model()
    return [User(pk=pk) for pk in user_ids]


def _notify_invited(activity, user_ids):
    if not user_ids:
        return
    notify(
        recipients=_users(user_ids),
        kind="activity.invited",
        title=_("Invitation: %(title)s") % {"title": activity.title},
        body=_when_and_where(activity),
        url=reverse("activities:detail", args=[activity.pk]),
        committee=activity.committee,
    )


def _notify_cancelled(activity, reason):
    user_ids = activity.participations.filter(member__user__isnull=False).values_list(
        "member__user_id", flat=True
    )
    notify(
        recipients=_users(user_ids),
        kind="activity.cancelled",
        title=_("Cancelled: %(title)s") % {"title": activity.title},
        body="\n".join([_when_and_where(activity), _("Reason: %(reason)s") % {"reason": reason}]),
        url=reverse("activities:detail", args=[activity.pk]),
        urgent=True,
        committee=activity.committee,
    )


def _notify_leave_requested(participation, actor):
    activity = participation.activity
    notify(
        recipients=selectors.leave_approvers(activity).exclude(pk=actor.pk),
        kind="activity.leave_requested",
        title=_("Leave request from %(member)s: %(title)s")
        % {"member": participation.member.name, "title": activity.title},
        body="\n".join(
            [_when_and_where(activity), _("Reason: %(reason)s") % {"reason": participation.leave_reason}]
        ),
        url=reverse("activities:leave_requests"),
        committee=activity.committee,
    )


def _notify_leave_decided(participation, note):
    user_id = participation.member.user_id
    if user_id is None:
        return
    activity = participation.activity
    if participation.status == PStatus.LEAVE_APPROVED:
        title = _("Leave approved: %(title)s") % {"title": activity.title}
    else:
        title = _("Leave refused: %(title)s") % {"title": activity.title}
    notify(
        recipients=_users([user_id]),
        kind=f"activity.{participation.status}",
        title=title,
        body=note,
        url=reverse("activities:detail", args=[activity.pk]),
        urgent=False,
        committee=activity.committee,
    )


# --- speeches --------------------------------------------------------------------------------------

SPEECH_STATUSES = (*Activity.OPEN_STATUSES, Status.CLOSED)


def speech_facts(speech):
    """The one duty fact a speech implies: speech.oral or speech.written on the activity's (local) day."""
    date = timezone.localdate(speech.activity.starts_at)
    return [Fact(member=speech.member, kind=f"speech.{speech.kind}", date=date)]


@transaction.atomic
def record_speech(*, activity, member, kind, title, actor):
    """Record a member's oral (大会发言) or written (书面发言) speech at the activity, and write it to the
    ledger. One speech of each kind per member and activity."""
    _require_run(actor, activity)
    activity = _locked(activity)
    if activity.status not in SPEECH_STATUSES:
        raise ActivityError(
            _("Speeches cannot be recorded for an activity that is %(status)s."),
            code="speech_not_open",
            params={"status": Status(activity.status).label},
        )
    if member.committee_id != activity.committee_id:
        raise ActivityError(_("Member: choose a member of this committee."), code="foreign_member")
    if (
        not actor.is_committee_wide
        and not Participation.objects.filter(activity=activity, member=member).exists()
    ):
        # Unit staff reach no further than the activity's list, which holds their units' members and
        # whom the office invited.
        raise ActivityError(
            _("Member: %(member)s is not on the list of this activity."),
            code="not_on_list",
            params={"member": member.name},
        )
    if kind not in Speech.Kind.values:
        raise ActivityError(_("Kind: choose oral or written speech."), code="unknown_speech_kind")
    title = (title or "").strip()
    if not title:
        raise ActivityError(_("Title: give the title of the speech."), code="title_required")
    if Speech.objects.filter(activity=activity, member=member, kind=kind).exists():
        if kind == Speech.Kind.ORAL:
            message = _("%(member)s already has an oral speech recorded for this activity.")
        else:
            message = _("%(member)s already has a written speech recorded for this activity.")
        raise ActivityError(message, code="duplicate_speech", params={"member": member.name})
    speech = Speech.objects.create(
        activity=activity, member=member, kind=kind, title=title[:200], recorded_by=actor
    )
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=activity.committee,
        obj=speech,
        summary=f"Speech recorded at {activity.title}: {speech}",
        detail={"activity": activity.pk, "member": member.pk, "kind": kind},
    )
    sync_records(source=speech, committee=activity.committee, facts=speech_facts(speech), actor=actor)
    return speech


@transaction.atomic
def delete_speech(*, speech, actor):
    """Delete a speech and retract its ledger record."""
    activity = speech.activity
    _require_run(actor, activity)
    activity = _locked(activity)
    speech = Speech.objects.select_for_update().select_related("member").get(pk=speech.pk)
    retract_all(source=speech, actor=actor, committee=activity.committee)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=activity.committee,
        obj=speech,
        summary=f"Speech deleted at {activity.title}: {speech}",
        detail={"activity": activity.pk, "member": speech.member_id, "kind": speech.kind},
    )
    speech.delete()
