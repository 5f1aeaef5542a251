"""Historical duty-record imports: upload and preview, confirm, discard, undo (DutyImport).

    job = start(committee=c, uploaded_file=f, actor=user)        # checked, planned, sealed: a preview
    confirm(job=job, valid_only=True, actor=user)                 # the ledger records written
    discard(job=job, actor=user)                                  # the preview dropped
    undo(job=job, actor=user)                                     # every record of the import retracted

The engine is importing.py (read → clean → plan). Each item of the plan (the rows of one proposal or
report, or a row of its own) becomes a DutyImportItem, and ledger.services.sync_records_batch (what
sync_records does, for many sources at once) writes its records with the item as their source, so
undoing retracts exactly those. The steps run synchronously:
a file of 5,000 rows previews and imports in a few seconds (docs/duty-import.md gives the figures).

The uploaded file names members by ID number: it waits encrypted (core.crypto, bound to this use) until
the import is confirmed or discarded, then is deleted; its size and SHA-256 stay on the job and in the
audit log.
"""

from __future__ import annotations

import datetime
import hashlib
import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit, crypto
from lvzhi.core.uploads import UploadRefused, check_spreadsheet

from . import importing
from .models import DutyImport, DutyImportItem
from .services import Fact, sync_records_batch

# Bound into the encryption of the stored upload: a sealed file copied elsewhere does not open.
FILE_CONTEXT = "ledger.DutyImport.file"
# A preview nobody confirms or discards within this time is discarded and its file deleted.
WAITING_LIMIT = datetime.timedelta(hours=24)


def transition(job, to, **fields):
    """Move `job` to `to` (with `fields`) if the transition table allows it from the state it has in the
    database now: a second click, or another person on the same import, finds it moved and is refused."""
    allowed_from = [state for state, targets in DutyImport.TRANSITIONS.items() if to in targets]
    moved = DutyImport.objects.filter(pk=job.pk, status__in=allowed_from).update(status=to, **fields)
    if not moved:
        raise ValidationError(_("This import is no longer waiting for that step."))
    job.status = to
    for name, value in fields.items():
        setattr(job, name, value)


def _file_name(name):
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "import.xlsx"


def start(*, committee, uploaded_file, actor, request=None):
    """Check the file (type, size, content), read and plan it, and keep it encrypted beside its preview.
    Raises UploadRefused (nothing kept) for a file that is not a readable spreadsheet of records."""
    name = _file_name(uploaded_file.name)
    check_spreadsheet(uploaded_file, name)
    uploaded_file.seek(0)
    data = uploaded_file.read()
    plan = _plan_bytes(data, name, committee)
    if plan.file_issues:
        raise UploadRefused(" ".join(plan.file_issues))
    preview = importing.summarize(plan)
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = (
        DutyImport.objects.filter(committee=committee, file_sha256=sha256, status=DutyImport.Status.IMPORTED)
        .order_by("-imported_at")
        .first()
    )
    if earlier is not None:
        preview["same_file"] = {
            "pk": earlier.pk,
            "imported_at": timezone.localtime(earlier.imported_at).isoformat(),
        }
    with transaction.atomic():
        job = DutyImport.objects.create(
            committee=committee,
            created_by=actor if actor is not None and actor.is_authenticated else None,
            # The stored name says nothing about the content; the name people know is kept beside it.
            file=ContentFile(crypto.encrypt_bytes(data, context=FILE_CONTEXT), name="duty-records.sealed"),
            original_name=name,
            file_bytes=len(data),
            file_sha256=sha256,
            preview=preview,
        )
        audit.record(
            audit.Action.IMPORT,
            actor=actor,
            request=request,
            committee=committee,
            username="" if actor else "manage.py import_duty_records",
            obj=job,
            event="ledger.import_uploaded",
            params={"file": name},
            detail={
                "bytes": job.file_bytes,
                "sha256": sha256,
                "rows": preview["rows"],
                "valid": preview["valid"],
            },
        )
    return job


def _plan_bytes(data, name, committee):
    table = importing.read_table(io.BytesIO(data), name)
    return importing.plan_import(committee=committee, table=table, file_name=name)


def _plan(job):
    with job.file.open("rb") as handle:
        data = crypto.decrypt_bytes(handle.read(), context=FILE_CONTEXT)
    return _plan_bytes(data, job.original_name, job.committee)


