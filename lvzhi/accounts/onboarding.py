"""Members' accounts in bulk, and the activation codes with which members sign in the first time.

三员分立 stays sensible:

- the security administrator (accounts.assign_roles) sets the committee's MemberAccountPolicy once:
  "accounts linked to a serving member's file receive the 委员 role" (without it no batch runs), and
  whether the office, besides the system administrator, may create members' accounts and issue codes;
- the system administrator (accounts.manage_users), or office staff when the policy allows, runs the
  batch: an account for every serving member of the current term who has none, linked to the file, with
  the 委员 role and nothing else, no usable password and an activation code;
- a code is single use, expires (settings.LVZHI_ACTIVATION_CODE_DAYS), and a new one voids the older
  ones. Issuing one for a forgotten password disables the old password and ends the account's
  sessions. Codes are for members' accounts only (accounts_for_codes): enabled, linked to a member file
  and holding the 委员 role and nothing else (services.member_only_accounts) — and for the accounts made
  for information officers who are not members (create_officer_account): enabled, no member file, the
  信息员 role and nothing else (services.officer_only_accounts). Never for a privileged
  account (an administrator or a holder of rights to full personal data), nor for a leader's, a staff
  member's or an information officer's account linked to a member file: whoever holds a code chooses the
  account's password, so those accounts' passwords are reset by the administrators (accounts.services).
  The test holds when the code is issued, checked and used: a code issued before the account gained
  another role no longer works.

Codes are kept encrypted so that their letters can be printed again while they are valid; they appear in
the letters (letters.py) and the text messages only, never on a page, in a log or in the audit log.
"""

from __future__ import annotations

import datetime
import hmac
import logging
import secrets
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit
from lvzhi.core.permissions import committee_of
from lvzhi.core.sms import SmsGateway, sms_gateway

