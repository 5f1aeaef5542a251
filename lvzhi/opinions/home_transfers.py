"""The handling unit's start-page card (OpinionsConfig.home_cards): the reports transferred to its
department that wait to be signed for or answered. Three queries, whatever the number of transfers."""

from django.db.models import Count, Q

from .models import Transfer

LIST_LIMIT = 6
WAITING = (Transfer.Status.SENT, Transfer.Status.SIGNED)


def is_handling_unit(user):
    return bool(getattr(user, "department_id", None)) and user.committee_id is not None


def transfers_waiting(user):
    if not is_handling_unit(user):
        return None
    waiting = Transfer.objects.visible_to(user).filter(status__in=WAITING)
    counts = waiting.aggregate(
        to_sign=Count("pk", filter=Q(status=Transfer.Status.SENT)),
        to_reply=Count("pk", filter=Q(status=Transfer.Status.SIGNED)),
    )
    rows = list(
        waiting.select_related("report", "inspection_report").order_by("transferred_on", "pk")[:LIST_LIMIT]
    )
    return {**counts, "rows": rows}
