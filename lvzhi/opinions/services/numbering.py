"""Serial numbers of reports 〔2026〕N and bulletins 第N期, per committee and year (core.numbering)."""

from __future__ import annotations

from lvzhi.core import numbering

from ..models import SerialCounter


def next_number(*, committee_id: int, year: int, series: str) -> int:
    """The next number of `series` for the committee and year; call inside the transaction that saves
    it (a rollback gives the number back)."""
    return numbering.next_number(SerialCounter, committee_id=committee_id, year=year, series=series)
