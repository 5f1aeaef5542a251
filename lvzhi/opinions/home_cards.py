"""What the pipeline shows on the start page (OpinionsConfig.home_cards): the queue counts of editors,
leaders and office staff, what a staff member was asked to verify, and the author's reports returned
for revision. Each card costs a fixed number of queries."""

from . import permissions, selectors

LIST_LIMIT = 5


def pipeline_queue(user):
    """Editors and office: every queue's count and overdue; leaders: awaiting sign-off."""
    if not user.is_authenticated or user.committee_id is None or not user.has_perm(permissions.VIEW_ALL):
        return None
    counts = selectors.editor_queue_counts(user)
    is_editor = user.has_perm(permissions.PROCESS)
    if user.has_perm(permissions.SIGN) and not is_editor:
        to_sign = selectors.to_sign(user)
        return {"leader": True, "count": to_sign.count(), "rows": list(to_sign[:LIST_LIMIT])}
    return {
        "leader": False,
        "queues": [
            {"key": key, "count": counts[key]["count"], "overdue": counts[key]["overdue"]}
            for key, _statuses in selectors.EDITOR_QUEUES
        ],
        "total_overdue": sum(c["overdue"] for c in counts.values()),
    }


def to_verify(user):
    if not user.is_authenticated or user.committee_id is None:
        return None
    rows = list(selectors.to_verify(user)[: LIST_LIMIT + 1])
    return {"rows": rows[:LIST_LIMIT], "more": len(rows) > LIST_LIMIT} if rows else None


def my_returned(user):
    if not user.is_authenticated or user.committee_id is None:
        return None
    rows = list(selectors.returned_to_me(user)[: LIST_LIMIT + 1])
    return {"rows": rows[:LIST_LIMIT], "more": len(rows) > LIST_LIMIT} if rows else None
