"""Roster imports as jobs: upload → background check (preview) → confirm → background import.

The engine is lvzhi.members.roster_import (read → clean → plan → apply); this module keeps the job's
state and runs the engine from the task worker, writing progress as it goes. The pages start the tasks
(lvzhi.members.tasks) once a step has been committed; this module does not know them.

The uploaded file carries every member's ID and phone number: it waits encrypted, and is deleted when
the job ends (done, failed, or expired by purge_stale).
"""

import datetime
import hashlib
import io
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.accounts.models import User
from lvzhi.core import audit, crypto
from lvzhi.core.log_filters import redact
from lvzhi.core.uploads import UploadRefused, check_spreadsheet

from . import roster_import
from .models import RosterImport

# The preview page shows this many rows of each kind; the counts are always complete.
PREVIEW_ROWS = 500
# Bound into the encryption of the stored upload: a sealed file copied elsewhere does not open.
FILE_CONTEXT = "members.RosterImport.file"
# A preview nobody confirms within this time is abandoned: its file is deleted (purge_stale).
WAITING_LIMIT = datetime.timedelta(hours=24)
WAITING = (RosterImport.Status.CHECKING, RosterImport.Status.PREVIEW)
ENDED = (RosterImport.Status.DONE, RosterImport.Status.FAILED, RosterImport.Status.EXPIRED)


def transition(job, to, **fields):
    """Move a job to `to` (setting `fields` with it) if the transition table allows it from the state it
    has in the database now; a concurrent second request (double click on "import", or the purge racing
    a confirmation) finds the state changed and is refused."""
    allowed_from = [state for state, targets in RosterImport.TRANSITIONS.items() if to in targets]
    moved = RosterImport.objects.filter(pk=job.pk, status__in=allowed_from).update(status=to, **fields)
    if not moved:
        raise ValidationError(_("This import is no longer waiting for that step."))
    job.status = to
    for name, value in fields.items():
        setattr(job, name, value)


def _origin(request):
    origin = audit.origin_of(request)
    return {"client_ip": origin.ip, "user_agent": origin.user_agent}


def start(*, committee, uploaded_file, actor, request=None):
    """Check the file's type and size at once (cheap, bounded) and keep it, encrypted, for the check
    that the caller queues (tasks.check_when_committed)."""
    kind = check_spreadsheet(uploaded_file, uploaded_file.name)
    uploaded_file.seek(0)
    data = uploaded_file.read()
    sealed = crypto.encrypt_bytes(data, context=FILE_CONTEXT)
    job = RosterImport.objects.create(
        committee=committee,
        created_by=actor,
        # The stored name says nothing about the file's content; the name people know is kept beside it.
        file=ContentFile(sealed, name="roster.sealed"),
        original_name=uploaded_file.name[:255],
        file_bytes=len(data),
        file_sha256=hashlib.sha256(data).hexdigest(),
        **_origin(request),
    )
    audit.record(
        audit.Action.IMPORT,
        actor=actor,
        request=request,
        obj=job,
        event="members.roster_uploaded",
        params={"file": job.original_name},
        detail={"kind": kind, "bytes": job.file_bytes, "sha256": job.file_sha256},
    )
    return job


def confirm(*, job, valid_only, actor, request=None):
    """Move a previewed job on to importing; the caller queues the import (tasks.import_when_committed).
    The worker's audit rows will carry the address of the person confirming."""
    transition(job, RosterImport.Status.IMPORTING, valid_only=valid_only, progress_done=0, **_origin(request))
    return job


@contextmanager
def on_behalf_of_starter(job_id):
    """The worker's side of a step: its audit rows carry the address of the person who started the step,
    and an unexpected error does not leave the page waiting forever — the job is marked failed and its
    file deleted (the traceback still goes to the worker's log)."""
    origin = RosterImport.objects.filter(pk=job_id).values("client_ip", "user_agent").first() or {}
    with audit.acting_from(ip=origin.get("client_ip"), user_agent=origin.get("user_agent", "")):
        try:
            yield
        except Exception:
            job = RosterImport.objects.get(pk=job_id)
            if job.status in {RosterImport.Status.CHECKING, RosterImport.Status.IMPORTING}:
                _end(
                    job,
                    RosterImport.Status.FAILED,
                    actor=None,
                    error=_(
                        "An unexpected error stopped the work. Nothing was imported; please tell the "
                        "administrator."
                    ),
                )
            raise


