from django.core.exceptions import PermissionDenied


def require_perm(user, perm):
    """Raise PermissionDenied (audited by the 403 handler) unless the user has `perm`."""
    if not user.has_perm(perm):
        raise PermissionDenied(perm)
