"""The demo's proposals (lvzhi.proposals.demo, called by lvzhi.demo.builder): the current session in every
state of the cycle, built through the services on a patched clock.

The demo is built once for the module (a smaller committee than `seed_demo`'s, the same code), inside a
transaction rolled back when the module is done; each test runs in a savepoint within it."""

import datetime

import pytest
from django.db import transaction
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from lvzhi.accounts.models import User
from lvzhi.core.models import AuditEvent
from lvzhi.demo.builder import DemoBuilder
from lvzhi.ledger.models import DutyRecord
from lvzhi.organization.models import Committee
from lvzhi.proposals.demo import current_session, seed_proposals
from lvzhi.proposals.models import (
    Assignment,
    ContactRecord,
    Evaluation,
    Proposal,
    ProposalAuthor,
    ProposalStatusChange,
    Reply,
    SerialCounter,
    SupervisionNote,
)
from lvzhi.proposals.permissions import get_proposal_for_user

Status = Proposal.Status
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Late November of this year, as in lvzhi/demo/tests: the session of January is behind, its cases answered.
AS_OF = timezone.make_aware(datetime.datetime(timezone.localdate().year, 11, 29, 10))


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER, MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))),
        transaction.atomic(),
    ):
        builder = DemoBuilder(members=90, standing=20, now=AS_OF)
        builder.build()
        yield builder.committee.pk, builder.proposals
        transaction.set_rollback(True)


@pytest.fixture
def demo(built, db):
    return Committee.objects.get(pk=built[0])


@pytest.fixture
def plans(built, db):
    return {key: Proposal.objects.get(pk=p.pk) for key, p in built[1].items()}


def session_proposals(demo):
    return Proposal.objects.filter(session=current_session(demo, AS_OF.date()))


def test_the_current_session_has_proposals_in_every_status(demo):
    proposals = session_proposals(demo)

    assert 20 <= proposals.count() <= 35
    assert proposals.count() == Proposal.objects.filter(committee=demo).count()
    assert set(proposals.values_list("status", flat=True)) == set(Status.values)
    # Nothing happened after the moment the demo stands at.
    assert not ProposalStatusChange.objects.filter(proposal__committee=demo, at__gt=AS_OF).exists()
    assert not proposals.filter(status_changed_at__gt=AS_OF).exists()
    assert {Proposal.Timing.DURING, Proposal.Timing.BETWEEN} <= set(
        proposals.values_list("timing", flat=True)
    )


def test_case_numbers_are_gap_free_in_the_order_of_acceptance(demo):
    session = current_session(demo, AS_OF.date())
    numbered = session_proposals(demo).exclude(serial=None)
    serials = sorted(numbered.values_list("serial", flat=True))

    assert serials == list(range(1, len(serials) + 1))
    assert len(serials) >= 15
    assert SerialCounter.objects.get(session=session).last == len(serials)
    assert not numbered.exclude(status__in=Proposal.ACCEPTED_STATUSES).exists()
    accepted_at = dict(
        ProposalStatusChange.objects.filter(proposal__in=numbered, to_status=Status.ACCEPTED)
        .order_by("-at", "-pk")
        .values_list("proposal_id", "at")
    )
    by_time = sorted(accepted_at, key=lambda pk: accepted_at[pk])
    assert [numbered.get(pk=pk).serial for pk in by_time] == serials


def test_the_demo_unit_account_sees_only_its_departments_proposals(demo):
    unit = User.objects.get(username="unit")
    visible = Proposal.objects.visible_to(unit)

    assert unit.department.name == "县农业农村局"
    assert visible.count() >= 10
    for proposal in visible:
        assert proposal.assignments.filter(
            department=unit.department, status__in=Assignment.ACTIVE
        ).exists(), proposal.title
    others = Proposal.objects.filter(committee=demo).exclude(pk__in=visible.values("pk"))
    assert others.filter(status=Status.ASSIGNED).exists()  # cases of other departments
    for proposal in others:
        with pytest.raises(Http404):
            get_proposal_for_user(unit, proposal.pk)
    assert not Assignment.objects.visible_to(unit).exclude(department=unit.department).exists()


def test_the_unit_signs_asks_to_return_contacts_gives_views_and_replies(demo, plans):
    unit = User.objects.get(username="unit")
    mine = Assignment.objects.filter(committee=demo, department=unit.department)

    assert mine.filter(status=Assignment.Status.ASSIGNED).exists()  # waiting to be signed for
    waiting = plans["return_waiting"].assignments.get(department=unit.department)
    assert waiting.status == Assignment.Status.RETURN_REQUESTED and waiting.return_reason
    done = plans["return_done"]
    assert done.assignments.filter(department=unit.department, status="returned", role="lead").exists()
    again = done.assignments.get(department=unit.department, status=Assignment.Status.SIGNED)
    assert again.role == Assignment.Role.CO and again.views
    assert ContactRecord.objects.filter(proposal__committee=demo, created_by=unit).count() >= 10
    sent = Reply.objects.filter(proposal__committee=demo).exclude(sent_at=None)
    assert set(sent.values_list("result", flat=True)) == {"A", "B", "C", "D"}
    assert sent.filter(on_paper=True, sent_by__username="office").exists()
    assert sent.filter(on_paper=False, sent_by=unit).exists()


def test_the_proposers_evaluate_and_one_is_handled_again(demo, plans):
    ratings = set(Evaluation.objects.filter(reply__proposal__committee=demo).values_list("rating", flat=True))

    assert ratings == {"satisfied", "basic", "unsatisfied"}
    again = plans["unsatisfied"]
    assert again.status == Status.HANDLING and again.round == 2
    assert again.deadline > AS_OF.date()
    assert again.contacts.filter(round=2).exists()
    assert not Proposal.objects.filter(committee=demo, status=Status.CLOSED, closed_on=None).exists()
    # Closed without an evaluation only with the office's note why.
    for change in ProposalStatusChange.objects.filter(
        proposal__committee=demo, from_status=Status.REPLIED, to_status=Status.CLOSED
    ):
        assert change.reason


