"""core.workflow: lock with a version check, and a move through a transition table with history and
audit rows. A training plan (draft ⇄ published) stands in for any workflow model."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import RequestFactory
from django.utils import translation

from lvzhi.accounts.roles import Role
from lvzhi.core import workflow
from lvzhi.core.models import AuditEvent
from lvzhi.studies.models import TrainingPlan, TrainingPlanStatusChange

pytestmark = pytest.mark.django_db

Status = TrainingPlan.Status


class WorkflowError(ValidationError):
    pass


@pytest.fixture
def plan(committee):
    return TrainingPlan.objects.create(committee=committee, year=2026, title="2026年学习培训方案")


def _move(plan, to_status, actor, **kwargs):
    return workflow.move(
        plan,
        to_status,
        actor=actor,
        history=(TrainingPlanStatusChange, "plan"),
        error=WorkflowError,
        illegal="A plan that is %(from)s cannot become %(to)s.",
        event="studies.plan_status_changed",
        **kwargs,
    )


def test_lock_returns_the_fresh_row_when_the_version_matches(plan):
    TrainingPlan.objects.filter(pk=plan.pk).update(title="改过的标题")
    with transaction.atomic():
        fresh = workflow.lock(TrainingPlan, plan.pk, 1)
    assert fresh.title == "改过的标题"


def test_lock_accepts_a_queryset(plan):
    with transaction.atomic():
        fresh = workflow.lock(TrainingPlan.objects.select_related("committee"), plan.pk, None)
    assert fresh.pk == plan.pk


def test_lock_refuses_a_version_that_moved_on(plan):
    TrainingPlan.objects.filter(pk=plan.pk).update(version=2)
    with translation.override("en"), pytest.raises(workflow.StaleEdit) as caught, transaction.atomic():
        workflow.lock(TrainingPlan, plan.pk, 1)
    assert caught.value.code == "stale"
    assert caught.value.messages == [
        "Someone else saved this after you opened it. Nothing was saved. "
        "Reload the page to see their changes, then make yours again."
    ]


def test_the_stale_message_is_translated(plan):
    TrainingPlan.objects.filter(pk=plan.pk).update(version=2)
    with translation.override("zh-hans"), pytest.raises(workflow.StaleEdit) as caught, transaction.atomic():
        workflow.lock(TrainingPlan, plan.pk, 1)
    assert caught.value.messages == [
        "您打开此页面后，其他人已保存了修改，本次未作任何保存。请刷新页面查看对方的修改，然后重新操作。"
    ]


def test_lock_without_an_expected_version_does_not_check(plan):
    TrainingPlan.objects.filter(pk=plan.pk).update(version=7)
    with transaction.atomic():
        assert workflow.lock(TrainingPlan, plan.pk, None).version == 7


def test_move_saves_and_writes_history_and_audit(plan, make_user):
    actor = make_user(Role.OFFICE)
    _move(plan, Status.PUBLISHED, actor, reason="定稿")
    plan.refresh_from_db()
    assert (plan.status, plan.version) == (Status.PUBLISHED, 2)
    change = TrainingPlanStatusChange.objects.get(plan=plan)
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        "draft",
        "published",
        actor,
        "定稿",
    )
    event = AuditEvent.objects.get(object_type="studies.TrainingPlan", object_id=str(plan.pk))
    assert event.action == AuditEvent.Action.UPDATE
    assert event.actor == actor and event.committee_id == plan.committee_id
    assert (event.event, event.params) == (
        "studies.plan_status_changed",
        {"object": "2026年学习培训方案", "from": "draft", "to": "published"},
    )
    assert event.detail == {"from": "draft", "to": "published", "reason": "定稿"}


def test_an_illegal_move_names_both_statuses_and_writes_nothing(plan, make_user):
    with pytest.raises(WorkflowError) as caught:
        _move(plan, Status.DRAFT, make_user(Role.OFFICE))
    assert caught.value.code == "illegal_transition"
    draft = str(Status.DRAFT.label)
    assert caught.value.messages == [f"A plan that is {draft} cannot become {draft}."]
    plan.refresh_from_db()
    assert (plan.status, plan.version) == (Status.DRAFT, 1)
    assert not TrainingPlanStatusChange.objects.exists()
    assert not AuditEvent.objects.filter(object_type="studies.TrainingPlan").exists()


def test_only_from_narrows_the_table(plan, make_user):
    with pytest.raises(WorkflowError):
        _move(plan, Status.PUBLISHED, make_user(Role.OFFICE), only_from=Status.PUBLISHED)
    assert not TrainingPlanStatusChange.objects.exists()


def test_move_without_save_leaves_the_row_to_the_caller(plan, make_user):
    _move(plan, Status.PUBLISHED, make_user(Role.OFFICE), save=False)
    assert (plan.status, plan.version) == (Status.PUBLISHED, 2)
    assert TrainingPlan.objects.values_list("status", "version").get(pk=plan.pk) == ("draft", 1)
    assert TrainingPlanStatusChange.objects.filter(plan=plan).count() == 1


@pytest.mark.parametrize(("posted", "expected"), [({"version": "3"}, 3), ({}, 0), ({"version": "x"}, 0)])
def test_posted_version_makes_a_missing_or_garbled_version_stale(posted, expected):
    assert workflow.posted_version(RequestFactory().post("/", posted)) == expected
