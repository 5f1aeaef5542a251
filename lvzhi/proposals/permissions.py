"""Permission-checked fetches of the proposals app (DESIGN §6.6): a view never looks an object up by an
id from the request except through one of these, which answer 404 for anything outside the user's
scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from lvzhi.organization.models import Session

from .models import Assignment, Proposal

if TYPE_CHECKING:
    from lvzhi.accounts.models import User


def get_proposal_for_user(user: User, pk: int | str) -> Proposal:
    """The proposal if `user` may see it (Proposal.objects.visible_to), else 404."""
    qs = Proposal.objects.visible_to(user).select_related(
        "committee", "session", "session__term", "category", "collective_unit", "merged_into", "created_by"
    )
    try:
        return qs.get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def get_assignment_for_user(user: User, pk: int | str) -> Assignment:
    """The assignment if `user` may see it (staff: the committee's; a unit: its department's), else 404."""
    qs = Assignment.objects.visible_to(user).select_related("proposal", "department", "committee")
    try:
        return qs.get(pk=pk)
    except (Assignment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def get_session_for_user(user: User, pk: int | str) -> Session:
    """A session of the user's committee (its proposals' statistics, documents and deadline), else 404."""
    qs = Session.objects.visible_to(user).select_related("term", "term__committee")
    try:
        return qs.get(pk=pk)
    except (Session.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
