"""compute_year and compute_member over a small ledger with the default template: exact totals, members
without records, other committees and other years left out, scores replaced rather than added."""

import datetime
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType

from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberTermFactory, TermFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.members.models import MemberTerm
from lvzhi.organization.models import Committee
from lvzhi.scoring import services
from lvzhi.scoring.models import MemberScore

DEFAULT = (Path(__file__).resolve().parent.parent / "data" / "default_rules.yaml").read_text(encoding="utf-8")
_sources = itertools.count(1000)


def record(member, kind, *, source=None, role="", date=datetime.date(2026, 3, 5), committee=None):
    """A ledger row as sync_records would write it; `source` (an int) groups the records of one item."""
    return DutyRecord.objects.create(
        member=member,
        committee=committee or member.committee,
        date=date,
        kind=kind,
        role=role,
        source_type=ContentType.objects.get_for_model(Committee),
        source_id=source if source is not None else next(_sources),
    )


@pytest.fixture
def ledger(committee, other_committee):
    term = TermFactory(committee=committee)
    a, b, c, gone = (MemberTermFactory(member__committee=committee, term=term).member for _ in range(4))
    MemberTerm.objects.filter(member=gone).update(status=MemberTerm.Status.RESIGNED)
    # a: plenary 50; discipline 10 − 2; lead of a joint proposal (10 + 15 halved: 12.5); one inspection 2;
    #    a report 10 adopted by the city +8 = 18, capped at 15 → 87.50 良好, every requirement met
    record(a, "attendance.plenary.present")
    record(a, "attendance.standing.leave")
    record(a, "proposal.submitted", source=1, role="lead")
    record(a, "proposal.accepted", source=1, role="lead")
    record(a, "activity.inspection")
    record(a, "opinion.submitted", source=2)
    record(a, "opinion.adopted.city", source=2)
    # b: co-author of the same proposal 12.5; absent from the plenary 0; discipline 10 → 22.50
    record(b, "proposal.submitted", source=1, role="co")
    record(b, "proposal.accepted", source=1, role="co")
    record(b, "attendance.plenary.absent")
    # ignored: a's records of another year, and a member of another committee
    record(a, "commendation.national", date=datetime.date(2025, 12, 31))
    record(a, "commendation.national", date=datetime.date(2027, 1, 1))
    elsewhere = MemberTermFactory(member__committee=other_committee, term__committee=other_committee).member
    record(elsewhere, "attendance.plenary.present")
    services.save_rule_set(committee=committee, year=2026, text=DEFAULT, activate=True)
    return {"a": a, "b": b, "c": c, "gone": gone, "elsewhere": elsewhere}


def scores(committee):
    return {s.member_id: s for s in MemberScore.objects.filter(committee=committee, year=2026)}


def test_it_computes_the_exact_scores(committee, ledger):
    result = services.compute_year(committee=committee, year=2026)
    assert (result.members, result.records) == (3, 10)
    got = scores(committee)
    a, b = got[ledger["a"].pk], got[ledger["b"].pk]
    assert (a.total, a.grade, a.passed, a.unmet, a.flags) == (Decimal("87.50"), "良好", True, [], [])
    assert a.categories["opinions"] == {
        "name": "反映社情民意",
        "score": "15.00",
        "raw": "18.00",
        "capped": True,
        "floored": False,
    }
    assert {code: c["score"] for code, c in a.categories.items()} == {
        "plenary": "50.00",
        "discipline": "8.00",
        "proposals": "12.50",
        "activities": "2.00",
        "opinions": "15.00",
        "commendations": "0.00",
    }
    assert (b.total, b.grade, b.passed) == (Decimal("22.50"), "不称职", False)
    assert [u["code"] for u in b.unmet] == ["plenary", "inspection"]


def test_a_serving_member_without_records_gets_a_row(committee, ledger):
    services.compute_year(committee=committee, year=2026)
    c = scores(committee)[ledger["c"].pk]
    assert (c.total, c.grade, c.passed) == (Decimal("10.00"), "不称职", False)
    assert [u["code"] for u in c.unmet] == ["plenary", "proposal_or_opinion", "inspection"]


def test_members_no_longer_serving_without_records_and_other_committees_get_none(committee, ledger):
    services.compute_year(committee=committee, year=2026)
    assert ledger["gone"].pk not in scores(committee)
    assert not MemberScore.objects.filter(member=ledger["elsewhere"]).exists()


def test_computing_again_replaces_the_rows(committee, ledger):
    services.compute_year(committee=committee, year=2026)
    record(ledger["c"], "attendance.plenary.present")
    services.compute_year(committee=committee, year=2026)
    assert MemberScore.objects.filter(committee=committee).count() == 3
    assert scores(committee)[ledger["c"].pk].total == Decimal("60.00")
    assert AuditEvent.objects.filter(event="scoring.scores_computed", actor=None).count() == 2


def test_without_an_active_rule_set_it_says_so(other_committee, ledger):
    with pytest.raises(services.ScoringError):
        services.compute_year(committee=other_committee, year=2026)


def test_compute_member_updates_one_row(committee, ledger):
    services.compute_year(committee=committee, year=2026)
    record(ledger["b"], "activity.research")
    row = services.compute_member(member=ledger["b"], year=2026)
    assert row.total == Decimal("24.50")
    assert scores(committee)[ledger["b"].pk].total == Decimal("24.50")
    assert scores(committee)[ledger["a"].pk].total == Decimal("87.50")
    assert MemberScore.objects.filter(member=ledger["b"]).count() == 1


def test_compute_member_without_an_active_rule_set_is_none(committee, ledger):
    assert services.compute_member(member=ledger["a"], year=2024) is None


def test_the_year_is_read_with_a_constant_number_of_queries(committee, ledger, django_assert_max_num_queries):
    for _ in range(20):
        record(ledger["c"], "activity.training")
    # the rule set, the assessed members, one GROUP BY for the kinds scored by their number, one read of
    # the records of the others, the delete and insert of the scores, the audit row
    with django_assert_max_num_queries(13):
        services.compute_year(committee=committee, year=2026)
