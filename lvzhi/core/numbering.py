"""Serial numbers without gaps or duplicates (社情民意 〔2026〕N, bulletins 第N期, proposals 第N号): a
counter row per series, locked for the rest of the caller's transaction, so a second number waits for
the first to commit (or roll back, giving its number back)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction


def next_number(counter_model: type[models.Model], **key: Any) -> int:
    """The next number of the series `key` identifies in `counter_model` (a model with a `last` field
    and a unique constraint over the `key` fields); call inside the transaction that saves it."""
    counters = counter_model._default_manager.select_for_update()
    try:
        counter = counters.get(**key)
    except counter_model.DoesNotExist:  # type: ignore[attr-defined]
        try:
            # Two first numbers of a series: one creates the row, the other finds it (and waits).
            with transaction.atomic():
                counter_model._default_manager.create(**key, last=0)
        except IntegrityError:
            pass
        counter = counters.get(**key)
    counter.last += 1  # type: ignore[attr-defined]
    counter.save(update_fields=["last"])
    return counter.last  # type: ignore[attr-defined]
