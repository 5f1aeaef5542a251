"""Account administration under 三员分立: the system administrator (accounts.manage_users) creates and
edits accounts, the security administrator (accounts.assign_roles) assigns roles and unlocks accounts,
the auditor reads what both did. No administrator can act as another.

Resetting a password or a second factor (a forgotten password, a lost phone):

- Privileged accounts are those holding an administrator role (系统管理员, 安全保密管理员, 安全审计员) or
  a right to full personal data (roles.PERSONAL_DATA_PERMISSIONS: unmasked ID and phone numbers, on the
  pages and in the roster export), whether the account is enabled now or not.
- An ordinary account is reset by the system administrator.
- A privileged account is reset only by a security administrator, never by the system administrator:
  else the system administrator could sign in as the auditor, or as office staff who see personal data.
- Nobody resets their own password or second factor this way: they change their password themselves,
  and their lost phone is another administrator's task.
- One person may not reset both the password and the second factor of a privileged account unless its
  owner has signed in since the first of the two resets: whoever chose the new password and faces no
  second factor would hold the account. Another security administrator does the other reset, or, where
  there is none, the operator on the server with `manage.py reset_credentials` (audited, actor None).
- Every reset is audited with the request, is kept as a CredentialReset, and ends every session of the
  account (session_epoch); a password set by someone else must be changed at the next sign-in.

Disabling an account ends its sessions for good too (update_user), and a granted administrator role
makes the account choose a new password, so that the administrators' longer minimum applies.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit
from lvzhi.members.models import Member

from . import login_names
from .models import CredentialReset, Lockout, LoginFailure, TOTPDevice, User
from .roles import ADMIN_ROLES, Role, holds_personal_data_rights, is_administrator

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from lvzhi.organization.models import Committee, Department, OrgUnit, Term


@transaction.atomic
def create_user(
    *,
    committee: Committee,
    username: str,
    display_name: str,
    password: str,
    actor: User,
    request: HttpRequest | None = None,
) -> User:
    user = User(committee=committee, username=username, display_name=display_name)
    user.set_password(password)
    user.must_change_password = True
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        request=request,
        obj=user,
        event="accounts.user_created",
        params={"account": username},
    )
    return user


@transaction.atomic
def update_user(
    *,
    user: User,
    display_name: str,
    is_active: bool,
    units: Iterable[OrgUnit],
    member: Member | None,
    department: Department | None,
    actor: User,
    request: HttpRequest | None = None,
) -> User:
    """The system administrator's edit of an account (a handling unit's account names its department).
    Disabling it ends all of its sessions for good."""
    if not actor.has_perm("accounts.manage_users") or actor.committee_id != user.committee_id:
        raise PermissionDenied("accounts.manage_users")
    foreign_units = [u for u in units if u.committee_id != user.committee_id]
    if (
        foreign_units
        or (member is not None and member.committee_id != user.committee_id)
        or (department is not None and department.committee_id != user.committee_id)
    ):
        raise PermissionDenied("another committee")
    if member is not None and member.user_id not in (None, user.pk):
        raise ValidationError(
            _("The member file of %(member)s already belongs to another account.") % {"member": member}
        )
    current_member = getattr(user, "member", None)
    changed = []
    if display_name != user.display_name:
        changed.append("display_name")
    if is_active != user.is_active:
        changed.append("is_active")
    if {u.pk for u in units} != set(user.units.values_list("pk", flat=True)):
        changed.append("units")
    if member != current_member:
        changed.append("member")
    if (department.pk if department else None) != user.department_id:
        changed.append("department")
    if user.is_active and not is_active:
        user.session_epoch += 1
    user.display_name = display_name
    user.is_active = is_active
    user.department = department
    user.save(update_fields=["display_name", "is_active", "session_epoch", "department"])
    user.units.set(units)
    if current_member is not None and current_member != member:
        current_member.user = None
        current_member.save(update_fields=["user"])
    if member is not None and member.user_id != user.pk:
        member.user = user
        member.save(update_fields=["user"])
    if changed:
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            request=request,
            obj=user,
            event="accounts.user_edited",
            params={"account": user.username, "fields": changed},
            detail={"fields": changed},
        )
    return user


def check_role_combination(roles: list[Role]) -> None:
    """No account holds two administrator roles, nor an administrator role with a business role."""
    admin = [r for r in roles if r in ADMIN_ROLES]
    if admin and len(roles) > 1:
        raise ValidationError(
            _("An administrator role (%(role)s) cannot be combined with any other role.")
            % {"role": admin[0].label}
        )


@transaction.atomic
def set_roles(
    *, user: User, roles: Iterable[Role | str], actor: User, request: HttpRequest | None = None
) -> User:
    chosen = [Role(r) for r in roles]
    check_role_combination(chosen)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot change your own roles."))
    before = sorted(user.groups.values_list("name", flat=True))
    user.groups.set(Group.objects.filter(name__in=[r.value for r in chosen]))
    after = sorted(r.value for r in chosen)
    if before != after:
        granted_admin = {r.value for r in ADMIN_ROLES} & (set(after) - set(before))
        if granted_admin:
            # The password was chosen under the rules for ordinary accounts; the administrators' longer
            # minimum applies from the next sign-in on.
            user.must_change_password = True
            user.save(update_fields=["must_change_password"])
        audit.record(
            audit.Action.ROLE_CHANGE,
            actor=actor,
            request=request,
            obj=user,
            event="accounts.roles_changed",
            params={"account": user.username},
            detail={"before": before, "after": after},
        )
    return user


def is_privileged(user: User) -> bool:
    return is_administrator(user) or holds_personal_data_rights(user)


def member_only_accounts(accounts: QuerySet[User]) -> QuerySet[User]:
    """The accounts among `accounts` that hold the 委员 role and nothing else: no other group, no
    permission of their own, neither superuser nor staff.

    Such an account serves the seat alone. It is the only kind that is disabled when its member departs
    (disable_departed_member_accounts) and the only kind that receives activation codes
    (onboarding.accounts_for_codes): an account that also holds a staff, leader or administrator role
    works for the job, and its password is the administrators' to reset (reset_password), never chosen
    by whoever holds a code. The one test of "member-only" for both."""
    return (
        accounts.filter(is_superuser=False, is_staff=False, groups__name=Role.MEMBER.value)
        .exclude(groups__in=Group.objects.exclude(name=Role.MEMBER.value))
        .exclude(user_permissions__isnull=False)
    )


def is_member_only(user: User) -> bool:
    """Whether `user` holds the 委员 role and nothing else (member_only_accounts); one query."""
    return member_only_accounts(User.objects.filter(pk=user.pk)).exists()


def officer_only_accounts(accounts: QuerySet[User]) -> QuerySet[User]:
    """The accounts among `accounts` made for an information officer who is not a member: the 信息员 role
    and nothing else (no other group, no permission of their own, neither superuser nor staff) and no
    member file. The role only lets its holder write 社情民意 reports, so such an account, like a
    member-only one, may receive activation codes (onboarding.accounts_for_codes); one that also holds a
    staff, leader or administrator role, or is linked to a member file, may not."""
    return (
        accounts.filter(
            is_superuser=False, is_staff=False, groups__name=Role.OFFICER.value, member__isnull=True
        )
        .exclude(groups__in=Group.objects.exclude(name=Role.OFFICER.value))
        .exclude(user_permissions__isnull=False)
    )


def is_officer_only(user: User) -> bool:
    """Whether `user` is an information officer's own account (officer_only_accounts); one query."""
    return officer_only_accounts(User.objects.filter(pk=user.pk)).exists()


