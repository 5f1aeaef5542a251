"""What the studies app shows on the start page (StudiesConfig.home_cards, drawn by lvzhi.home)."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from lvzhi.ledger.models import DutyRecord

from .models import StudySubmission, TrainingPlan, TrainingSession

LIST_LIMIT = 5


def my_notes_due(user):
    """What the member still owes: notes of this year's training sessions they attended and have not
    written about, and notes returned to them for another go. Nothing when nothing is due; two queries.

    "Attended" is read from the duty ledger (a feature app does not read another's models): closing the
    session's activity recorded the member there as taking part (activity.*) or present, late or leaving
    early (attendance.*)."""
    member = getattr(user, "member", None)
    if member is None:
        return None
    year = timezone.localdate().year
    attended = DutyRecord.objects.filter(
        member=member,
        source_type__app_label="activities",
        source_type__model="activity",
        source_id=OuterRef("activity_id"),
    ).filter(
        Q(kind__startswith="activity.")
        | Q(kind__endswith=".present")
        | Q(kind__endswith=".late")
        | Q(kind__endswith=".left_early")
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
