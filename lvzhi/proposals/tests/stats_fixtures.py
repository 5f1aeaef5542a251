"""A session's proposals in every status, with sectors, lead units, replies and evaluations written
directly, for the statistics and documents tests (`dataset`), and the numbers they must give."""

import datetime

import pytest
from django.utils import timezone

from lvzhi.factories import DepartmentFactory, OrgUnitFactory
from lvzhi.members.models import MemberTerm
from lvzhi.organization.models import OrgUnit, Session
from lvzhi.proposals.models import Assignment, Evaluation, Proposal, ProposalCategory, Reply

from .fixtures import *  # noqa: F403
from .fixtures import __all__ as shared_fixtures

Status = Proposal.Status
TZ = datetime.timezone(datetime.timedelta(hours=8))
TODAY = timezone.localdate()
FUTURE = TODAY + datetime.timedelta(days=60)
PAST = TODAY - datetime.timedelta(days=10)

__all__ = [*shared_fixtures, "dataset", "reply", "TODAY", "FUTURE", "PAST", "Status"]


def reply(proposal, department, result, *, sent_on, round=1, rating=None):
    """A sent reply (and its evaluation when `rating`)."""
    row = Reply.objects.create(
        proposal=proposal,
        department=department,
        round=round,
        result=result,
        text="答复意见",
        sent_at=datetime.datetime.combine(sent_on, datetime.time(10), tzinfo=TZ),
    )
    if rating:
        Evaluation.objects.create(reply=row, rating=rating)
    return row


@pytest.fixture
def dataset(
    committee,
    term,
    session,
    make_proposal,
    proposer,
    cosigner,
    other_member,
    department,
    co_department,
    leader,
):
    """Proposals of `session` (the numbers each test expects are in its docstring):

    P1 经济 handling, lead 交通 (a returned lead before it), deadline ahead, no reply
    P2 社会 replied by 李秀英 (教育界), lead 交通, reply A on time
    P3 经济 evaluated, lead 财政, reply B after the deadline, 基本满意; key, leader 领导甲
    P4 经济 closed, lead 交通, round 1 D 不满意, round 2 C on time 满意
    P5 经济 merged · P6 no category, converted · P7 joint (张建国 + 李秀英), rejected
    P8 submitted by 王志强 (no member term) · P9 assigned, lead 交通, deadline passed, no reply
    P10 collective of 经济界 (a sector), submitted · P11 collective of 民盟县委会, submitted
    Not counted: a draft, a proposal of another session."""
    economy = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="经济界")
    education = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界")
    MemberTerm.objects.create(member=proposer, term=term, sector=economy)
    MemberTerm.objects.create(member=cosigner, term=term, sector=education)
    categories = {c.name: c for c in ProposalCategory.objects.filter(committee=committee)}
    jingji, shehui = categories["经济"], categories["社会"]
    returned_unit = DepartmentFactory(committee=committee, name="县住建局")

    p1 = make_proposal(
        Status.HANDLING, lead=department, category=jingji, title="关于改善县城公交线路的提案", deadline=FUTURE
    )
    Assignment.objects.create(
        committee=committee,
        proposal=p1,
        department=returned_unit,
        role=Assignment.Role.LEAD,
        status=Assignment.Status.RETURNED,
        assigned_on=TODAY,
    )
    p2 = make_proposal(
        Status.REPLIED,
        lead=department,
        category=shehui,
        author=cosigner,
        title="关于加强农村养老服务的提案",
        deadline=FUTURE,
    )
    reply(p2, department, "A", sent_on=TODAY)
    p3 = make_proposal(
        Status.EVALUATED,
        lead=co_department,
        co_units=[department],
        category=jingji,
        title="关于扶持小微企业的提案",
        deadline=PAST,
    )
    reply(p3, co_department, "B", sent_on=TODAY, rating=Evaluation.Rating.BASIC)
    p3.is_key = True
    p3.key_leader = leader
    p3.save(update_fields=["is_key", "key_leader"])
    p4 = make_proposal(
        Status.CLOSED,
        lead=department,
        category=jingji,
        title="关于整治县城停车秩序的提案",
        deadline=FUTURE,
        round=2,
    )
    reply(p4, department, "D", sent_on=PAST, rating=Evaluation.Rating.UNSATISFIED)
    reply(p4, department, "C", sent_on=TODAY, round=2, rating=Evaluation.Rating.SATISFIED)
    make_proposal(Status.MERGED, category=jingji, title="关于县城公交的提案")
    make_proposal(Status.CONVERTED, category=None, title="关于某小区噪声的提案")
    make_proposal(Status.REJECTED, co_signers=[cosigner], category=shehui, title="关于个人待遇的提案")
    make_proposal(Status.SUBMITTED, author=other_member, category=shehui, title="关于图书馆延时开放的提案")
    p9 = make_proposal(
        Status.ASSIGNED, lead=department, category=shehui, title="关于修缮乡村道路的提案", deadline=PAST
    )
    make_proposal(
        Status.SUBMITTED,
        kind=Proposal.Kind.COLLECTIVE,
        collective_unit=economy,
        category=jingji,
        title="关于优化营商环境的提案",
    )
    make_proposal(
        Status.SUBMITTED,
        kind=Proposal.Kind.COLLECTIVE,
        collective_name="民盟县委会",
        category=shehui,
        title="关于教育均衡发展的提案",
    )
    # Not counted.
    make_proposal(Status.DRAFT, title="草稿")
    earlier = Session.objects.create(
        term=term, number=1, name="第一次会议", start_date=datetime.date(2025, 1, 8)
    )
    make_proposal(Status.SUBMITTED, session=earlier, title="上次会议的提案")
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p9": p9, "earlier": earlier}
