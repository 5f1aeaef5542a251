"""信息员: appointing information officers for a year, their quota, ending an appointment, carrying last
year's officers into a new year, and the account of an officer who is not a member.

Who: staff holding opinions.manage_officers (办公室, 社情民意编辑), in their own committee. A member
officer signs in with their member account (no role is added: the 委员 role already lets them write
reports, and the account stays member-only for the activation-code and departure rules). An officer who
is not a member gets an account of their own through the members' onboarding
(accounts.onboarding.create_officer_account: the 信息员 role only, an activation code and a 开通通知书),
opened from the officer's page by office staff when the security administrator allows the office to
onboard (the officers' pages are the office's and the editors'; the system administrator, who may
onboard members, does not work on them)."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.accounts import onboarding
from lvzhi.core import audit
from lvzhi.core.permissions import committee_of
from lvzhi.core.sms import sms_gateway

from ..models import InformationOfficer

if TYPE_CHECKING:
    from django.http import HttpRequest

    from lvzhi.accounts.models import ActivationCode, User
    from lvzhi.members.models import Member

logger = logging.getLogger(__name__)

MANAGE = "opinions.manage_officers"
DEFAULT_QUOTA = 12
MAX_QUOTA = 365


def _require_manager(actor: User) -> int:
    if not actor.has_perm(MANAGE):
        raise PermissionDenied(MANAGE)
    return committee_of(actor)


def _check_quota(quota: int) -> None:
    if not 1 <= quota <= MAX_QUOTA:
        raise ValidationError(
            _("The quota must be between 1 and %(max)s reports a year.") % {"max": MAX_QUOTA}, code="quota"
        )


def _record(
    event: str, officer: InformationOfficer, *, actor: User, request: HttpRequest | None, **detail: object
) -> None:
    audit.record(
        audit.Action.CREATE if event == "opinions.officer_appointed" else audit.Action.UPDATE,
        actor=actor,
        request=request,
        committee=officer.committee_id,
        obj=officer,
        event=event,
        params={"name": officer.name, "year": officer.year},
        detail=dict(detail),
    )


def _already(committee_id: int, year: int, *, member_id: int | None, user_id: int | None) -> bool:
    taken = Q()
    if member_id is not None:
        taken |= Q(member_id=member_id)
    if user_id is not None:
        taken |= Q(user_id=user_id)
    if not taken:
        return False
    return InformationOfficer.objects.filter(committee_id=committee_id, year=year).filter(taken).exists()


def _duplicate(name: str, year: int) -> ValidationError:
    return ValidationError(
        _("%(name)s is already an information officer in %(year)s.") % {"name": name, "year": year},
        code="duplicate",
    )


@transaction.atomic
def appoint_member(
    *,
    member: Member,
    year: int,
    quota: int = DEFAULT_QUOTA,
    appointed_on: datetime.date | None = None,
    actor: User,
    request: HttpRequest | None = None,
) -> InformationOfficer:
    """Appoint a member of the committee as an information officer for `year`. They sign in with their
    member account (if they have none yet, the members' batch gives them one; the appointment finds it
    through the member file)."""
    committee_id = _require_manager(actor)
    if member.committee_id != committee_id:
        raise PermissionDenied("another committee")
    _check_quota(quota)
    if _already(committee_id, year, member_id=member.pk, user_id=member.user_id):
        raise _duplicate(member.name, year)
    officer = InformationOfficer(
        committee_id=committee_id,
        year=year,
        member=member,
        user_id=member.user_id,
        name=member.name,
        workplace=member.employer_post[:100],
        quota=quota,
        appointed_on=appointed_on or timezone.localdate(),
        created_by=actor,
    )
    try:
        with transaction.atomic():
            officer.save()
    except IntegrityError:
        raise _duplicate(member.name, year) from None
    _record(
        "opinions.officer_appointed", officer, actor=actor, request=request, member=member.pk, quota=quota
    )
    return officer


def may_open_accounts(actor: User) -> bool:
    """Whether `actor` may open an officer's account with an activation code: whoever may onboard
    members (accounts.onboarding: in practice the office, when the security administrator allows it,
    since only the office and editors open the officers' pages), and only once the security
    administrator has enabled role grants by onboarding."""
    return (
        actor.is_authenticated
        and onboarding.may_onboard(actor)
        and onboarding.policy_for(actor.committee_id).grant_member_role
    )


@dataclass
class Appointed:
    officer: InformationOfficer
    code: ActivationCode | None = None
    notes: list[str] = field(default_factory=list)


@transaction.atomic
def appoint_person(
    *,
    name: str,
    workplace: str,
    year: int,
    quota: int = DEFAULT_QUOTA,
    appointed_on: datetime.date | None = None,
    open_account: bool = True,
    actor: User,
    request: HttpRequest | None = None,
) -> Appointed:
    """Appoint someone who is not a member; with `open_account`, also open their account (the 信息员
    role only, an activation code for the letter: open_officer_account)."""
    committee_id = _require_manager(actor)
    _check_quota(quota)
    name = name.strip()
    if not name:
        raise ValidationError(_("Enter the officer's name."), code="name")
    # A double submission, or the same person appointed twice: a non-member has no file to tell them by.
    if InformationOfficer.objects.filter(
        committee_id=committee_id, year=year, member__isnull=True, name=name, workplace=workplace.strip()
    ).exists():
        raise _duplicate(name, year)
    officer = InformationOfficer.objects.create(
        committee_id=committee_id,
        year=year,
        name=name,
        workplace=workplace.strip(),
        quota=quota,
        appointed_on=appointed_on or timezone.localdate(),
        created_by=actor,
    )
    _record("opinions.officer_appointed", officer, actor=actor, request=request, member=None, quota=quota)
    result = Appointed(officer)
    if open_account:
        result.code = open_officer_account(officer=officer, actor=actor, request=request)
    return result


@transaction.atomic
def open_officer_account(
    *, officer: InformationOfficer, actor: User, request: HttpRequest | None = None
) -> ActivationCode:
    """The account of an officer who is not a member (accounts.onboarding.create_officer_account), linked
    to the appointment. Refused for a member officer (they use their member account) and for an officer
    who has an account already (a new code is issued on it instead: issue_code)."""
    committee_id = _require_manager(actor)
    officer = InformationOfficer.objects.select_for_update().get(pk=officer.pk, committee_id=committee_id)
    if officer.member_id is not None:
        raise ValidationError(_("A member officer signs in with their member account."), code="member")
    if officer.user_id is not None:
        raise ValidationError(_("This officer has an account already."), code="has_account")
    if not may_open_accounts(actor):
        raise PermissionDenied("accounts.onboard_members")
    from lvzhi.organization.models import Committee

    committee = Committee.objects.get(pk=committee_id)
    code = onboarding.create_officer_account(
        committee=committee, name=officer.name, actor=actor, request=request
    )
    officer.user = code.user
    officer.save(update_fields=["user"])
    _record(
        "opinions.officer_changed",
        officer,
        actor=actor,
        request=request,
        fields=["user"],
        account=code.user.username,
    )
    return code


def issue_code(
    *, officer: InformationOfficer, actor: User, request: HttpRequest | None = None
) -> ActivationCode:
    """A new activation code for a non-member officer's account (a lost letter, a forgotten password),
    with the members' rules (accounts.onboarding.issue_activation_code: the account must still be an
    officer's own account, holding the 信息员 role and nothing else)."""
    _require_manager(actor)
    if officer.user is None or officer.member_id is not None:
        raise ValidationError(_("This officer has no account of their own."), code="no_account")
    return onboarding.issue_activation_code(user=officer.user, actor=actor, request=request)


@transaction.atomic
def change_quota(
    *, officer: InformationOfficer, quota: int, actor: User, request: HttpRequest | None = None
) -> InformationOfficer:
    committee_id = _require_manager(actor)
    _check_quota(quota)
    officer = InformationOfficer.objects.select_for_update().get(pk=officer.pk, committee_id=committee_id)
    if officer.quota != quota:
        before = officer.quota
        officer.quota = quota
        officer.save(update_fields=["quota"])
        _record(
            "opinions.officer_changed",
            officer,
            actor=actor,
            request=request,
            fields=["quota"],
            before=before,
            after=quota,
        )
    return officer


@transaction.atomic
def end_appointment(
    *,
    officer: InformationOfficer,
    ended_on: datetime.date | None = None,
    actor: User,
    request: HttpRequest | None = None,
) -> InformationOfficer:
    """End the appointment (the officer leaves the post). The account stays, so that the officer still
    sees the reports they wrote; its holder writes as anyone holding the role may."""
    committee_id = _require_manager(actor)
    officer = InformationOfficer.objects.select_for_update().get(pk=officer.pk, committee_id=committee_id)
    if officer.ended_on is not None:
        raise ValidationError(_("This appointment has ended already."), code="ended")
    ended_on = ended_on or timezone.localdate()
    if ended_on < officer.appointed_on:
        raise ValidationError(_("An appointment cannot end before it began."), code="ended_on")
    officer.ended_on = ended_on
    officer.save(update_fields=["ended_on"])
    _record("opinions.officer_ended", officer, actor=actor, request=request, ended_on=ended_on.isoformat())
    return officer


@dataclass
class Copied:
    created: list[InformationOfficer]
    skipped: int


@transaction.atomic
def copy_year(*, from_year: int, to_year: int, actor: User, request: HttpRequest | None = None) -> Copied:
    """Appoint last year's officers again for a new year in one step: every officer of `from_year` whose
    appointment did not end, with the same quota, account and member file; those already appointed in
    `to_year` (the same member, account, or name for an officer without either) are skipped. Running it
    twice appoints nobody twice."""
    committee_id = _require_manager(actor)
    if from_year == to_year:
        raise ValidationError(_("Choose another year to copy from."), code="same_year")
    existing = list(
        InformationOfficer.objects.select_for_update()
        .filter(committee_id=committee_id, year=to_year)
        .values_list("member_id", "user_id", "name")
    )
    members = {m for m, _u, _n in existing if m is not None}
    users = {u for _m, u, _n in existing if u is not None}
    names = {n for m, u, n in existing if m is None and u is None}
    appointed_on = (
        datetime.date(to_year, 1, 1) if to_year > timezone.localdate().year else timezone.localdate()
    )
    created, skipped = [], 0
    for old in InformationOfficer.objects.filter(
        committee_id=committee_id, year=from_year, ended_on__isnull=True
    ).order_by("name", "pk"):
        if (
            (old.member_id is not None and old.member_id in members)
            or (old.user_id is not None and old.user_id in users)
            or (old.member_id is None and old.user_id is None and old.name in names)
        ):
            skipped += 1
            continue
        officer = InformationOfficer.objects.create(
            committee_id=committee_id,
            year=to_year,
            member_id=old.member_id,
            user_id=old.user_id,
            name=old.name,
            workplace=old.workplace,
            quota=old.quota,
            appointed_on=appointed_on,
            created_by=actor,
        )
        _record(
            "opinions.officer_appointed",
            officer,
            actor=actor,
            request=request,
            copied_from=from_year,
            quota=officer.quota,
        )
        created.append(officer)
    return Copied(created=created, skipped=skipped)


def text_code(
    *, code: ActivationCode, phone: str, actor: User, site_url: str, request: HttpRequest | None = None
) -> bool:
    """Text a new officer's activation code to the mobile number typed at the appointment, when the
    server has an SMS gateway; whether it was sent. The number is used for this message only and not
    kept (the officer signs in with the login name of their letter)."""
    _require_manager(actor)
    gateway = sms_gateway()
    if gateway is None or not code.is_valid():
        return False
    try:
        gateway.send(phone, onboarding.sms_text(code, site_url=site_url))
    except Exception:
        logger.exception("Activation SMS to user %s failed", code.user_id)
        sent = False
    else:
        sent = True
    audit.record(
        audit.Action.EXPORT,
        actor=actor,
        request=request,
        committee=actor.committee_id,
        event="accounts.activation_codes_texted",
        params={"sent": int(sent), "failed": int(not sent)},
        detail={"sms": True, "sent": int(sent), "not_sent": int(not sent), "accounts": [code.user.username]},
    )
    return sent