from . import login_names
from .models import ActivationCode, CredentialReset, MemberAccountPolicy, OnboardingBatch, User
from .roles import Role
from .services import (
    is_member_only,
    is_officer_only,
    is_privileged,
    member_only_accounts,
    officer_only_accounts,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from lvzhi.members.models import Member
    from lvzhi.organization.models import Committee

logger = logging.getLogger(__name__)

CODE_DIGITS = 8
# Compared with what was typed when an account has no code (check_code): it matches nothing typed that
# could pass, being checked after the account's own codes only for time.
STAND_IN_CODE = "0" * CODE_DIGITS
# The role the batch grants, and the only one: anything else is the security administrator's to give.
MEMBER_ROLE = Role.MEMBER
# The one role of an account made for an information officer who is not a member (create_officer_account).
OFFICER_ROLE = Role.OFFICER
# Office staff: the committee-wide role that creates member files.
OFFICE_PERMISSION = "members.add_member"


class PolicyOff(ValidationError):
    """The security administrator has not enabled the rule that members' accounts receive the 委员
    role: no batch runs."""


# --- the policy -------------------------------------------------------------------------------------


def _committee_id(committee: Committee | int | None) -> int | None:
    if committee is None or isinstance(committee, int):
        return committee
    return int(committee.pk)


def policy_for(committee: Committee | int | None) -> MemberAccountPolicy:
    """The committee's policy; an unsaved one with both switches off when none was set."""
    committee_id = _committee_id(committee)
    if committee_id is None:
        return MemberAccountPolicy(grant_member_role=False, office_may_onboard=False)
    found = MemberAccountPolicy.objects.filter(committee_id=committee_id).first()
    return found or MemberAccountPolicy(committee_id=committee_id)


@transaction.atomic
def set_policy(
    *,
    committee: Committee,
    grant_member_role: bool,
    office_may_onboard: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> MemberAccountPolicy:
    """The security administrator's rule for members' accounts, audited with what changed."""
    if not actor.has_perm("accounts.assign_roles") or actor.committee_id != committee.pk:
        raise PermissionDenied("accounts.assign_roles")
    policy, _created = MemberAccountPolicy.objects.select_for_update().get_or_create(committee=committee)
    before = {"grant_member_role": policy.grant_member_role, "office_may_onboard": policy.office_may_onboard}
    after = {"grant_member_role": grant_member_role, "office_may_onboard": office_may_onboard}
    policy.grant_member_role = grant_member_role
    policy.office_may_onboard = office_may_onboard
    policy.updated_by = actor
    policy.updated_at = timezone.now()
    policy.save()
    if before != after:
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            request=request,
            committee=committee,
            obj=policy,
            event="accounts.member_account_policy_changed",
            detail={"before": before, "after": after},
        )
    return policy


def is_office(user: User) -> bool:
    return bool(user.has_perm(OFFICE_PERMISSION) and user.is_committee_wide)


def may_onboard(user: User, committee: Committee | int | None = None) -> bool:
    """Whether `user` may create members' accounts and issue their activation codes (in their own
    committee): the system administrator, or office staff when the policy allows it."""
    if not user.is_authenticated or user.committee_id is None:
        return False
    committee_id = _committee_id(committee) or user.committee_id
    if committee_id != user.committee_id:
        return False
    if user.has_perm("accounts.manage_users"):
        return True
    return is_office(user) and policy_for(committee_id).office_may_onboard


def _require_onboarder(actor: User | None, committee_id: int | None) -> None:
    # The operator on the server (actor None: the command) already holds the database.
    if actor is not None and not may_onboard(actor, committee_id):
        raise PermissionDenied("accounts.onboard_members")


def _require_policy(committee: Committee | int) -> MemberAccountPolicy:
    policy = policy_for(committee)
    if not policy.grant_member_role:
        raise PolicyOff(
            _(
                "Members' accounts cannot be created yet: the security administrator must first enable "
                "the rule “accounts linked to a serving member's file receive the member role”."
            ),
            code="policy_off",
        )
    return policy


# --- the batch --------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What a batch would do now: the serving members without an account, and how many it skips."""

    to_create: list[Member]
    with_account: int
    not_serving: int

    @property
    def skipped(self) -> int:
        return self.with_account + self.not_serving


@dataclass
class BatchResult:
    batch: OnboardingBatch | None
    created: list[User] = field(default_factory=list)
    skipped: int = 0


def plan_batch(committee: Committee) -> Plan:
    """Members of the committee: serving in the current term without an account → to create; with an
    account, or not serving (resigned, left, not in the current term) → skipped. Three queries."""
    from lvzhi.members.models import Member, MemberTerm

    members = Member.objects.filter(committee=committee)
    serving_ids = set(
        MemberTerm.objects.filter(
            member__committee=committee,
            term__committee=committee,
            term__is_current=True,
            status=MemberTerm.Status.SERVING,
        ).values_list("member_id", flat=True)
    )
    to_create, with_account, not_serving = [], 0, 0
    for member in members.only("id", "name", "committee_id", "user_id").order_by("name_pinyin_key", "id"):
        if member.user_id is not None:
            with_account += 1
        elif member.pk not in serving_ids:
            not_serving += 1
        else:
            to_create.append(member)
    return Plan(to_create=to_create, with_account=with_account, not_serving=not_serving)


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, "LVZHI_ACTIVATION_CODE_DAYS", 14))


@transaction.atomic
def create_member_accounts(
    committee: Committee, actor: User | None, request: HttpRequest | None = None
) -> BatchResult:
    """An account for every serving member of the current term who has none (see plan_batch), in one
    transaction: linked to the file, the 委员 role only, no usable password, must change it, and an
    activation code. Bulk writes (no password hashing: the password is unusable until activation), one
    audit row for the batch naming every account created."""
    _require_onboarder(actor, committee.pk)
    _require_policy(committee)
    from lvzhi.members.models import Member

    # Two batches at once would plan the same members: the second waits for the first and finds them done.
    MemberAccountPolicy.objects.select_for_update().filter(committee=committee).first()
    plan = plan_batch(committee)
    now = timezone.now()
    batch = OnboardingBatch.objects.create(
        committee=committee, created_by=actor, created_at=now, created=0, skipped=plan.skipped
    )
    taken = login_names.taken_usernames()
    users = []
    for member in plan.to_create:
        user = User(
            committee=committee,
            username=login_names.generate_username(member, taken),
            display_name=member.name,
            must_change_password=True,
            date_joined=now,
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    if users and users[0].pk is None:  # a database that returns no ids from a bulk insert
        by_name = User.objects.filter(username__in=[u.username for u in users]).in_bulk(field_name="username")
        for user in users:
            user.pk = by_name[user.username].pk
    group = Group.objects.get(name=MEMBER_ROLE.value)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user in users]
    )
    for member, user in zip(plan.to_create, users, strict=True):
        member.user = user
    Member.objects.bulk_update(plan.to_create, ["user"])
    expires = now + code_lifetime()
    ActivationCode.objects.bulk_create(
        [
            ActivationCode(
                user=user, code=new_code(), batch=batch, created_by=actor, created_at=now, expires_at=expires
            )
            for user in users
        ]
    )
    batch.created = len(users)
    batch.save(update_fields=["created"])
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        request=request,
        committee=committee,
        obj=batch,
        event="accounts.member_accounts_created",
        params={"created": len(users), "skipped": plan.skipped},
        detail={
            "created": len(users),
            "skipped": plan.skipped,
            "role": MEMBER_ROLE.value,
            "accounts": {str(m.pk): u.username for m, u in zip(plan.to_create, users, strict=True)},
            "command_line": actor is None,
        },
    )
    return BatchResult(batch=batch, created=users, skipped=plan.skipped)


