"""Background tasks of the base layer (Django Tasks API; the worker is `manage.py db_worker`), and the
services that start them."""

import datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import audit, audit_anchor
from .models import AuditVerification

# A verification still "running" after this long died with its worker: another may start.
VERIFICATION_STALE_AFTER = datetime.timedelta(hours=2)


@task()
def verify_audit_log(verification_id):
    """The auditor's "verify now": walks the whole log, so it runs in the worker, with progress."""
    verification = AuditVerification.objects.get(pk=verification_id)
    try:
        audit_anchor.verify(verification=verification)
    except Exception:
        # The page must not show "running" forever; the traceback goes to the worker's log.
        AuditVerification.objects.filter(pk=verification_id).update(
            status=AuditVerification.Status.ERROR, finished_at=timezone.now()
        )
        raise


def start_audit_verification(*, actor: AbstractUser) -> AuditVerification | None:
    """The auditor's "verify now": record the start, audit it and hand the walk to the worker once
    committed. Returns None, starting nothing, while another verification is still running."""
    if not actor.has_perm("core.view_audit_log"):
        raise PermissionDenied("Only an auditor verifies the audit log.")
    running = AuditVerification.objects.filter(
        status=AuditVerification.Status.RUNNING,
        started_at__gt=timezone.now() - VERIFICATION_STALE_AFTER,
    ).exists()
    if running:
        return None
    with transaction.atomic():
        verification = AuditVerification.objects.create(started_by=actor.get_username())
        audit.record(audit.Action.VERIFY, actor=actor, obj=verification, event="core.verification_started")
        transaction.on_commit(lambda: verify_audit_log.enqueue(verification.pk))
    return verification
