"""A committee's report categories and pipeline settings."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lvzhi.core import audit
from lvzhi.core.permissions import committee_of

from ..models import DEFAULT_CATEGORIES, Category, OpinionPolicy


# A signal rather than a call from where committees are made: organization is below this app, and a
# committee made anywhere (the demo, a shell, a later import) must start with categories to choose from.
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


# --- the settings page --------------------------------------------------------------


def _require_settings_right(actor: Any, committee_id: int) -> None:

    if actor.committee_id != committee_id or not actor.has_perm("opinions.process_opinionreport"):
        raise PermissionDenied("opinions.process_opinionreport")


def update_policy(*, actor: Any, body_limit: int, overdue_days: dict[str, int]) -> OpinionPolicy:
    """Save the committee's body limit and the days allowed per step (audited with old and new)."""

    committee_id = committee_of(actor)
    _require_settings_right(actor, committee_id)
    with transaction.atomic():
        policy, _created = OpinionPolicy.objects.select_for_update().get_or_create(committee_id=committee_id)
        before = {"body_limit": policy.body_limit, "overdue_days": policy.overdue_days}
        policy.body_limit = body_limit
        policy.overdue_days = {str(k): int(v) for k, v in overdue_days.items()}
        policy.full_clean(exclude=["committee"])
        policy.save()
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=committee_id,
            obj=policy,
            event="opinions.policy_changed",
            detail={
                "before": before,
                "after": {"body_limit": body_limit, "overdue_days": policy.overdue_days},
            },
        )
    return policy


def change_category(
    *, actor: Any, action: str, category: Category | None = None, name: str = ""
) -> Category | None:
    """add (name) / rename (category, name) / retire / restore / up / down a category of the actor's
    committee. Retired categories stay on the reports that have them."""
    committee_id = committee_of(actor)
    _require_settings_right(actor, committee_id)
    if category is not None and category.committee_id != committee_id:
        raise PermissionDenied("another committee's category")
    name = (name or "").strip()
    with transaction.atomic():
        rows = list(
            Category.objects.select_for_update().filter(committee_id=committee_id).order_by("order", "pk")
        )
        if action in ("add", "rename"):
            if not name:
                raise ValidationError(_("Category name: write a name."), code="name_required")
            if any(c.name == name and (category is None or c.pk != category.pk) for c in rows):
                raise ValidationError(
                    _("Category name: %(name)s is already in the list."),
                    code="duplicate",
                    params={"name": name},
                )
        before = [(c.name, c.is_active) for c in rows]
        if action == "add":
            category = Category.objects.create(
                committee_id=committee_id, name=name, order=(rows[-1].order + 1) if rows else 1
            )
        elif category is None:
            raise ValidationError(_("Choose a category."), code="category_required")
        elif action == "rename":
            category.name = name
            category.save(update_fields=["name"])
        elif action in ("retire", "restore"):
            category.is_active = action == "restore"
            category.save(update_fields=["is_active"])
        elif action in ("up", "down"):
            index = next(i for i, c in enumerate(rows) if c.pk == category.pk)
            other = index - 1 if action == "up" else index + 1
            if 0 <= other < len(rows):
                rows[index], rows[other] = rows[other], rows[index]
                for order, row in enumerate(rows, 1):
                    if row.order != order:
                        row.order = order
                        row.save(update_fields=["order"])
        else:
            raise ValidationError(_("Unknown change."), code="bad_action")
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=committee_id,
            obj=category,
            event="opinions.category_changed",
            detail={"action": action, "name": name or (category.name if category else ""), "before": before},
        )
    return category
