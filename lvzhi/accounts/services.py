"""Account administration. The three administrators are separate (三员分立): the system administrator
manages accounts, the security administrator assigns roles, the auditor reads what both did."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lvzhi.core import audit

from .models import User
from .roles import ADMIN_ROLES, Role


@transaction.atomic
def create_user(*, committee, username, display_name, password, actor, request=None):
    user = User(committee=committee, username=username, display_name=display_name)
    user.set_password(password)
    user.must_change_password = True
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(audit.Action.CREATE, actor=actor, request=request, obj=user, summary=username)
    return user


def check_role_combination(roles):
    """No account holds two administrator roles, nor an administrator role with a business role."""
    admin = [r for r in roles if r in ADMIN_ROLES]
    if admin and len(roles) > 1:
        raise ValidationError(
            _("An administrator role (%(role)s) cannot be combined with any other role.")
            % {"role": admin[0].label}
        )


@transaction.atomic
def set_roles(*, user, roles, actor, request=None):
    roles = [Role(r) for r in roles]
    check_role_combination(roles)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot change your own roles."))
    before = sorted(user.groups.values_list("name", flat=True))
    user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    after = sorted(r.value for r in roles)
    if before != after:
        audit.record(
            audit.Action.ROLE_CHANGE,
            actor=actor,
            request=request,
            obj=user,
            summary=user.username,
            detail={"before": before, "after": after},
        )
    return user


@transaction.atomic
def reset_password(*, user, password, actor, request=None):
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record(audit.Action.PASSWORD_RESET, actor=actor, request=request, obj=user, summary=user.username)
    return user