def may_reset(actor: User, user: User) -> bool:
    """Whether `actor` may reset the password or second factor of `user` at all; the two-person rule
    (reset_refusal) may still stand in the way of one of them."""
    if actor.pk == user.pk or actor.committee_id != user.committee_id:
        return False
    if is_privileged(user):
        return actor.has_perm("accounts.assign_roles")
    return actor.has_perm("accounts.manage_users")


def reset_refusal(actor: User, user: User, kind: str) -> str | None:
    """Why `actor`, who may reset `user`, must not reset its `kind` now, or None.

    They reset the other credential of this privileged account and its owner has not signed in since.
    The message names who can do it instead."""
    if not is_privileged(user):
        return None
    other = (
        CredentialReset.Kind.SECOND_FACTOR
        if kind == CredentialReset.Kind.PASSWORD
        else CredentialReset.Kind.PASSWORD
    )
    earlier = CredentialReset.objects.filter(user=user, actor=actor, kind=other)
    if user.last_login is not None:
        earlier = earlier.filter(at__gt=user.last_login)
    if not earlier.exists():
        return None
    colleagues = (
        User.objects.filter(committee=user.committee_id, is_active=True, groups__name=Role.SECADMIN.value)
        .exclude(pk__in=[actor.pk, user.pk])
        .order_by("username")
        .values_list("username", flat=True)
    )
    params = {
        "account": user.username,
        "done": CredentialReset.Kind(other).label,
        "kind": CredentialReset.Kind(kind).label,
        "option": "--password" if kind == CredentialReset.Kind.PASSWORD else "--second-factor",
        "names": "、".join(colleagues),
    }
    if params["names"]:
        return (
            _(
                "You reset the %(done)s of %(account)s and its owner has not signed in since. One person may "
                "not reset both the password and the second factor of an account, or they could take it "
                "over: another security administrator (%(names)s) must reset its %(kind)s."
            )
            % params
        )
    return (
        _(
            "You reset the %(done)s of %(account)s and its owner has not signed in since. One person may not "
            "reset both the password and the second factor of an account, or they could take it over. "
            "There is no other security administrator: the operator of the server resets its %(kind)s with "
            "the command “manage.py reset_credentials %(account)s %(option)s”."
        )
        % params
    )


