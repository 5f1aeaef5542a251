"""委员建言's services (services/suggestions.py): the member's draft, changes, submission and deletion; the
office's publication (with or without the answer), answer, return and taking off the site; illegal and
stale steps refused with a clear error; the ledger record following publication; the notices; rights."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.workflow import StaleEdit
from lvzhi.factories import MemberFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.notifications.models import Notification
from lvzhi.portal import facts
from lvzhi.portal.models import Category, MemberSuggestion, MemberSuggestionStatusChange
from lvzhi.portal.services import suggestions as services

pytestmark = pytest.mark.usefixtures("english")

Status = MemberSuggestion.Status


@pytest.fixture
def reviewer(make_user):
    return make_user(Role.OFFICE, username="reviewer")


@pytest.fixture
def draft(member):
    return services.save_suggestion(
        actor=member.user,
        category=Category.ECONOMY,
        title="关于扶持县域特色农产品电商的建议",
        content="建议设立县级电商服务中心，帮助农户对接平台。",
        show_name=True,
    )


@pytest.fixture
def submitted(draft, member):
    return services.submit(draft, actor=member.user, expected_version=draft.version)


@pytest.fixture
def published(submitted, reviewer):
    return services.publish(submitted, actor=reviewer, expected_version=submitted.version)


def records_of(suggestion):
    return list(
        DutyRecord.objects.filter(
            source_type=ContentType.objects.get_for_model(MemberSuggestion), source_id=suggestion.pk
        )
    )


def notices(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind))


def fresh(suggestion):
    return MemberSuggestion.objects.select_related("member", "committee").get(pk=suggestion.pk)


# --- the member ---------------------------------------------------------------------------------------


def test_a_member_saves_a_draft_of_their_own(draft, member):
    assert (draft.member, draft.committee, draft.status, draft.created_by) == (
        member,
        member.committee,
        Status.DRAFT,
        member.user,
    )
    assert draft.show_name is True
    assert not draft.history.exists()
    assert AuditEvent.objects.filter(event="portal.suggestion_saved", object_id=str(draft.pk)).exists()


def test_saving_trims_and_checks_every_field(member, settings):
    settings.LVZHI_PUBLIC_TEXT_MAX = 50
    with pytest.raises(services.SuggestionError) as refused:
        services.save_suggestion(
            actor=member.user, category="nonsense", title="  ", content="长" * 51, show_name=True
        )
    text = " ".join(refused.value.messages)
    assert "Category" in text and "Title" in text and "Content: at most 50 characters" in text
    assert not MemberSuggestion.objects.exists()


@pytest.mark.parametrize(
    ("title", "content", "words"),
    [
        ("题" * 101, "内容", "Title: at most 100"),
        ("标题", "  ", "Content: write your suggestion"),
        ("标题\x00", "内容", "\\0"),
    ],
    ids=["long-title", "empty-content", "nul"],
)
def test_bad_fields_are_refused_with_the_field_named(member, title, content, words):
    with pytest.raises(services.SuggestionError) as refused:
        services.save_suggestion(
            actor=member.user, category=Category.OTHER, title=title, content=content, show_name=False
        )
    assert words in " ".join(refused.value.messages)


def test_the_member_changes_the_draft_with_the_version_they_saw(draft, member):
    changed = services.save_suggestion(
        actor=member.user,
        suggestion=draft,
        expected_version=draft.version,
        category=Category.EDUCATION,
        title="新标题",
        content="新内容",
        show_name=False,
    )
    assert changed.version == draft.version + 1
    assert (changed.category, changed.title, changed.content, changed.show_name) == (
        Category.EDUCATION,
        "新标题",
        "新内容",
        False,
    )


def test_a_change_from_an_older_page_is_refused(draft, member):
    kwargs = {"category": Category.OTHER, "title": "甲", "content": "乙", "show_name": True}
    services.save_suggestion(actor=member.user, suggestion=draft, expected_version=draft.version, **kwargs)
    with pytest.raises(StaleEdit):
        services.save_suggestion(
            actor=member.user, suggestion=draft, expected_version=draft.version, **{**kwargs, "title": "丙"}
        )
    assert fresh(draft).title == "甲"


def test_without_a_member_file_or_the_right_nobody_writes(make_user, office):
    for actor in (make_user(Role.MEMBER), office):
        with pytest.raises(PermissionDenied):
            services.save_suggestion(
                actor=actor, category=Category.OTHER, title="标题", content="内容", show_name=True
            )


def test_another_member_cannot_change_submit_or_delete_it(draft, committee, make_user):
    other = MemberFactory(committee=committee, user=make_user(Role.MEMBER))
    with pytest.raises(PermissionDenied):
        services.save_suggestion(
            actor=other.user,
            suggestion=draft,
            category=Category.OTHER,
            title="改",
            content="改",
            show_name=True,
        )
    with pytest.raises(PermissionDenied):
        services.submit(draft, actor=other.user)
    with pytest.raises(PermissionDenied):
        services.delete_draft(draft, actor=other.user)
    assert fresh(draft).status == Status.DRAFT


def test_submitting_moves_it_with_history_and_tells_the_reviewers(reviewer, submitted, member, make_user):
    editor = make_user(Role.EDITOR)
    assert submitted.status == Status.SUBMITTED and submitted.submitted_at is not None
    change = submitted.history.get()
    assert (change.from_status, change.to_status, change.actor) == (
        Status.DRAFT,
        Status.SUBMITTED,
        member.user,
    )
    assert AuditEvent.objects.filter(event="portal.suggestion_submitted").count() == 1
    [notice] = notices(reviewer, "portal.suggestion_submitted")
    assert "王建国" in notice.title and f"/portal/suggestions/{submitted.pk}/" == notice.url
    assert not notices(member.user, "portal.suggestion_submitted")
    assert not notices(editor, "portal.suggestion_submitted")


def test_a_submitted_suggestion_cannot_be_changed_deleted_or_submitted_again(submitted, member):
    with pytest.raises(services.SuggestionError) as refused:
        services.save_suggestion(
            actor=member.user,
            suggestion=submitted,
            category=Category.OTHER,
            title="改",
            content="改",
            show_name=True,
        )
    assert refused.value.code == "not_editable"
    with pytest.raises(services.SuggestionError, match="Only a draft can be deleted"):
        services.delete_draft(submitted, actor=member.user)
    with pytest.raises(services.SuggestionError) as illegal:
        services.submit(submitted, actor=member.user)
    assert illegal.value.code == "illegal_transition"
    assert "Awaiting review cannot become Awaiting review" in illegal.value.messages[0]


def test_the_member_deletes_a_draft(draft, member):
    services.delete_draft(draft, actor=member.user, expected_version=draft.version)
    assert not MemberSuggestion.objects.exists()
    assert AuditEvent.objects.filter(event="portal.suggestion_deleted").exists()


def test_submission_checks_the_text_again(draft, member, settings):
    settings.LVZHI_PUBLIC_TEXT_MAX = 5
    with pytest.raises(services.SuggestionError, match="Content: at most 5"):
        services.submit(draft, actor=member.user)
    assert fresh(draft).status == Status.DRAFT


# --- the office ---------------------------------------------------------------------------------------


def test_publishing_without_an_answer_puts_it_on_the_site_and_in_the_ledger(published, member, reviewer):
    assert published.status == Status.PUBLISHED and published.published_at is not None
    assert published.answer == "" and published.answered_at is None
    [record] = records_of(published)
    assert (record.member, record.kind, record.date) == (
        member,
        "portal.suggestion",
        timezone.localdate(published.published_at),
    )
    [notice] = notices(member.user, "portal.suggestion_published")
    assert notice.url == f"/public/home/suggestions/{published.pk}/"
    assert AuditEvent.objects.filter(event="portal.suggestion_published").exists()


def test_publishing_with_the_answer_stores_it(submitted, reviewer, member):
    done = services.publish(
        submitted,
        actor=reviewer,
        answer="  县发改委已将其列入明年计划。 ",
        answered_by_unit="县发改委",
        expected_version=submitted.version,
    )
    done = fresh(done)
    assert (done.answer, done.answered_by_unit) == ("县发改委已将其列入明年计划。", "县发改委")
    assert done.answered_at is not None
    assert notices(member.user, "portal.suggestion_published")[0].body == "县发改委已将其列入明年计划。"


def test_a_unit_without_an_answer_is_refused(submitted, reviewer):
    with pytest.raises(services.SuggestionError, match="Answered by"):
        services.publish(
            submitted, actor=reviewer, answered_by_unit="县发改委", expected_version=submitted.version
        )
    assert fresh(submitted).status == Status.SUBMITTED


def test_the_answer_follows_later_and_can_change(published, reviewer, member):
    answered = services.save_answer(
        published,
        actor=reviewer,
        answer="已答复",
        answered_by_unit="县商务局",
        expected_version=published.version,
    )
    assert (answered.answer, answered.answered_by_unit, answered.version) == (
        "已答复",
        "县商务局",
        published.version + 1,
    )
    assert notices(member.user, "portal.suggestion_answered")
    assert AuditEvent.objects.filter(event="portal.suggestion_answered").count() == 1
    with pytest.raises(StaleEdit):
        services.save_answer(
            published,
            actor=reviewer,
            answer="旧页面",
            answered_by_unit="",
            expected_version=published.version,
        )
    removed = services.save_answer(
        answered, actor=reviewer, answer="", answered_by_unit="", expected_version=answered.version
    )
    assert removed.answer == "" and removed.answered_at is None


def test_an_answer_waits_for_publication(submitted, reviewer):
    with pytest.raises(services.SuggestionError, match="Only a published suggestion"):
        services.save_answer(
            submitted, actor=reviewer, answer="答复", answered_by_unit="", expected_version=submitted.version
        )


def test_returning_needs_a_reason_the_member_reads(submitted, reviewer, member):
    with pytest.raises(services.SuggestionError, match="Reason for returning"):
        services.return_for_revision(
            submitted, actor=reviewer, reason="  ", expected_version=submitted.version
        )
    returned = services.return_for_revision(
        submitted, actor=reviewer, reason="请补充具体数据", expected_version=submitted.version
    )
    assert returned.status == Status.RETURNED and returned.return_reason == "请补充具体数据"
    assert returned.history.last().reason == "请补充具体数据"
    [notice] = notices(member.user, "portal.suggestion_returned")
    assert notice.body == "请补充具体数据" and notice.url == f"/portal/suggestions/{returned.pk}/"
    assert not records_of(returned)


def test_a_returned_suggestion_is_changed_and_submitted_again(submitted, reviewer, member):
    returned = services.return_for_revision(
        submitted, actor=reviewer, reason="请补充", expected_version=submitted.version
    )
    changed = services.save_suggestion(
        actor=member.user,
        suggestion=returned,
        expected_version=returned.version,
        category=Category.ECONOMY,
        title="修改后的建议",
        content="补充了数据",
        show_name=True,
    )
    again = services.submit(changed, actor=member.user, expected_version=changed.version)
    assert again.status == Status.SUBMITTED and again.return_reason == ""
    assert [c.to_status for c in again.history.order_by("pk")] == [
        Status.SUBMITTED,
        Status.RETURNED,
        Status.SUBMITTED,
    ]


def test_taking_it_off_removes_the_record_and_publishing_again_restores_it(published, reviewer, member):
    assert records_of(published)
    with pytest.raises(services.SuggestionError, match="Reason for taking it off"):
        services.withdraw(published, actor=reviewer, reason="", expected_version=published.version)
    withdrawn = services.withdraw(
        published, actor=reviewer, reason="内容需核实", expected_version=published.version
    )
    assert withdrawn.status == Status.WITHDRAWN and not records_of(withdrawn)
    [notice] = notices(member.user, "portal.suggestion_withdrawn")
    assert notice.body == "内容需核实"
    again = services.publish(withdrawn, actor=reviewer, expected_version=withdrawn.version)
    assert again.status == Status.PUBLISHED and len(records_of(again)) == 1
    assert AuditEvent.objects.filter(event="portal.suggestion_withdrawn").count() == 1


@pytest.mark.parametrize(
    ("step", "state"),
    [
        ("publish", "draft"),
        ("publish", "published"),
        ("return", "draft"),
        ("return", "published"),
        ("withdraw", "submitted"),
        ("withdraw", "withdrawn"),
    ],
)
def test_illegal_steps_are_refused_with_a_clear_error(step, state, make_suggestion, reviewer):
    suggestion = make_suggestion(status=state)
    with pytest.raises(services.SuggestionError) as refused:
        if step == "publish":
            services.publish(suggestion, actor=reviewer, expected_version=suggestion.version)
        elif step == "return":
            services.return_for_revision(suggestion, actor=reviewer, reason="理由", expected_version=1)
        else:
            services.withdraw(suggestion, actor=reviewer, reason="理由", expected_version=1)
    assert refused.value.code == "illegal_transition"
    assert "A suggestion that is" in refused.value.messages[0]
    assert fresh(suggestion).status == state
    assert not MemberSuggestionStatusChange.objects.exists()


def test_a_stale_decision_is_refused(submitted, reviewer, make_user):
    colleague = make_user(Role.OFFICE)
    services.return_for_revision(
        submitted, actor=colleague, reason="先退回", expected_version=submitted.version
    )
    with pytest.raises(StaleEdit):
        services.publish(submitted, actor=reviewer, expected_version=submitted.version)
    assert fresh(submitted).status == Status.RETURNED and not records_of(submitted)


def test_nobody_reviews_their_own_suggestion(committee, make_user, reviewer):
    # An office worker who is also a member writes a suggestion.
    staff_member = make_user(Role.OFFICE)
    staff_member.groups.add(*make_user(Role.MEMBER).groups.all())
    MemberFactory(committee=committee, user=staff_member)
    staff_member = type(staff_member).objects.get(pk=staff_member.pk)  # rights read afresh
    own = services.save_suggestion(
        actor=staff_member, category=Category.OTHER, title="我的建议", content="内容", show_name=True
    )
    own = services.submit(own, actor=staff_member)
    assert not notices(staff_member, "portal.suggestion_submitted")
    assert notices(reviewer, "portal.suggestion_submitted")
    with pytest.raises(services.SuggestionError) as refused:
        services.publish(own, actor=staff_member, expected_version=own.version)
    assert refused.value.code == "own_suggestion"
    with pytest.raises(services.SuggestionError):
        services.return_for_revision(own, actor=staff_member, reason="x", expected_version=own.version)


def test_only_reviewers_of_the_committee_decide(submitted, make_user, other_committee):
    for actor in (
        make_user(Role.EDITOR),
        make_user(Role.LEADER),
        make_user(Role.OFFICE, committee=other_committee),
    ):
        with pytest.raises(PermissionDenied):
            services.publish(submitted, actor=actor, expected_version=submitted.version)
        with pytest.raises(PermissionDenied):
            services.return_for_revision(
                submitted, actor=actor, reason="x", expected_version=submitted.version
            )
    assert fresh(submitted).status == Status.SUBMITTED


# --- the ledger facts and the public author -----------------------------------------------------------


def test_facts_are_empty_unless_published(make_suggestion, member):
    day = timezone.make_aware(datetime.datetime(2026, 3, 5, 10))
    for state in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.WITHDRAWN):
        assert facts.facts_for(make_suggestion(status=state, published_at=day)) == []
    [fact] = facts.facts_for(make_suggestion(status=Status.PUBLISHED, published_at=day))
    assert (fact.member, fact.kind, fact.date) == (member, "portal.suggestion", datetime.date(2026, 3, 5))


def test_syncing_twice_changes_nothing(published, reviewer):
    assert not facts.sync_suggestion_ledger(fresh(published), actor=reviewer).changed


def test_the_public_author_is_the_name_or_member(make_suggestion):
    assert services.public_author(make_suggestion(show_name=True)) == "王建国"
    assert services.public_author(make_suggestion(show_name=False)) == "Member"