def _end(job, status, *, actor, **fields):
    """Move the job to an end state and delete its file, auditing the file's size and hash so the
    deletion leaves a trace of which file it was."""
    name = job.file.name
    transition(job, status, finished_at=timezone.now(), file="", **fields)
    _delete_file(job, name, status, actor=actor)


def _delete_file(job, name, status, *, actor):
    if name:
        RosterImport._meta.get_field("file").storage.delete(name)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=job.committee,
        obj=job,
        event="members.roster_file_removed",
        params={"file": job.original_name, "status": str(status)},
        detail={"status": str(status), "bytes": job.file_bytes, "sha256": job.file_sha256},
    )


def purge_stale(now=None):
    """Expire the jobs left waiting longer than WAITING_LIMIT (a preview nobody confirmed, a check that
    never finished) and delete their files; also delete any file an ended job still holds. Returns the
    number of jobs expired. Meant for the daily retention command."""
    now = now or timezone.now()
    expired = 0
    stale = RosterImport.objects.filter(status__in=WAITING, created_at__lt=now - WAITING_LIMIT)
    for job in stale.select_related("committee"):
        try:
            _end(job, RosterImport.Status.EXPIRED, actor=None)
        except ValidationError:
            continue  # confirmed meanwhile: the import will delete the file when it ends
        expired += 1
    for job in RosterImport.objects.filter(status__in=ENDED).exclude(file="").select_related("committee"):
        RosterImport.objects.filter(pk=job.pk).update(file="")
        _delete_file(job, job.file.name, job.status, actor=None)
    return expired


def _progress(job):
    def report(done, total):
        RosterImport.objects.filter(pk=job.pk).update(progress_done=done, progress_total=total)

    return report


def _plan(job):
    with job.file.open("rb") as handle:
        data = crypto.decrypt_bytes(handle.read(), context=FILE_CONTEXT)
    table = roster_import.read_roster(io.BytesIO(data), job.original_name)
    return roster_import.plan_import(committee=job.committee, table=table, progress=_progress(job))


def mask_numbers(value):
    """`value` (text, or lists and dicts of it) with every full ID and mobile number masked as the pages
    show them. What the preview keeps is read by everyone who may import, and a cell read from the wrong
    column (an ID number in the party column) would otherwise come back in clear in its error message."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [mask_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_numbers(v) for k, v in value.items()}
    return value


def summarize(plan):
    """What the preview page shows: complete counts, the first rows of each kind, numbers masked."""
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
    return mask_numbers(
        {
            "counts": plan.counts(),
            "file_issues": list(plan.file_issues),
            "columns": dict(plan.columns),
            "unknown_columns": [
                {"letter": letter, "header": header} for letter, header in plan.unknown_columns
            ],
            "notes": list(plan.skipped),
            **by_action,
        }
    )


def run_check(job_id):
    job = RosterImport.objects.select_related("committee", "created_by").get(pk=job_id)
    try:
        plan = _plan(job)
    except UploadRefused as exc:
        _end(job, RosterImport.Status.FAILED, actor=job.created_by, error=mask_numbers(str(exc)))
        return
    preview = summarize(plan)
    if plan.file_issues:
        # Nothing in this file can be imported: end the job now rather than keep the file waiting.
        _end(
            job,
            RosterImport.Status.FAILED,
            actor=job.created_by,
            preview=preview,
            error="\n".join(preview["file_issues"]),
        )
        return
    transition(job, RosterImport.Status.PREVIEW, preview=preview)


def run_import(job_id, actor_id):
    job = RosterImport.objects.select_related("committee", "created_by").get(pk=job_id)
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
        _end(job, RosterImport.Status.FAILED, actor=actor, error=str(exc))
        return
    except roster_import.ImportHasErrors:
        message = _(
            "Nothing was imported: the file has rows with errors, and you chose to import only a file "
            "without errors."
        )
        _end(job, RosterImport.Status.FAILED, actor=actor, error=message)
        return
    except UploadRefused as exc:
        _end(job, RosterImport.Status.FAILED, actor=actor, error=mask_numbers(str(exc)))
        return
    _end(job, RosterImport.Status.DONE, actor=actor, result=counts)
