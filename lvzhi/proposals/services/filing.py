"""Filing a proposal (提案): the first proposer's draft, its co-signers or its proposing body, the
attachments, the explicit submission, and the co-signers' answers (DESIGN §6.3).

- Individual: the actor's member file is the first proposer.
- Joint (联名): the first proposer invites members of the committee; when the proposal is submitted each
  invitation is open until `cosign_deadline` (the committee's `cosign_days`); a co-signer confirms or
  declines online, and `drop_unconfirmed` (the daily command) drops those who did not answer in time.
  Only confirmed co-signers count in the ledger (facts.py).
- Collective: a sector or special committee (or a unit the actor staffs), or a party group by name, with
  its main authors (role collective, confirmed).

Only the first proposer (or the account that created the draft) edits, attaches files and submits, and
only while it is a draft; a co-signer never edits. Every write here: rights → lock (with the version
the page showed) → change → audit → notify → ledger sync."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit, uploads
from lvzhi.members.models import Member
from lvzhi.opinions.models import Suggestion
from lvzhi.organization.models import Department, OrgUnit, Session

from .. import selectors
from ..facts import sync_proposal_ledger
from ..models import Proposal, ProposalAttachment, ProposalAuthor, ProposalCategory
from .common import (
    FILE,
    REVIEW,
    ProposalError,
    is_first_proposer,
    lock,
    move,
    require_committee,
    require_status,
    send,
    send_to_reviewers,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from lvzhi.accounts.models import User

Status = Proposal.Status
Kind = Proposal.Kind
Role = ProposalAuthor.Role
Consent = ProposalAuthor.Consent
# The bodies a collective proposal is filed in the name of (besides any unit the actor staffs).
COLLECTIVE_UNIT_KINDS = (OrgUnit.Kind.SECTOR, OrgUnit.Kind.SPECIAL_COMMITTEE)
TITLE_LIMIT: int = Proposal._meta.get_field("title").max_length or 200
NAME_LIMIT: int = Proposal._meta.get_field("collective_name").max_length or 100
# The fields of a draft the first proposer writes (create_draft's and update_draft's keywords).
DRAFT_FIELDS = (
    "session",
    "title",
    "case",
    "analysis",
    "suggestions",
    "kind",
    "timing",
    "category",
    "suggested_departments",
    "co_signers",
    "collective_unit",
    "collective_name",
    "collective_authors",
)


# --- who is who ---------------------------------------------------------------------------------------


def member_of(user: User) -> Member | None:
    """The user's member file in their own committee, if they have one."""
    member = getattr(user, "member", None)
    if member is None or member.committee_id != user.committee_id:
        return None
    return member


def _require_first_proposer(actor: User, proposal: Proposal) -> None:
    require_committee(actor, proposal)
    if not is_first_proposer(actor, proposal):
        raise PermissionDenied("only the first proposer")


def _require_editable(proposal: Proposal) -> None:
    if proposal.status not in Proposal.AUTHOR_EDITABLE:
        raise ProposalError(
            _("A proposal that is %(status)s cannot be changed any more."),
            code="not_editable",
            params={"status": Status(proposal.status).label},
        )


def _lead_user_ids(proposal: Proposal) -> set[int]:
    """The accounts that act as the first proposer: the lead author's and the creator's."""
    ids = {proposal.created_by_id} if proposal.created_by_id else set()
    for user_id, member_user_id in proposal.authors.filter(role=Role.LEAD).values_list(
        "user_id", "member__user_id"
    ):
        ids.update(i for i in (user_id, member_user_id) if i)
    return ids


# --- checking a draft's fields ------------------------------------------------------------------------


def _text(value: str | None) -> str:
    # A textarea posts its line breaks as CRLF: count them as one character, as the page's counter does.
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


def _check_length(committee_id: int, case: str, analysis: str, suggestions: str) -> None:
    limit = selectors.policy_for(committee_id).body_limit
    count = len(case) + len(analysis) + len(suggestions)
    if count > limit:
        raise ProposalError(
            # zh: 案由、分析和建议共 %(count)s 字，超过了 %(limit)s 字的限制，请删减。
            _(
                "Case, analysis and suggestions: %(count)s characters together, more than the limit of "
                "%(limit)s. Shorten them, please."
            ),
            code="body_too_long",
            params={"count": count, "limit": limit},
        )


