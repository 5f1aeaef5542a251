"""Two editors register two reports at the same moment (PostgreSQL): the counter row is locked, so the
second waits for the first and the numbers are 1 and 2 — no gap, no duplicate."""

import threading

import pytest
from django.db import connection, connections, transaction

from lvzhi.core.testing import someone_waits_for_a_lock
from lvzhi.opinions.models import Category, OpinionReport
from lvzhi.opinions.services import reports

from .pipeline_fixtures import *  # noqa: F403

Status = OpinionReport.Status

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite runs one writer at a time (every transaction IMMEDIATE): no race to lose",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("counter_exists", [False, True])
def test_two_concurrent_registrations_get_consecutive_numbers(
    make_report, editor, editor2, committee, counter_exists
):
    category = Category.objects.filter(committee=committee).first()
    if counter_exists:
        # This year's counter already stands at 4.
        from django.utils import timezone

        from lvzhi.opinions.models import SerialCounter

        SerialCounter.objects.create(
            committee=committee, year=timezone.localdate().year, series="report", last=4
        )
    first, second = make_report(Status.SUBMITTED), make_report(Status.SUBMITTED)
    registered, release = threading.Event(), threading.Event()
    errors = []

    def register_first():
        try:
            with transaction.atomic():
                reports.register(OpinionReport.objects.get(pk=first.pk), actor=editor, category=category)
                registered.set()
                release.wait(30)  # holds the counter until the second registration waits for it
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            registered.set()
        finally:
            connections.close_all()

    def register_second():
        try:
            registered.wait(30)
            reports.register(OpinionReport.objects.get(pk=second.pk), actor=editor2, category=category)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register_first), threading.Thread(target=register_second)]
    for thread in threads:
        thread.start()
    try:
        assert someone_waits_for_a_lock(), "the second registration did not wait for the counter"
    finally:
        release.set()
        for thread in threads:
            thread.join(30)
    assert not errors, errors
    base = 4 if counter_exists else 0
    serials = sorted(
        OpinionReport.objects.filter(pk__in=[first.pk, second.pk]).values_list("serial", flat=True)
    )
    assert serials == [base + 1, base + 2]
