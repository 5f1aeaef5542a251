"""The shared year of the scoring tests (conftest.year_world) is what its docstring says."""

from decimal import Decimal

from lvzhi.scoring.models import MemberScore


def test_the_shared_year_scores_as_described(year_world):
    got = {s.member.name: (s.total, s.grade) for s in MemberScore.objects.all()}
    assert got == {
        "甲委员": (Decimal("87.50"), "良好"),
        "乙委员": (Decimal("22.50"), "不称职"),
        "丙委员": (Decimal("10.00"), "不称职"),
    }
    assert year_world["a"].user.username == "member_a"
