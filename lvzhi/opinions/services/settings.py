"""A committee's report categories and pipeline settings."""

from __future__ import annotations

from typing import Any

from ..models import DEFAULT_CATEGORIES, Category


def give_default_categories(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """A new committee starts with the default categories (post_save of Committee); staff edit them."""
    if created and not raw:
        Category.objects.bulk_create(
            [
                Category(committee=instance, name=name, order=order)
                for order, name in enumerate(DEFAULT_CATEGORIES, 1)
            ],
            ignore_conflicts=True,
        )
