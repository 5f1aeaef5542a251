"""The engine's fast path: the kinds scored by their number alone given as (member, kind, n) counts (as a
SQL GROUP BY returns them) give exactly the results that their records give, for any rule set."""

import dataclasses
import datetime
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lvzhi.scoring import engine, rules
from lvzhi.scoring.engine import Record
from lvzhi.scoring.rules import Category, Flag, Grade, Requirement, Rule, RuleSet

DEFAULT = rules.load_file(str(Path(rules.__file__).parent / "data" / "default_rules.yaml"))

KINDS = [
    "attendance.plenary.present",
    "attendance.plenary.absent",
    "attendance.standing.leave",
    "attendance.committee.late",
    "activity.inspection",
    "activity.research",
    "speech.oral",
    "study.notes",
    "proposal.submitted",
    "proposal.accepted",
    "opinion.submitted",
    "opinion.adopted.county",
    "opinion.adopted.city",
    "commendation.city",
]
# Exact kinds and patterns of several lengths, so that a pattern's rule may need items while a more
# specific rule under it does not (or the other way round).
RULE_KINDS = [
    *KINDS,
    "attendance.*",
    "attendance.plenary.*",
    "activity.*",
    "proposal.*",
    "opinion.*",
    "opinion.adopted.*",
    "commendation.*",
]
ROLES = ["lead", "co", "collective", "merged", ""]
POINTS = st.sampled_from([Decimal(v) for v in ("-5", "-1", "0", "1.5", "2", "10", "33.33")])


@st.composite
def rule_sets(draw):
    """A random rule set of 1–3 categories: rules with or without split, per_role, max_authors,
    max_count and exclusive groups, caps, starts and floors, grades, requirements and flags."""
    kinds = draw(st.lists(st.sampled_from(RULE_KINDS), min_size=1, max_size=10, unique=True))
    n_categories = draw(st.integers(1, 3))
    per_category: list[list[Rule]] = [[] for _ in range(n_categories)]
    for line, kind in enumerate(kinds, start=1):
        category = draw(st.integers(0, n_categories - 1))
        rule = Rule(
            kind=kind,
            points=draw(POINTS),
            max_count=draw(st.one_of(st.none(), st.integers(1, 4))),
            category=f"c{category}",
            line=line,
        )
        if draw(st.booleans()):  # a rule that needs the item: any mix of what makes it so
            per_role = draw(
                st.one_of(
                    st.just(()),
                    st.lists(st.sampled_from(ROLES[:4]), min_size=1, max_size=2, unique=True).map(
                        lambda roles: tuple((r, Decimal(5 * (i + 1))) for i, r in enumerate(roles))
                    ),
                )
            )
            rule = dataclasses.replace(
                rule,
                split=draw(st.sampled_from(["none", "equal", "lead_half"] + ([] if per_role else ["share"]))),
                per_role=per_role,
                max_authors=draw(st.one_of(st.none(), st.integers(1, 3))),
                exclusive=draw(st.sampled_from(["", "g1", "g2"])),
            )
        per_category[category].append(rule)
    categories = []
    for i, category_rules in enumerate(per_category):
        start = draw(st.sampled_from([Decimal("0"), Decimal("10")]))
        floor = draw(st.sampled_from([Decimal("0"), Decimal("-100")]))
        cap = draw(st.sampled_from([None, None, Decimal("10"), Decimal("25")]))
        categories.append(
            Category(f"c{i}", f"类别{i}", tuple(category_rules), start=start, cap=cap, floor=floor)
        )
    patterns = st.lists(st.sampled_from(RULE_KINDS), min_size=1, max_size=3, unique=True).map(tuple)
    requirements = draw(
        st.lists(
            st.builds(lambda k, n: Requirement("r", "要求", k, n), patterns, st.integers(1, 3)), max_size=2
        )
    )
    flags = draw(
        st.lists(st.builds(lambda k, n: Flag("f", "标记", k, n), patterns, st.integers(1, 3)), max_size=2)
    )
    return RuleSet(
        name="随机",
        categories=tuple(categories),
        grades=(Grade("好", Decimal("20")), Grade("中", Decimal("0")), Grade("差")),
        requirements=tuple(requirements),
        flags=tuple(flags),
        pass_mark=Decimal("10"),
    )


