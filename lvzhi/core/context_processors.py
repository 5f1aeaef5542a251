def navigation(request):
    """Which menu entries the signed-in user gets; templates ask these instead of role names."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "members": user.has_perm("members.view_member"),
            "organization": user.has_perm("organization.view_orgunit"),
            "departments": user.has_perm("organization.view_department"),
            "contact_requests": user.has_perm("members.approve_contact_update"),
            "audit": user.has_perm("core.view_audit_log"),
            "users": user.has_perm("accounts.manage_users") or user.has_perm("accounts.assign_roles"),
            "my_file": hasattr(user, "member"),
        }
    }
