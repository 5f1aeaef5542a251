"""What the accounts app shows on the start page (AccountsConfig.home_cards, drawn by lvzhi.home): the
system administrator's and the security administrator's work. Neither sees members' personal data here:
only counts and role names."""

from django.contrib.auth.models import Group
from django.db.models import Count, Q

from lvzhi.members.models import Member, MemberTerm

from . import services
from .models import User
from .roles import Role


def accounts(user):
    """For the system administrator: the committee's accounts (all, active), the serving members who have
    none yet, and the accounts locked now; three queries."""
    if not user.has_perm("accounts.manage_users") or user.committee_id is None:
        return None
    counts = User.objects.filter(committee_id=user.committee_id).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(is_active=True))
    )
    serving = MemberTerm.objects.filter(term__is_current=True, status=MemberTerm.Status.SERVING)
    without_account = Member.objects.filter(
        committee_id=user.committee_id, user__isnull=True, pk__in=serving.values("member_id")
    ).count()
    return {
        "total": counts["total"],
        "active": counts["active"],
        "without_account": without_account,
        "locked": services.current_lockouts(user.committee_id).count(),
    }


def security(user):
    """For the security administrator: the accounts locked now and how many active accounts of the
    committee hold each role; two queries."""
    if not user.has_perm("accounts.assign_roles") or user.committee_id is None:
        return None
    held = dict(
        Group.objects.filter(name__in=Role.values)
        .annotate(n=Count("user", filter=Q(user__committee_id=user.committee_id, user__is_active=True)))
        .values_list("name", "n")
    )
    return {
        "locked": services.current_lockouts(user.committee_id).count(),
        "roles": [{"label": role.label, "name": role.value, "n": held.get(role.value, 0)} for role in Role],
    }
