"""The start-page cards of the proposals app (apps.py names them): each returns the card's context for
the user, or None when the card is not theirs."""


def staff_queue(user):
    """Proposal staff: what waits for review, assignment, return decisions and closing; overdue cases."""
    return None


def unit_queue(user):
    """A handling unit: assignments to sign for, replies due soon and overdue."""
    return None


def mine(user):
    """A proposer: invitations to co-sign, replies to evaluate."""
    return None
