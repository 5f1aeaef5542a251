import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import LiaisonContactFactory, LiaisonFactory, MemberFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.ledger.services import Fact, SyncResult, retract_all, sync_records

DAY = datetime.date(2026, 3, 5)


def _rows(source):
    return sorted(
        (r.member_id, r.kind, r.date, r.role, r.share, r.note)
        for r in DutyRecord.objects.filter(source_id=source.pk)
    )


def test_it_inserts_the_facts(committee, source, make_member, office):
    a, b = make_member(), make_member()
    result = sync_records(
        source=source,
        committee=committee,
        facts=[Fact(a, "activity.research", DAY, role="lead"), Fact(b, "activity.research", DAY)],
        actor=office,
    )
    assert result == SyncResult(inserted=2)
    record = DutyRecord.objects.get(member=a)
    assert (record.kind, record.date, record.role, record.share) == ("activity.research", DAY, "lead", 1)
    assert record.committee == committee
    assert record.source == source
    assert record.source_label == str(source)
    assert record.recorded_by == office


def test_it_is_idempotent(committee, source, make_member):
    a = make_member()
    facts = [Fact(a, "activity.research", DAY, share=Decimal("0.3333")), Fact(a, "speech.oral", DAY)]
    sync_records(source=source, committee=committee, facts=facts)
    before = _rows(source)
    audit_count = AuditEvent.objects.count()
    assert sync_records(source=source, committee=committee, facts=facts) == SyncResult()
    assert _rows(source) == before
    assert AuditEvent.objects.count() == audit_count


def test_a_float_share_is_idempotent_too(committee, source, make_member):
    a = make_member()
    facts = [Fact(a, "activity.research", DAY, share=1 / 3)]
    sync_records(source=source, committee=committee, facts=facts)
    assert sync_records(source=source, committee=committee, facts=facts) == SyncResult()
    assert DutyRecord.objects.get().share == Decimal("0.3333")


def test_it_deletes_what_no_longer_holds_and_keeps_the_rest(committee, source, make_member):
    a, b = make_member(), make_member()
    sync_records(
        source=source,
        committee=committee,
        facts=[Fact(a, "attendance.plenary.present", DAY), Fact(b, "attendance.plenary.present", DAY)],
    )
    kept = DutyRecord.objects.get(member=a)
    result = sync_records(
        source=source, committee=committee, facts=[Fact(a, "attendance.plenary.present", DAY)]
    )
    assert result == SyncResult(deleted=1)
    assert list(DutyRecord.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_changed_kind_replaces_the_record(committee, source, make_member):
    a = make_member()
    sync_records(source=source, committee=committee, facts=[Fact(a, "attendance.plenary.absent", DAY)])
    result = sync_records(
        source=source, committee=committee, facts=[Fact(a, "attendance.plenary.leave", DAY)]
    )
    assert result == SyncResult(inserted=1, deleted=1)
    assert list(DutyRecord.objects.values_list("kind", flat=True)) == ["attendance.plenary.leave"]


def test_it_updates_changed_attributes_in_place(committee, source, make_member, office):
    a, b = make_member(), make_member()
    sync_records(
        source=source,
        committee=committee,
        facts=[Fact(a, "activity.research", DAY, role="lead"), Fact(b, "activity.research", DAY)],
    )
    record = DutyRecord.objects.get(member=a)
    later = DAY + datetime.timedelta(days=1)
    result = sync_records(
        source=source,
        committee=committee,
        facts=[
            Fact(a, "activity.research", later, role="co", share=Decimal("0.5"), note="改期"),
            Fact(b, "activity.research", DAY),
        ],
        actor=office,
    )
    assert result == SyncResult(updated=1)
    record.refresh_from_db()
    assert (record.date, record.role, record.share, record.note) == (later, "co", Decimal("0.5"), "改期")
    event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).first()
    assert event.detail == {"ledger": {"inserted": 0, "deleted": 0, "updated": 1}}
    assert event.object_type == source._meta.label
    assert event.object_id == str(source.pk)
    assert event.actor == office
    assert event.committee_id == committee.pk


def test_it_writes_one_audit_row_per_change(committee, source, make_member):
    a = make_member()
    before = AuditEvent.objects.count()
    sync_records(source=source, committee=committee, facts=[Fact(a, "activity.research", DAY)])
    assert AuditEvent.objects.count() == before + 1