records_strategy = st.lists(
    st.builds(
        lambda i, m, k, r, it, d, sh: Record(
            i, m, k, datetime.date(2026, 1, 1) + datetime.timedelta(days=d), r, sh, it
        ),
        st.integers(1, 10_000),
        # few members, so that a member has several records of a kind (and max_count bites)
        st.integers(1, 3),
        st.sampled_from(KINDS),
        st.sampled_from(ROLES),
        st.sampled_from(["", "i:1", "i:2", "i:3"]),
        st.integers(0, 364),
        st.sampled_from([Decimal("1"), Decimal("0.5"), Decimal("0.3333")]),
    ),
    max_size=120,
    unique_by=lambda r: r.id,
)

PROPERTY = settings(derandomize=True, max_examples=300, deadline=None)


def _split(ruleset, records):
    """What the services give the engine: counts for the count-only kinds, records for the others."""
    count_only = engine.count_only_kinds(ruleset, {r.kind for r in records})
    counts = Counter((r.member_id, r.kind) for r in records if r.kind in count_only)
    rest = [r for r in records if r.kind not in count_only]
    return [(m, k, n) for (m, k), n in counts.items()], rest


@PROPERTY
@given(rule_sets(), records_strategy, st.lists(st.integers(1, 7), max_size=3))
def test_counts_for_count_only_kinds_give_the_same_results_as_their_records(ruleset, records, assessed):
    counts, rest = _split(ruleset, records)
    from_records = engine.compute(ruleset, records, member_ids=assessed, explain=False)
    from_counts = engine.compute(ruleset, rest, counts=counts, member_ids=assessed, explain=False)
    assert from_counts == from_records


@PROPERTY
@given(rule_sets(), records_strategy, st.randoms(use_true_random=False))
def test_counts_add_up_with_each_other_and_with_records(ruleset, records, rng):
    """A (member, kind) may come in several count rows, and partly as records: the numbers add up."""
    count_only = engine.count_only_kinds(ruleset, {r.kind for r in records})
    as_records = [r for r in records if r.kind not in count_only or rng.random() < 0.3]
    kept = {r.id for r in as_records}
    counts = [(r.member_id, r.kind, 1) for r in records if r.id not in kept]
    rng.shuffle(counts)
    assert engine.compute(ruleset, as_records, counts=counts, explain=False) == engine.compute(
        ruleset, records, explain=False
    )


@PROPERTY
@given(records_strategy)
def test_the_default_template_from_counts(records):
    counts, rest = _split(DEFAULT, records)
    assert engine.compute(DEFAULT, rest, counts=counts, explain=False) == engine.compute(
        DEFAULT, records, explain=False
    )


def test_which_kinds_counts_suffice_for():
    # the default template: attendance, activities, speeches, commendations by number; proposals (split
    # among authors) and reports (split, one adoption level per report) by item; a kind without a rule
    # counts only for requirements and flags
    assert engine.count_only_kinds(DEFAULT, KINDS + ["library.read"]) == {
        "attendance.plenary.present",
        "attendance.plenary.absent",
        "attendance.standing.leave",
        "attendance.committee.late",
        "activity.inspection",
        "activity.research",
        "speech.oral",
        "study.notes",
        "commendation.city",
        "library.read",
    }


def test_max_count_caps_records_and_counts_together():
    ruleset = RuleSet(
        name="上限",
        categories=(Category("a", "活动", (Rule("activity.*", Decimal("2"), max_count=3, category="a"),)),),
    )
    records = [Record(1, 1, "activity.inspection"), Record(2, 1, "activity.research")]
    result = engine.compute(
        ruleset, records, counts=[(1, "activity.research", 2), (1, "activity.training", 4)], explain=False
    )
    assert result[1].total == Decimal("6.00")


def test_requirements_and_flags_count_from_counts():
    counts = [
        (1, "attendance.plenary.absent", 2),
        (1, "activity.inspection", 1),
        (2, "attendance.plenary.present", 1),
    ]
    results = engine.compute(DEFAULT, [], counts=counts, explain=False)
    assert [r.code for r in results[1].unmet] == ["plenary", "proposal_or_opinion"]
    assert [f.code for f in results[1].flags] == ["plenary_absent_twice"]
    assert [r.code for r in results[2].unmet] == ["proposal_or_opinion", "inspection"]
    assert results[2].flags == ()


def test_an_explanation_needs_records():
    with pytest.raises(ValueError, match="record ids"):
        engine.compute(DEFAULT, [], counts=[(1, "activity.inspection", 1)])


def test_a_kind_scored_by_item_cannot_be_counted():
    with pytest.raises(ValueError, match="proposal.submitted"):
        engine.compute(DEFAULT, [], counts=[(1, "proposal.submitted", 1)], explain=False)
