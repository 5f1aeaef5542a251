"""Roster imports as jobs: upload → background check (preview) → confirm → background import.

The engine (reading, cleaning, validating, applying) is lvzhi.members.roster_import; this module keeps
the job's state and runs the engine from the task worker, writing progress as it goes.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit
from lvzhi.core.uploads import UploadRefused, check_spreadsheet

from . import roster_import
from .models import RosterImport

# The preview page shows this many rows of each kind; the counts are always complete.
PREVIEW_ROWS = 500


def transition(job, to):
    """Move a job to `to` if the transition table allows it from the state it has in the database now;
    a concurrent second request (double click on "import") finds the state changed and is refused."""
    allowed_from = [state for state, targets in RosterImport.TRANSITIONS.items() if to in targets]
    moved = RosterImport.objects.filter(pk=job.pk, status__in=allowed_from).update(status=to)
    if not moved:
        raise ValidationError(_("This import is no longer waiting for that step."))
    job.status = to


def start(*, committee, uploaded_file, actor, request=None):
    """Check the file's type and size at once (cheap, bounded), keep it privately, queue the check."""
    kind = check_spreadsheet(uploaded_file, uploaded_file.name)
    uploaded_file.seek(0)
    job = RosterImport.objects.create(
        committee=committee, created_by=actor, file=uploaded_file, original_name=uploaded_file.name[:255]
    )
    audit.record(
        audit.Action.IMPORT,
        actor=actor,
        request=request,
        obj=job,
        summary=f"upload {job.original_name}",
        detail={"kind": kind, "bytes": uploaded_file.size},
    )
    from .tasks import check_roster

    transaction.on_commit(lambda: check_roster.enqueue(job.pk))
    return job


def confirm(*, job, valid_only, actor, request=None):
    transition(job, RosterImport.Status.IMPORTING)
    RosterImport.objects.filter(pk=job.pk).update(valid_only=valid_only, progress_done=0)
    from .tasks import import_roster

    transaction.on_commit(lambda: import_roster.enqueue(job.pk, actor.pk))
    return job


def _progress(job):
    def report(done, total):
        RosterImport.objects.filter(pk=job.pk).update(progress_done=done, progress_total=total)

    return report


def _plan(job):
    with job.file.open("rb") as handle:
        table = roster_import.read_roster(handle, job.original_name)
    return roster_import.plan_import(committee=job.committee, table=table, progress=_progress(job))


def _fail(job, message):
    RosterImport.objects.filter(pk=job.pk).update(
        status=RosterImport.Status.FAILED, error=message, finished_at=timezone.now()
    )


@contextmanager
def failing_on_crash(job_id):
    """An unexpected error in the worker must not leave the page waiting forever: mark the job failed
    (the traceback still goes to the worker's log)."""
    try:
        yield
    except Exception:
        RosterImport.objects.filter(
            pk=job_id, status__in=[RosterImport.Status.CHECKING, RosterImport.Status.IMPORTING]
        ).update(
            status=RosterImport.Status.FAILED,
            error=_(
                "An unexpected error stopped the work. Nothing was imported; please tell the administrator."
            ),
            finished_at=timezone.now(),
        )
        raise


def summarize(plan):
    """What the preview page shows: complete counts, the first rows of each kind."""
    by_action = {"create": [], "update": [], "error": []}
    for row in plan.rows:
        if row.action in by_action and len(by_action[row.action]) < PREVIEW_ROWS:
            by_action[row.action].append(
                {
                    "row": row.row,
                    "name": row.name,
                    "changes": row.changes,
                    "issues": [{"column": i.column, "message": i.message} for i in row.issues],
                }
            )
    return {
        "counts": plan.counts(),
        "file_issues": list(plan.file_issues),
        "columns": dict(plan.columns),
        **by_action,
    }


def run_check(job_id):
    job = RosterImport.objects.select_related("committee").get(pk=job_id)
    try:
        plan = _plan(job)
    except UploadRefused as exc:
        _fail(job, str(exc))
        return
    RosterImport.objects.filter(pk=job.pk).update(preview=summarize(plan))
    transition(job, RosterImport.Status.PREVIEW)


def run_import(job_id, actor_id):
    job = RosterImport.objects.select_related("committee", "created_by").get(pk=job_id)
    from lvzhi.accounts.models import User

    actor = User.objects.get(pk=actor_id)
    try:
        plan = _plan(job)
        counts = roster_import.apply_import(
            committee=job.committee,
            plan=plan,
            actor=actor,
            valid_only=job.valid_only,
            progress=_progress(job),
        )
    except roster_import.ImportOutdated as exc:
        _fail(job, str(exc))
        return
    except roster_import.ImportHasErrors:
        _fail(
            job,
            _(
                "Nothing was imported: the file has rows with errors, and you chose to import only a file without errors."
            ),
        )
        return
    except UploadRefused as exc:
        _fail(job, str(exc))
        return
    RosterImport.objects.filter(pk=job.pk).update(result=counts, finished_at=timezone.now())
    transition(job, RosterImport.Status.DONE)
