"""Who may see and do what with members' suggestions (委员建言), next to the statuses they concern.

A member (portal.add_membersuggestion with a member file) sees and changes only their own suggestions:
anybody else's id is a 404. A reviewer (portal.review_membersuggestion) sees every suggestion of their
committee that was handed in (never a member's draft) and decides on it, except on their own: nobody
reviews what they wrote. Another committee's suggestion is a 404 for everyone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from lvzhi.core.forms import MAX_ID

from .models import MemberSuggestion

if TYPE_CHECKING:
    from lvzhi.members.models import Member

WRITE = "portal.add_membersuggestion"
REVIEW = "portal.review_membersuggestion"
Status = MemberSuggestion.Status


def own_member(user) -> Member | None:
    """The user's member file when it belongs to their committee; None otherwise."""
    if not user.is_authenticated or user.committee_id is None:
        return None
    member = getattr(user, "member", None)
    if member is None or member.committee_id != user.committee_id:
        return None
    return member


def may_write(user) -> bool:
    return bool(user.is_authenticated and user.has_perm(WRITE) and own_member(user) is not None)


def may_review(user) -> bool:
    return bool(user.is_authenticated and user.committee_id is not None and user.has_perm(REVIEW))


def is_author(user, suggestion: MemberSuggestion) -> bool:
    """The member whose suggestion it is (or the account that wrote it)."""
    if not user.is_authenticated:
        return False
    return suggestion.member.user_id == user.pk or suggestion.created_by_id == user.pk


def require_writer(user) -> Member:
    """The member file of a user who may write suggestions: 403 without the right, 404 without a file."""
    if not user.is_authenticated or not user.has_perm(WRITE):
        raise PermissionDenied(WRITE)
    member = own_member(user)
    if member is None:
        raise Http404(_("Your account is not linked to a member file."))
    return member


def require_reviewer(user) -> None:
    if not may_review(user):
        raise PermissionDenied(REVIEW)


# What each side may do in each status (the services check the same again).


def may_edit(user, suggestion: MemberSuggestion) -> bool:
    return suggestion.status in MemberSuggestion.AUTHOR_EDITABLE and is_author(user, suggestion)


def may_submit(user, suggestion: MemberSuggestion) -> bool:
    return may_edit(user, suggestion)


def may_delete(user, suggestion: MemberSuggestion) -> bool:
    return suggestion.status == Status.DRAFT and is_author(user, suggestion)


def may_decide(user, suggestion: MemberSuggestion) -> bool:
    """A reviewer of the suggestion's committee who did not write it."""
    return (
        may_review(user) and user.committee_id == suggestion.committee_id and not is_author(user, suggestion)
    )


def may_publish(user, suggestion: MemberSuggestion) -> bool:
    return may_decide(user, suggestion) and suggestion.status in (Status.SUBMITTED, Status.WITHDRAWN)


def may_return(user, suggestion: MemberSuggestion) -> bool:
    return may_decide(user, suggestion) and suggestion.status == Status.SUBMITTED


def may_withdraw(user, suggestion: MemberSuggestion) -> bool:
    return may_decide(user, suggestion) and suggestion.status == Status.PUBLISHED


def may_answer(user, suggestion: MemberSuggestion) -> bool:
    return may_decide(user, suggestion) and suggestion.status == Status.PUBLISHED


# Fetches: the only way a view reads a suggestion named in the address.


def _scoped(user):
    return MemberSuggestion.objects.visible_to(user).select_related("member", "committee", "created_by")


def get_own_suggestion(user, pk) -> MemberSuggestion:
    """The user's own suggestion `pk` (404 for anybody else's)."""
    member = require_writer(user)
    if int(pk) > MAX_ID:  # beyond any database id (SQLite cannot even bind it)
        raise Http404
    return get_object_or_404(_scoped(user).filter(member=member), pk=pk)


def get_suggestion_for_user(user, pk) -> MemberSuggestion:
    """The suggestion `pk` if the user may read it: their own (a draft too), or, for a reviewer, any of
    their committee's that was handed in. 404 otherwise, so that nobody learns which ids exist."""
    if int(pk) > MAX_ID:
        raise Http404
    wanted = Q(pk__in=[])
    member = own_member(user) if user.is_authenticated and user.has_perm(WRITE) else None
    if member is not None:
        wanted |= Q(member=member)
    if may_review(user):
        wanted |= ~Q(status=Status.DRAFT)
    return get_object_or_404(_scoped(user).filter(wanted), pk=pk)
