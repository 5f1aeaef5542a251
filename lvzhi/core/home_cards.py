"""What core shows on the start page (CoreConfig.home_cards, drawn by lvzhi.home): the auditor's work."""

from .models import AuditVerification


def audit(user):
    """For the auditor: the audit log, and how the last verification of its hash chain ended."""
    if not user.has_perm("core.view_audit_log"):
        return None
    return {"verification": AuditVerification.objects.order_by("-started_at", "-id").first()}
