"""Scores follow the ledger: a committed sync_records announces records_changed once per transaction
(lvzhi.ledger.services), scoring.tasks.on_records_changed queues recompute_members for each year with an
active rule set, and the members of the source (a joint item's co-authors too) get their scores again.
Tasks run when enqueued here (root conftest), so the task's writes are visible right after the commit.

The shared `year_world` (conftest): a 87.50 (lead of a joint proposal with b), b 22.50, c 10.00."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction

from lvzhi.ledger.models import DutyImport, DutyImportItem
from lvzhi.ledger.services import Fact, retract_all, sync_records
from lvzhi.ledger.signals import records_changed
from lvzhi.scoring import services, tasks
from lvzhi.scoring.models import MemberScore

from .conftest import YEAR

DEFAULT_RULES = (Path(__file__).resolve().parent.parent / "data" / "default_rules.yaml").read_text(
    encoding="utf-8"
)
DAY = datetime.date(YEAR, 6, 1)


@pytest.fixture
def heard():
    """Every records_changed sent while the test runs: [(committee_id, {year: {member ids}})]."""
    sent = []

    def receiver(sender, *, committee_id, members_by_year, **kwargs):
        sent.append((committee_id, {year: set(ids) for year, ids in members_by_year.items()}))

    records_changed.connect(receiver, dispatch_uid="test_recompute_heard")
    yield sent
    records_changed.disconnect(dispatch_uid="test_recompute_heard")


@pytest.fixture
def queued(monkeypatch):
    """The recompute tasks enqueued (they still run)."""
    calls = []
    real = tasks.recompute_members

    class Spy:
        def enqueue(self, *args):
            calls.append(args)
            return real.enqueue(*args)

    monkeypatch.setattr(tasks, "recompute_members", Spy())
    return calls


def an_item(world, key="item"):
    """A real source: an item of a duty-record import, as the historical import writes them."""
    job = DutyImport.objects.create(committee=world["committee"], original_name="历史履职记录.xlsx")
    return DutyImportItem.objects.create(job=job, key=key, label=f"导入事项 {key}")


def total(world, key, year=YEAR):
    return MemberScore.objects.get(member=world[key], year=year, rule_set__status="active").total


def scores(world, year=YEAR):
    return {
        key: MemberScore.objects.get(member=world[key], year=year, rule_set__status="active")
        for key in ("a", "b", "c")
    }


def joint_proposal(world, authors=(("a", "lead"), ("c", "co")), date=DAY):
    return [Fact(world[key], "proposal.submitted", date, role) for key, role in authors]


def test_a_sync_recomputes_the_member_and_the_co_authors(
    year_world, heard, queued, django_capture_on_commit_callbacks
):
    w = year_world
    before = scores(w)
    item = an_item(w)
    with django_capture_on_commit_callbacks(execute=True):
        sync_records(source=item, committee=w["committee"], facts=joint_proposal(w))
    # a submitted proposal of two: 10 points, the lead half, the co-author the other half
    assert heard == [(w["committee"].pk, {YEAR: {w["a"].pk, w["c"].pk}})]
    assert queued == [(w["committee"].pk, YEAR, sorted([w["a"].pk, w["c"].pk]))]
    after = scores(w)
    assert after["a"].total == Decimal("92.50") and after["a"].grade == "优秀"
    assert after["a"].categories["proposals"]["raw"] == "17.50"
    assert after["c"].total == Decimal("15.00")
    assert "proposal_or_opinion" not in {entry["code"] for entry in after["c"].unmet}
    # b has no record of the item: not recomputed
    assert after["b"].computed_at == before["b"].computed_at


def test_a_change_to_a_joint_item_changes_every_author_split(year_world, django_capture_on_commit_callbacks):
    w = year_world
    item = an_item(w)
    with django_capture_on_commit_callbacks(execute=True):
        sync_records(source=item, committee=w["committee"], facts=joint_proposal(w))
    assert (total(w, "a"), total(w, "c")) == (Decimal("92.50"), Decimal("15.00"))
    # b joins as a second co-author: the lead keeps half (5), the co-authors share the rest (2.5 each)
    authors = (("a", "lead"), ("c", "co"), ("b", "co"))
    with django_capture_on_commit_callbacks(execute=True):
        sync_records(source=item, committee=w["committee"], facts=joint_proposal(w, authors))
    assert (total(w, "a"), total(w, "b"), total(w, "c")) == (
        Decimal("92.50"),
        Decimal("25.00"),
        Decimal("12.50"),
    )
    # the item withdrawn: back to where everyone started
    with django_capture_on_commit_callbacks(execute=True):
        retract_all(source=item, committee=w["committee"])
    assert (total(w, "a"), total(w, "b"), total(w, "c")) == (
        Decimal("87.50"),
        Decimal("22.50"),
        Decimal("10.00"),
    )


def test_each_committed_transaction_announces_its_own_changes(
    year_world, heard, django_capture_on_commit_callbacks
):
    w = year_world
    first, second = an_item(w, "1"), an_item(w, "2")
    with django_capture_on_commit_callbacks(execute=True):
        sync_records(source=first, committee=w["committee"], facts=[Fact(w["b"], "activity.research", DAY)])
    with django_capture_on_commit_callbacks(execute=True):
        sync_records(source=second, committee=w["committee"], facts=[Fact(w["c"], "activity.research", DAY)])
    assert heard == [
        (w["committee"].pk, {YEAR: {w["b"].pk}}),
        (w["committee"].pk, {YEAR: {w["c"].pk}}),
    ]
    assert (total(w, "b"), total(w, "c")) == (Decimal("24.50"), Decimal("12.00"))


def test_several_syncs_in_one_transaction_give_one_signal(
    year_world, heard, queued, django_capture_on_commit_callbacks
):
    w = year_world
    first, second = an_item(w, "1"), an_item(w, "2")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        sync_records(source=first, committee=w["committee"], facts=joint_proposal(w))
        sync_records(source=second, committee=w["committee"], facts=[Fact(w["b"], "activity.research", DAY)])
        sync_records(
            source=second, committee=w["committee"], facts=[Fact(w["b"], "activity.inspection", DAY)]
        )
    assert heard == [(w["committee"].pk, {YEAR: {w["a"].pk, w["b"].pk, w["c"].pk}})]
    assert len(queued) == 1
    assert (total(w, "a"), total(w, "b"), total(w, "c")) == (
        Decimal("92.50"),
        Decimal("24.50"),
        Decimal("15.00"),
    )


def test_a_sync_that_changes_nothing_announces_nothing(year_world, heard, django_capture_on_commit_callbacks):
    w = year_world
    item = an_item(w)
    with django_capture_on_commit_callbacks(execute=True):
        sync_records(source=item, committee=w["committee"], facts=joint_proposal(w))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sync_records(source=item, committee=w["committee"], facts=joint_proposal(w))
    assert len(heard) == 1 and callbacks == []


def test_a_year_without_an_active_rule_set_queues_nothing(
    year_world, heard, queued, django_capture_on_commit_callbacks
):
    w = year_world
    with django_capture_on_commit_callbacks(execute=True):
        sync_records(
            source=an_item(w),
            committee=w["committee"],
            facts=joint_proposal(w, date=datetime.date(YEAR - 1, 11, 3)),
        )
    assert heard == [(w["committee"].pk, {YEAR - 1: {w["a"].pk, w["c"].pk}})]
    assert queued == []
    assert not MemberScore.objects.filter(year=YEAR - 1).exists()
    assert (total(w, "a"), total(w, "c")) == (Decimal("87.50"), Decimal("10.00"))


def test_a_record_moved_to_another_year_recomputes_both_years(
    year_world, heard, queued, django_capture_on_commit_callbacks
):
    w = year_world
    services.save_rule_set(committee=w["committee"], year=YEAR + 1, text=DEFAULT_RULES, activate=True)
    services.compute_year(committee=w["committee"], year=YEAR + 1)
    assert total(w, "c", YEAR + 1) == Decimal("10.00")
    item = an_item(w)
    facts = [Fact(w["c"], "activity.inspection", datetime.date(YEAR, 12, 30))]
    with django_capture_on_commit_callbacks(execute=True):
        sync_records(source=item, committee=w["committee"], facts=facts)
    assert (total(w, "c"), total(w, "c", YEAR + 1)) == (Decimal("12.00"), Decimal("10.00"))
    # the activity's date corrected into the next year: it leaves one year and enters the other
    facts = [Fact(w["c"], "activity.inspection", datetime.date(YEAR + 1, 1, 2))]
    with django_capture_on_commit_callbacks(execute=True):
        sync_records(source=item, committee=w["committee"], facts=facts)
    assert heard[-1] == (w["committee"].pk, {YEAR: {w["c"].pk}, YEAR + 1: {w["c"].pk}})
    assert sorted(call[1] for call in queued[-2:]) == [YEAR, YEAR + 1]
    assert (total(w, "c"), total(w, "c", YEAR + 1)) == (Decimal("10.00"), Decimal("12.00"))


def test_a_rolled_back_transaction_announces_nothing(year_world, heard, django_capture_on_commit_callbacks):
    w = year_world
    first, second = an_item(w, "1"), an_item(w, "2")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            sync_records(source=first, committee=w["committee"], facts=joint_proposal(w))
            raise RuntimeError("the service failed after syncing")
        # the next transaction starts afresh: only its own members are announced
        sync_records(source=second, committee=w["committee"], facts=[Fact(w["b"], "activity.research", DAY)])
    assert heard == [(w["committee"].pk, {YEAR: {w["b"].pk}})]
    assert (total(w, "a"), total(w, "b"), total(w, "c")) == (
        Decimal("87.50"),
        Decimal("24.50"),
        Decimal("10.00"),
    )


def test_a_rolled_back_savepoint_after_a_sync_keeps_the_first_sync_announced(
    year_world, heard, django_capture_on_commit_callbacks
):
    """The members of a sync rolled back to a savepoint may be announced with the rest (the collector
    cannot tell): they are recomputed from the committed ledger, so their scores do not move."""
    w = year_world
    first, second = an_item(w, "1"), an_item(w, "2")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        sync_records(source=first, committee=w["committee"], facts=[Fact(w["b"], "activity.research", DAY)])
        with pytest.raises(RuntimeError), transaction.atomic():
            sync_records(source=second, committee=w["committee"], facts=joint_proposal(w))
            raise RuntimeError("an inner step failed")
    [(committee_id, members_by_year)] = heard
    assert committee_id == w["committee"].pk and w["b"].pk in members_by_year[YEAR]
    assert (total(w, "a"), total(w, "b"), total(w, "c")) == (
        Decimal("87.50"),
        Decimal("24.50"),
        Decimal("10.00"),
    )


# --- with real commits ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_committed_syncs_recompute_in_a_real_transaction(year_world, heard, queued):
    w = year_world
    first, second = an_item(w, "1"), an_item(w, "2")
    # one transaction, two syncs: one announcement after the commit, nothing before it
    with transaction.atomic():
        sync_records(source=first, committee=w["committee"], facts=joint_proposal(w))
        sync_records(source=second, committee=w["committee"], facts=[Fact(w["b"], "activity.research", DAY)])
        assert heard == []
    assert heard == [(w["committee"].pk, {YEAR: {w["a"].pk, w["b"].pk, w["c"].pk}})]
    assert len(queued) == 1
    assert (total(w, "a"), total(w, "b"), total(w, "c")) == (
        Decimal("92.50"),
        Decimal("24.50"),
        Decimal("15.00"),
    )
    # a failed transaction: nothing announced, nothing recomputed, and the next one announces alone
    with pytest.raises(RuntimeError), transaction.atomic():
        retract_all(source=first, committee=w["committee"])
        raise RuntimeError("rolled back")
    assert len(heard) == 1
    assert total(w, "a") == Decimal("92.50")
    sync_records(source=second, committee=w["committee"], facts=[])
    assert heard[-1] == (w["committee"].pk, {YEAR: {w["b"].pk}})
    assert (total(w, "a"), total(w, "b")) == (Decimal("92.50"), Decimal("22.50"))


def test_many_members_are_recomputed_from_the_whole_year_with_the_same_scores(year_world, monkeypatch):
    w = year_world
    item = an_item(w)
    sync_records(source=item, committee=w["committee"], facts=joint_proposal(w))  # not announced here
    ids = [w["a"].pk, w["b"].pk, w["c"].pk]
    assert services.compute_members(committee=w["committee"], year=YEAR, member_ids=ids) == 3
    few = {key: (s.total, s.categories, s.unmet, s.flags) for key, s in scores(w).items()}
    monkeypatch.setattr(services, "FULL_READ_ABOVE", 1)
    assert services.compute_members(committee=w["committee"], year=YEAR, member_ids=ids) == 3
    many = {key: (s.total, s.categories, s.unmet, s.flags) for key, s in scores(w).items()}
    assert many == few
    assert (few["a"][0], few["b"][0], few["c"][0]) == (Decimal("92.50"), Decimal("22.50"), Decimal("15.00"))
