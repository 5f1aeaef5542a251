import datetime

from django.utils import timezone

from lvzhi.activities.models import Activity
from lvzhi.ledger.models import DutyRecord
from lvzhi.studies.demo import seed_studies
from lvzhi.studies.models import StudySubmission, TrainingPlan


def test_seed_studies(committee, office, make_member, make_activity):
    year = timezone.localdate().year
    training = make_activity(
        kind=Activity.Kind.TRAINING,
        status=Activity.Status.CLOSED,
        starts_at=timezone.make_aware(datetime.datetime(year, 1, 5, 9)),
        ends_at=timezone.make_aware(datetime.datetime(year, 1, 5, 11)),
    )
    members = [make_member(login=i < 3) for i in range(12)]
    plan = seed_studies(committee=committee, year=year, office_user=office, members=members)
    assert plan.status == TrainingPlan.Status.PUBLISHED
    sessions = list(plan.sessions.all())
    assert len(sessions) == 8
    assert sessions[0].activity == training
    submissions = StudySubmission.objects.filter(committee=committee)
    assert submissions.count() == 40
    acknowledged = submissions.filter(status=StudySubmission.Status.ACKNOWLEDGED).count()
    assert acknowledged > 20
    assert DutyRecord.objects.filter(kind__startswith="study.").count() == acknowledged
    assert all(s.submitted_at <= timezone.now() for s in submissions)
    # idempotent: a second run changes nothing
    assert seed_studies(committee=committee, year=year, office_user=office, members=members) == plan
    assert StudySubmission.objects.count() == 40
