"""A check-in racing the close (issue 10 review): closing locks the activity, then marks absent whoever
has not come and writes the ledger. A check-in that read the activity as still running before the close
committed must not then turn those absences into presences on a closed activity: every check-in locks
the activity first (the order closing takes), waits for the close, and is refused."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation
from lvzhi.core.testing import someone_waits_for_a_lock
from lvzhi.ledger.models import DutyRecord

P = Participation.Status
MIN = datetime.timedelta(minutes=1)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite runs one writer at a time (every transaction IMMEDIATE): no race to lose",
    ),
    # serialized_rollback like the browser journeys: a plain flush would recreate the content types
    # under new ids, and a later journey on this worker could not restore its serialized data.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("how", ["by_hand_together", "by_the_member"])
def test_a_check_in_racing_the_close_is_refused(how, office, make_activity, make_member, invite_member):
    now = timezone.now()
    activity = make_activity(
        kind=Activity.Kind.STANDING,
        starts_at=now - 5 * MIN,
        ends_at=now + 60 * MIN,
        status=Activity.Status.IN_PROGRESS,
    )
    members = [make_member(login=True) for _ in range(3)]
    invitations = [invite_member(activity, member, status=P.CONFIRMED) for member in members]
    stale = Activity.objects.get(pk=activity.pk)  # the check-in's page loaded it while it was running

    closed, release = threading.Event(), threading.Event()
    outcome, errors = {}, []

    def close():
        try:
            from django.db import transaction

            with transaction.atomic():
                services.close_activity(activity=Activity.objects.get(pk=activity.pk), actor=office)
                closed.set()
                release.wait(30)  # holds the close open until the check-in has started waiting
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            closed.set()
        finally:
            connections.close_all()

    def check_in():
        try:
            closed.wait(30)
            if how == "by_hand_together":
                services.check_in_many(
                    activity=stale, participation_ids=[p.pk for p in invitations], actor=office
                )
            else:
                services.check_in(activity=stale, member=members[0], actor=members[0].user)
            outcome["result"] = "checked in"
        except services.ActivityError as error:
            outcome["result"] = error.code
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close), threading.Thread(target=check_in)]
    for thread in threads:
        thread.start()
    try:
        assert closed.wait(30)
        assert someone_waits_for_a_lock(), "the check-in should wait for the close's locks"
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    assert outcome == {"result": "not_open"}
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CLOSED
    assert (
        sorted(Participation.objects.filter(activity=activity).values_list("status", flat=True))
        == [P.ABSENT] * 3
    )
    assert not Participation.objects.filter(activity=activity, checked_in_at__isnull=False).exists()
    # The ledger, written by the close, agrees with the attendance.
    assert DutyRecord.objects.filter(member__in=members).count() == 3
