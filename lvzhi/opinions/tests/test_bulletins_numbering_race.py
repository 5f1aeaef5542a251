"""Two editors create a bulletin of the same year at the same moment (PostgreSQL): the counter row is
locked, so the second waits for the first to commit and takes the next number — 1 and 2, no gap, no
duplicate. Also when the year's counter does not exist yet (both try to make it)."""

import threading

import pytest
from django.db import connection, connections, transaction

from lvzhi.core.testing import someone_waits_for_a_lock
from lvzhi.opinions.models import Bulletin, SerialCounter
from lvzhi.opinions.services import bulletins as services

from .pipeline_fixtures import *  # noqa: F403

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite runs one writer at a time (every transaction IMMEDIATE): no race to lose",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("counter_exists", [False, True])
def test_two_concurrent_creations_get_numbers_one_and_two(editor, editor2, committee, counter_exists):
    if counter_exists:
        SerialCounter.objects.create(committee=committee, year=2026, series="bulletin", last=0)
    created, release = threading.Event(), threading.Event()
    numbers, errors = {}, []

    def first():
        try:
            with transaction.atomic():
                numbers["first"] = services.create_bulletin(actor=editor, year=2026).number
                created.set()
                release.wait(30)  # holds the counter until the second has started waiting
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            created.set()
        finally:
            connections.close_all()

    def second():
        try:
            created.wait(30)
            numbers["second"] = services.create_bulletin(actor=editor2, year=2026).number
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        assert created.wait(30)
        assert someone_waits_for_a_lock(), "the second creation should wait for the counter"
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    assert numbers == {"first": 1, "second": 2}
    assert sorted(Bulletin.objects.filter(committee=committee).values_list("number", flat=True)) == [1, 2]
    assert SerialCounter.objects.get(committee=committee, year=2026, series="bulletin").last == 2


def test_two_bulletins_taking_the_same_report_at_once(editor, editor2, make_report):
    """Both pages listed the report as free; the first to add it holds its row, the second waits and is
    refused once the first commits: the report is in one bulletin."""
    from lvzhi.opinions.models import OpinionReport

    report = make_report(OpinionReport.Status.SIGNED)
    one = services.create_bulletin(actor=editor, year=2026)
    two = services.create_bulletin(actor=editor2, year=2026)
    added, release = threading.Event(), threading.Event()
    outcome, errors = {}, []

    def first():
        try:
            with transaction.atomic():
                services.add_reports(
                    bulletin=one, actor=editor, expected_version=one.version, reports=[report]
                )
                added.set()
                release.wait(30)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            added.set()
        finally:
            connections.close_all()

    def second():
        try:
            added.wait(30)
            services.add_reports(bulletin=two, actor=editor2, expected_version=two.version, reports=[report])
            outcome["second"] = "added"
        except services.BulletinError as error:
            outcome["second"] = error.code
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        assert added.wait(30)
        assert someone_waits_for_a_lock(), "the second should wait for the report's row"
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    assert outcome == {"second": "in_another_bulletin"}
    report.refresh_from_db()
    assert report.bulletin_id == one.pk
