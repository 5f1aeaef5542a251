"""What the public site shows on the office's start page (drawn by lvzhi.home; registered in PortalConfig)."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from .models import MemberSuggestion, PortalSettings, PublicMessage
from .permissions import MODERATE, REVIEW_SUGGESTIONS


def waiting(user):
    """For whoever moderates messages or reviews members' suggestions: the messages awaiting moderation,
    the overdue ones (still owed an answer past the committee's days) and those held for flagged words,
    and the suggestions awaiting review; None for everybody else. At most three queries."""
    if not user.is_authenticated or user.committee_id is None:
        return None
    moderates = user.has_perm(MODERATE)
    reviews = user.has_perm(REVIEW_SUGGESTIONS)
    if not (moderates or reviews):
        return None
    card = {"moderates": moderates, "reviews": reviews}
    if moderates:
        days = (
            PortalSettings.objects.filter(committee_id=user.committee_id)
            .values_list("overdue_days", flat=True)
            .first()
        ) or PortalSettings._meta.get_field("overdue_days").default
        cutoff = timezone.now() - datetime.timedelta(days=days)
        Status = PublicMessage.Status
        card.update(
            PublicMessage.objects.filter(committee_id=user.committee_id).aggregate(
                received=Count("pk", filter=Q(status=Status.RECEIVED)),
                overdue=Count("pk", filter=Q(status__in=PublicMessage.OPEN, submitted_at__lt=cutoff)),
                held=Count("pk", filter=Q(status=Status.RECEIVED) & ~Q(sensitive_hits="")),
            )
        )
    if reviews:
        card["suggestions"] = MemberSuggestion.objects.filter(
            committee_id=user.committee_id, status=MemberSuggestion.Status.SUBMITTED
        ).count()
    return card
