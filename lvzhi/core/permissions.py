from django.core.exceptions import PermissionDenied


def require_perm(user, perm):
    """Raise PermissionDenied (audited by the 403 handler) unless the user has `perm`."""
    if not user.has_perm(perm):
        raise PermissionDenied(perm)


class AuditedPermissionDenied(PermissionDenied):
    """Raised by a service that has already written a more precise permission_denied audit row (with the
    object); the 403 handler then does not write a second one."""
