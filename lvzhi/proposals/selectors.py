"""Reads of the proposals app that more than one view needs. Other parts append their selectors here."""

from __future__ import annotations

from dataclasses import dataclass

from .models import (
    DEFAULT_BODY_LIMIT,
    DEFAULT_COSIGN_DAYS,
    DEFAULT_HANDLING_MONTHS,
    DEFAULT_REMIND_DAYS,
    DEFAULT_RETURN_DAYS,
    ProposalPolicy,
    SessionPolicy,
)


@dataclass(frozen=True)
class Policy:
    body_limit: int = DEFAULT_BODY_LIMIT
    cosign_days: int = DEFAULT_COSIGN_DAYS
    return_days: int = DEFAULT_RETURN_DAYS
    remind_days: int = DEFAULT_REMIND_DAYS


def policy_for(committee_id: int) -> Policy:
    """The committee's proposal settings, or the defaults when it never saved any."""
    row = ProposalPolicy.objects.filter(committee_id=committee_id).first()
    if row is None:
        return Policy()
    return Policy(
        body_limit=row.body_limit,
        cosign_days=row.cosign_days,
        return_days=row.return_days,
        remind_days=row.remind_days,
    )


def handling_months(session_id: int) -> int:
    """Months a unit has to reply after the assignment, set per session (3 by default)."""
    months = (
        SessionPolicy.objects.filter(session_id=session_id).values_list("handling_months", flat=True).first()
    )
    return months or DEFAULT_HANDLING_MONTHS
