"""Two published county rule sets, written in the format (tests/rules/*.yaml, sources in their headers),
scored end to end over hand-built ledger records with the exact totals and grades the rules imply."""

import itertools
from decimal import Decimal
from pathlib import Path

import pytest

from lvzhi.scoring import engine, rules
from lvzhi.scoring.engine import Record

RULES = Path(__file__).parent / "rules"
_ids = itertools.count(1)


def rec(member, kind, *, role="", item="", share="1"):
    return Record(id=next(_ids), member_id=member, kind=kind, role=role, item=item, share=Decimal(share))


def D(value):
    return Decimal(value)


@pytest.fixture(scope="module")
def tongcheng():
    return rules.load_file(str(RULES / "tongcheng.yaml"))


@pytest.fixture(scope="module")
def guangshui():
    return rules.load_file(str(RULES / "guangshui.yaml"))


@pytest.fixture(scope="module")
def tongcheng_results(tongcheng):
    records = [
        # 1: everything at its cap
        rec(1, "attendance.plenary.present"),
        rec(1, "proposal.submitted", role="lead", item="p:A"),
        rec(1, "proposal.accepted", role="lead", item="p:A"),
        *[rec(1, "activity.inspection") for _ in range(6)],
        rec(1, "opinion.submitted", item="o:1"),
        rec(1, "opinion.submitted", item="o:2"),
        # proposal B: 2 first proposer, 3 and 4 co-signers
        *[
            rec(m, k, role=r, item="p:B")
            for k in ("proposal.submitted", "proposal.accepted")
            for m, r in ((2, "lead"), (3, "co"), (4, "co"))
        ],
        # 2: on leave from the plenary, one standing-committee leave, adopted at two levels
        rec(2, "attendance.plenary.leave"),
        rec(2, "attendance.standing.leave"),
        rec(2, "activity.research"),
        rec(2, "opinion.submitted", item="o:3"),
        rec(2, "opinion.adopted.city", item="o:3"),
        rec(2, "opinion.adopted.province", item="o:3"),
        # 3: present, one unexcused standing absence, a written speech, a report
        rec(3, "attendance.plenary.present"),
        rec(3, "attendance.standing.absent"),
        rec(3, "speech.written"),
        rec(3, "opinion.suggestion"),
        # 4: two unexcused plenary absences and a standing one: the floor holds at 0
        rec(4, "attendance.plenary.absent"),
        rec(4, "attendance.plenary.absent"),
        rec(4, "attendance.standing.absent"),
        # collective proposal C: four main authors, only three count
        *[
            rec(m, k, role="collective", item="p:C")
            for k in ("proposal.submitted", "proposal.accepted")
            for m in (5, 6, 7, 8)
        ],
    ]
    return engine.compute(tongcheng, records)


class TestTongcheng:
    @pytest.fixture
    def results(self, tongcheng_results):
        return tongcheng_results

    def test_caps_hold(self, results):
        first = results[1]
        assert first.scores == {
            "meetings": D("50.00"),
            "proposals": D("25.00"),
            "activities": D("10.00"),
            "opinions": D("15.00"),
        }
        assert first.category("activities").raw == D("12.00")
        assert first.category("activities").capped
        assert first.total == D("100.00")
        assert first.grade == "合格" and first.passed

    def test_lead_half_split_and_exclusive_adoption(self, results):
        second = results[2]
        assert second.scores == {
            "meetings": D("28.00"),
            "proposals": D("12.50"),
            "activities": D("2.00"),
            "opinions": D("15.00"),
        }
        assert second.total == D("57.50")
        assert second.grade == "不合格" and second.passed is False
        opinions = second.category("opinions")
        assert opinions.raw == D("15.00")
        zeroed = [line for line in opinions.lines if line.subtotal == 0]
        assert len(zeroed) == 1 and "只计最高一项" in zeroed[0].note

    def test_co_signers_share_the_other_half(self, results):
        third = results[3]
        assert third.category("proposals").raw == D("6.25")  # 2.50 + 3.75
        assert third.scores["meetings"] == D("45.00")
        assert third.total == D("66.25")  # 45 + 6.25 + 5 (written speech) + 10 (suggestion)
        assert third.grade == "合格"

    def test_deductions_stop_at_the_floor_and_flags_rise(self, results):
        fourth = results[4]
        meetings = fourth.category("meetings")
        assert meetings.raw == D("-5.00") and meetings.score == D("0.00") and meetings.floored
        assert fourth.total == D("6.25")
        assert fourth.grade == "不合格"
        assert [f.code for f in fourth.flags] == ["plenary_absent_twice"]
        assert [r.code for r in fourth.unmet] == ["plenary"]

    def test_collective_proposal_counts_three_main_authors(self, results):
        assert [results[m].scores["proposals"] for m in (5, 6, 7, 8)] == [D("25.00")] * 3 + [D("0.00")]
        lines = results[8].category("proposals").lines
        assert all("前 3 位" in line.note for line in lines)


