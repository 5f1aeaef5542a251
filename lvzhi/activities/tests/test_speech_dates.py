"""A speech counts in the ledger on the activity's local day: moving the activity moves the speech's row."""

import datetime

from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation, Speech
from lvzhi.ledger.models import DutyRecord

from .conftest import TZ


def test_moving_a_published_activity_moves_its_speech_records(
    make_activity, make_member, invite_member, office
):
    activity = make_activity(status=Activity.Status.PUBLISHED)
    member = make_member()
    invite_member(activity, member, status=Participation.Status.CONFIRMED)
    services.record_speech(
        activity=activity, member=member, kind=Speech.Kind.WRITTEN, title="书面发言", actor=office
    )
    assert list(DutyRecord.objects.values_list("date", flat=True)) == [datetime.date(2026, 6, 10)]

    starts = datetime.datetime(2026, 6, 17, 9, 0, tzinfo=TZ)
    services.update_activity(
        activity=activity,
        actor=office,
        expected_version=activity.version,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
    )
    assert list(DutyRecord.objects.values_list("member_id", "kind", "date")) == [
        (member.pk, "speech.written", datetime.date(2026, 6, 17))
    ]
