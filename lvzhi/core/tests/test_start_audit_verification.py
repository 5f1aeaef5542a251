"""core.tasks.start_audit_verification, the one writer behind the auditor's "verify now" button."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent, AuditVerification
from lvzhi.core.tasks import VERIFICATION_STALE_AFTER, start_audit_verification

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(make_user):
    return make_user(Role.AUDITOR, username="auditor")


def test_it_records_audits_and_enqueues_the_verification(auditor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        verification = start_audit_verification(actor=auditor)

    assert verification == AuditVerification.objects.get()
    assert (verification.started_by, verification.status) == ("auditor", AuditVerification.Status.RUNNING)
    started = AuditEvent.objects.get(action=AuditEvent.Action.VERIFY)
    assert (started.username, started.event, started.object_id) == (
        "auditor",
        "core.verification_started",
        str(verification.pk),
    )
    assert len(callbacks) == 1  # the walk itself is the worker's, once the start is committed


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.SECADMIN, Role.MEMBER])
def test_it_refuses_anyone_but_the_auditor(make_user, role):
    with pytest.raises(PermissionDenied):
        start_audit_verification(actor=make_user(role))

    assert not AuditVerification.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VERIFY).exists()


def test_it_starts_nothing_while_one_runs(auditor):
    AuditVerification.objects.create(started_by="someone")

    assert start_audit_verification(actor=auditor) is None

    assert AuditVerification.objects.count() == 1
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VERIFY).exists()


def test_one_that_died_with_its_worker_does_not_block(auditor):
    long_ago = timezone.now() - VERIFICATION_STALE_AFTER - datetime.timedelta(minutes=1)
    AuditVerification.objects.create(started_by="someone", started_at=long_ago)

    assert start_audit_verification(actor=auditor) is not None

    assert AuditVerification.objects.count() == 2
