"""The steps every proposal service shares: lock (and check the version the page showed) → check the
transition and the actor's right → move with history and audit (core.workflow) → notify → make the
ledger match (facts.sync_proposal_ledger)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import workflow
from lvzhi.notifications.services import notify

from ..models import Assignment, AssignmentStatusChange, Proposal, ProposalAuthor, ProposalStatusChange

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

Status = Proposal.Status
REVIEW = "proposals.review_proposal"
VIEW_ALL = "proposals.view_proposal"
FILE = "proposals.add_proposal"
HANDLE = "proposals.handle_proposal"


class ProposalError(ValidationError):
    """An illegal move or bad input: shown to the user as a message, never a 500."""


def lock(proposal: Proposal, expected_version: int | None = None) -> Proposal:
    # No select_related: FOR UPDATE would lock the joined rows too.
    return workflow.lock(Proposal, proposal.pk, expected_version)


def move(
    proposal: Proposal, to_status: str, *, actor: User | None, reason: str = "", fields: Iterable[str] = ()
) -> Proposal:
    """Move the locked proposal through Proposal.TRANSITIONS with history and audit, stamping when it
    entered the status, and save `fields` changed with it."""
    workflow.move(
        proposal,
        to_status,
        actor=actor,
        reason=reason,
        history=(ProposalStatusChange, "proposal"),
        error=ProposalError,
        illegal=_("A proposal that is %(from)s cannot become %(to)s."),
        event="proposals.status_changed",
        save=False,
    )
    proposal.status_changed_at = timezone.now()
    proposal.save(update_fields=["status", "version", "status_changed_at", *fields])
    return proposal


def move_assignment(
    assignment: Assignment,
    to_status: str,
    *,
    actor: User | None,
    reason: str = "",
    fields: Iterable[str] = (),
) -> Assignment:
    workflow.move(
        assignment,
        to_status,
        actor=actor,
        reason=reason,
        history=(AssignmentStatusChange, "assignment"),
        error=ProposalError,
        illegal=_("An assignment that is %(from)s cannot become %(to)s."),
        event="proposals.assignment_status_changed",
        save=False,
    )
    assignment.save(update_fields=["status", "version", *fields])
    return assignment


def require_status(proposal: Proposal, allowed: Iterable[str], to_status: str) -> None:
    """The same clear message as an illegal move where the table allows more than this step does."""
    if proposal.status not in allowed:
        raise ProposalError(
            _("A proposal that is %(from)s cannot become %(to)s."),
            code="illegal_transition",
            params={"from": Status(proposal.status).label, "to": Status(to_status).label},
        )


def require_committee(actor: User, proposal: Proposal) -> None:
    if actor.committee_id is None or actor.committee_id != proposal.committee_id:
        raise PermissionDenied("another committee's proposal")


def is_proposer(user: User, proposal: Proposal) -> bool:
    """Whether `user` created `proposal` or is one of its proposers (invited co-signers included)."""
    if not user.is_authenticated:
        return False
    if proposal.created_by_id == user.pk:
        return True
    return proposal.authors.filter(Q(user=user) | Q(member__user=user)).exists()


def is_first_proposer(user: User, proposal: Proposal) -> bool:
    """The one who edits, submits and evaluates: the creator or the first proposer."""
    if not user.is_authenticated:
        return False
    if proposal.created_by_id == user.pk:
        return True
    return (
        proposal.authors.filter(role=ProposalAuthor.Role.LEAD)
        .filter(Q(user=user) | Q(member__user=user))
        .exists()
    )


def require_reviewer(actor: User, proposal: Proposal) -> None:
    """Proposal staff of the committee, never on a proposal they wrote or were invited to co-sign."""
    require_committee(actor, proposal)
    if not actor.has_perm(REVIEW):
        raise PermissionDenied(REVIEW)
    if is_proposer(actor, proposal):
        raise ProposalError(
            _("You are a proposer of this proposal, so you cannot review, assign or close it."),
            code="own_proposal",
        )


def proposer_user_ids(proposal: Proposal) -> set[int]:
    ids = set()
    for author in proposal.authors.select_related("member"):
        if author.consent not in (ProposalAuthor.Consent.CONFIRMED, ProposalAuthor.Consent.PENDING):
            continue
        ids.add(author.user_id or (author.member.user_id if author.member else None))
    ids.add(proposal.created_by_id)
    return {pk for pk in ids if pk}


def users_with_perm(committee_id: int, codename: str) -> list[Any]:
    """Active accounts of the committee holding proposals.`codename` through a role or directly."""
    User = get_user_model()
    perm = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label="proposals")
    own = Q(user_permissions__codename=codename, user_permissions__content_type__app_label="proposals")
    return list(User.objects.filter(perm | own, committee_id=committee_id, is_active=True).distinct())


def department_user_ids(department_id: int) -> set[int]:
    User = get_user_model()
    return set(User.objects.filter(department_id=department_id, is_active=True).values_list("pk", flat=True))


def send(
    proposal: Proposal,
    user_ids: Iterable[int | None],
    *,
    kind: str,
    title: str,
    body: str = "",
    skip: User | None = None,
    url: str = "",
) -> None:
    """Notify the accounts `user_ids` (but `skip`) about the proposal, linking to its page."""
    User = get_user_model()
    ids = {pk for pk in user_ids if pk and (skip is None or pk != skip.pk)}
    if not ids:
        return
    notify(
        recipients=[User(pk=pk) for pk in ids],
        kind=kind,
        title=title,
        body=body,
        url=url or reverse("proposals:detail", args=[proposal.pk]),
        committee=proposal.committee,
    )


def send_to_proposers(
    proposal: Proposal, *, kind: str, title: str, body: str = "", skip: User | None = None
) -> None:
    send(proposal, proposer_user_ids(proposal), kind=kind, title=title, body=body, skip=skip)


def send_to_reviewers(
    proposal: Proposal, *, kind: str, title: str, body: str = "", skip: User | None = None
) -> None:
    reviewers = {u.pk for u in users_with_perm(proposal.committee_id, "review_proposal")}
    send(proposal, reviewers - proposer_user_ids(proposal), kind=kind, title=title, body=body, skip=skip)


def named(proposal: Proposal) -> dict[str, str]:
    return {"title": proposal.title, "serial": proposal.serial_label}


def required_text(value: str | None, message: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ProposalError(message, code=code)
    return value
