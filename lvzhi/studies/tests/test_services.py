"""Study submissions: the transition table, who may move them, and the duty ledger they imply."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone, translation

from lvzhi.accounts.roles import Role
from lvzhi.core import workflow
from lvzhi.ledger.models import DutyRecord
from lvzhi.notifications.models import Notification
from lvzhi.studies import services
from lvzhi.studies.models import StudySubmission, StudySubmissionStatusChange, TrainingPlan

S = StudySubmission.Status
UTC = datetime.UTC


def ledger(submission=None):
    qs = DutyRecord.objects.all()
    if submission is not None:
        qs = qs.filter(source_id=submission.pk)
    return sorted((r.member_id, r.kind, r.date) for r in qs)


def history(submission):
    return [
        (h.from_status, h.to_status)
        for h in StudySubmissionStatusChange.objects.filter(submission=submission)
    ]


def test_submit(member, make_submission):
    item = make_submission(member)
    assert item.status == S.SUBMITTED
    assert item.committee_id == member.committee_id
    assert history(item) == [("", S.SUBMITTED)]
    assert ledger() == []


def test_only_the_member_submits(member, outsider, office):
    for actor in (outsider.user, office):
        with pytest.raises(PermissionDenied):
            services.submit(member=member, actor=actor, kind="notes", title="t", body="b")
    assert not StudySubmission.objects.exists()


def test_submit_needs_title_and_text(member, make_submission):
    with pytest.raises(services.StudyError, match="Title"):
        make_submission(member, title="  ")
    with pytest.raises(services.StudyError, match="Write the text or attach a file"):
        make_submission(member, body="")


def test_acknowledge_writes_the_ledger_on_the_local_date(member, office, make_submission):
    # 17:30 UTC on 1 March is 01:30 on 2 March in Beijing.
    item = make_submission(member, now=datetime.datetime(2026, 3, 1, 17, 30, tzinfo=UTC))
    services.acknowledge(submission=item, actor=office, note="很好")
    item.refresh_from_db()
    assert item.status == S.ACKNOWLEDGED
    assert item.reviewed_by == office and item.review_note == "很好"
    assert ledger() == [(member.pk, "study.notes", datetime.date(2026, 3, 2))]
    assert history(item) == [("", S.SUBMITTED), (S.SUBMITTED, S.ACKNOWLEDGED)]
    [notice] = Notification.objects.filter(recipient=member.user)
    assert "acknowledged" in notice.title
    assert notice.url == f"/studies/submissions/{item.pk}/"


def test_essay_kind(member, office, make_submission):
    item = make_submission(member, kind=StudySubmission.Kind.ESSAY)
    services.acknowledge(submission=item, actor=office)
    assert [k for _, k, _ in ledger()] == ["study.essay"]


def test_return_needs_a_reason_and_writes_nothing(member, office, make_submission):
    item = make_submission(member)
    with pytest.raises(services.StudyError, match="Reason"):
        services.return_submission(submission=item, actor=office, reason=" ")
    services.return_submission(submission=item, actor=office, reason="内容过短")
    item.refresh_from_db()
    assert item.status == S.RETURNED and item.review_note == "内容过短"
    assert ledger() == []
    [notice] = Notification.objects.filter(recipient=member.user)
    assert "returned" in notice.title and notice.body == "内容过短"


def test_withdrawing_an_acknowledgement_leaves_the_ledger(member, office, make_submission):
    item = make_submission(member)
    services.acknowledge(submission=item, actor=office)
    assert len(ledger(item)) == 1
    services.return_submission(submission=item, actor=office, reason="误确认")
    assert ledger() == []
    assert history(item)[-1] == (S.ACKNOWLEDGED, S.RETURNED)


def test_resubmit_and_acknowledge_again(member, office, make_submission):
    item = make_submission(member, now=datetime.datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    services.acknowledge(submission=item, actor=office)
    services.return_submission(submission=item, actor=office, reason="请补充")
    services.resubmit(
        submission=item,
        actor=member.user,
        kind="essay",
        title="修改后",
        body="补充内容",
        now=datetime.datetime(2026, 4, 5, 2, 0, tzinfo=UTC),
    )
    item.refresh_from_db()
    assert item.status == S.SUBMITTED and item.title == "修改后"
    assert ledger() == []
    services.acknowledge(submission=item, actor=office)
    assert ledger() == [(member.pk, "study.essay", datetime.date(2026, 4, 5))]
    assert DutyRecord.objects.count() == 1
    assert [to for _, to in history(item)] == [
        S.SUBMITTED,
        S.ACKNOWLEDGED,
        S.RETURNED,
        S.SUBMITTED,
        S.ACKNOWLEDGED,
    ]


@pytest.mark.parametrize(
    "moves, illegal",
    [
        ([], "resubmit"),  # submitted → submitted
        (["acknowledge"], "acknowledge"),  # acknowledged → acknowledged
        (["acknowledge"], "resubmit"),  # acknowledged → submitted
        (["return"], "acknowledge"),  # returned → acknowledged
        (["return"], "return"),  # returned → returned
    ],
)
def test_illegal_moves(member, office, make_submission, moves, illegal):
    item = make_submission(member)

    def do(move):
        if move == "acknowledge":
            services.acknowledge(submission=item, actor=office)
        elif move == "return":
            services.return_submission(submission=item, actor=office, reason="r")
        else:
            services.resubmit(submission=item, actor=member.user, kind="notes", title="t", body="b")

    for move in moves:
        do(move)
    before = ledger()
    with pytest.raises(services.StudyError, match="cannot become"):
        do(illegal)
    assert ledger() == before


def test_only_the_owner_resubmits(member, outsider, office, make_submission):
    item = make_submission(member)
    services.return_submission(submission=item, actor=office, reason="r")
    with pytest.raises(PermissionDenied):
        services.resubmit(submission=item, actor=outsider.user, kind="notes", title="t", body="b")


def test_stale_version_refused(member, office, make_submission):
    item = make_submission(member)
    with pytest.raises(workflow.StaleEdit):
        services.acknowledge(submission=item, actor=office, expected_version=item.version + 1)


def test_unit_staff_acknowledge_only_their_units_members(member, outsider, unit_staff, make_submission):
    mine = make_submission(member)
    theirs = make_submission(outsider)
    services.acknowledge(submission=mine, actor=unit_staff)
    with pytest.raises(PermissionDenied):
        services.acknowledge(submission=theirs, actor=unit_staff)
    with pytest.raises(PermissionDenied):
        services.return_submission(submission=theirs, actor=unit_staff, reason="r")
    assert ledger() == [(member.pk, "study.notes", timezone.localdate(mine.submitted_at))]


@pytest.mark.parametrize("role", [Role.LEADER, Role.EDITOR, Role.MEMBER])
def test_roles_without_the_right_cannot_acknowledge(member, make_user, make_submission, role):
    item = make_submission(member)
    with pytest.raises(PermissionDenied):
        services.acknowledge(submission=item, actor=make_user(role))


def test_members_cannot_acknowledge_their_own(member, make_submission):
    item = make_submission(member)
    with pytest.raises(PermissionDenied):
        services.acknowledge(submission=item, actor=member.user)


def test_other_committees_office_cannot_acknowledge(member, foreign_office, make_submission):
    item = make_submission(member)
    with pytest.raises(PermissionDenied):
        services.acknowledge(submission=item, actor=foreign_office)
    assert ledger() == []


def test_facts_for(member, office, make_submission):
    item = make_submission(member)
    assert services.facts_for(item) == []
    services.acknowledge(submission=item, actor=office)
    item.refresh_from_db()
    [fact] = services.facts_for(item)
    assert (fact.member, fact.kind) == (member, "study.notes")


def test_record_on_paper(member, outsider, office, unit_staff, make_user):
    item = services.record_on_paper(member=member, actor=unit_staff, kind="notes", title="纸质笔记", body="b")
    assert item.status == S.SUBMITTED and item.member == member
    with translation.override("en"):  # the reason is written in the language of the moment
        on_paper = services.record_on_paper(
            member=member, actor=unit_staff, kind="essay", title="t", body="b"
        )
    assert [h.reason for h in on_paper.status_changes.all()] == ["Handed in on paper"]
    services.record_on_paper(member=outsider, actor=office, kind="essay", title="t", body="b")
    with pytest.raises(PermissionDenied):
        services.record_on_paper(member=outsider, actor=unit_staff, kind="notes", title="t", body="b")
    with pytest.raises(PermissionDenied):
        services.record_on_paper(
            member=member, actor=make_user(Role.LEADER), kind="notes", title="t", body="b"
        )
    with pytest.raises(PermissionDenied):
        services.record_on_paper(member=member, actor=member.user, kind="notes", title="t", body="b")
    assert StudySubmission.objects.count() == 3


def test_a_second_plan_for_the_year_is_refused_even_when_both_pass_the_check(plan, office, monkeypatch):
    # Two offices saving the same year at once: both see no plan yet, the database keeps one.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with pytest.raises(services.StudyError) as exc:
        services.create_plan(actor=office, year=plan.year, title="重复的方案")
    assert exc.value.code == "duplicate"
    assert TrainingPlan.objects.filter(year=plan.year).count() == 1


def test_an_account_of_no_committee_creates_no_plan(make_user):
    superuser = make_user(committee=None, is_superuser=True)

    with pytest.raises(PermissionDenied):
        services.create_plan(actor=superuser, year=2026, title="无主方案")
    assert not TrainingPlan.objects.exists()
