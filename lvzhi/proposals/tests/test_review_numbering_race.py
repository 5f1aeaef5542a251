"""Two staff accept two proposals of one session at the same moment (PostgreSQL): the session's counter
row is locked, so the second waits for the first and the numbers are consecutive — no gap, no duplicate,
whether the counter row already exists or the two race to create it."""

import threading

import pytest
from django.db import connection, connections, transaction

from lvzhi.core.testing import someone_waits_for_a_lock
from lvzhi.proposals.models import Proposal, ProposalCategory, SerialCounter
from lvzhi.proposals.services import review

from .fixtures import *  # noqa: F403

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite runs one writer at a time (every transaction IMMEDIATE): no race to lose",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("counter_exists", [False, True])
def test_two_concurrent_acceptances_get_consecutive_numbers(
    make_proposal, office, office2, committee, session, counter_exists
):
    category = ProposalCategory.objects.filter(committee=committee).first()
    if counter_exists:
        SerialCounter.objects.create(session=session, last=4)
    first, second = make_proposal(), make_proposal()
    accepted, release = threading.Event(), threading.Event()
    errors = []

    def accept_first():
        try:
            with transaction.atomic():
                review.accept(Proposal.objects.get(pk=first.pk), actor=office, category=category)
                accepted.set()
                release.wait(30)  # holds the counter until the second acceptance waits for it
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            accepted.set()
        finally:
            connections.close_all()

    def accept_second():
        try:
            accepted.wait(30)
            review.accept(Proposal.objects.get(pk=second.pk), actor=office2, category=category)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept_first), threading.Thread(target=accept_second)]
    for thread in threads:
        thread.start()
    try:
        assert someone_waits_for_a_lock(), "the second acceptance did not wait for the counter"
    finally:
        release.set()
        for thread in threads:
            thread.join(30)
    assert not errors, errors
    base = 4 if counter_exists else 0
    serials = sorted(Proposal.objects.filter(pk__in=[first.pk, second.pk]).values_list("serial", flat=True))
    assert serials == [base + 1, base + 2]
    assert SerialCounter.objects.get(session=session).last == base + 2
