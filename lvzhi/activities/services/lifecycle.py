"""An activity's life: creating, editing and inviting, and its moves through Activity.TRANSITIONS
(publish, start, close, reopen, cancel). Closing makes every participation final and writes the ledger;
reopening retracts it."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from lvzhi.core import audit
from lvzhi.core.permissions import committee_of
from lvzhi.ledger.services import sync_records
from lvzhi.members.models import Member
from lvzhi.notifications.services import notify
from lvzhi.organization.models import OrgUnit

from .. import selectors
from ..models import Activity, Participation, ParticipationStatusChange
from .attendance import sync_ledger
from .common import (
    ActivityError,
    lock_activity,
    move_activity,
    recipients,
    require_reason,
    require_run,
    when_and_where,
)
from .speeches import speech_facts

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

Status = Activity.Status
PStatus = Participation.Status


def _require_kind(actor: User, kind: str) -> None:
    """Unit staff choose only their units' kinds: the committee's own meetings are the office's."""
    if kind in Activity.COMMITTEE_KINDS and not actor.is_committee_wide:
        raise ActivityError(
            _("Kind: %(kind)s is run by the office; choose a kind of activity of your units."),
            code="office_kind",
            params={"kind": Activity.Kind(kind).label},
        )


def _require_invitees_in_scope(
    actor: User, rules: Mapping[str, Any] | None, stored: Mapping[str, Any] | None = None
) -> None:
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
            OrgUnit.objects.filter(committee=actor.committee_id, pk__in=unit_ids).values_list("pk", "name")
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
            Member.objects.filter(committee=actor.committee_id, pk__in=member_ids).values_list("pk", "name")
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


@transaction.atomic
def create_activity(
    *,
    actor: User,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    organizing_unit: OrgUnit | None = None,
    place: str = "",
    agenda: str = "",
    is_required: bool = True,
    registration_deadline: datetime.datetime | None = None,
    checkin_opens_at: datetime.datetime | None = None,
    checkin_closes_at: datetime.datetime | None = None,
    invitee_rules: Mapping[str, Any] | None = None,
) -> Activity:
    """A draft activity of the actor's committee, run by `organizing_unit` (None: the office). Unit staff
    create only their units' kinds, inviting within their units."""
    if not actor.has_perm("activities.add_activity"):
        raise PermissionDenied("activities.add_activity")
    _require_kind(actor, kind)
    _require_invitees_in_scope(actor, invitee_rules)
    activity = Activity(
        committee_id=committee_of(actor),
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
    require_run(actor, activity)
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
        event="activities.activity_created",
        params={"title": title},
    )
    return activity


@transaction.atomic
def set_invitee_rules(
    *,
    activity: Activity,
    rules: Mapping[str, Any] | None,
    actor: User,
    expected_version: int | None = None,
) -> Activity:
    """Change who is invited. On a published activity, call `invite` afterwards to add the new ones."""
    require_run(actor, activity)
    activity = lock_activity(activity, expected_version)
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
        event="activities.invitees_changed",
        params={"title": activity.title},
        detail={"rules": activity.invitee_rules},
    )
    return activity


@transaction.atomic
def invite(*, activity: Activity, actor: User) -> list[Participation]:
    """Invite every member the rules name who is not invited yet; returns the new participations.
    Members invited before and no longer named keep their invitation (they may have answered)."""
    require_run(actor, activity)
    if activity.status not in Activity.OPEN_STATUSES:
        raise ActivityError(_("Invitations go out when the activity is published."))
    new_rows = list(selectors.new_invitees(activity).values_list("pk", "user_id"))
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
            event="activities.invitations_sent",
            params={"title": activity.title, "count": len(created)},
            detail={"invited": len(created)},
        )
    return created


@transaction.atomic
def publish_activity(*, activity: Activity, actor: User, expected_version: int | None = None) -> Activity:
    """draft → published, inviting every member the rules name."""
    require_run(actor, activity)
    activity = lock_activity(activity, expected_version)
    move_activity(activity, Status.PUBLISHED, actor=actor)
    invite(activity=activity, actor=actor)
    return activity


@transaction.atomic
def cancel_activity(
    *, activity: Activity, actor: User, reason: str | None, expected_version: int | None = None
) -> Activity:
    require_run(actor, activity)
    reason = require_reason(reason, _("Say why the activity is cancelled."))
    activity = lock_activity(activity, expected_version)
    if activity.speeches.exists():
        # Their ledger rows would outlive the activity; deleting them first is a deliberate act.
        raise ActivityError(
            _("Speeches are recorded for this activity: delete them before cancelling it."),
            code="has_speeches",
        )
    move_activity(activity, Status.CANCELLED, actor=actor, reason=reason)
    _notify_cancelled(activity, reason)
    return activity


