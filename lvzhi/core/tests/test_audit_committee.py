"""An audit event's committee is a plain id (core sits below the organization app): recorded from a
committee or its id, filtered on the auditor's page, and hashed as it always was."""

import datetime

import pytest

from lvzhi.core import audit
from lvzhi.core.models import AuditEvent

pytestmark = pytest.mark.django_db

# The hash of the event below, computed before the committee became a plain id (with the test settings'
# audit key): rows written then must still verify.
HASH_BEFORE = "e4672d8ba0292d3d4d46c8e94ed3f7122d7b7be349f118f24c6d7834e135aa47"


def test_the_hash_of_an_event_is_the_one_it_always_had():
    event = AuditEvent(
        at=datetime.datetime(2026, 3, 1, 8, 30, tzinfo=datetime.UTC),
        committee_id=7,
        actor_id=12,
        username="wang",
        ip_address="127.0.0.1",
        user_agent="Mozilla/5.0",
        action=AuditEvent.Action.LOGIN,
        object_type="members.Member",
        object_id="42",
        summary="signed in",
        detail={"via": "password", "n": 1},
        result=AuditEvent.Result.SUCCESS,
        prev_hash="0" * 64,
    )
    assert event.compute_hash() == HASH_BEFORE


def test_it_records_a_committee_given_as_an_object(committee):
    event = audit.record(audit.Action.LOGIN, username="wang", committee=committee)
    assert AuditEvent.objects.get(pk=event.pk).committee_id == committee.pk


def test_it_records_a_committee_given_as_an_id(committee):
    event = audit.record(audit.Action.LOGIN, username="wang", committee=committee.pk)
    assert AuditEvent.objects.get(pk=event.pk).committee_id == committee.pk


def test_it_takes_the_actors_committee_when_none_is_given(make_user, committee):
    event = audit.record(audit.Action.LOGIN, actor=make_user())
    assert AuditEvent.objects.get(pk=event.pk).committee_id == committee.pk


def test_an_event_without_committee_keeps_none(db):
    event = audit.record(audit.Action.LOGIN_FAILED, username="nobody", result=audit.Result.FAILURE)
    assert AuditEvent.objects.get(pk=event.pk).committee_id is None