def _members(
    members: Iterable[Member], committee_id: int, *, exclude: set[int], label: str, need_account: bool
) -> list[Member]:
    """The members in order, once each, without `exclude` (the first proposer); all of the committee."""
    chosen, seen = [], set(exclude)
    for member in members:
        if member.committee_id != committee_id:
            raise ProposalError(
                _("%(field)s: %(name)s is not a member of this committee."),
                code="member_outside",
                params={"field": label, "name": member.name},
            )
        if member.pk in seen:
            continue
        if need_account and not member.user_id:
            raise ProposalError(
                # zh: 联名人：%(name)s 没有本平台账号，无法在线确认联名。
                _(
                    "Co-signers: %(name)s has no account in lvzhi and so cannot confirm online. The "
                    "proposal office can open one."
                ),
                code="co_signer_without_account",
                params={"name": member.name},
            )
        seen.add(member.pk)
        chosen.append(member)
    return chosen


def _clean(
    actor: User,
    committee_id: int,
    values: dict[str, Any],
    *,
    lead_member: Member | None,
    current: Proposal | None = None,
    check_length: bool = True,
) -> dict[str, Any]:
    """The draft's values checked and normalised (kind follows the co-signers or the body)."""
    session = values["session"]
    if not isinstance(session, Session) or session.term.committee_id != committee_id:
        raise ProposalError(_("Session: choose a session of your committee."), code="bad_session")
    title = (values["title"] or "").strip()
    if not title:
        raise ProposalError(_("Title: write what the proposal is about."), code="title_required")
    if len(title) > TITLE_LIMIT:
        raise ProposalError(
            _("Title: at most %(limit)s characters."), code="title_too_long", params={"limit": TITLE_LIMIT}
        )
    case, analysis, suggestions = (_text(values[n]) for n in ("case", "analysis", "suggestions"))
    if check_length:
        _check_length(committee_id, case, analysis, suggestions)
    timing = values["timing"] or Proposal.Timing.DURING
    if timing not in Proposal.Timing.values:
        raise ProposalError(_("Filed: during or between sessions."), code="bad_timing")
    category = values["category"]
    if category is not None:
        unchanged = current is not None and current.category_id == category.pk
        if category.committee_id != committee_id or not (category.is_active or unchanged):
            raise ProposalError(_("Category: choose one of the committee's categories."), code="bad_category")
    departments = list(dict.fromkeys(values["suggested_departments"] or ()))
    for department in departments:
        if department.committee_id != committee_id:
            raise ProposalError(
                _("Suggested handling units: choose the committee's handling units."),
                code="bad_department",
            )
    lead_ids = {lead_member.pk} if lead_member is not None else set()
    kind = values["kind"] or Kind.INDIVIDUAL
    if kind not in Kind.values:
        raise ProposalError(_("Kind: individual, joint or collective."), code="bad_kind")
    unit, name, authors, co_signers = None, "", [], []
    if kind == Kind.COLLECTIVE:
        unit = values["collective_unit"]
        name = (values["collective_name"] or "").strip()
        if unit is not None and name:
            raise ProposalError(
                _("Proposing body: choose a unit or write a name, not both."), code="body_twice"
            )
        if len(name) > NAME_LIMIT:
            raise ProposalError(
                _("Proposing body: at most %(limit)s characters."),
                code="body_name_too_long",
                params={"limit": NAME_LIMIT},
            )
        if unit is not None:
            own_unit = unit.pk in actor.unit_ids()
            if unit.committee_id != committee_id or not (
                own_unit or (unit.is_active and unit.kind in COLLECTIVE_UNIT_KINDS)
            ):
                raise ProposalError(
                    _("Proposing body: choose a sector, a special committee or a unit you staff."),
                    code="body_outside",
                )
        authors = _members(
            values["collective_authors"] or (),
            committee_id,
            exclude=lead_ids,
            label=_("Main authors"),
            need_account=False,
        )
    else:
        if lead_member is None:
            raise ProposalError(
                # zh: 只有委员本人可以提出个人提案或联名提案；单位账号请选择“集体提案”。
                _(
                    "Only a member files an individual or joint proposal: your account has no member "
                    "file. Choose a collective proposal to file in a body's name."
                ),
                code="no_member_file",
            )
        co_signers = _members(
            values["co_signers"] or (),
            committee_id,
            exclude=lead_ids,
            label=_("Co-signers"),
            need_account=True,
        )
        kind = Kind.JOINT if co_signers else Kind.INDIVIDUAL
    return {
        "session": session,
        "title": title,
        "case": case,
        "analysis": analysis,
        "suggestions": suggestions,
        "kind": kind,
        "timing": timing,
        "category": category,
        "suggested_departments": departments,
        "co_signers": co_signers,
        "collective_unit": unit,
        "collective_name": name,
        "collective_authors": authors,
    }