def _check_reset(actor: User | None, user: User, kind: str, from_command_line: bool) -> None:
    if actor is None:
        # The operator on the server already holds the database; the command line is the way out when
        # no second administrator exists.
        if not from_command_line:
            raise PermissionDenied("a reset needs an actor")
        return
    if not may_reset(actor, user):
        raise PermissionDenied("accounts.reset_credentials")
    if refusal := reset_refusal(actor, user, kind):
        raise ValidationError(refusal, code="two_person_rule")


def _audit_reset(
    action: str,
    *,
    user: User,
    actor: User | None,
    request: HttpRequest | None,
    from_command_line: bool,
    event: str,
) -> None:
    audit.record(
        action,
        actor=actor,
        request=request,
        committee=user.committee,
        obj=user,
        event=f"{event}_on_command_line" if from_command_line else event,
        params={"account": user.username},
        detail={"account": user.username},
    )


@transaction.atomic
def change_own_password(*, user: User, password: str, request: HttpRequest | None = None) -> User:
    """The user's own new password (already checked against the old one and the password rules by the
    form): saved with its history (PasswordHistoryValidator) and audited."""
    user.set_password(password)
    user.save()
    audit.record(audit.Action.PASSWORD_CHANGE, actor=user, request=request)
    return user


@transaction.atomic
def reset_password(
    *,
    user: User,
    password: str,
    actor: User | None,
    request: HttpRequest | None = None,
    from_command_line: bool = False,
) -> User:
    """Give `user` a password that they must change at their next sign-in; ends their sessions."""
    _check_reset(actor, user, CredentialReset.Kind.PASSWORD, from_command_line)
    user.set_password(password)
    user.must_change_password = True
    user.session_epoch += 1
    user.save(update_fields=["password", "password_changed_at", "must_change_password", "session_epoch"])
    CredentialReset.objects.create(user=user, kind=CredentialReset.Kind.PASSWORD, actor=actor)
    _audit_reset(
        audit.Action.PASSWORD_RESET,
        user=user,
        actor=actor,
        request=request,
        from_command_line=from_command_line,
        event="accounts.password_reset",
    )
    return user


