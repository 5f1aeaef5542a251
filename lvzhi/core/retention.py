"""What lvzhi keeps only for a while, and the daily purge of it (`manage.py purge_expired`).

Each app registers, in its AppConfig.ready(), a function that deletes what it no longer needs and
returns how many things it removed; core knows none of the apps. The audit log is never purged: it is
append-only and kept for good (DESIGN §8 asks for at least 180 days; deleting would break the chain).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from . import audit

_purgers = {}


def register(name, purge):
    """`purge(now)` deletes what has expired at `now` and returns the number of things removed."""
    _purgers[name] = purge


def purge_all(now=None):
    """Run every registered purge and write one audit row with what each removed; returns
    {name: removed}."""
    now = now or timezone.now()
    removed = {name: purge(now) for name, purge in sorted(_purgers.items())}
    audit.record(
        audit.Action.DELETE,
        event="core.expired_data_purged",
        params={"total": sum(removed.values())},
        detail=removed,
    )
    return removed


# A used submission token refuses the same form posted again; a week covers any page left open.
SUBMISSION_TOKENS_KEPT = timedelta(days=7)


def purge_submission_tokens(now):
    from .models import SubmissionToken

    deleted, _ = SubmissionToken.objects.filter(used_at__lt=now - SUBMISSION_TOKENS_KEPT).delete()
    return deleted


def purge_sessions(now):
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0  # other session stores expire their entries themselves
    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return deleted
