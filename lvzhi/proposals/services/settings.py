"""A committee's proposal categories, reasons for not accepting, and deadlines: the defaults a new
committee starts with, and the settings page's changes (staff with proposals.review_proposal, each
audited with what it was before)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from lvzhi.core import audit
from lvzhi.core.permissions import committee_of

from ..models import (
    DEFAULT_CATEGORIES,
    DEFAULT_HANDLING_MONTHS,
    DEFAULT_REJECTION_REASONS,
    ProposalCategory,
    ProposalPolicy,
    RejectionReason,
    SessionPolicy,
)
from .common import REVIEW, ProposalError

if TYPE_CHECKING:
    from lvzhi.accounts.models import User
    from lvzhi.organization.models import Session


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


# --- the settings page (staff with proposals.review_proposal) -----------------------------------------

# The ranges the settings form offers and the service accepts (the same numbers, so a request that
# skips the form meets the same limits).
RANGES: dict[str, tuple[int, int]] = {
    "body_limit": (500, 20000),
    "cosign_days": (1, 60),
    "return_days": (1, 60),
    "remind_days": (1, 90),
    "handling_months": (1, 12),
}
NAME_MAX = {"category": 50, "reason": 100}


def _require_settings_right(actor: User, committee_id: int) -> None:
    if actor.committee_id != committee_id or not actor.has_perm(REVIEW):
        raise PermissionDenied(REVIEW)


def _field_label(model: Any, name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _check_range(field: str, value: int, label: str) -> None:
    low, high = RANGES[field]
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ProposalError(
            _("%(field)s: a whole number from %(low)s to %(high)s."),
            code="out_of_range",
            params={"field": label, "low": low, "high": high},
        )


def update_policy(
    *, actor: User, body_limit: int, cosign_days: int, return_days: int, remind_days: int
) -> ProposalPolicy:
    """Save the committee's length limit and days (co-signing, returning, reminding), audited with the
    values before and after."""
    committee_id = committee_of(actor)
    _require_settings_right(actor, committee_id)
    values = {
        "body_limit": body_limit,
        "cosign_days": cosign_days,
        "return_days": return_days,
        "remind_days": remind_days,
    }
    for field, value in values.items():
        _check_range(field, value, _field_label(ProposalPolicy, field))
    with transaction.atomic():
        policy, _created = ProposalPolicy.objects.select_for_update().get_or_create(committee_id=committee_id)
        before = {field: getattr(policy, field) for field in values}
        for field, value in values.items():
            setattr(policy, field, value)
        policy.save()
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=committee_id,
            obj=policy,
            event="proposals.settings_changed",
            detail={"before": before, "after": values},
        )
    return policy


# The two editable lists: their model, the field that holds the text, the audit event, the messages.
_LISTS: dict[str, tuple[Any, str, str]] = {
    "category": (ProposalCategory, "name", "proposals.categories_changed"),
    "reason": (RejectionReason, "text", "proposals.rejection_reasons_changed"),
}
LIST_ACTIONS = ("add", "rename", "retire", "restore", "up", "down")


def _list_label(kind: str) -> str:
    return _("Category name") if kind == "category" else _("Reason")


def change_list_item(
    *, actor: User, kind: str, action: str, item: Any = None, text: str = ""
) -> ProposalCategory | RejectionReason | None:
    """add (text) / rename (item, text) / retire / restore / up / down one entry of the committee's
    categories (kind "category") or reasons for not accepting (kind "reason"). Retired entries stay on
    the proposals that have them and are no longer offered. Audited with the list before the change."""
    if kind not in _LISTS:
        raise ProposalError(_("Unknown list."), code="bad_list")
    model, field, event = _LISTS[kind]
    committee_id = committee_of(actor)
    _require_settings_right(actor, committee_id)
    if item is not None and (not isinstance(item, model) or item.committee_id != committee_id):
        raise PermissionDenied("another committee's list entry")
    if action not in LIST_ACTIONS:
        raise ProposalError(_("Unknown change."), code="bad_action")
    text = (text or "").strip()
    label = _list_label(kind)
    with transaction.atomic():
        rows = list(
            model.objects.select_for_update().filter(committee_id=committee_id).order_by("order", "pk")
        )
        if action in ("add", "rename"):
            if not text:
                raise ProposalError(
                    _("%(field)s: write a name."), code="name_required", params={"field": label}
                )
            if len(text) > NAME_MAX[kind] or "\x00" in text:
                raise ProposalError(
                    _("%(field)s: at most %(max)s characters, no control characters."),
                    code="name_invalid",
                    params={"field": label, "max": NAME_MAX[kind]},
                )
            if any(getattr(r, field) == text and (item is None or r.pk != item.pk) for r in rows):
                raise ProposalError(
                    _("%(field)s: %(name)s is already in the list."),
                    code="duplicate",
                    params={"field": label, "name": text},
                )
        before = [(getattr(r, field), r.is_active) for r in rows]
        if action == "add":
            item = model.objects.create(
                committee_id=committee_id, order=(rows[-1].order + 1) if rows else 1, **{field: text}
            )
        elif item is None:
            raise ProposalError(_("Choose an entry of the list."), code="item_required")
        else:
            item = next(r for r in rows if r.pk == item.pk)
            if action == "rename":
                setattr(item, field, text)
                item.save(update_fields=[field])
            elif action in ("retire", "restore"):
                item.is_active = action == "restore"
                item.save(update_fields=["is_active"])
            else:
                index = rows.index(item)
                other = index - 1 if action == "up" else index + 1
                if 0 <= other < len(rows):
                    rows[index], rows[other] = rows[other], rows[index]
                for order, row in enumerate(rows, 1):
                    if row.order != order:
                        row.order = order
                        row.save(update_fields=["order"])
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=committee_id,
            obj=item,
            event=event,
            detail={
                "action": action,
                "entry": getattr(item, field),
                "before": before,
                "after": [
                    (getattr(r, field), r.is_active)
                    for r in model.objects.filter(committee_id=committee_id).order_by("order", "pk")
                ],
            },
        )
    return item


def change_category(
    *, actor: User, action: str, category: ProposalCategory | None = None, name: str = ""
) -> ProposalCategory | None:
    item = change_list_item(actor=actor, kind="category", action=action, item=category, text=name)
    return cast("ProposalCategory | None", item)


def change_rejection_reason(
    *, actor: User, action: str, reason: RejectionReason | None = None, text: str = ""
) -> RejectionReason | None:
    item = change_list_item(actor=actor, kind="reason", action=action, item=reason, text=text)
    return cast("RejectionReason | None", item)


def set_session_deadline(*, actor: User, session: Session, handling_months: int) -> SessionPolicy:
    """The handling deadline of one session's proposals, in months after the assignment (audited with
    before and after). Deadlines already given stay as they are."""
    committee_id = committee_of(actor)
    _require_settings_right(actor, committee_id)
    if session.term.committee_id != committee_id:
        raise PermissionDenied("another committee's session")
    _check_range("handling_months", handling_months, _field_label(SessionPolicy, "handling_months"))
    with transaction.atomic():
        policy, created = SessionPolicy.objects.select_for_update().get_or_create(session=session)
        before = DEFAULT_HANDLING_MONTHS if created else policy.handling_months
        policy.handling_months = handling_months
        policy.save()
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=committee_id,
            obj=policy,
            event="proposals.session_settings_changed",
            params={"session": str(session)},
            detail={"before": {"handling_months": before}, "after": {"handling_months": handling_months}},
        )
    return policy
