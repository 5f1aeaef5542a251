"""What a member's suggestion (委员建言) implies for the duty ledger (DESIGN §6.5): while it is published
in the public column it is one duty record of its member, kind portal.suggestion, dated the day it went
on the site. Returned, taken off the site or not yet reviewed, it implies nothing. Every service that
changes a suggestion's status ends with `sync_suggestion_ledger`, so taking it off the site removes the
record and publishing it again brings it back, without special code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from lvzhi.ledger.services import Fact, SyncResult, sync_records

from .models import MemberSuggestion

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

KIND = "portal.suggestion"


def facts_for(suggestion: MemberSuggestion) -> list[Fact]:
    """The complete set of facts of one suggestion now."""
    if suggestion.status != MemberSuggestion.Status.PUBLISHED or suggestion.published_at is None:
        return []
    return [Fact(suggestion.member, KIND, timezone.localdate(suggestion.published_at))]


def sync_suggestion_ledger(suggestion: MemberSuggestion, *, actor: User | None) -> SyncResult:
    return sync_records(
        source=suggestion, committee=suggestion.committee, facts=facts_for(suggestion), actor=actor
    )
