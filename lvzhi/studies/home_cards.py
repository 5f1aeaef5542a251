"""What the studies app shows on the start page (StudiesConfig.home_cards, drawn by lvzhi.home)."""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from lvzhi.activities.models import Participation

from .models import StudySubmission, TrainingPlan, TrainingSession

LIST_LIMIT = 5


def my_notes_due(user):
    """What the member still owes: notes of this year's training sessions they attended and have not
    written about, and notes returned to them for another go. Nothing when nothing is due; two queries."""
    member = getattr(user, "member", None)
    if member is None:
        return None
    year = timezone.localdate().year
    attended = Participation.objects.filter(
        activity=OuterRef("activity_id"), member=member, status__in=Participation.ATTENDED
    )
    written = StudySubmission.objects.filter(member=member, session=OuterRef("pk"))
    sessions = list(
        TrainingSession.objects.filter(
            plan__committee_id=member.committee_id,
            plan__year=year,
            plan__status=TrainingPlan.Status.PUBLISHED,
            activity__isnull=False,
        )
        .filter(Exists(attended))
        .exclude(Exists(written))
        .order_by("planned_on", "pk")[:LIST_LIMIT]
    )
    returned = list(
        StudySubmission.objects.filter(member=member, status=StudySubmission.Status.RETURNED).order_by(
            "-reviewed_at", "pk"
        )[:LIST_LIMIT]
    )
    if not sessions and not returned:
        return None
    return {"sessions": sessions, "returned": returned}


def to_acknowledge(user):
    """For staff: the notes and essays of the members they may see that wait for acknowledgement."""
    if not user.has_perm("studies.acknowledge_studysubmission"):
        return None
    waiting = StudySubmission.objects.visible_to(user).filter(status=StudySubmission.Status.SUBMITTED)
    return {"count": waiting.count()}