def _set_authors(proposal: Proposal, role: str, members: list[Member], consent: str) -> bool:
    """Make the proposal's authors of `role` these members in this order; whether anything changed."""
    current = list(proposal.authors.filter(role=role).order_by("order", "pk"))
    if [a.member_id for a in current] == [m.pk for m in members]:
        return False
    proposal.authors.filter(role=role).delete()
    ProposalAuthor.objects.bulk_create(
        [
            ProposalAuthor(
                proposal=proposal,
                member=m,
                user_id=m.user_id,
                name=m.name,
                role=role,
                consent=consent,
                order=n,
            )
            for n, m in enumerate(members, 1)
        ]
    )
    return True


def _record_draft(proposal: Proposal, actor: User, action: str, detail: dict[str, Any]) -> None:
    audit.record(
        action,
        actor=actor,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.draft_saved",
        params={"title": proposal.title},
        detail=detail,
    )


# --- drafts -------------------------------------------------------------------------------------------


def _create(
    *, actor: User, lead_member: Member | None, own: bool, check_length: bool, **values: Any
) -> Proposal:
    committee_id = actor.committee_id
    if committee_id is None:
        raise PermissionDenied("no committee")
    from_suggestion = values.pop("from_suggestion", None)
    data = _clean(actor, committee_id, values, lead_member=lead_member, check_length=check_length)
    now = timezone.now()
    proposal = Proposal(
        committee_id=committee_id,
        session=data["session"],
        kind=data["kind"],
        timing=data["timing"],
        collective_unit=data["collective_unit"],
        collective_name=data["collective_name"],
        title=data["title"],
        case=data["case"],
        analysis=data["analysis"],
        suggestions=data["suggestions"],
        category=data["category"],
        status=Status.DRAFT,
        status_changed_at=now,
        from_suggestion=from_suggestion,
        created_by=actor,
    )
    proposal.save()
    if lead_member is not None:
        lead_user_id = lead_member.user_id or (actor.pk if own else None)
        lead = ProposalAuthor(member=lead_member, user_id=lead_user_id, name=lead_member.name)
    else:
        lead = ProposalAuthor(user=actor, name=str(actor)[:50])
    lead.proposal, lead.role, lead.consent, lead.order = proposal, Role.LEAD, Consent.CONFIRMED, 0
    lead.save()
    _set_authors(proposal, Role.CO, data["co_signers"], Consent.PENDING)
    _set_authors(proposal, Role.COLLECTIVE, data["collective_authors"], Consent.CONFIRMED)
    if data["suggested_departments"]:
        proposal.suggested_departments.set(data["suggested_departments"])
    _record_draft(proposal, actor, audit.Action.CREATE, {"kind": proposal.kind})
    return proposal