# --- codes for one account ----------------------------------------------------------------------------


def accounts_for_codes(accounts: QuerySet[User]) -> QuerySet[User]:
    """The accounts among `accounts` that may hold an activation code: enabled, and either linked to a
    member file and holding the 委员 role and nothing else (services.member_only_accounts, the same test
    that decides whose account is disabled when they depart), or an information officer's own account:
    no member file, the 信息员 role and nothing else (services.officer_only_accounts). Such an account is
    never privileged: neither role carries a right to full personal data, nor any right over others'
    accounts. code_refusal says why another account is refused."""
    members = member_only_accounts(accounts).filter(member__isnull=False).values("pk")
    officers = officer_only_accounts(accounts).values("pk")
    return accounts.filter(is_active=True).filter(Q(pk__in=members) | Q(pk__in=officers))


def code_refusal(user: User) -> str | None:
    """Why no activation code may be issued, checked or used for this account, or None (exactly the
    accounts outside accounts_for_codes)."""
    officer_only = getattr(user, "member", None) is None and is_officer_only(user)
    if getattr(user, "member", None) is None and not officer_only:
        return _(
            "Activation codes are for members' accounts and information officers' own accounts: this "
            "account is neither linked to a member file nor an information officer's account."
        )
    if is_privileged(user):
        return _(
            "This account holds an administrator role or rights to full personal data: its password is "
            "reset by the administrators, not with an activation code."
        )
    if not officer_only and not is_member_only(user):
        return _(
            "This account holds a role besides member (for example leader, staff or information officer) "
            "or rights of its own: activation codes are for members' accounts only. Its password is reset "
            "by the system administrator."
        )
    if not user.is_active:
        return _("This account is disabled: enable it first.")
    return None


@transaction.atomic
def issue_activation_code(*, user: User, actor: User, request: HttpRequest | None = None) -> ActivationCode:
    """A new code for a member who forgot their password (or lost their letter): the older codes are
    void, the old password no longer works and every session of the account ends, until the member
    activates again with the new code."""
    if actor.pk == user.pk or user.committee_id != actor.committee_id:
        raise PermissionDenied("accounts.onboard_members")
    _require_onboarder(actor, user.committee_id)
    if refusal := code_refusal(user):
        raise ValidationError(refusal, code="not_a_member_account")
    user = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    ActivationCode.objects.filter(user=user, used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=now
    )
    code = ActivationCode.objects.create(
        user=user, code=new_code(), created_by=actor, created_at=now, expires_at=now + code_lifetime()
    )
    user.set_unusable_password()
    user.must_change_password = True
    user.session_epoch += 1
    user.save(update_fields=["password", "must_change_password", "session_epoch"])
    CredentialReset.objects.create(user=user, kind=CredentialReset.Kind.PASSWORD, actor=actor)
    audit.record(
        audit.Action.PASSWORD_RESET,
        actor=actor,
        request=request,
        committee=user.committee_id,
        obj=user,
        event="accounts.activation_code_issued",
        params={"account": user.username},
        detail={"account": user.username, "activation_code": True, "expires_at": code.expires_at.isoformat()},
    )
    return code


def _free_username(name: str) -> str:
    """A login name from the pinyin of `name` that no account has (login_names.generate_username's rule,
    for a person without a member file): "zhangsan", else "zhangsan2", …"""
    base = login_names.login_name_base(name)
    taken = {
        u.lower() for u in User.objects.filter(username__istartswith=base).values_list("username", flat=True)
    }
    candidate, counter = base, 1
    while candidate in taken:
        counter += 1
        candidate = f"{base}{counter}"
    return candidate


