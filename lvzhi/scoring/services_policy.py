"""The committee's assessment settings (ScoringPolicy): who sees what of the scores."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction

from lvzhi.core import audit

from .models import MANAGE_RULES, ScoringPolicy

if TYPE_CHECKING:
    from django.http import HttpRequest

    from lvzhi.accounts.models import User

POLICY_FIELDS = ("rankings_enabled",)


def policy_for(committee_id: int) -> ScoringPolicy:
    """The committee's settings; the defaults (rankings shown) until someone saves them."""
    policy = ScoringPolicy.objects.filter(committee_id=committee_id).first()
    return policy or ScoringPolicy(committee_id=committee_id)


def set_policy(*, actor: User, rankings_enabled: bool, request: HttpRequest | None = None) -> ScoringPolicy:
    """Save the actor's committee's assessment settings, audited (scoring.policy_changed) with the values
    before and after; saving the same values again writes nothing."""
    if actor.committee_id is None or not actor.has_perm(MANAGE_RULES):
        raise PermissionDenied(MANAGE_RULES)
    values = {"rankings_enabled": bool(rankings_enabled)}
    with transaction.atomic():
        policy, _created = ScoringPolicy.objects.select_for_update().get_or_create(
            committee_id=actor.committee_id
        )
        before = {name: getattr(policy, name) for name in POLICY_FIELDS}
        if before == values:
            return policy
        for name, value in values.items():
            setattr(policy, name, value)
        policy.save(update_fields=list(values))
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            request=request,
            committee=actor.committee_id,
            obj=policy,
            event="scoring.policy_changed",
            detail={"before": before, "after": values},
        )
    return policy
