"""manage.py purge_expired removes what is kept only for a while, and never the audit log."""

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from lvzhi.core import audit, retention
from lvzhi.core.models import AuditEvent, SubmissionToken


def test_used_form_tokens_go_after_a_week(office):
    now = timezone.now()
    old = SubmissionToken.objects.create(token="old", user=office, used_at=now - timedelta(days=8))
    recent = SubmissionToken.objects.create(token="recent", user=office, used_at=now - timedelta(days=6))

    assert retention.purge_submission_tokens(now) == 1
    assert list(SubmissionToken.objects.all()) == [recent]
    assert not SubmissionToken.objects.filter(pk=old.pk).exists()


def test_expired_sessions_go(db):
    live = SessionStore()
    live.create()
    dead = SessionStore()
    dead.create()
    Session.objects.filter(session_key=dead.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    assert retention.purge_sessions(timezone.now()) == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_every_app_registers_its_purge():
    assert {
        "submission_tokens",
        "sessions",
        "roster_uploads",
        "duty_import_uploads",
        "sign_in_records",
    } <= set(retention._purgers)


def test_the_command_reports_and_audits_but_keeps_the_audit_log(office, capsys):
    SubmissionToken.objects.create(token="old", user=office, used_at=timezone.now() - timedelta(days=30))
    audit.record(audit.Action.LOGIN, actor=office)

    call_command("purge_expired")

    out = capsys.readouterr().out
    assert "submission_tokens: 1" in out
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).count() == 1
    row = AuditEvent.objects.get(action=AuditEvent.Action.DELETE, event="core.expired_data_purged")
    assert row.detail["submission_tokens"] == 1


def test_the_purge_audits_itself_whoever_runs_it(office):
    SubmissionToken.objects.create(token="old", user=office, used_at=timezone.now() - timedelta(days=30))

    removed = retention.purge_all()

    row = AuditEvent.objects.get(action=AuditEvent.Action.DELETE, event="core.expired_data_purged")
    assert row.detail == removed
    assert removed["submission_tokens"] == 1
