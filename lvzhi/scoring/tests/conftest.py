"""A small committee year to assess, shared by the scoring tests: a sector and a town committee, three
serving members with accounts, an office user and a leader, the default rule set active for 2026 and
the scores computed.

    a  plenary 50; discipline 10 − 2; lead of a joint proposal (10 + 15 halved: 12.5); an inspection 2;
       a report 10 adopted by the city +8 = 18, capped at 15 → 87.50 良好, every requirement met
    b  co-author of the same proposal 12.5; absent from the plenary 0; discipline 10 → 22.50 不称职
    c  no records: discipline 10 → 10.00 不称职
"""

import datetime
import itertools
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType

from lvzhi.accounts.roles import Role
from lvzhi.factories import MemberTermFactory, OrgUnitFactory, TermFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.organization.models import Committee, OrgUnit
from lvzhi.scoring import services

YEAR = 2026
DEFAULT_RULES = (Path(__file__).resolve().parent.parent / "data" / "default_rules.yaml").read_text(
    encoding="utf-8"
)
_sources = itertools.count(1000)


def add_record(member, kind, *, source=None, role="", date=datetime.date(YEAR, 3, 5)):
    """A ledger row as sync_records would write it; `source` (an int) groups the records of one item."""
    return DutyRecord.objects.create(
        member=member,
        committee=member.committee,
        date=date,
        kind=kind,
        role=role,
        source_type=ContentType.objects.get_for_model(Committee),
        source_id=source if source is not None else next(_sources),
        source_label="测试来源",
    )


@pytest.fixture
def year_world(committee, make_user, office):
    """The committee year described above, scores computed. Returns a dict: committee, term, sector,
    town, a, b, c (members; member.user is their account), office, leader, rule_set."""
    term = TermFactory(committee=committee, is_current=True)
    sector = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="中国民主同盟")
    town = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, name="城关镇政协工委")
    people = {}
    for key, name in (("a", "甲委员"), ("b", "乙委员"), ("c", "丙委员")):
        user = make_user(Role.MEMBER, username=f"member_{key}")
        member = MemberTermFactory(
            member__committee=committee,
            member__name=name,
            member__user=user,
            term=term,
            sector=sector,
            town_committee=town,
        ).member
        people[key] = member
    a, b = people["a"], people["b"]
    add_record(a, "attendance.plenary.present")
    add_record(a, "attendance.standing.leave")
    add_record(a, "proposal.submitted", source=1, role="lead")
    add_record(a, "proposal.accepted", source=1, role="lead")
    add_record(a, "activity.inspection")
    add_record(a, "opinion.submitted", source=2)
    add_record(a, "opinion.adopted.city", source=2)
    add_record(b, "proposal.submitted", source=1, role="co")
    add_record(b, "proposal.accepted", source=1, role="co")
    add_record(b, "attendance.plenary.absent")
    rule_set = services.save_rule_set(committee=committee, year=YEAR, text=DEFAULT_RULES, activate=True)
    services.compute_year(committee=committee, year=YEAR)
    return {
        "committee": committee,
        "term": term,
        "sector": sector,
        "town": town,
        **people,
        "office": office,
        "leader": make_user(Role.LEADER, username="leader"),
        "rule_set": rule_set,
    }