@transaction.atomic
def create_draft(
    *,
    actor: User,
    session: Session,
    title: str,
    case: str = "",
    analysis: str = "",
    suggestions: str = "",
    kind: str = Kind.INDIVIDUAL,
    timing: str = Proposal.Timing.DURING,
    category: ProposalCategory | None = None,
    suggested_departments: Iterable[Department] = (),
    co_signers: Iterable[Member] = (),
    collective_unit: OrgUnit | None = None,
    collective_name: str = "",
    collective_authors: Iterable[Member] = (),
    from_suggestion: Suggestion | None = None,
) -> Proposal:
    """A draft of the actor's committee, the actor's member file its first proposer (an account without
    one files only collective proposals, as their first proposer by name). Co-signers are invited (they
    hear of it when it is submitted); the kind follows: co-signers make it joint."""
    if not actor.has_perm(FILE):
        raise PermissionDenied(FILE)
    return _create(
        actor=actor,
        lead_member=member_of(actor),
        own=True,
        check_length=True,
        session=session,
        title=title,
        case=case,
        analysis=analysis,
        suggestions=suggestions,
        kind=kind,
        timing=timing,
        category=category,
        suggested_departments=suggested_departments,
        co_signers=co_signers,
        collective_unit=collective_unit,
        collective_name=collective_name,
        collective_authors=collective_authors,
        from_suggestion=from_suggestion,
    )


def _current_values(proposal: Proposal) -> dict[str, Any]:
    authors = list(proposal.authors.select_related("member").order_by("order", "pk"))
    return {
        "session": proposal.session,
        "title": proposal.title,
        "case": proposal.case,
        "analysis": proposal.analysis,
        "suggestions": proposal.suggestions,
        "kind": proposal.kind,
        "timing": proposal.timing,
        "category": proposal.category,
        "suggested_departments": list(proposal.suggested_departments.all()),
        "co_signers": [a.member for a in authors if a.role == Role.CO and a.member],
        "collective_unit": proposal.collective_unit,
        "collective_name": proposal.collective_name,
        "collective_authors": [a.member for a in authors if a.role == Role.COLLECTIVE and a.member],
    }


@transaction.atomic
def update_draft(
    proposal: Proposal, *, actor: User, expected_version: int | None = None, **fields: Any
) -> Proposal:
    """Save the first proposer's changes to the draft: the keywords of create_draft, those left out stay
    as they are. Of two tabs that opened the same version the first to save wins (StaleEdit)."""
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"update_draft() got unexpected keywords {sorted(unknown)}")
    _require_first_proposer(actor, proposal)
    proposal = lock(proposal, expected_version)
    _require_editable(proposal)
    lead = proposal.authors.filter(role=Role.LEAD).select_related("member").first()
    current = _current_values(proposal)
    data = _clean(
        actor,
        proposal.committee_id,
        {**current, **fields},
        lead_member=lead.member if lead else None,
        current=proposal,
    )
    plain = ("session", "title", "case", "analysis", "suggestions", "kind", "timing", "category")
    changed = {n: data[n] for n in (*plain, "collective_unit", "collective_name") if data[n] != current[n]}
    for name, value in changed.items():
        setattr(proposal, name, value)
    authors_changed = _set_authors(proposal, Role.CO, data["co_signers"], Consent.PENDING)
    authors_changed |= _set_authors(proposal, Role.COLLECTIVE, data["collective_authors"], Consent.CONFIRMED)
    departments_changed = {d.pk for d in data["suggested_departments"]} != {
        d.pk for d in current["suggested_departments"]
    }
    if departments_changed:
        proposal.suggested_departments.set(data["suggested_departments"])
    if not (changed or authors_changed or departments_changed):
        return proposal
    proposal.version += 1
    proposal.save(update_fields=[*changed, "version"])
    _record_draft(
        proposal,
        actor,
        audit.Action.UPDATE,
        {"fields": sorted(changed), "authors": authors_changed, "departments": departments_changed},
    )
    return proposal


# --- submission and co-signing ------------------------------------------------------------------------


def _check_submittable(proposal: Proposal) -> None:
    errors = []
    if not proposal.title.strip():
        errors.append(ProposalError(_("Title: write what the proposal is about."), code="title_required"))
    if not proposal.case.strip():
        errors.append(ProposalError(_("Case: say what the problem is (案由)."), code="case_required"))
    if not proposal.suggestions.strip():
        errors.append(ProposalError(_("Suggestions: say what should be done."), code="suggestions_required"))
    try:
        _check_length(proposal.committee_id, proposal.case, proposal.analysis, proposal.suggestions)
    except ProposalError as error:
        errors.append(error)
    if proposal.kind == Kind.COLLECTIVE:
        if proposal.collective_unit_id is None and not proposal.collective_name:
            errors.append(
                ProposalError(
                    _("Proposing body: choose the unit or write the name of the body."),
                    code="body_required",
                )
            )
        if not proposal.authors.filter(role=Role.COLLECTIVE).exists():
            errors.append(
                ProposalError(
                    _("Main authors: name at least one member who wrote it."), code="authors_required"
                )
            )
    if errors:
        raise ProposalError(errors)


