"""The audit log (lvzhi.core.models.AuditEvent): append-only, hash-chained, and the /audit/ page."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core import audit
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries

AUDIT = reverse("core:audit_log")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def event(committee, action=AuditEvent.Action.LOGIN, username="wang", at=None, **kwargs):
    kwargs.setdefault("result", AuditEvent.Result.SUCCESS)
    if at is not None:
        kwargs["at"] = at
    return AuditEvent.objects.create(committee_id=committee.pk, action=action, username=username, **kwargs)


def raw_sql(sql, params):
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


# --- append-only ---------------------------------------------------------------------------


def test_an_event_cannot_be_changed(committee):
    saved = event(committee, summary="original")
    saved.summary = "rewritten"

    with pytest.raises(ValueError, match="append-only"):
        saved.save()
    assert AuditEvent.objects.get(pk=saved.pk).summary == "original"


def test_an_event_cannot_be_deleted(committee):
    saved = event(committee)

    with pytest.raises(ValueError, match="append-only"):
        saved.delete()
    assert AuditEvent.objects.filter(pk=saved.pk).exists()


def test_bulk_changes_through_the_orm_are_refused(committee):
    event(committee, summary="original")

    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.filter(committee_id=committee.pk).update(summary="rewritten")
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().summary == "original"


# --- hash chain ----------------------------------------------------------------------------


def test_each_event_links_to_the_previous_one(committee, make_user):
    user = make_user(Role.OFFICE)
    first = audit.record(audit.Action.LOGIN, actor=user)
    second = audit.record(audit.Action.EXPORT, actor=user, detail={"rows": 12, "文件": "委员名单.xlsx"})

    assert first.prev_hash == ""
    assert second.prev_hash == first.hash
    assert len(second.hash) == 64
    assert second.hash == second.compute_hash()


def test_an_empty_log_verifies(db):
    assert AuditEvent.verify_chain() is None


def test_an_intact_chain_verifies(committee, other_committee, make_user):
    user = make_user(Role.LEADER, username="wang")
    Client().post(reverse("accounts:login"), {"username": "wang", "password": "Test-pass-2026"})
    Client().post(reverse("accounts:login"), {"username": "nobody", "password": "x"})
    audit.record(audit.Action.UNMASK, actor=user, obj=user, summary="张三", detail={"fields": ["id_number"]})
    event(other_committee, ip_address="::1")

    assert AuditEvent.objects.count() == 4
    assert AuditEvent.verify_chain() is None


def test_it_finds_a_row_edited_in_the_database(committee):
    events = [event(committee, summary=f"event {n}") for n in range(5)]

    raw_sql("UPDATE {table} SET summary = %s WHERE id = %s", ["nothing happened", events[2].pk])

    assert AuditEvent.verify_chain() == events[2]


def test_it_finds_a_row_edited_along_with_its_hash(committee):
    events = [event(committee, summary=f"event {n}") for n in range(4)]
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.username = "somebody-else"
    raw_sql(
        "UPDATE {table} SET username = %s, hash = %s WHERE id = %s",
        ["somebody-else", forged.compute_hash(), forged.pk],
    )

    # The forger fixed that row's hash, but the next row still points at the old one.
    assert AuditEvent.verify_chain() == events[2]


def test_it_finds_a_deleted_row(committee):
    events = [event(committee, summary=f"event {n}") for n in range(4)]

    raw_sql("DELETE FROM {table} WHERE id = %s", [events[1].pk])

    assert AuditEvent.verify_chain() == events[2]


# --- the /audit/ page ----------------------------------------------------------------------


@pytest.fixture
def auditor(make_user):
    return make_user(Role.AUDITOR, username="auditor")


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


def shown(response):
    assert response.status_code == 200
    return set(response.context["page"].object_list)


def test_the_auditor_sees_their_committees_events(auditor_client, committee):
    mine = event(committee, summary="home event")

    response = auditor_client.get(AUDIT)

    assert shown(response) == {mine}
    assert "home event" in response.content.decode()


def test_the_auditor_does_not_see_another_committees_events(auditor_client, committee, other_committee):
    mine = event(committee)
    event(other_committee, summary="neighbour event", username="li")

    response = auditor_client.get(AUDIT)

    assert shown(response) == {mine}
    assert "neighbour event" not in response.content.decode()
    assert shown(auditor_client.get(AUDIT, {"username": "li"})) == set()


def test_the_auditor_sees_failed_logins_of_unknown_usernames(auditor_client, committee):
    Client().post(reverse("accounts:login"), {"username": "nobody", "password": "x"})

    failed = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert failed in shown(auditor_client.get(AUDIT))


def test_it_filters_by_action(auditor_client, committee):
    login = event(committee, action=AuditEvent.Action.LOGIN)
    event(committee, action=AuditEvent.Action.EXPORT)

    assert shown(auditor_client.get(AUDIT, {"action": "login"})) == {login}


def test_it_filters_by_username(auditor_client, committee):
    wang = event(committee, username="wangwei")
    event(committee, username="lisi")

    assert shown(auditor_client.get(AUDIT, {"username": "WANG"})) == {wang}


def test_it_filters_by_result(auditor_client, committee):
    failed = event(committee, action=AuditEvent.Action.LOGIN_FAILED, result=AuditEvent.Result.FAILURE)
    event(committee)

    assert shown(auditor_client.get(AUDIT, {"result": "failure"})) == {failed}


def test_it_filters_by_date_in_local_time(auditor_client, committee):
    april = event(committee, at=datetime.datetime(2026, 4, 30, 12, 0, tzinfo=SHANGHAI))
    # 23:30 in Shanghai is still 1 May there, though it is 15:30 UTC.
    late_may_day = event(committee, at=datetime.datetime(2026, 5, 1, 23, 30, tzinfo=SHANGHAI))
    june = event(committee, at=datetime.datetime(2026, 6, 1, 0, 30, tzinfo=SHANGHAI))

    assert shown(auditor_client.get(AUDIT, {"date_from": "2026-05-01"})) == {late_may_day, june}
    assert shown(auditor_client.get(AUDIT, {"date_to": "2026-05-01"})) == {april, late_may_day}
    assert shown(auditor_client.get(AUDIT, {"date_from": "2026-05-01", "date_to": "2026-05-01"})) == {
        late_may_day
    }


def test_filters_combine(auditor_client, committee):
    wanted = event(committee, action=AuditEvent.Action.LOGIN_FAILED, username="wang", result="failure")
    event(committee, action=AuditEvent.Action.LOGIN_FAILED, username="li", result="failure")
    event(committee, action=AuditEvent.Action.LOGIN, username="wang")

    response = auditor_client.get(AUDIT, {"action": "login_failed", "username": "wang", "result": "failure"})

    assert shown(response) == {wanted}


def test_a_bad_filter_does_not_break_the_page(auditor_client, committee):
    mine = event(committee)

    response = auditor_client.get(AUDIT, {"date_from": "yesterday", "action": "drop table"})

    assert shown(response) == {mine}
    assert response.context["form"].errors


def test_the_query_count_does_not_grow_with_the_rows(auditor_client, committee, make_user):
    actor = make_user(Role.OFFICE)

    def queries():
        with capture_queries() as captured:
            assert auditor_client.get(AUDIT).status_code == 200
        return captured

    for _ in range(3):
        audit.record(audit.Action.LOGIN, actor=actor)
    few = queries()
    for _ in range(60):
        audit.record(audit.Action.LOGIN, actor=actor)
    assert_same_query_count(few, queries())


@pytest.mark.parametrize("role", [Role.OFFICE, Role.SYSADMIN, Role.SECADMIN, Role.MEMBER, Role.LEADER])
def test_other_roles_are_refused_and_the_refusal_is_audited(client, make_user, committee, role):
    user = make_user(role)
    event(committee, summary="secret")
    client.force_login(user)

    response = client.get(AUDIT)

    assert response.status_code == 403
    assert "secret" not in response.content.decode()
    denial = AuditEvent.objects.get(action=AuditEvent.Action.PERMISSION_DENIED)
    assert denial.actor == user
    assert denial.committee_id == committee.pk
    assert denial.result == AuditEvent.Result.FAILURE
    assert (denial.event, denial.params) == ("core.permission_denied", {"method": "GET", "path": "/audit/"})
    assert denial.ip_address == "127.0.0.1"


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(AUDIT)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.exists()
