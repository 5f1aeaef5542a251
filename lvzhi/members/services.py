"""Writes to member files. Every change goes through here so that history, version and audit agree."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit, masking
from lvzhi.core.permissions import AuditedPermissionDenied

from .models import ContactUpdateRequest, Member, MemberChange, MemberTerm

# Fields whose history keeps only the masked form, so the history table leaks nothing.
MASKED_FIELDS = {"id_number": masking.mask_id_number, "phone": masking.mask_phone}


class StaleMemberError(Exception):
    """Someone saved the file after this editor opened it."""


def _display(member, field_name, value):
    if value in (None, ""):
        return ""
    if field_name in MASKED_FIELDS:
        return MASKED_FIELDS[field_name](value)
    field = Member._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if field_name == "photo":
        return getattr(value, "name", str(value))
    return str(value)


def snapshot(member):
    return {name: getattr(member, name) for name in Member.FILE_FIELDS}


def _diff(member, before, after):
    changes = []
    for name in Member.FILE_FIELDS:
        old, new = before.get(name), after.get(name)
        if name == "photo":
            old, new = getattr(old, "name", old) or "", getattr(new, "name", new) or ""
        if (old or "") != (new or ""):
            changes.append(
                {
                    "field": name,
                    "label": str(Member._meta.get_field(name).verbose_name),
                    "old": _display(member, name, old),
                    "new": _display(member, name, new),
                }
            )
    return changes


TERM_FIELDS = [
    "sector",
    "town_committee",
    "special_committees",
    "is_standing",
    "status",
    "status_date",
    "status_reason",
]


def term_snapshot(member_term):
    """The member's place in a term as display text, for the file's history."""
    if member_term is None or member_term.pk is None:
        return {}
    return {
        "sector": str(member_term.sector or ""),
        "town_committee": str(member_term.town_committee or ""),
        "special_committees": "、".join(sorted(str(u) for u in member_term.special_committees.all())),
        "is_standing": _("Yes") if member_term.is_standing else _("No"),
        "status": str(member_term.get_status_display()),
        "status_date": member_term.status_date.isoformat() if member_term.status_date else "",
        "status_reason": member_term.status_reason,
    }


def term_diff(member_term, before, after):
    changes = []
    for name in TERM_FIELDS:
        old, new = before.get(name, ""), after.get(name, "")
        if old != new:
            label = str(MemberTerm._meta.get_field(name).verbose_name)
            changes.append(
                {
                    "field": f"term.{name}",
                    "label": f"{member_term.term.name} · {label}",
                    "old": old,
                    "new": new,
                }
            )
    return changes


@transaction.atomic
def create_member(*, committee, data, actor, source=MemberChange.Source.CREATE, request=None):
    member = Member(committee=committee, **data)
    member.full_clean(exclude=["committee"])
    member.save()
    changes = _diff(member, {}, snapshot(member))
    MemberChange.objects.create(
        member=member, actor=actor, source=source, changes=changes, version=member.version
    )
    audit.record(audit.Action.CREATE, actor=actor, request=request, obj=member, summary=member.name)
    return member


@transaction.atomic
def update_member(
    *,
    member,
    before,
    expected_version,
    actor,
    source=MemberChange.Source.EDIT,
    extra_changes=(),
    request=None,
):
    """Save `member` (already carrying the new values) if nobody saved it since `expected_version`.

    `before` is `snapshot()` of the file as the editor loaded it; `extra_changes` are changes to the
    file's term rows (see `term_diff`), saved by the caller in the same transaction. The version check
    and increment are one conditional UPDATE, so of two concurrent saves exactly one wins and the other
    raises StaleMemberError, and the caller's transaction rolls back everything.
    """
    bumped = Member.objects.filter(pk=member.pk, version=expected_version).update(version=F("version") + 1)
    if not bumped:
        raise StaleMemberError
    member.version = expected_version + 1
    changes = _diff(member, before, snapshot(member)) + list(extra_changes)
    member.save()
    if changes:
        MemberChange.objects.create(
            member=member, actor=actor, source=source, changes=changes, version=member.version
        )
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            request=request,
            obj=member,
            summary=member.name,
            detail={"fields": [c["field"] for c in changes]},
        )
    return member


def unmask(*, member, field, actor, request=None):
    """Return the plaintext of a personal-data field and audit that it was shown."""
    if field not in MASKED_FIELDS:
        raise ValidationError(_("This field cannot be unmasked."))
    if not actor.has_perm("members.unmask_personal_data"):
        audit.record(
            audit.Action.PERMISSION_DENIED,
            actor=actor,
            request=request,
            obj=member,
            summary=f"unmask {field}",
            result=audit.Result.FAILURE,
        )
        raise AuditedPermissionDenied
    audit.record(
        audit.Action.UNMASK, actor=actor, request=request, obj=member, summary=f"{member.name} {field}"
    )
    return getattr(member, field)


@transaction.atomic
def request_contact_update(*, member, phone, email, address, actor, request=None):
    """A member proposes new contact data for their own file; staff approve it later."""
    if member.user_id != actor.pk:
        raise PermissionDenied
    pending = ContactUpdateRequest.objects.select_for_update().filter(
        member=member, status=ContactUpdateRequest.Status.PENDING
    )
    # A new request replaces an unanswered one: the member changed their mind.
    pending.update(
        status=ContactUpdateRequest.Status.REJECTED,
        decided_at=timezone.now(),
        decision_note=_("Replaced by a newer request"),
    )
    req = ContactUpdateRequest.objects.create(member=member, phone=phone, email=email, address=address)
    audit.record(audit.Action.CREATE, actor=actor, request=request, obj=req, summary=member.name)
    return req


@transaction.atomic
def decide_contact_update(*, contact_request, approve, actor, note="", request=None):
    req = ContactUpdateRequest.objects.select_for_update().get(pk=contact_request.pk)
    if req.status != ContactUpdateRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    req.status = ContactUpdateRequest.Status.APPROVED if approve else ContactUpdateRequest.Status.REJECTED
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.decision_note = note
    req.save()
    if approve:
        member = Member.objects.select_for_update().get(pk=req.member_id)
        before = snapshot(member)
        for name in ContactUpdateRequest.CONTACT_FIELDS:
            setattr(member, name, getattr(req, name))
        update_member(
            member=member,
            before=before,
            expected_version=member.version,
            actor=actor,
            source=MemberChange.Source.SELF_SERVICE,
            request=request,
        )
    audit.record(
        audit.Action.APPROVE if approve else audit.Action.REJECT,
        actor=actor,
        request=request,
        obj=req,
        summary=req.member.name,
    )
    return req