@transaction.atomic
def submit(proposal: Proposal, *, actor: User, expected_version: int | None = None) -> Proposal:
    """The first proposer hands the draft in (DRAFT → SUBMITTED). A joint proposal's co-signers are
    invited now: each has until `cosign_deadline` to confirm, and hears of it with a link."""
    _require_first_proposer(actor, proposal)
    proposal = lock(proposal, expected_version)
    require_status(proposal, (Status.DRAFT,), Status.SUBMITTED)
    _check_submittable(proposal)
    now = timezone.now()
    proposal.submitted_at = now
    co_signers = list(proposal.authors.filter(role=Role.CO))
    fields = ["submitted_at"]
    if co_signers:
        days = selectors.policy_for(proposal.committee_id).cosign_days
        proposal.cosign_deadline = now + datetime.timedelta(days=days)
        fields.append("cosign_deadline")
        proposal.authors.filter(role=Role.CO).update(consent=Consent.PENDING, responded_at=None)
    move(proposal, Status.SUBMITTED, actor=actor, fields=fields)
    lead = proposal.authors.filter(role=Role.LEAD).first()
    if co_signers and proposal.cosign_deadline is not None:
        deadline = timezone.localtime(proposal.cosign_deadline).strftime("%Y-%m-%d %H:%M")
        send(
            proposal,
            {a.user_id for a in co_signers},
            kind="proposal.cosign_invited",
            # zh: %(name)s 邀请您联名提案：%(title)s
            title=_("%(name)s invites you to co-sign a proposal: %(title)s")
            % {"name": lead.name if lead else str(actor), "title": proposal.title},
            body=_("Confirm or decline on the proposal's page by %(deadline)s.") % {"deadline": deadline},
            skip=actor,
        )
    send_to_reviewers(
        proposal,
        kind="proposal.submitted",
        title=_("New proposal: %(title)s") % {"title": proposal.title},
        skip=actor,
    )
    sync_proposal_ledger(proposal, actor=actor)
    return proposal


def cosigning_open(proposal: Proposal, *, now: datetime.datetime | None = None) -> bool:
    """Whether a co-signer may still confirm: someone invited has not answered and the deadline has not
    passed (review waits until then)."""
    if proposal.cosign_deadline is None or (now or timezone.now()) > proposal.cosign_deadline:
        return False
    return proposal.authors.filter(role=Role.CO, consent=Consent.PENDING).exists()


def invitation_for(user: User, proposal: Proposal) -> ProposalAuthor | None:
    """The user's row as an invited co-signer of the proposal (whatever its answer), or None."""
    if not user.is_authenticated:
        return None
    return proposal.authors.filter(role=Role.CO).filter(Q(user=user) | Q(member__user=user)).first()


def _answer(proposal: Proposal, *, actor: User, consent: str) -> ProposalAuthor:
    require_committee(actor, proposal)
    if invitation_for(actor, proposal) is None:
        raise PermissionDenied("not invited to co-sign this proposal")
    proposal = lock(proposal)
    author = invitation_for(actor, proposal)
    if author is None:
        raise PermissionDenied("not invited to co-sign this proposal")
    now = timezone.now()
    if proposal.status != Status.SUBMITTED or author.consent != Consent.PENDING:
        raise ProposalError(
            # zh: 这份联名邀请已经结束（%(state)s），无法再回复。
            _("This invitation is closed (%(state)s): it cannot be answered any more."),
            code="cosign_closed",
            params={
                "state": Consent(author.consent).label
                if author.consent != Consent.PENDING
                else Status(proposal.status).label
            },
        )
    if proposal.cosign_deadline is None or now > proposal.cosign_deadline:
        raise ProposalError(
            # zh: 联名确认的截止时间 %(deadline)s 已过。
            _("The time to answer ended at %(deadline)s."),
            code="cosign_deadline_passed",
            params={
                "deadline": timezone.localtime(proposal.cosign_deadline).strftime("%Y-%m-%d %H:%M")
                if proposal.cosign_deadline
                else "—"
            },
        )
    author.consent = consent
    author.responded_at = now
    author.save(update_fields=["consent", "responded_at"])
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=author,
        event="proposals.cosign_answered",
        params={"object": proposal.title, "name": author.name, "consent": consent},
        detail={"proposal": proposal.pk},
    )
    message = (
        _("%(name)s confirmed co-signing your proposal: %(title)s")
        if consent == Consent.CONFIRMED
        else _("%(name)s declined to co-sign your proposal: %(title)s")
    )
    send(
        proposal,
        _lead_user_ids(proposal),
        kind="proposal.cosign_answered",
        title=message % {"name": author.name, "title": proposal.title},
        skip=actor,
    )
    sync_proposal_ledger(proposal, actor=actor)
    return author


