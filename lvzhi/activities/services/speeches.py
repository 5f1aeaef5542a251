"""Speeches recorded at an activity (大会发言, 书面发言), each its own ledger source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit
from lvzhi.ledger.services import Fact, retract_all, sync_records

from ..models import Activity, Participation, Speech
from .common import ActivityError, lock_activity, require_run

if TYPE_CHECKING:
    from lvzhi.accounts.models import User
    from lvzhi.members.models import Member

Status = Activity.Status


SPEECH_STATUSES = (*Activity.OPEN_STATUSES, Status.CLOSED)


def speech_facts(speech: Speech) -> list[Fact]:
    """The one duty fact a speech implies: speech.oral or speech.written on the activity's (local) day."""
    date = timezone.localdate(speech.activity.starts_at)
    return [Fact(member=speech.member, kind=f"speech.{speech.kind}", date=date)]


@transaction.atomic
def record_speech(*, activity: Activity, member: Member, kind: str, title: str | None, actor: User) -> Speech:
    """Record a member's oral (大会发言) or written (书面发言) speech at the activity, and write it to the
    ledger. One speech of each kind per member and activity."""
    require_run(actor, activity)
    activity = lock_activity(activity)
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
        event="activities.speech_recorded",
        params={"activity": activity.title, "speech": str(speech)},
        detail={"activity": activity.pk, "member": member.pk, "kind": kind},
    )
    sync_records(source=speech, committee=activity.committee, facts=speech_facts(speech), actor=actor)
    return speech


@transaction.atomic
def delete_speech(*, speech: Speech, actor: User) -> None:
    """Delete a speech and retract its ledger record."""
    activity = speech.activity
    require_run(actor, activity)
    activity = lock_activity(activity)
    speech = Speech.objects.select_for_update().select_related("member").get(pk=speech.pk)
    retract_all(source=speech, actor=actor, committee=activity.committee)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=activity.committee,
        obj=speech,
        event="activities.speech_deleted",
        params={"activity": activity.title, "speech": str(speech)},
        detail={"activity": activity.pk, "member": speech.member_id, "kind": speech.kind},
    )
    speech.delete()
