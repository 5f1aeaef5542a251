"""What duty assessment shows on the start page (drawn by lvzhi.home; registered in ScoringConfig)."""

from django.utils import timezone

from .models import DutyClaim, MemberScore, RuleSet


def member_score(user):
    """The member's own total and grade this year, when the year has a computed score (one query)."""
    member = getattr(user, "member", None)
    if member is None:
        return None
    year = timezone.localdate().year
    score = (
        MemberScore.objects.filter(member=member, year=year, rule_set__status=RuleSet.Status.ACTIVE)
        .only("total", "grade", "passed", "unmet", "computed_at")
        .first()
    )
    return {"year": year, "score": score}


def claims_waiting(user):
    """The office (approve_dutyclaim): how many duty claims await approval (one query); None for others."""
    if (
        not user.is_authenticated
        or user.committee_id is None
        or not user.has_perm("scoring.approve_dutyclaim")
    ):
        return None
    return {
        "waiting": DutyClaim.objects.filter(
            committee_id=user.committee_id, status=DutyClaim.Status.SUBMITTED
        ).count()
    }
