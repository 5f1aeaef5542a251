"""The two steps every workflow service repeats (DESIGN §6): lock the object and check the version the
editor saw, then move it through its model's transition table with a history row and an audit row.

A workflow model has a nested `Status` (TextChoices), a `TRANSITIONS` table {Status: {Status, ...}}
and a `committee`, and a `version` counter when editors can hold it on an open page (core.models.
Versioned); its history model derives from `core.models.StatusChange`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from . import audit
from .models import StatusChange, Versioned

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

_M = TypeVar("_M", bound=models.Model)


class StaleEdit(ValidationError):
    """Someone else saved the object after this editor opened it, so nothing was saved. The one error
    of optimistic locking in lvzhi, for workflow objects and plain versioned ones alike: `lock` raises
    it and views catch it to show its message."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else saved this after you opened it. Nothing was saved. "
                "Reload the page to see their changes, then make yours again."
            ),
            code="stale",
        )


def lock(
    model_or_queryset: type[_M] | models.QuerySet[_M],
    pk: Any,
    expected_version: int | None = None,
) -> _M:
    """The row `pk`, locked for this transaction (select_for_update; SQLite has no row locks, but
    settings open every transaction IMMEDIATE, which takes its one write lock before this read).
    When `expected_version` is given and the row has moved on, raise StaleEdit: of two editors who
    opened the same version, the first to save wins and the other saves nothing.
    `model_or_queryset` may carry select_related for what the caller reads next, or only("version")
    when the caller reads nothing."""
    queryset = (
        model_or_queryset._default_manager.all()
        if isinstance(model_or_queryset, type) and issubclass(model_or_queryset, models.Model)
        else model_or_queryset
    )
    fresh = queryset.select_for_update().get(pk=pk)
    # Versioned rows, and member files, which count their saves in a `version` of their own: a column
    # the model's type does not promise.
    if expected_version is not None and fresh.version != expected_version:  # type: ignore[attr-defined]
        raise StaleEdit
    return fresh


def move(
    obj: _M,
    to_status: str,
    *,
    actor: AbstractBaseUser | None,
    history: tuple[type[StatusChange], str],
    error: type[ValidationError],
    illegal: str,
    event: str = "",
    label: str = "",
    reason: str = "",
    only_from: str | None = None,
    save: bool = True,
) -> _M:
    """Move the (locked) `obj` to `to_status` through `type(obj).TRANSITIONS`, bump its version (if it
    has one), write the history row and the audit row; returns `obj`.

    `history` is (history model, name of its foreign key to obj). An illegal move raises
    `error(illegal, code="illegal_transition")` with the labels of both statuses as `from` and `to`.
    `event` is the audit event the app declared for this move (its message names %(object)s, %(from)s
    and %(to)s, the statuses shown by their labels); `label` is the English name of the step ("Check-in")
    for callers not yet given an event of their own, written as the generic workflow.status_changed.
    `only_from` narrows the table where two moves share a target (starting vs reopening).
    `save=False` leaves saving to the caller, which changes more fields of the same row."""
    # A workflow model as this module's docstring describes it: Django's types know neither its table
    # nor its status and committee, so those are read untyped.
    model: Any = type(obj)
    flow: Any = obj
    from_status = flow.status
    if to_status not in model.TRANSITIONS[model.Status(from_status)] or (
        only_from and from_status != only_from
    ):
        raise error(
            illegal,
            code="illegal_transition",
            params={"from": model.Status(from_status).label, "to": model.Status(to_status).label},
        )
    flow.status = to_status
    changed = ["status"]
    if isinstance(obj, Versioned):
        obj.version += 1
        changed.append("version")
    if save:
        obj.save(update_fields=changed)
    history_model, fk_name = history
    # The concrete history model adds the foreign key to `obj` and the status fields with its choices;
    # its actor is the user model, which core knows only as AbstractBaseUser.
    row: dict[str, Any] = {fk_name: obj, "from_status": from_status, "to_status": to_status, "actor": actor}
    history_model._default_manager.create(**row, reason=reason)
    audit.record(
        audit.Action.UPDATE,
        actor=actor,
        committee=flow.committee,
        obj=obj,
        event=event or "workflow.status_changed",
        params={
            "object": str(obj),
            "from": from_status,
            "to": to_status,
            **({} if event else {"step": label}),
        },
        detail={"from": from_status, "to": to_status, "reason": reason},
    )
    return obj


def posted_version(request: HttpRequest) -> int:
    """The version the editor's page showed, from the form's hidden `version` field. A missing or
    garbled one is 0, never a real version (they start at 1), so `lock` answers "someone else changed
    it" instead of saving over a change the editor never saw."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0