def test_joint_and_collective_proposals(demo, plans):
    joint = plans["joint_open"]

    assert joint.kind == Proposal.Kind.JOINT and joint.status == Status.SUBMITTED
    consents = set(joint.authors.filter(role="co").values_list("consent", flat=True))
    assert consents == {ProposalAuthor.Consent.CONFIRMED, ProposalAuthor.Consent.PENDING}
    assert joint.cosign_deadline > AS_OF
    assert joint.authors.get(consent="pending").member.user.username == "member"
    # The demo member confirmed another joint proposal online.
    confirmed = plans["merge_main"].authors.get(member__user__username="member")
    assert confirmed.consent == ProposalAuthor.Consent.CONFIRMED and confirmed.responded_at
    collective = Proposal.objects.filter(committee=demo, kind=Proposal.Kind.COLLECTIVE)
    assert collective.filter(collective_unit__kind="sector").exclude(status=Status.DRAFT).exists()
    for proposal in collective.exclude(status=Status.DRAFT):
        assert proposal.authors.filter(role="collective").exists()


def test_review_outcomes_say_why(demo, plans):
    merged = plans["merge_other"]
    assert merged.status == Status.MERGED and merged.merged_into_id == plans["merge_main"].pk
    opinion = plans["convert_opinion"]
    assert opinion.converted_to == "opinion" and opinion.converted_report.status == "draft"
    letter = plans["convert_letter"]
    assert letter.converted_to == "letter" and letter.letter_department.name == "县市场监督管理局"
    for key in ("rejected_member", "rejected_typed"):
        assert plans[key].status == Status.REJECTED and plans[key].rejection_reason is not None
    moved_by = set(
        ProposalStatusChange.objects.filter(
            proposal__committee=demo,
            to_status__in=["accepted", "merged", "converted", "rejected", "assigned"],
        ).values_list("actor__username", flat=True)
    )
    assert moved_by == {"office"}


def test_key_and_excellent_proposals_are_in_the_ledger(demo):
    key = Proposal.objects.filter(committee=demo, is_key=True)

    assert key.count() >= 2
    assert set(key.values_list("key_leader__username", flat=True)) == {"leader"}
    notes = SupervisionNote.objects.filter(proposal__in=key)
    assert {"office", "leader"} <= set(notes.values_list("created_by__username", flat=True))
    excellent = Proposal.objects.filter(committee=demo, is_excellent=True)
    assert excellent.count() == 2
    for proposal in excellent:
        for author in proposal.authors.exclude(member=None):
            assert DutyRecord.objects.filter(
                member=author.member_id, kind="proposal.excellent", source_id=proposal.pk
            ).exists()
    kinds = set(DutyRecord.objects.filter(member__user__username="member").values_list("kind", flat=True))
    assert {"proposal.submitted", "proposal.accepted", "proposal.key", "proposal.excellent"} <= kinds


def test_seeding_the_proposals_again_changes_nothing(demo):
    users = {user.username: user for user in User.objects.filter(committee=demo)}
    before = Proposal.objects.count(), ProposalStatusChange.objects.count()

    assert seed_proposals(committee=demo, users=users, now=AS_OF, seed=7) is None
    assert (Proposal.objects.count(), ProposalStatusChange.objects.count()) == before


def test_paper_proposals_are_typed_in_by_the_clerk_and_reviewed_by_the_office(demo, plans):
    typed = Proposal.objects.filter(committee=demo, created_by__username="clerk")

    assert typed.count() >= 10
    assert not typed.filter(authors__role="lead", authors__member__user__isnull=False).exists()
    for proposal in typed:
        change = proposal.status_changes.get(to_status=Status.SUBMITTED)
        assert (change.from_status, change.actor.username) == (Status.DRAFT, "clerk")
    assert AuditEvent.objects.filter(event="proposals.paper_proposal_recorded").count() == typed.count()
    # Co-signers who signed the paper count at once; the demo member was asked online.
    closed = plans["closed_typed"].authors.get(role="co")
    assert closed.consent == ProposalAuthor.Consent.CONFIRMED and closed.member.user_id is None
    assert DutyRecord.objects.filter(member=closed.member, kind="proposal.accepted").exists()
    reviewed_by = set(
        ProposalStatusChange.objects.filter(proposal__in=typed, to_status=Status.ACCEPTED).values_list(
            "actor__username", flat=True
        )
    )
    assert reviewed_by == {"office"}


def test_departments_without_accounts_reply_on_paper(demo, plans):
    unit = User.objects.get(username="unit")
    for key in ("merge_main", "return_done"):
        proposal = plans[key]
        lead = proposal.assignments.exclude(status="returned").get(role=Assignment.Role.LEAD)
        assert lead.department != unit.department
        assert (lead.status, lead.signed_by.username) == (Assignment.Status.SIGNED, "office")
        assert lead.status_changes.get(to_status="signed").reason
        assert proposal.replies.get().on_paper and proposal.status == Status.CLOSED
    # No case of a department without an account sits overdue.
    overdue = Assignment.objects.filter(
        committee=demo,
        role=Assignment.Role.LEAD,
        proposal__status__in=[Status.ASSIGNED, Status.HANDLING],
        proposal__deadline__lt=AS_OF.date(),
    ).exclude(department=unit.department)
    assert not overdue.exists()
