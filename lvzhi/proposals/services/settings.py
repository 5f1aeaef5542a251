"""A committee's proposal categories, reasons for not accepting, and deadlines."""

from __future__ import annotations

from typing import Any

from ..models import DEFAULT_CATEGORIES, DEFAULT_REJECTION_REASONS, ProposalCategory, RejectionReason


# A signal rather than a call from where committees are made: organization is below this app, and a
# committee made anywhere (the demo, a shell, a later import) must start with lists to choose from.
def give_defaults(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A new committee starts with the default categories and reasons (post_save of Committee)."""
    if created and not raw:
        ProposalCategory.objects.bulk_create(
            [
                ProposalCategory(committee=instance, name=name, order=order)
                for order, name in enumerate(DEFAULT_CATEGORIES, 1)
            ],
            ignore_conflicts=True,
        )
        RejectionReason.objects.bulk_create(
            [
                RejectionReason(committee=instance, text=text, order=order)
                for order, text in enumerate(DEFAULT_REJECTION_REASONS, 1)
            ],
            ignore_conflicts=True,
        )