@transaction.atomic
def create_officer_account(
    *, committee: Committee, name: str, actor: User, request: HttpRequest | None = None
) -> ActivationCode:
    """An account for an information officer who is not a member, through the same onboarding as
    members: a login name from the pinyin of the name, the 信息员 role and nothing else, no usable
    password, and an activation code (for the letter) with which the officer chooses their password.

    Gated as the members' batch is: whoever may onboard (the system administrator, or office staff when
    the security administrator allows it) and only once the security administrator has enabled the
    rule that onboarding grants a role by itself (policy.grant_member_role). The role is the only one
    given, and carries no right beyond writing reports, so the code can open nothing more."""
    _require_onboarder(actor, committee.pk)
    _require_policy(committee)
    now = timezone.now()
    user = User(
        committee=committee,
        username=_free_username(name),
        display_name=name,
        must_change_password=True,
        date_joined=now,
    )
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=OFFICER_ROLE.value))
    code = ActivationCode.objects.create(
        user=user, code=new_code(), created_by=actor, created_at=now, expires_at=now + code_lifetime()
    )
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        request=request,
        committee=committee,
        obj=user,
        event="accounts.officer_account_created",
        params={"account": user.username},
        detail={
            "account": user.username,
            "role": OFFICER_ROLE.value,
            "expires_at": code.expires_at.isoformat(),
        },
    )
    return code


def current_code(user: User) -> ActivationCode | None:
    """The account's newest code that can still be used; None for an account that may hold none
    (code_refusal: disabled since, or given another role), so that no letter or message carries it."""
    code = (
        ActivationCode.objects.filter(user=user, used_at__isnull=True, voided_at__isnull=True)
        .filter(user__in=accounts_for_codes(User.objects.filter(pk=user.pk)))
        .first()
    )
    return code if code is not None and code.is_valid() else None


def valid_codes(batch: OnboardingBatch) -> list[ActivationCode]:
    """The batch's codes that can still be used, for printing their letters again and texting them (in
    name order): never those of an account disabled since (a member who departed) or that may hold no
    code any more (code_refusal: given another role)."""
    now = timezone.now()
    return list(
        batch.codes.filter(used_at__isnull=True, voided_at__isnull=True, expires_at__gt=now)
        .filter(
            user__is_active=True,
            user__in=accounts_for_codes(User.objects.filter(committee=batch.committee_id)),
        )
        .select_related("user", "user__member")
        .order_by("user__member__name_pinyin_key", "user__member__id")
    )


def get_batch_for_user(actor: User, pk: int) -> OnboardingBatch:
    from django.shortcuts import get_object_or_404

    if not may_onboard(actor):
        raise PermissionDenied("accounts.onboard_members")
    return get_object_or_404(OnboardingBatch.objects.filter(committee_id=committee_of(actor)), pk=pk)


# --- activation -------------------------------------------------------------------------------------


def normalize_code(text: str) -> str:
    """What the member typed → digits: full-width digits, spaces and dashes are forgiven."""
    return "".join(c for c in unicodedata.normalize("NFKC", text or "") if c.isdigit())


class CodeCheck:
    OK = "ok"
    WRONG = "wrong"
    USED = "used"
    EXPIRED = "expired"
    VOIDED = "voided"


def check_code(user: User, typed: str) -> tuple[str, ActivationCode | None]:
    """Which of the account's codes was typed, and whether it can be used. Each code is compared in
    constant time; an account has a handful of codes at most.

    The same two queries and at least one comparison run whatever the account and the text typed, so
    that the time taken does not tell whether the account exists or may hold codes: the activation
    page checks a stand-in (an unsaved User with pk 0) when no account matches the name typed."""
    digits = normalize_code(typed)
    eligible = accounts_for_codes(User.objects.filter(pk=user.pk)).exists()
    candidates = list(ActivationCode.objects.filter(user_id=user.pk).order_by("-created_at", "-id")[:20])
    found = None
    for candidate in candidates:
        if hmac.compare_digest(candidate.code, digits) and found is None:
            found = candidate
    if not candidates:
        hmac.compare_digest(STAND_IN_CODE, digits)
    if len(digits) != CODE_DIGITS or not eligible or found is None:
        return CodeCheck.WRONG, None
    if found.used_at is not None:
        return CodeCheck.USED, found
    if found.voided_at is not None:
        return CodeCheck.VOIDED, found
    if found.expires_at <= timezone.now():
        return CodeCheck.EXPIRED, found
    return CodeCheck.OK, found