@transaction.atomic
def confirm_cosign(proposal: Proposal, *, actor: User) -> ProposalAuthor:
    """The invited co-signer confirms before the deadline: from now on they are a proposer and count."""
    return _answer(proposal, actor=actor, consent=Consent.CONFIRMED)


@transaction.atomic
def decline_cosign(proposal: Proposal, *, actor: User) -> ProposalAuthor:
    """The invited co-signer declines before the deadline: their name is not on the proposal."""
    return _answer(proposal, actor=actor, consent=Consent.DECLINED)


def drop_unconfirmed(*, now: datetime.datetime | None = None) -> int:
    """Invitations still open after the deadline end (PENDING → DROPPED); the first proposer is told who
    dropped off. Run daily; a second run changes nothing. Returns how many co-signers dropped off."""
    now = now or timezone.now()
    due = (
        Proposal.objects.filter(
            cosign_deadline__lt=now, authors__role=Role.CO, authors__consent=Consent.PENDING
        )
        .exclude(status=Status.DRAFT)
        .values_list("pk", flat=True)
        .distinct()
    )
    dropped = 0
    for pk in list(due):
        dropped += _drop(pk, now)
    return dropped


@transaction.atomic
def _drop(pk: int, now: datetime.datetime) -> int:
    proposal = lock(Proposal(pk=pk))
    if proposal.cosign_deadline is None or proposal.cosign_deadline >= now:
        return 0
    return len(drop_pending(proposal))


def drop_pending(proposal: Proposal) -> list[str]:
    """On the locked proposal whose co-signing is over: the co-signers still invited drop off (audited,
    the first proposer told, the ledger matched). Returns their names. Called by the daily run and by
    the review step that comes first."""
    authors = list(proposal.authors.filter(role=Role.CO, consent=Consent.PENDING).order_by("order", "pk"))
    if not authors:
        return []
    proposal.authors.filter(pk__in=[a.pk for a in authors]).update(consent=Consent.DROPPED)
    names = "、".join(a.name for a in authors)
    audit.record(
        audit.Action.UPDATE,
        actor=None,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.cosigners_dropped",
        params={"object": proposal.title, "names": names},
        detail={"authors": [a.pk for a in authors]},
    )
    send(
        proposal,
        _lead_user_ids(proposal),
        kind="proposal.cosigners_dropped",
        # zh: %(names)s 未在截止时间前确认，已不再列为提案“%(title)s”的联名人。
        title=_("%(names)s did not confirm in time and are no longer co-signers of: %(title)s")
        % {"names": names, "title": proposal.title},
    )
    sync_proposal_ledger(proposal, actor=None)
    return [a.name for a in authors]


# --- attachments --------------------------------------------------------------------------------------


def may_change_attachments(actor: User, proposal: Proposal) -> bool:
    return (
        actor.committee_id == proposal.committee_id
        and proposal.status in Proposal.AUTHOR_EDITABLE
        and is_first_proposer(actor, proposal)
    )


def _require_attachment_right(actor: User, proposal: Proposal) -> None:
    _require_first_proposer(actor, proposal)
    if proposal.status not in Proposal.AUTHOR_EDITABLE:
        raise ProposalError(
            _("The files of a submitted proposal cannot be changed."), code="attachments_frozen"
        )


