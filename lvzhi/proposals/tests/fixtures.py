"""Fixtures shared by the proposals tests: the people around a proposal, and proposals put straight into
a status (rows written directly, so that each part's tests do not depend on the other parts' services).
Test modules import what they use (`from .fixtures import *`)."""

import datetime

import pytest
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.factories import DepartmentFactory, MemberFactory, UserFactory
from lvzhi.organization.models import Session
from lvzhi.proposals.models import Assignment, Proposal, ProposalAuthor, ProposalCategory, SerialCounter

Status = Proposal.Status

__all__ = [
    "session",
    "proposer",
    "cosigner",
    "cosigner2",
    "other_member",
    "office",
    "office2",
    "leader",
    "department",
    "co_department",
    "unit_user",
    "co_unit_user",
    "other_unit_user",
    "foreign_office",
    "make_proposal",
    "member_with_account",
]


def member_with_account(committee, name, role=Role.MEMBER, **user_fields):
    user = UserFactory(committee=committee, role=role, display_name=name, **user_fields)
    return MemberFactory(committee=committee, name=name, user=user)


@pytest.fixture
def session(term):
    """The second session of the ninth term (第九届第二次会议), where these tests' proposals are filed."""
    return Session.objects.create(
        term=term, number=2, name="第二次会议", start_date=datetime.date(2026, 1, 10)
    )


@pytest.fixture
def proposer(committee):
    """A member with an account: the first proposer of the proposals of these tests."""
    return member_with_account(committee, "张建国")


@pytest.fixture
def cosigner(committee):
    return member_with_account(committee, "李秀英")


@pytest.fixture
def cosigner2(committee):
    return member_with_account(committee, "赵红梅")


@pytest.fixture
def other_member(committee):
    return member_with_account(committee, "王志强")


@pytest.fixture
def office(make_user):
    """Proposal staff (office staff hold the review right)."""
    return make_user(Role.OFFICE, username="office", display_name="提案办甲")


@pytest.fixture
def office2(make_user):
    return make_user(Role.OFFICE, username="office2", display_name="提案办乙")


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADER, username="leader", display_name="领导甲")


@pytest.fixture
def department(committee):
    return DepartmentFactory(committee=committee, name="县交通运输局")


@pytest.fixture
def co_department(committee):
    return DepartmentFactory(committee=committee, name="县财政局")


@pytest.fixture
def unit_user(make_user, department):
    """The lead unit's account."""
    return make_user(
        Role.HANDLING_UNIT, username="jiaotong", department=department, display_name="交通局经办人"
    )


@pytest.fixture
def co_unit_user(make_user, co_department):
    return make_user(
        Role.HANDLING_UNIT, username="caizheng", department=co_department, display_name="财政局经办人"
    )


@pytest.fixture
def other_unit_user(make_user, committee):
    """A handling unit that nothing is assigned to."""
    return make_user(
        Role.HANDLING_UNIT,
        username="other_dept",
        department=DepartmentFactory(committee=committee, name="县教育局"),
        display_name="教育局经办人",
    )


@pytest.fixture
def foreign_office(other_committee):
    return UserFactory(committee=other_committee, role=Role.OFFICE, username="foreign_office")


@pytest.fixture
def make_proposal(committee, session, proposer):
    """make_proposal(status=..., co_signers=[member, ...], lead=department, co_units=[department, ...], **fields)
    → a proposal in that status with its rows, written directly. Accepted and later statuses get the next
    serial; assigned and later get assignments (lead unit signed from handling on) and a deadline."""
    serials = iter(range(1, 10_000))

    def make(
        status=Status.SUBMITTED,
        *,
        co_signers=(),
        consent=ProposalAuthor.Consent.CONFIRMED,
        lead=None,
        co_units=(),
        author=None,
        **fields,
    ):
        author = author or proposer
        now = timezone.now()
        kind = Proposal.Kind.JOINT if co_signers else Proposal.Kind.INDIVIDUAL
        defaults = {
            "committee": committee,
            "session": session,
            "kind": kind,
            "title": "关于改善县城公交线路的提案",
            "case": "县城公交线路少、班次稀。",
            "analysis": "城区扩大后，新建小区没有公交覆盖。",
            "suggestions": "一是增开线路；二是加密班次。",
            "category": ProposalCategory.objects.filter(committee=committee).first(),
            "status": status,
            "status_changed_at": now,
            "created_by": author.user,
        }
        if status != Status.DRAFT:
            defaults["submitted_at"] = now
        if status in Proposal.ACCEPTED_STATUSES or status in (
            Status.MERGED,
            Status.CONVERTED,
            Status.REJECTED,
        ):
            defaults["reviewed_on"] = timezone.localdate()
        if status in Proposal.ACCEPTED_STATUSES:
            defaults["serial"] = next(serials)
        assigned = status in (
            Status.ASSIGNED,
            Status.HANDLING,
            Status.REPLIED,
            Status.EVALUATED,
            Status.CLOSED,
        )
        if assigned:
            defaults["assigned_on"] = timezone.localdate()
            defaults["deadline"] = timezone.localdate() + datetime.timedelta(days=90)
        defaults.update(fields)
        proposal = Proposal.objects.create(**defaults)
        if proposal.serial:
            # The session's counter knows the numbers handed out here, so review.accept goes on from them.
            SerialCounter.objects.update_or_create(session=session, defaults={"last": proposal.serial})
        ProposalAuthor.objects.create(
            proposal=proposal,
            member=author,
            user=author.user,
            name=author.name,
            role=ProposalAuthor.Role.LEAD,
        )
        for order, member in enumerate(co_signers, 1):
            ProposalAuthor.objects.create(
                proposal=proposal,
                member=member,
                user=member.user,
                name=member.name,
                role=ProposalAuthor.Role.CO,
                consent=consent,
                order=order,
            )
        if assigned:
            lead = lead or DepartmentFactory(committee=committee)
            signed = status != Status.ASSIGNED
            Assignment.objects.create(
                committee=committee,
                proposal=proposal,
                department=lead,
                role=Assignment.Role.LEAD,
                status=Assignment.Status.SIGNED if signed else Assignment.Status.ASSIGNED,
                assigned_on=timezone.localdate(),
                signed_at=now if signed else None,
            )
            for unit in co_units:
                Assignment.objects.create(
                    committee=committee,
                    proposal=proposal,
                    department=unit,
                    role=Assignment.Role.CO,
                    status=Assignment.Status.SIGNED if signed else Assignment.Status.ASSIGNED,
                    assigned_on=timezone.localdate(),
                    signed_at=now if signed else None,
                )
        return proposal

    return make