@pytest.fixture(scope="module")
def guangshui_results(guangshui):
    records = [
        # 1: three proposals as first proposer, a report and a key enterprise: 100 → cap 80
        *[rec(1, "proposal.accepted", role="lead", item=f"p:{n}") for n in (1, 2, 3)],
        rec(1, "opinion.submitted", item="o:1"),
        rec(1, "commendation.enterprise_service"),
        rec(1, "attendance.plenary.late"),
        rec(1, "attendance.standing.absent"),
        rec(1, "study.notes"),
        rec(1, "study.notes"),
        rec(1, "study.essay"),
        rec(1, "commendation.provincial"),
        rec(1, "commendation.city"),
        # 2: co-signer of proposal 1, first proposer of a converted one, four standing absences
        rec(2, "proposal.accepted", role="co", item="p:1"),
        rec(2, "proposal.converted", role="lead", item="p:9"),
        *[rec(2, "attendance.standing.absent") for _ in range(4)],
        # 4: an ordinary good year
        rec(4, "proposal.accepted", role="lead", item="p:4"),
        rec(4, "opinion.submitted", item="o:4"),
        rec(4, "commendation.family_help"),
        rec(4, "study.essay"),
    ]
    return engine.compute(guangshui, records, member_ids=[3])


class TestGuangshui:
    @pytest.fixture
    def results(self, guangshui_results):
        return guangshui_results

    def test_caps_and_per_role_points(self, results):
        first = results[1]
        assert first.category("duty").raw == D("100.00")
        assert first.scores == {
            "duty": D("80.00"),
            "attendance": D("6.00"),
            "study": D("10.00"),
            "bonus": D("10.00"),
        }
        assert first.total == D("106.00") and first.grade == "优秀"

    def test_max_count_keeps_one_study_note(self, results):
        study = results[1].category("study")
        assert study.raw == D("10.00")
        assert any("最多计 1 次" in line.note for line in study.lines)

    def test_deductions_come_off_the_start_and_stop_at_zero(self, results):
        second = results[2]
        assert second.scores == {
            "duty": D("30.00"),
            "attendance": D("0.00"),
            "study": D("0.00"),
            "bonus": D("0.00"),
        }
        assert second.category("attendance").raw == D("-12.00")
        assert second.total == D("30.00") and second.grade == "不称职"
        assert [f.code for f in second.flags] == ["standing_absent_twice"]
        assert second.unmet == ()

    def test_a_member_without_records_keeps_the_start_and_misses_the_requirement(self, results):
        third = results[3]
        assert third.total == D("10.00") and third.grade == "不称职"
        assert [r.code for r in third.unmet] == ["proposal_or_opinion"]

    def test_an_ordinary_year(self, results):
        assert results[4].total == D("75.00") and results[4].grade == "称职"