@transaction.atomic
def start_activity(*, activity: Activity, actor: User, expected_version: int | None = None) -> Activity:
    require_run(actor, activity)
    activity = lock_activity(activity, expected_version)
    return move_activity(activity, Status.IN_PROGRESS, actor=actor, only_from=Status.PUBLISHED)


@transaction.atomic
def close_activity(*, activity: Activity, actor: User, expected_version: int | None = None) -> Activity:
    """in_progress → closed: every participation becomes final (attended and approved leave stay,
    anything else is absent), then the ledger is written."""
    require_run(actor, activity)
    activity = lock_activity(activity, expected_version)
    move_activity(activity, Status.CLOSED, actor=actor)
    _mark_absent(activity, actor=actor)
    sync_ledger(activity=activity, actor=actor)
    return activity


def _mark_absent(activity: Activity, *, actor: User) -> None:
    """Every participation of the activity that is not final yet becomes absent, with its history row,
    in three queries (lock and read, update, insert) however many there are: every status that is not
    final may become absent (Participation.TRANSITIONS), and the activity's own audit row records the
    closing. Locked, so that a check-in committing meanwhile is neither overwritten nor misrecorded."""
    pending = list(selectors.to_mark_absent(activity).select_for_update().values_list("pk", "status"))
    Participation.objects.filter(pk__in=[pk for pk, _status in pending]).update(status=PStatus.ABSENT)
    ParticipationStatusChange.objects.bulk_create(
        ParticipationStatusChange(
            participation_id=pk, from_status=from_status, to_status=PStatus.ABSENT, actor=actor
        )
        for pk, from_status in pending
    )


@transaction.atomic
def reopen_activity(
    *, activity: Activity, actor: User, reason: str | None, expected_version: int | None = None
) -> Activity:
    """closed → in_progress, with a reason; its ledger rows are retracted until it closes again."""
    require_run(actor, activity)
    reason = require_reason(reason, _("Say why the activity is reopened."))
    activity = lock_activity(activity, expected_version)
    move_activity(activity, Status.IN_PROGRESS, actor=actor, reason=reason, only_from=Status.CLOSED)
    sync_ledger(activity=activity, actor=actor)
    return activity


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


def _field_value(activity: Activity, name: str) -> Any:
    # Compare units by id, so an unchanged unit never counts as a change.
    return activity.organizing_unit_id if name == "organizing_unit" else getattr(activity, name)


@transaction.atomic
def update_activity(*, activity: Activity, actor: User, expected_version: int, **fields: Any) -> Activity:
    """Edit a draft or published activity. On a published activity, the members the new invitee rules
    add are invited at once; members no longer named keep their invitation (they may have answered)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    require_run(actor, activity)
    activity = lock_activity(activity, expected_version)
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
    changed: dict[str, tuple[Any, Any]] = {}
    for name, value in fields.items():
        before = _field_value(activity, name)
        setattr(activity, name, value)
        after = _field_value(activity, name)
        if before != after:
            changed[name] = (before, after)
    if not changed:
        return activity
    # Unit staff cannot hand an activity to a unit they do not run (nor to the office).
    require_run(actor, activity)
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
        event="activities.activity_edited",
        params={"title": activity.title},
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


def _notify_invited(activity: Activity, user_ids: list[int]) -> None:
    if not user_ids:
        return
    notify(
        recipients=recipients(user_ids),
        kind="activity.invited",
        title=_("Invitation: %(title)s") % {"title": activity.title},
        body=when_and_where(activity),
        url=reverse("activities:detail", args=[activity.pk]),
        committee=activity.committee,
    )


def _notify_cancelled(activity: Activity, reason: str) -> None:
    user_ids = activity.participations.filter(member__user__isnull=False).values_list(
        "member__user_id", flat=True
    )
    notify(
        recipients=recipients(user_ids),
        kind="activity.cancelled",
        title=_("Cancelled: %(title)s") % {"title": activity.title},
        body="\n".join([when_and_where(activity), _("Reason: %(reason)s") % {"reason": reason}]),
        url=reverse("activities:detail", args=[activity.pk]),
        urgent=True,
        committee=activity.committee,
    )
