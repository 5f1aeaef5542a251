"""What the services modules share: the domain error types, the activity's lock and move, the checks
they all make, and the wording of notifications. Callers use the package, not this module."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import workflow

from .. import selectors
from ..models import Activity, ActivityStatusChange

if TYPE_CHECKING:
    from lvzhi.accounts.models import User


class ActivityError(ValidationError):
    """An illegal move: shown to the user as a message, never a 500."""


def require_run(actor: User, activity: Activity) -> None:
    if not selectors.can_run(actor, activity):
        raise PermissionDenied("activities.run_activity")


def lock_activity(activity: Activity, expected_version: int | None = None) -> Activity:
    """The activity locked for this act; workflow.StaleEdit when someone saved it since
    `expected_version`."""
    return workflow.lock(Activity, activity.pk, expected_version)


def move_activity(
    activity: Activity, to_status: str, *, actor: User, reason: str = "", only_from: str | None = None
) -> Activity:
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
        event="activities.status_changed",
    )


def require_reason(reason: str | None, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ActivityError(message, code="reason_required")
    return reason


# notify() creates the in-app notices at once and delivers email/SMS after the commit, in a constant
# number of queries; the services only say who hears what, in these words.


def when_and_where(activity: Activity) -> str:
    start = timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")
    end = timezone.localtime(activity.ends_at).strftime("%Y-%m-%d %H:%M")
    return _("Time: %(start)s to %(end)s. Place: %(place)s.") % {
        "start": start,
        "end": end,
        "place": activity.place or "—",
    }


def recipients(user_ids: Iterable[int]) -> list[User]:
    # notify() reads only the ids and fetches the users itself (scoped to the committee, active only).
    User = get_user_model()
    return [User(pk=pk) for pk in user_ids]
