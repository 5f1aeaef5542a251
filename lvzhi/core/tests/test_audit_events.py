"""Audit rows say what happened as an event code with parameters, shown in the reader's language
(issue 10, defect 10): the messages, old rows with only an English summary, the auditor's filter by
event, the hash chain over the new fields, and refusing an event no app declared."""

import pytest
from django.urls import reverse
from django.utils import translation

from lvzhi.accounts.roles import Role
from lvzhi.core import audit
from lvzhi.core.models import AuditEvent

AUDIT = reverse("core:audit_log")


@pytest.fixture
def auditor_client(client, make_user):
    client.force_login(make_user(Role.AUDITOR, username="auditor"))
    return client


def old_row(committee, summary):
    """A row as written before events existed: an English summary and nothing else."""
    return AuditEvent.objects.create(
        committee_id=committee.pk, action=AuditEvent.Action.UPDATE, username="wang", summary=summary
    )


def test_a_message_is_shown_in_chinese_from_its_event_and_params(committee):
    row = audit.record(
        audit.Action.CREATE,
        committee=committee,
        event="library.document_created",
        params={"title": "学习资料"},
    )

    with translation.override("zh-hans"):
        assert audit.describe(row) == "资料库新增资料：学习资料"
    with translation.override("en"):
        assert audit.describe(row) == "Library document added: 学习资料"
    assert row.summary == ""


def test_statuses_and_field_names_are_shown_by_their_labels(committee):
    from lvzhi.activities.tests.conftest import ActivityFactory
    from lvzhi.factories import MemberFactory

    member = MemberFactory(committee=committee)
    activity = ActivityFactory(committee=committee)
    unmasked = audit.record(
        audit.Action.UNMASK,
        obj=member,
        event="members.unmasked",
        params={"name": "张三", "field": "id_number"},
    )
    moved = audit.record(
        audit.Action.UPDATE,
        obj=activity,
        event="activities.status_changed",
        params={"object": "全体会议", "from": "draft", "to": "published"},
    )

    with translation.override("zh-hans"):
        assert audit.describe(unmasked) == "显示 张三 的完整身份证号码"
        assert audit.describe(moved) == "活动“全体会议”：草稿 → 已发布"


def test_an_event_no_app_declared_is_refused(committee):
    with pytest.raises(audit.UnknownEvent):
        audit.record(audit.Action.UPDATE, committee=committee, event="library.no_such_thing")
    assert not AuditEvent.objects.exists()


def test_the_page_shows_new_messages_in_chinese_and_old_summaries_as_they_were(auditor_client, committee):
    old_row(committee, "Duty ledger synced: 第一次全体会议")
    audit.record(
        audit.Action.UPDATE,
        committee=committee,
        event="ledger.synced",
        params={"source": "第二次全体会议", "inserted": 3, "updated": 0, "deleted": 1},
    )

    body = auditor_client.get(AUDIT, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "履职台账按“第二次全体会议”更新：新增 3 条，修改 0 条，删除 1 条" in body
    assert "Duty ledger synced: 第一次全体会议" in body


def test_the_auditor_filters_by_event_within_their_committee(auditor_client, committee, other_committee):
    mine = audit.record(
        audit.Action.CREATE, committee=committee, event="library.document_created", params={"title": "甲"}
    )
    audit.record(
        audit.Action.CREATE, committee=committee, event="studies.plan_created", params={"title": "乙"}
    )
    audit.record(
        audit.Action.CREATE,
        committee=other_committee,
        event="library.document_created",
        params={"title": "丙"},
    )

    response = auditor_client.get(AUDIT, {"event": "library.document_created"})

    assert list(response.context["page"].object_list) == [mine]


def test_the_event_filter_lists_the_declared_events_by_app_in_chinese(auditor_client):
    with translation.override("zh-hans"):
        body = auditor_client.get(AUDIT, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert '<option value="library.document_created">资料库新增资料：…</option>' in body
    assert "<optgroup" in body


def test_an_unknown_event_in_the_filter_is_refused_not_a_500(auditor_client, committee):
    response = auditor_client.get(AUDIT, {"event": "nothing.at_all"})

    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_chain_verifies_with_old_and_new_rows(committee):
    old_row(committee, "Activity draft → published: 全体会议")
    new = audit.record(
        audit.Action.CREATE, committee=committee, event="library.document_created", params={"title": "甲"}
    )
    old_row(committee, "edit 张三")

    assert AuditEvent.verify_chain() is None
    # The event and its parameters are under the hash: changing either breaks the chain at that row.
    for field, value in (("params", {"title": "乙"}), ("event", "library.document_deleted")):
        forged = AuditEvent.objects.get(pk=new.pk)
        setattr(forged, field, value)
        assert forged.compute_hash() != new.hash


def test_rows_without_an_event_hash_as_before(committee):
    row = old_row(committee, "edit 张三")

    assert row.compute_hash() == row.hash
    assert (row.event, row.params) == ("", {})


def test_a_workflow_move_without_an_event_of_its_own_is_the_generic_event(committee):
    from django.core.exceptions import ValidationError

    from lvzhi.core import workflow
    from lvzhi.studies.models import TrainingPlan, TrainingPlanStatusChange

    plan = TrainingPlan.objects.create(committee_id=committee.pk, year=2026, title="培训方案")
    workflow.move(
        plan,
        TrainingPlan.Status.PUBLISHED,
        actor=None,
        history=(TrainingPlanStatusChange, "plan"),
        error=ValidationError,
        illegal="illegal",
        label="Training plan",
    )

    row = AuditEvent.objects.get(object_type="studies.TrainingPlan")
    assert (row.event, row.params["step"]) == ("workflow.status_changed", "Training plan")