@transaction.atomic
def reset_second_factor(
    *,
    user: User,
    actor: User | None,
    request: HttpRequest | None = None,
    from_command_line: bool = False,
) -> User:
    """Remove the user's authenticator (a lost phone): they enrol a new one at their next sign-in."""
    _check_reset(actor, user, CredentialReset.Kind.SECOND_FACTOR, from_command_line)
    TOTPDevice.objects.filter(user=user).delete()
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    CredentialReset.objects.create(user=user, kind=CredentialReset.Kind.SECOND_FACTOR, actor=actor)
    _audit_reset(
        audit.Action.SECOND_FACTOR_RESET,
        user=user,
        actor=actor,
        request=request,
        from_command_line=from_command_line,
        event="accounts.second_factor_reset",
    )
    return user


def current_lockouts(committee: Committee) -> QuerySet[Lockout]:
    """Lockouts in force on the usernames of the committee's accounts, soonest to end first."""
    usernames = User.objects.filter(committee=committee).values("username")
    return Lockout.objects.filter(username__in=usernames, until__gt=timezone.now()).order_by("until")


def _sign_in_keys(user: User) -> list[str]:
    """The lockout counters of an account: its username, and the mobile number of its member file (by
    the number's blind-index key, see backends.SignInName), with which the member may sign in too."""
    keys = [user.username]
    member = Member.objects.filter(user=user).only("phone").first()
    if member is not None and member.phone:
        keys.append(login_names.phone_key(member.phone))
    return keys


@transaction.atomic
def unlock(*, user: User, actor: User, request: HttpRequest | None = None) -> User:
    """The security administrator ends the lockout of an account (after making sure it is its owner who
    asks); the failure count starts afresh."""
    if not actor.has_perm("accounts.assign_roles") or actor.committee_id != user.committee_id:
        raise PermissionDenied("accounts.assign_roles")
    now = timezone.now()
    keys = _sign_in_keys(user)
    locks = Lockout.objects.select_for_update().filter(username__in=keys, until__gt=now)
    until = max((lock.until for lock in locks), default=None)
    if until is None:
        raise ValidationError(_("%(account)s is not locked.") % {"account": user.username})
    locks.update(until=now)
    LoginFailure.objects.filter(username__in=keys).delete()
    audit.record(
        audit.Action.UNLOCK,
        actor=actor,
        request=request,
        obj=user,
        event="accounts.unlocked",
        params={"account": user.username},
        detail={"account": user.username, "locked_until": until.isoformat()},
    )
    return user


# Why an account was disabled automatically, in its audit row (besides a place's status: resigned, ...).
NOT_IN_CURRENT_TERM = "not_in_current_term"

# A new term's roster is often entered in parts (one file per sector, a day or a week apart): for this
# long after the current term began, and after each roster import, a member of the previous term who has
# no place in the current one yet may still be re-elected, and keeps their account.
NEW_ROSTER_DAYS = 30


def _roster_may_grow(committee: Committee, term: Term) -> bool:
    """Whether the current term's roster may still be incomplete: the term began less than
    NEW_ROSTER_DAYS ago (or has not begun yet), or a roster import was started within NEW_ROSTER_DAYS
    (and did not fail)."""
    from lvzhi.members.models import RosterImport

    days = datetime.timedelta(days=NEW_ROSTER_DAYS)
    if term.start_date > timezone.localdate() - days:
        return True
    return (
        RosterImport.objects.filter(committee=committee, created_at__gt=timezone.now() - days)
        .exclude(status__in=[RosterImport.Status.FAILED, RosterImport.Status.EXPIRED])
        .exists()
    )


