"""The start-page cards of the proposals app (apps.py names them): each returns the card's context for
the user, or None when the card is not theirs."""


def staff_queue(user):
    """Proposal staff: what waits for review, assignment and return decisions; overdue cases (one query)."""
    if not user.is_authenticated or user.committee_id is None or not user.has_perm("proposals.review_proposal"):
        return None
    from . import selectors

    return selectors.work_counts(user.committee_id, tabs=("review", "assign", "returns", "overdue"))


def unit_queue(user):
    """A handling unit: assignments to sign for, replies due soon and overdue."""
    return None


def mine(user):
    """A proposer: invitations to co-sign, replies to evaluate."""
    return None
