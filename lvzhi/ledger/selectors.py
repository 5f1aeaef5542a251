from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import kinds
from .models import DutyRecord

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from lvzhi.members.models import Member


@dataclass
class KindGroup:
    """The records of one group of kinds (attendance, activity, ...) with counts per kind."""

    key: str
    label: str | StrPromise
    records: list[DutyRecord] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # kind label -> number of records

    @property
    def count(self) -> int:
        return len(self.records)


def member_year(member: Member, year: int) -> list[KindGroup]:
    """The member's duty records of one calendar year, grouped by kind prefix in the taxonomy's order
    (unknown groups last), each record with its source loaded. Queries: one for the records and one per
    kind of source object, whatever the number of records."""
    records = (
        DutyRecord.objects.filter(
            member=member, date__gte=datetime.date(year, 1, 1), date__lt=datetime.date(year + 1, 1, 1)
        )
        .select_related("source_type")
        .prefetch_related("source")
        .order_by("date", "id")
    )
    groups = {key: KindGroup(key, label) for key, label in kinds.GROUPS.items()}
    for record in records:
        key = kinds.group_of(record.kind)
        group = groups.setdefault(key, KindGroup(key, kinds.group_label(key)))
        group.records.append(record)
        kind_label = str(record.kind_label)
        group.counts[kind_label] = group.counts.get(kind_label, 0) + 1
    return [group for group in groups.values() if group.records]


def record_years(member: Member) -> list[int]:
    """The years in which the member has records, newest first (for the year switcher)."""
    return [d.year for d in DutyRecord.objects.filter(member=member).dates("date", "year", order="DESC")]