def _departed_reasons(committee: Committee, members: Iterable[Member] | None) -> dict[int, str]:
    """{member id: reason} for the committee's members with an account (or those among `members`) who
    no longer serve. The rule, chosen so that a re-elected member is not locked out while the new roster
    is being entered:

    - Nobody, when there is no current term (between marking the old term not current and the new one
      current, every member would be "departed" for a moment) or when nobody is placed in the current
      term yet (a new term whose roster is not imported: its members are still the old term's).
    - A member whose place in the current term is not "serving": at once, the reason is its status
      (resigned, removed, deceased, ...). The office recorded it.
    - A member who had a place in the previous term (the one numbered just before the current one) and
      has none in the current term (not re-elected): NOT_IN_CURRENT_TERM, but only once the current
      term's roster has had time to be complete (not _roster_may_grow: the current term began at least
      NEW_ROSTER_DAYS ago and no roster import was started in that many days). A roster imported in
      two files, A today and B tomorrow, leaves B's members their accounts overnight.
    - Never for a passed end date of the current term: planned end dates are entered ahead of time and
      the members serve until the next term's roster is placed (the case above). Nor for a member who
      had no place in the previous term and has none in the current one (no roster says they left)."""
    from lvzhi.members.models import MemberTerm
    from lvzhi.organization.models import Term

    term = Term.objects.filter(committee=committee, is_current=True).first()
    if term is None:
        return {}
    places = MemberTerm.objects.filter(term=term)
    if not places.exists():
        return {}
    linked = Member.objects.filter(committee=committee, user__isnull=False)
    if members is not None:
        linked = linked.filter(pk__in=[m.pk for m in members])
    reasons = dict(
        places.filter(member__in=linked)
        .exclude(status=MemberTerm.Status.SERVING)
        .values_list("member_id", "status")
    )
    previous = Term.objects.filter(committee=committee, number__lt=term.number).order_by("-number").first()
    if previous is not None and not _roster_may_grow(committee, term):
        not_placed = (
            linked.filter(terms__term=previous).exclude(terms__term=term).values_list("pk", flat=True)
        )
        reasons.update(dict.fromkeys(not_placed, NOT_IN_CURRENT_TERM))
    return reasons


@transaction.atomic
def disable_departed_member_accounts(
    *,
    committee: Committee,
    actor: User | None,
    request: HttpRequest | None = None,
    members: Iterable[Member] | None = None,
) -> list[User]:
    """Disable the accounts of the committee's members who no longer serve in its current term
    (_departed_reasons), or of those among `members` (the files whose place just changed). Each account
    is disabled for good as update_user disables one (is_active off, every session ended) and audited
    with the reason. Returns the accounts disabled.

    Called by the writes that end a member's service (members.services.update_member and the roster
    import for the members whose place's status changed, organization.services.save_term when a term
    becomes current or its end date moves) and by the daily safety net (disable_accounts_of_departed_members, through
    `manage.py purge_expired`). It is a consequence of the office's act, not an act of account
    administration, so it asks for no right of its own; `actor` (None: the server's daily job) is named
    in the audit row.

    Only accounts holding the 委员 role and nothing else are disabled (member_only_accounts). An
    account linked to a member file that also holds a staff or administrator role (an office worker, a
    leader or an information officer who is, or was, a member) works for the job, not for the seat:
    disabling it would stop that work, so the system administrator decides on it. Enabling an account again is always the system
    administrator's act (update_user); nothing here enables one.
    """
    reasons = _departed_reasons(committee, members)
    if not reasons:
        return []
    accounts = list(
        member_only_accounts(
            User.objects.select_for_update(of=("self",)).filter(
                committee=committee, is_active=True, member__pk__in=list(reasons)
            )
        ).select_related("member")
    )
    for user in accounts:
        user.is_active = False
        user.session_epoch += 1
        user.save(update_fields=["is_active", "session_epoch"])
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            request=request,
            committee=committee,
            obj=user,
            event="accounts.disabled_member_left",
            params={"account": user.username},
            detail={
                "fields": ["is_active"],
                "reason": reasons[user.member.pk],
                "member": user.member.pk,
                "automatic": True,
            },
        )
    return accounts


def disable_accounts_of_departed_members(now: datetime.datetime) -> int:
    """The daily safety net (core.retention, `manage.py purge_expired`): every committee's accounts of
    members who no longer serve (_departed_reasons), whichever way that came about (members of the
    previous term not placed in the current one once its roster has had time to be complete, a change
    made outside the services). Returns how many accounts it disabled."""
    from lvzhi.organization.models import Committee

    disabled = 0
    for committee in Committee.objects.filter(terms__is_current=True).distinct():
        disabled += len(disable_departed_member_accounts(committee=committee, actor=None))
    return disabled
