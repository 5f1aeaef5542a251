"""Background tasks of the base layer (Django Tasks API; the worker is `manage.py db_worker`)."""

from django.utils import timezone
from django_tasks import task

from . import audit_anchor
from .models import AuditVerification


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
