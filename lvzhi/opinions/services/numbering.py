"""Serial numbers without gaps or duplicates: reports 〔2026〕N and bulletins 第N期, per committee and year.
The counter row is locked for the rest of the caller's transaction, so a second registration waits for
the first to commit (or roll back, giving its number back)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ..models import SerialCounter


def next_number(*, committee_id: int, year: int, series: str) -> int:
    """The next number of `series` for the committee and year; call inside the transaction that saves
    it (a rollback gives the number back)."""
    counters = SerialCounter.objects.select_for_update()
    key = {"committee_id": committee_id, "year": year, "series": series}
    try:
        counter = counters.get(**key)
    except SerialCounter.DoesNotExist:
        try:
            # Two first registrations of the year: one creates the row, the other finds it (and waits).
            with transaction.atomic():
                SerialCounter.objects.create(**key, last=0)
        except IntegrityError:
            pass
        counter = counters.get(**key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last
