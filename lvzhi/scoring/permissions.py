"""Who may see which score (DESIGN §6.6): a member sees their own; staff and leaders holding
scoring.view_scores see every member of their committee; nobody sees another committee's (404)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from lvzhi.members.models import Member

from .models import MANAGE_RULES, VIEW_SCORES


def may_view_scores(user) -> bool:
    return user.is_authenticated and user.committee_id is not None and user.has_perm(VIEW_SCORES)


def require_view_scores(user) -> None:
    if not may_view_scores(user):
        raise PermissionDenied(VIEW_SCORES)


def require_manage_rules(user) -> None:
    if not (user.is_authenticated and user.committee_id is not None and user.has_perm(MANAGE_RULES)):
        raise PermissionDenied(MANAGE_RULES)


def own_member(user) -> Member:
    """The signed-in user's member file (404 for an account linked to none)."""
    member = getattr(user, "member", None)
    if member is None:
        raise Http404(_("Your account is not linked to a member file."))
    return member


def get_member_score_for_user(user, member_pk) -> Member:
    """The member whose score the user asks for: themself, or any member of their committee for a holder
    of scoring.view_scores (403 for other members of the committee, 404 for another committee's)."""
    if not user.is_authenticated or user.committee_id is None:
        raise Http404
    member = get_object_or_404(
        Member.objects.filter(committee_id=user.committee_id).select_related("committee", "user"),
        pk=member_pk,
    )
    if member.user_id == user.pk or user.has_perm(VIEW_SCORES):
        return member
    raise PermissionDenied(VIEW_SCORES)