def confirm(*, job, valid_only=True, actor, request=None):
    """Write the import: the file is planned again (the members may have changed since the preview),
    each item becomes a DutyImportItem and its records are written with it as their source
    (services.sync_records_batch: sync_records for all the items at once), all in one transaction.
    With valid_only=False a file with any row error writes nothing (ValidationError). The sealed file
    is deleted once committed. Returns the job, its result {"records", "items", "members", "rows",
    "errors"} filled in."""
    if job.status != DutyImport.Status.PREVIEW or not job.file:
        raise ValidationError(_("This import is no longer waiting for that step."))
    try:
        plan = _plan(job)
    except UploadRefused as exc:
        raise ValidationError(str(exc)) from exc
    if plan.file_issues:
        raise ValidationError(" ".join(plan.file_issues))
    errors = len(plan.error_rows)
    if errors and not valid_only:
        raise ValidationError(
            _("%(n)d rows have errors; nothing was imported. Correct them, or import the valid rows only.")
            % {"n": errors}
        )
    items = plan.items()
    if not items:
        raise ValidationError(_("The file has no valid row to import."))
    file_name = job.file.name
    with transaction.atomic():
        transition(job, DutyImport.Status.IMPORTED, imported_at=timezone.now(), file="")
        created = DutyImportItem.objects.bulk_create(
            [
                DutyImportItem(job=job, key=key, label=label, first_row=first)
                for key, label, first, _rows in items
            ]
        )
        # One batch: an import of thousands of rows without 事项 has thousands of items, and item by item
        # sync_records would spend seconds on its queries and audit rows (docs/duty-import.md).
        batch = [
            (item, [Fact(r.member, r.kind, r.date, role=r.role, note=r.note) for r in rows])
            for item, (_key, _label, _first, rows) in zip(created, items, strict=True)
        ]
        records = sync_records_batch(
            committee=job.committee, batch=batch, actor=actor, label=job.original_name
        ).inserted
        result = {
            "records": records,
            "items": len(created),
            "members": len({r.member.pk for r in plan.valid_rows}),
            "rows": len(plan.valid_rows),
            "errors": errors,
        }
        preview = importing.summarize(plan)
        if "same_file" in job.preview:
            preview["same_file"] = job.preview["same_file"]
        DutyImport.objects.filter(pk=job.pk).update(result=result, preview=preview)
        job.result, job.preview = result, preview
        audit.record(
            audit.Action.IMPORT,
            actor=actor,
            request=request,
            committee=job.committee,
            username="" if actor else "manage.py import_duty_records",
            obj=job,
            event="ledger.import_confirmed",
            params={"file": job.original_name, "records": records},
            detail={**result, "sha256": job.file_sha256},
        )
        _delete_after_commit(file_name)
    return job


def discard(*, job, actor, request=None):
    """Drop a preview: nothing was written; the sealed file is deleted."""
    file_name = job.file.name
    with transaction.atomic():
        transition(job, DutyImport.Status.DISCARDED, file="")
        audit.record(
            audit.Action.DELETE,
            actor=actor,
            request=request,
            committee=job.committee,
            username="" if actor else "retention",
            obj=job,
            event="ledger.import_discarded",
            params={"file": job.original_name},
            detail={"bytes": job.file_bytes, "sha256": job.file_sha256},
        )
        _delete_after_commit(file_name)
    return job


def undo(*, job, actor, request=None):
    """Retract every ledger record the import wrote (each of its items' records, as retract_all would,
    in one batch), in one transaction.
    The items stay as the import's history; the same file can be imported again afterwards."""
    with transaction.atomic():
        transition(job, DutyImport.Status.UNDONE, undone_by=actor, undone_at=timezone.now())
        items = DutyImportItem.objects.filter(job=job).order_by("pk")
        retracted = sync_records_batch(
            committee=job.committee,
            batch=[(item, []) for item in items],
            actor=actor,
            label=job.original_name,
        ).deleted
        result = {**job.result, "retracted": retracted}
        DutyImport.objects.filter(pk=job.pk).update(result=result)
        job.result = result
        audit.record(
            audit.Action.DELETE,
            actor=actor,
            request=request,
            committee=job.committee,
            obj=job,
            event="ledger.import_undone",
            params={"file": job.original_name, "records": retracted},
            detail={"records": retracted, "sha256": job.file_sha256},
        )
    return job


def purge_stale(now=None):
    """Discard the previews left waiting longer than WAITING_LIMIT, deleting their files. Returns how
    many. Meant for the daily retention run (core.retention)."""
    now = now or timezone.now()
    purged = 0
    stale = DutyImport.objects.filter(status=DutyImport.Status.PREVIEW, created_at__lt=now - WAITING_LIMIT)
    for job in stale.select_related("committee"):
        try:
            discard(job=job, actor=None)
        except ValidationError:
            continue  # confirmed meanwhile
        purged += 1
    return purged


def _delete_after_commit(name):
    if not name:
        return
    storage = DutyImport._meta.get_field("file").storage
    # robust: the step is committed by then; a file that cannot be removed is logged, not a 500.
    transaction.on_commit(lambda: storage.delete(name), robust=True)
