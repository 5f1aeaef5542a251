"""The audit chain cannot be rewritten undetected: keyed links (HMAC under a key outside the database),
anchors outside the database against cutting the newest rows, `manage.py verify_audit`, and the
auditor's page that shows the last verification and starts a new one."""

import hashlib
import json
import os
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core import audit, audit_anchor, crypto
from lvzhi.core.models import AuditEvent, AuditHead, AuditVerification


def raw_sql(sql, params=()):
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def events(n, **kwargs):
    return [
        audit.record(audit.Action.LOGIN, username=f"user{i}", summary=f"event {i}", **kwargs)
        for i in range(n)
    ]


def anchors(settings):
    with open(settings.LVZHI_AUDIT_ANCHOR_FILE, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# --- keyed links -----------------------------------------------------------------------------------


def test_a_link_is_an_hmac_under_the_audit_key(db):
    row = audit.record(audit.Action.LOGIN, username="wang")

    plain = hashlib.sha256(row.compute_hash().encode()).hexdigest()
    assert row.hash == row.compute_hash()
    assert row.hash != plain
    assert len(row.hash) == 64


def test_a_forger_without_the_key_cannot_rechain(db):
    """Edit a row and recompute every following link as the old, unkeyed chain did: found at once."""
    rows = events(4)
    prev = rows[0].hash
    for row in rows[1:]:
        forged = AuditEvent.objects.get(pk=row.pk)
        forged.summary = "nothing happened" if row == rows[1] else forged.summary
        content = json.dumps(
            [prev, forged.at.isoformat(), forged.committee_id, forged.actor_id, forged.username,
             forged.ip_address, forged.user_agent, forged.action, forged.object_type, forged.object_id,
             forged.summary, forged.detail, forged.result],
            ensure_ascii=False, sort_keys=True, default=str,
        )  # fmt: skip
        new_hash = hashlib.sha256(content.encode()).hexdigest()
        raw_sql("UPDATE {table} SET summary = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [forged.summary, prev, new_hash, row.pk])  # fmt: skip
        prev = new_hash

    assert AuditEvent.verify_chain().pk == rows[1].pk


def test_the_chain_does_not_verify_under_another_key(db, settings):
    events(3)

    settings.LVZHI_AUDIT_KEY = "a2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5LWtleS0="
    crypto._audit_key.cache_clear()
    try:
        assert AuditEvent.verify_chain() is not None
    finally:
        crypto._audit_key.cache_clear()


def test_the_head_follows_the_chain(db):
    rows = events(3)

    head = AuditHead.objects.get()
    assert (head.last_id, head.last_hash, head.count) == (rows[-1].pk, rows[-1].hash, 3)


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database fails fast on table locks; SQLite itself runs one writer at a time",
)
# serialized_rollback like the browser journeys: a plain flush would recreate the content types under
# new ids, and a later journey on this worker could not restore its serialized data.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_keep_one_chain():
    """Two threads writing at once must never chain onto the same predecessor."""
    errors = []

    def write(name):
        try:
            for i in range(15):
                audit.record(audit.Action.LOGIN, username=f"{name}{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AuditEvent.objects.count() == 30
    assert AuditEvent.verify_chain() is None
    assert AuditHead.objects.get().count == 30


# --- anchors outside the database --------------------------------------------------------------------


def test_an_anchor_is_written_every_n_rows(db, settings, django_capture_on_commit_callbacks):
    settings.LVZHI_AUDIT_ANCHOR_EVERY = 5
    with django_capture_on_commit_callbacks(execute=True):
        rows = events(11)

    written = anchors(settings)
    assert [(a["last_id"], a["count"], a["head"]) for a in written] == [
        (rows[4].pk, 5, rows[4].hash),
        (rows[9].pk, 10, rows[9].hash),
    ]


def test_an_anchor_goes_to_the_log_too(db, settings, caplog, django_capture_on_commit_callbacks):
    settings.LVZHI_AUDIT_ANCHOR_EVERY = 2
    caplog.set_level("INFO", logger="lvzhi.audit.anchor")

    with django_capture_on_commit_callbacks(execute=True):
        rows = events(2)

    assert any(rows[1].hash in record.getMessage() for record in caplog.records)


def test_a_rolled_back_row_is_not_anchored(db, settings):
    from django.db import transaction

    settings.LVZHI_AUDIT_ANCHOR_EVERY = 1
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(audit.Action.LOGIN, username="gone")
        raise RuntimeError

    assert not os.path.exists(settings.LVZHI_AUDIT_ANCHOR_FILE)


def test_an_intact_log_verifies_and_is_anchored(db, settings):
    rows = events(5)

    verification = audit_anchor.verify(started_by="test")

    assert verification.status == AuditVerification.Status.INTACT
    assert verification.rows_checked == 5
    assert anchors(settings)[-1]["last_id"] == rows[-1].pk


def test_cutting_the_newest_rows_is_found(db, settings):
    """The chain that is left is intact; the anchor outside the database still counts the lost rows."""
    rows = events(6)
    audit_anchor.verify(started_by="nightly")
    raw_sql("DELETE FROM {table} WHERE id >= %s", [rows[4].pk])
    AuditHead.objects.filter(pk=1).update(last_id=rows[3].pk, last_hash=rows[3].hash, count=4)

    verification = audit_anchor.verify(started_by="test")

    assert AuditEvent.verify_chain() is None  # the cut chain alone looks fine
    assert verification.status == AuditVerification.Status.BROKEN
    assert verification.problem == audit_anchor.TRUNCATED
    assert verification.first_bad_id == rows[3].pk + 1


def test_a_rechained_log_disagrees_with_its_anchor(db, settings):
    """Someone with the key rewrites row 2 and every link after it: the anchored head no longer matches."""
    rows = events(4)
    audit_anchor.verify(started_by="nightly")
    prev = rows[1].prev_hash
    for row in rows[1:]:
        fresh = AuditEvent.objects.get(pk=row.pk)
        if row == rows[1]:
            fresh.summary = "rewritten"
        fresh.prev_hash = prev
        new_hash = fresh.compute_hash()
        raw_sql("UPDATE {table} SET summary = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [fresh.summary, prev, new_hash, row.pk])  # fmt: skip
        prev = new_hash

    verification = audit_anchor.verify(started_by="test")

    assert AuditEvent.verify_chain() is None
    assert verification.problem == audit_anchor.ANCHOR_MISMATCH
    assert verification.first_bad_id == rows[-1].pk


def test_a_forged_anchor_is_found(db, settings):
    events(3)
    audit_anchor.verify(started_by="nightly")
    written = anchors(settings)[-1]
    written["count"] = 2
    with open(settings.LVZHI_AUDIT_ANCHOR_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(written) + "\n")

    assert audit_anchor.verify(started_by="test").problem == audit_anchor.ANCHOR_FORGED


def test_an_edited_row_is_named(db):
    rows = events(5)
    raw_sql("UPDATE {table} SET summary = %s WHERE id = %s", ["nothing happened", rows[2].pk])

    verification = audit_anchor.verify(started_by="test")

    assert (verification.problem, verification.first_bad_id) == (audit_anchor.ALTERED, rows[2].pk)


# --- manage.py verify_audit ------------------------------------------------------------------------


def test_the_command_reports_an_intact_log(db, capsys):
    events(3)

    call_command("verify_audit")

    assert "intact: 3 rows" in capsys.readouterr().out
    row = AuditEvent.objects.order_by("-id").first()
    assert (row.action, row.event, row.params) == (
        AuditEvent.Action.VERIFY,
        "core.verification_finished",
        {"status": "intact"},
    )


def test_the_command_names_the_first_bad_row_and_fails(db, capsys):
    rows = events(4)
    raw_sql("DELETE FROM {table} WHERE id = %s", [rows[1].pk])

    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit")

    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert f"row {rows[2].pk} does not follow the row before it" in err
    assert "user2" in err


# --- the auditor's page ----------------------------------------------------------------------------


@pytest.fixture
def auditor_client(client, make_user):
    client.force_login(make_user(Role.AUDITOR, username="auditor"))
    return client


def test_the_page_says_when_the_log_was_never_verified(auditor_client):
    html = auditor_client.get(reverse("core:audit_log")).content.decode()

    assert 'data-status="none"' in html


def test_the_page_shows_the_last_verification(auditor_client):
    rows = events(3)
    raw_sql("UPDATE {table} SET username = %s WHERE id = %s", ["someone", rows[1].pk])
    audit_anchor.verify(started_by="nightly")

    response = auditor_client.get(reverse("core:audit_log"))

    html = response.content.decode()
    assert 'data-status="broken"' in html
    assert str(rows[1].pk) in html


def test_the_auditor_starts_a_verification(auditor_client, django_capture_on_commit_callbacks):
    events(4)

    with django_capture_on_commit_callbacks(execute=True):
        response = auditor_client.post(reverse("core:audit_verify"))

    assert response.status_code == 302
    verification = AuditVerification.objects.get()
    assert verification.status == AuditVerification.Status.INTACT
    assert verification.started_by == "auditor"
    started = AuditEvent.objects.get(action=AuditEvent.Action.VERIFY)
    assert started.username == "auditor"
    html = auditor_client.get(reverse("core:audit_log")).content.decode()
    assert 'data-status="intact"' in html


def test_a_second_verification_does_not_start_while_one_runs(auditor_client):
    AuditVerification.objects.create(started_by="someone")

    auditor_client.post(reverse("core:audit_verify"))

    assert AuditVerification.objects.count() == 1


def test_the_progress_fragment_polls_while_running(auditor_client):
    running = AuditVerification.objects.create(started_by="x", rows_total=200, rows_checked=50)

    html = auditor_client.get(reverse("core:audit_verification", args=[running.pk])).content.decode()

    assert "hx-trigger" in html
    assert "25%" in html


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.SECADMIN, Role.MEMBER])
def test_only_the_auditor_verifies(client, make_user, role):
    client.force_login(make_user(role))

    assert client.post(reverse("core:audit_verify")).status_code == 403
    assert not AuditVerification.objects.exists()


def test_verify_is_post_only(auditor_client):
    assert auditor_client.get(reverse("core:audit_verify")).status_code == 405