@transaction.atomic
def add_attachment(*, proposal: Proposal, uploaded_file: UploadedFile, actor: User) -> ProposalAttachment:
    """A file sent with the draft (checked and stored by core.uploads): the first proposer, while it is
    a draft."""
    _require_attachment_right(actor, proposal)
    proposal = lock(proposal)
    _require_attachment_right(actor, proposal)
    attachment = ProposalAttachment(proposal=proposal)
    try:
        uploads.store(attachment, uploaded_file, actor=actor)
    except uploads.UploadRefused as refused:
        raise ProposalError(str(refused), code="upload_refused") from refused
    attachment.save()
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=attachment,
        event="proposals.attachment_added",
        params={"object": proposal.title, "file": attachment.original_name},
        detail={"proposal": proposal.pk, "size": attachment.size, "content_type": attachment.content_type},
    )
    return attachment


@transaction.atomic
def delete_attachment(*, attachment: ProposalAttachment, actor: User) -> None:
    proposal = attachment.proposal
    _require_attachment_right(actor, proposal)
    proposal = lock(proposal)
    _require_attachment_right(actor, proposal)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        committee=proposal.committee_id,
        obj=attachment,
        event="proposals.attachment_deleted",
        params={"object": proposal.title, "file": attachment.original_name},
        detail={"proposal": proposal.pk, "name": attachment.original_name},
    )
    attachment.delete()
    uploads.delete_after_commit(attachment)


def record_download(*, attachment: ProposalAttachment, actor: User) -> None:
    """The audit row of a download of a proposal's file (the view fetched it through the scope)."""
    audit.record(
        audit.Action.EXPORT,
        actor=actor,
        committee=attachment.proposal.committee_id,
        obj=attachment,
        event="proposals.attachment_downloaded",
        params={"object": attachment.proposal.title, "file": attachment.original_name},
        detail={"proposal": attachment.proposal_id},
    )


# --- from an inspection suggestion --------------------------------------------------------------------


def suggestion_title(suggestion: Suggestion) -> str:
    # zh: 关于“%(activity)s”中所提建议的提案
    title = _("Proposal on the suggestions from %(activity)s") % {"activity": suggestion.activity.title}
    return title[:TITLE_LIMIT]


@transaction.atomic
def draft_from_suggestion(*, actor: User, suggestion: Suggestion) -> Proposal:
    """An inspection or research suggestion becomes a proposal draft of the suggestion's member (the
    findings as the case, the suggestions as the suggestions), started by that member or by proposal
    staff in the member's name. Once: a second call returns the proposal made the first time."""
    if actor.committee_id is None or suggestion.committee_id != actor.committee_id:
        raise PermissionDenied("another committee's suggestion")
    own_member = member_of(actor)
    own = own_member is not None and own_member.pk == suggestion.member_id
    if not own and not actor.has_perm(REVIEW):
        raise PermissionDenied("not the suggestion's member")
    if own and not actor.has_perm(FILE):
        raise PermissionDenied(FILE)
    # Two clicks at once make one draft: the second waits for the first and finds it.
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    existing = Proposal.objects.filter(from_suggestion=suggestion).order_by("pk").first()
    if existing is not None:
        return existing
    session = selectors.latest_session(actor.committee_id)
    if session is None:
        raise ProposalError(
            _("There is no session of the current term yet: the proposal office sets it up first."),
            code="no_session",
        )
    proposal = _create(
        actor=actor,
        lead_member=suggestion.member,
        own=own,
        # The member shortens it before submitting (submit checks the limit).
        check_length=False,
        session=session,
        title=suggestion_title(suggestion),
        case=suggestion.findings,
        analysis="",
        suggestions=suggestion.text,
        kind=Kind.INDIVIDUAL,
        timing=Proposal.Timing.BETWEEN,
        category=None,
        suggested_departments=(),
        co_signers=(),
        collective_unit=None,
        collective_name="",
        collective_authors=(),
        from_suggestion=suggestion,
    )
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.draft_from_suggestion",
        params={"activity": suggestion.activity.title},
        detail={"suggestion": suggestion.pk},
    )
    return proposal


