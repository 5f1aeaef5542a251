"""Two clicks on 'make a proposal draft' of one suggestion at the same moment (PostgreSQL): the
suggestion row is locked, so the second waits for the first and finds its draft — one draft, not two."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from lvzhi.activities.models import Activity
from lvzhi.core.testing import someone_waits_for_a_lock
from lvzhi.opinions.models import Suggestion
from lvzhi.proposals.models import Proposal
from lvzhi.proposals.services import filing

from .fixtures import *  # noqa: F403

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite runs one writer at a time (every transaction IMMEDIATE): no race to lose",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_concurrent_drafts_from_one_suggestion_make_one(committee, proposer, office, session):
    activity = Activity.objects.create(
        committee=committee,
        title="城区交通视察",
        kind=Activity.Kind.INSPECTION,
        status=Activity.Status.CLOSED,
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=3, hours=-3),
    )
    suggestion = Suggestion.objects.create(
        committee=committee, activity=activity, member=proposer, findings="路口拥堵。", text="增设信号灯。"
    )
    made, release = threading.Event(), threading.Event()
    results, errors = [], []

    def first():
        try:
            with transaction.atomic():
                results.append(filing.draft_from_suggestion(actor=proposer.user, suggestion=suggestion))
                made.set()
                release.wait(30)  # holds the suggestion until the second call waits for it
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            made.set()
        finally:
            connections.close_all()

    def second():
        try:
            made.wait(30)
            results.append(filing.draft_from_suggestion(actor=office, suggestion=suggestion))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        assert someone_waits_for_a_lock(), "the second call did not wait for the suggestion"
    finally:
        release.set()
        for thread in threads:
            thread.join(30)
    assert not errors, errors
    assert Proposal.objects.count() == 1
    assert results[0].pk == results[1].pk
