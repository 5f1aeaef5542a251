"""Writes to the organization structure. Plain edits, but each one is audited."""

from django.db import transaction

from lvzhi.core import audit


@transaction.atomic
def save_form(*, form, actor, request=None, **assign):
    """Save a ModelForm, setting `assign` attributes (committee, recorded_by…) first, and audit it."""
    creating = form.instance.pk is None
    obj = form.save(commit=False)
    for name, value in assign.items():
        setattr(obj, name, value)
    obj.save()
    form.save_m2m()
    changed = [] if creating else form.changed_data
    audit.record(
        audit.Action.CREATE if creating else audit.Action.UPDATE,
        actor=actor,
        request=request,
        obj=obj,
        summary=str(obj)[:255],
        detail={"fields": changed} if changed else {},
    )
    return obj


@transaction.atomic
def delete_membership(*, membership, actor, request=None):
    audit.record(audit.Action.DELETE, actor=actor, request=request, obj=membership, summary=str(membership))
    membership.delete()
