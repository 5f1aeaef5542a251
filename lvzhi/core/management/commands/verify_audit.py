"""manage.py verify_audit: recompute the audit chain, check it against its anchors outside the database,
name the first bad row, and exit with status 1 when the log is not intact. Run it from a timer (hourly or
nightly): each intact run writes a new anchor, and the auditor's page shows the last result."""

from django.core.management.base import BaseCommand

from lvzhi.core import audit, audit_anchor
from lvzhi.core.models import AuditEvent

PROBLEMS = {
    audit_anchor.ALTERED: "row {id} was changed after it was written",
    audit_anchor.UNLINKED: "row {id} does not follow the row before it: rows were removed or inserted",
    audit_anchor.ANCHOR_MISMATCH: "row {id}, anchored outside the database, is gone or was changed",
    audit_anchor.TRUNCATED: "rows from {id} on are missing: the newest rows were removed",
    audit_anchor.ANCHOR_FORGED: "an anchor in the anchor file is forged",
    audit_anchor.ANCHOR_UNREADABLE: "the anchor file cannot be read",
}


class Command(BaseCommand):
    help = "Verify the audit log's HMAC chain and its anchors; exit 1 when it is not intact."

    def handle(self, *args, **options):
        verification = audit_anchor.verify(started_by="manage.py verify_audit")
        audit.record(
            audit.Action.VERIFY,
            obj=verification,
            event="core.verification_finished",
            params={"status": verification.status},
            detail={"rows": verification.rows_checked, "first_bad_id": verification.first_bad_id},
            result=audit.Result.SUCCESS if verification.status == "intact" else audit.Result.FAILURE,
        )
        if verification.status == verification.Status.INTACT:
            self.stdout.write(
                f"Audit log intact: {verification.rows_checked} rows, {verification.anchors_checked} anchors."
            )
            return
        message = PROBLEMS[verification.problem].format(id=verification.first_bad_id)
        bad = AuditEvent.objects.filter(pk=verification.first_bad_id).first()
        if bad is not None:
            message += f" ({bad.at:%Y-%m-%d %H:%M:%S} {bad.username or '-'} {bad.action})"
        self.stderr.write(f"Audit log NOT intact: {message}.")
        raise SystemExit(1)
