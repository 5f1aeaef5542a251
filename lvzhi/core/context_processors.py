from django.utils.functional import SimpleLazyObject

from lvzhi.activities.selectors import may_decide_some_leave


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
            "activities": user.has_perm("activities.view_activity"),
            # A unit's head decides leave without any permission: asked only when the menu is drawn.
            "leave": SimpleLazyObject(lambda: may_decide_some_leave(user)),
            "standing_report": user.has_perm("activities.view_activity") and user.is_committee_wide,
            "training_plans": user.has_perm("studies.view_trainingplan"),
            "study_queue": user.has_perm("studies.view_studysubmission"),
        }
    }