def test_sources_do_not_touch_each_other(committee, source, make_member):
    a = make_member()
    other_source = LiaisonContactFactory(liaison=source.liaison)
    sync_records(source=source, committee=committee, facts=[Fact(a, "activity.liaison", DAY)])
    sync_records(source=other_source, committee=committee, facts=[Fact(a, "activity.liaison", DAY)])
    assert DutyRecord.objects.count() == 2
    retract_all(source=other_source)
    assert list(DutyRecord.objects.values_list("source_id", flat=True)) == [source.pk]


def test_the_same_id_of_another_model_is_another_source(committee, source, make_member):
    a = make_member()
    sync_records(source=source, committee=committee, facts=[Fact(a, "activity.liaison", DAY)])
    sync_records(source=a, committee=committee, facts=[])
    assert DutyRecord.objects.count() == 1


def test_retract_all_removes_every_record_of_the_source(committee, source, make_member, office):
    a, b = make_member(), make_member()
    sync_records(
        source=source,
        committee=committee,
        facts=[Fact(a, "activity.liaison", DAY), Fact(b, "speech.oral", DAY)],
    )
    assert retract_all(source=source, actor=office) == SyncResult(deleted=2)
    assert not DutyRecord.objects.exists()
    event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).first()
    assert event.committee_id == committee.pk
    assert retract_all(source=source) == SyncResult()


def test_it_refuses_a_member_of_another_committee(committee, other_committee, source, make_member):
    a = make_member()
    stranger = MemberFactory(committee=other_committee)
    with pytest.raises(ValidationError):
        sync_records(
            source=source,
            committee=committee,
            facts=[Fact(a, "activity.research", DAY), Fact(stranger, "activity.research", DAY)],
        )
    assert not DutyRecord.objects.exists()


def test_it_refuses_an_unknown_kind(committee, source, make_member):
    a = make_member()
    with pytest.raises(ValidationError):
        sync_records(source=source, committee=committee, facts=[Fact(a, "activity.dancing", DAY)])
    with pytest.raises(ValidationError):
        sync_records(source=source, committee=committee, facts=[Fact(a, "proposal.lead", DAY)])
    assert not DutyRecord.objects.exists()


def test_it_refuses_a_share_out_of_range(committee, source, make_member):
    a = make_member()
    with pytest.raises(ValidationError):
        sync_records(
            source=source,
            committee=committee,
            facts=[Fact(a, "activity.research", DAY, share=Decimal("1.5"))],
        )


def test_it_refuses_two_versions_of_one_fact(committee, source, make_member):
    a = make_member()
    with pytest.raises(ValidationError):
        sync_records(
            source=source,
            committee=committee,
            facts=[Fact(a, "activity.research", DAY), Fact(a, "activity.research", DAY, role="lead")],
        )
    result = sync_records(
        source=source,
        committee=committee,
        facts=[Fact(a, "activity.research", DAY), Fact(a, "activity.research", DAY)],
    )
    assert result == SyncResult(inserted=1)


def test_it_rolls_back_everything_when_a_write_fails(committee, source, make_member, monkeypatch):
    a, b = make_member(), make_member()
    sync_records(source=source, committee=committee, facts=[Fact(a, "activity.research", DAY)])

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(DutyRecord.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        sync_records(source=source, committee=committee, facts=[Fact(b, "activity.research", DAY)])
    assert list(DutyRecord.objects.values_list("member_id", flat=True)) == [a.pk]


def test_the_database_refuses_a_double_record(committee, source, make_member):
    a = make_member()
    sync_records(source=source, committee=committee, facts=[Fact(a, "activity.research", DAY)])
    record = DutyRecord.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyRecord.objects.create(
            member=a,
            committee=committee,
            date=DAY,
            kind="activity.research",
            source_type=record.source_type,
            source_id=source.pk,
        )


def _queries_for(committee, members, source):
    facts = [Fact(m, "activity.research", DAY) for m in members]
    with capture_queries() as insert:
        sync_records(source=source, committee=committee, facts=facts)
    changed = [Fact(m, "activity.research", DAY, role="co") for m in members[1:]]
    with capture_queries() as mixed:
        sync_records(source=source, committee=committee, facts=changed)
    with capture_queries() as noop:
        sync_records(source=source, committee=committee, facts=changed)
    return insert, mixed, noop


def test_the_number_of_queries_does_not_grow_with_the_facts(committee, make_member):
    small = _queries_for(
        committee,
        [make_member() for _ in range(5)],
        LiaisonContactFactory(liaison=LiaisonFactory(committee=committee)),
    )
    large = _queries_for(
        committee,
        [make_member() for _ in range(50)],
        LiaisonContactFactory(liaison=LiaisonFactory(committee=committee)),
    )
    for small_sync, large_sync in zip(small, large, strict=True):
        assert_same_query_count(small_sync, large_sync)