# --- a paper proposal typed in by the proposal office ---------------------------------------------------


def may_record_paper_proposal(user: User) -> bool:
    """Proposal staff of a committee (the work page's button, the paper page)."""
    return user.is_authenticated and user.committee_id is not None and user.has_perm(REVIEW)


@transaction.atomic
def record_paper_proposal(
    *,
    actor: User,
    lead_member: Member,
    session: Session,
    title: str,
    case: str,
    analysis: str,
    suggestions: str,
    kind: str,
    timing: str,
    category: ProposalCategory | None,
    suggested_departments: Iterable[Department] = (),
    co_signers: Iterable[Member] = (),
    collective_unit: OrgUnit | None = None,
    collective_name: str = "",
    collective_authors: Iterable[Member] = (),
) -> Proposal:
    """The proposal office types in a proposal a member handed in on paper and submits it at once in the
    member's name (DRAFT → SUBMITTED in one step, with history). The members need no account: the first
    proposer, the co-signers (who signed the paper, so they are confirmed at once and nobody is invited
    online) and a collective proposal's main authors. The typist (created_by) counts as a proposer, so
    a colleague reviews it (common.require_reviewer), as a paper report in lvzhi.opinions."""
    if not may_record_paper_proposal(actor):
        raise PermissionDenied(REVIEW)
    committee_id = actor.committee_id
    assert committee_id is not None  # may_record_paper_proposal
    if not isinstance(lead_member, Member) or lead_member.committee_id != committee_id:
        raise ProposalError(
            # zh: 第一提案人：请选择本委员会的委员。
            _("First proposer: choose a member of your committee."),
            code="lead_outside",
        )
    collective = kind == Kind.COLLECTIVE
    # Co-signers need no account here (they signed the paper): checked apart from the online draft's.
    paper_co_signers = (
        []
        if collective
        else _members(
            co_signers,
            committee_id,
            exclude={lead_member.pk},
            label=_("Co-signers"),
            need_account=False,
        )
    )
    proposal = _create(
        actor=actor,
        lead_member=lead_member,
        own=False,
        check_length=True,
        session=session,
        title=title,
        case=case,
        analysis=analysis,
        suggestions=suggestions,
        kind=kind,
        timing=timing,
        category=category,
        suggested_departments=suggested_departments,
        co_signers=(),
        collective_unit=collective_unit,
        collective_name=collective_name,
        collective_authors=collective_authors,
    )
    now = timezone.now()
    if paper_co_signers:
        _set_authors(proposal, Role.CO, paper_co_signers, Consent.CONFIRMED)
        proposal.authors.filter(role=Role.CO).update(responded_at=now)
        proposal.kind = Kind.JOINT
        proposal.save(update_fields=["kind"])
    proposal = lock(proposal)
    _check_submittable(proposal)
    proposal.submitted_at = now
    move(
        proposal,
        Status.SUBMITTED,
        actor=actor,
        # zh: 委员提交纸质提案，由提案工作人员录入
        reason=_("Handed in on paper, typed in by the proposal office"),
        fields=["submitted_at"],
    )
    authors = list(proposal.authors.order_by("order", "pk"))
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        committee=proposal.committee_id,
        obj=proposal,
        event="proposals.paper_proposal_recorded",
        params={"title": proposal.title, "name": lead_member.name},
        detail={
            "kind": proposal.kind,
            "lead": lead_member.pk,
            "co_signers": [a.member_id for a in authors if a.role == Role.CO],
            "main_authors": [a.member_id for a in authors if a.role == Role.COLLECTIVE],
        },
    )
    send(
        proposal,
        {a.user_id or (a.member.user_id if a.member else None) for a in authors},
        kind="proposal.paper_recorded",
        # zh: 您的纸质提案已由提案工作人员录入并提交：%(title)s
        title=_("Your paper proposal was typed in and submitted: %(title)s") % {"title": proposal.title},
        skip=actor,
    )
    send_to_reviewers(
        proposal,
        kind="proposal.submitted",
        title=_("New proposal: %(title)s") % {"title": proposal.title},
        skip=actor,
    )
    sync_proposal_ledger(proposal, actor=actor)
    return proposal