def refusal_message(outcome: str) -> str:
    return {
        CodeCheck.USED: _(
            "This activation code has already been used. Sign in with your password, or ask the office "
            "for a new code if you have forgotten it."
        ),
        CodeCheck.VOIDED: _(
            "This activation code is no longer valid: a newer code was issued for your account. Use the "
            "code of your newest letter or message."
        ),
        CodeCheck.EXPIRED: _("This activation code has expired. Please ask the office for a new code."),
    }.get(
        outcome,
        _(
            "The login name or mobile number, or the activation code, is wrong, or the account is "
            "temporarily locked after repeated failures. Please check your letter and try again."
        ),
    )


@transaction.atomic
def activate(*, code_id: int, password: str, request: HttpRequest | None = None) -> User:
    """The member's first password (already checked against the password rules by the form), with the
    code that proved who they are: the code is used up, the account's other codes are void."""
    code = ActivationCode.objects.select_for_update().select_related("user").get(pk=code_id)
    if not code.is_valid():
        raise ValidationError(refusal_message(CodeCheck.USED if code.used_at else CodeCheck.EXPIRED))
    user = code.user
    if code_refusal(user) is not None:
        raise ValidationError(refusal_message(CodeCheck.WRONG))
    now = timezone.now()
    code.used_at = now
    code.save(update_fields=["used_at"])
    ActivationCode.objects.filter(user=user, used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=now
    )
    user.set_password(password)  # also clears must_change_password
    user.save()
    audit.record(
        audit.Action.PASSWORD_CHANGE,
        actor=user,
        request=request,
        obj=user,
        event="accounts.activated",
        detail={"activation": True},
    )
    return user


# --- retention ----------------------------------------------------------------------------------------

# A code that can no longer be used serves nothing once its member had time to ask why it was refused; the
# audit log keeps who issued it and when.
SPENT_CODES_KEPT = datetime.timedelta(days=30)


def purge_spent_codes(now: datetime.datetime) -> int:
    """Delete codes used, voided or expired more than SPENT_CODES_KEPT ago (manage.py purge_expired)."""
    cutoff = now - SPENT_CODES_KEPT
    deleted, _counts = ActivationCode.objects.filter(
        Q(used_at__lt=cutoff) | Q(voided_at__lt=cutoff) | Q(expires_at__lt=cutoff)
    ).delete()
    return deleted


# --- text messages ------------------------------------------------------------------------------------


def sms_text(code: ActivationCode, *, site_url: str) -> str:
    user = code.user
    member = getattr(user, "member", None)
    return _(
        "[%(committee)s] %(name)s, your account on the member duty platform is ready. Login name: "
        "%(username)s (or your mobile number). Activation code: %(code)s, valid until %(date)s. Open "
        "%(url)s on your phone and tap “First sign-in / activate account”."
    ) % {
        "committee": user.committee.name if user.committee else "",
        "name": member.name if member is not None else user.display_name,
        "username": user.username,
        "code": code.display_code,
        "date": timezone.localtime(code.expires_at).strftime("%Y-%m-%d"),
        "url": site_url,
    }


def send_codes_by_sms(
    *,
    codes: list[ActivationCode],
    actor: User,
    site_url: str,
    request: HttpRequest | None = None,
    gateway: SmsGateway | None = None,
) -> tuple[int, int]:
    """Text each code to the mobile phone in the member's file; (sent, without a phone or failed).
    A failure is logged without the message (it holds the code) and does not stop the others."""
    if not codes:
        return 0, 0
    _require_onboarder(actor, codes[0].user.committee_id)
    if any(c.user.committee_id != actor.committee_id for c in codes):
        raise PermissionDenied("another committee")
    gateway = gateway or sms_gateway()
    if gateway is None:
        raise ValidationError(_("Text messages are not set up on this server."))
    sent, failed = 0, 0
    for code in codes:
        member = getattr(code.user, "member", None)
        phone = member.phone if member is not None else ""
        if not phone or not code.is_valid():
            failed += 1
            continue
        try:
            gateway.send(phone, sms_text(code, site_url=site_url))
        except Exception:
            logger.exception("Activation SMS to user %s failed", code.user_id)
            failed += 1
        else:
            sent += 1
    audit.record(
        audit.Action.EXPORT,
        actor=actor,
        request=request,
        committee=actor.committee_id,
        event="accounts.activation_codes_texted",
        params={"sent": sent, "failed": failed},
        detail={"sms": True, "sent": sent, "not_sent": failed, "accounts": [c.user.username for c in codes]},
    )
    return sent, failed
