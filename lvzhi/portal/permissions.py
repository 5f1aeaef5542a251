"""Permission-checked fetches of the office's side of the public site (DESIGN §6.6): a view never looks a
message or a reply template up by an id from the request except through one of these. They answer 403
to an account without the right and 404 for anything outside the user's committee (an id one may not
see is as good as absent). Members' suggestions have their own helpers (permissions_suggestions.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from lvzhi.core.forms import MAX_ID

from .models import PublicMessage, ReplyTemplate

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

MODERATE = "portal.moderate_publicmessage"
CHANGE_SETTINGS = "portal.change_portalsettings"
REVIEW_SUGGESTIONS = "portal.review_membersuggestion"


def may_moderate(user) -> bool:
    return bool(user.is_authenticated and user.committee_id is not None and user.has_perm(MODERATE))


def require_moderator(user) -> None:
    if not may_moderate(user):
        raise PermissionDenied(MODERATE)


def _pk(pk: int | str) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < value <= MAX_ID:  # beyond any database id (SQLite cannot even bind it)
        raise Http404
    return value


def get_message_for_user(user: User, pk: int | str) -> PublicMessage:
    """The public message `pk` of the moderator's committee (with the report it became); 403 for an
    account that does not moderate, 404 for another committee's or no message."""
    require_moderator(user)
    messages = PublicMessage.objects.visible_to(user).select_related("report", "replied_by")
    try:
        return messages.get(pk=_pk(pk))
    except PublicMessage.DoesNotExist:
        raise Http404 from None


def get_reply_template_for_user(user: User, pk: int | str) -> ReplyTemplate:
    """A reply template of the moderator's committee; 403 / 404 as for a message."""
    require_moderator(user)
    try:
        return ReplyTemplate.objects.visible_to(user).get(pk=_pk(pk))
    except ReplyTemplate.DoesNotExist:
        raise Http404 from None
