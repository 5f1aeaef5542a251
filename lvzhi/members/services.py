"""Writes to member files. Every change goes through here so that history, version and audit agree."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.accounts.roles import Role
from lvzhi.core import audit, masking
from lvzhi.core.permissions import AuditedPermissionDenied
from lvzhi.organization.models import OrgUnit

from .models import ContactUpdateRequest, Member, MemberChange, MemberTerm

# Fields whose history keeps only the masked form, so the history table leaks nothing.
MASKED_FIELDS = {"id_number": masking.mask_id_number, "phone": masking.mask_phone}


class StaleMemberError(Exception):
    """Someone saved the file after this editor opened it."""


def display_value(field_name, value):
    """A member-file value as the history shows it: labels for codes, ISO dates, personal data masked."""
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
                    "old": display_value(name, old),
                    "new": display_value(name, new),
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
def create_member(
    *, committee, data, actor, term=None, term_values=None, source=MemberChange.Source.CREATE, request=None
):
    """A new member file from `data` (member field values) and, with `term`, the member's place in it
    (`term_values` as for update_member)."""
    member = Member(committee=committee, **data)
    member.full_clean(exclude=["committee"])
    member.save()
    if term is not None and term_values is not None:
        values = dict(term_values)
        specials = values.pop("special_committees", ())
        member_term = MemberTerm.objects.create(member=member, term=term, **values)
        member_term.special_committees.set(specials)
    changes = _diff(member, {}, snapshot(member))
    MemberChange.objects.create(
        member=member, actor=actor, source=source, changes=changes, version=member.version
    )
    audit.record(audit.Action.CREATE, actor=actor, request=request, obj=member, summary=member.name)
    return member


# Member files written per bulk INSERT (with their history rows) by create_members; Django splits a
# batch further where the database limits the parameters of one statement (SQLite: 999).
CREATE_BATCH = 500


@transaction.atomic
def create_members(*, committee, rows, actor, source=MemberChange.Source.IMPORT, request=None, progress=None):
    """Create many member files at once: what create_member does for each, in a few queries per batch.

    `rows` are dicts of member field values, as create_member's `data`. Each file is validated as
    create_member validates it (full_clean; the only checks needing queries, the user account's
    existence and uniqueness, are done for the whole batch in two queries), gets its derived name keys
    from Member.fill_derived_keys() and its blind indexes from the fields' pre_save, as in save(), and
    gets its history row with the changes create_member would write. The batch gets one audit row
    listing the new files' ids, not one row per file. Member.save() is not called, so no model signals
    are sent for these files (the project connects none). `progress(done)` is called after each batch.

    Raises ValidationError for the first invalid row, with its index in `rows` as `error.row_index`;
    nothing is written then. Returns the members, in the order of `rows`, with their pks.
    """
    members = [Member(committee=committee, **row) for row in rows]
    for index, member in enumerate(members):
        try:
            member.full_clean(exclude=["committee", "user"], validate_unique=False)
        except ValidationError as error:
            error.row_index = index
            raise
    _check_user_accounts(members)
    if not members:
        return members
    for member in members:
        member.fill_derived_keys()
    bulk = connection.features.can_return_rows_from_bulk_insert
    for start in range(0, len(members), CREATE_BATCH):
        batch = members[start : start + CREATE_BATCH]
        if bulk:
            # bulk_create runs every field's pre_save: blind indexes, created_at / updated_at.
            Member.objects.bulk_create(batch)
        else:  # a database that cannot return the new pks: one INSERT each
            for member in batch:
                member.save()
        MemberChange.objects.bulk_create(
            [
                MemberChange(
                    member=member,
                    actor=actor,
                    source=source,
                    changes=_diff(member, {}, snapshot(member)),
                    version=member.version,
                )
                for member in batch
            ]
        )
        if progress:
            progress(start + len(batch))
    audit.record(
        audit.Action.CREATE,
        actor=actor,
        request=request,
        committee=committee,
        summary=f"{len(members)} member files ({source})",
        detail={"source": str(source), "count": len(members), "member_ids": [m.pk for m in members]},
    )
    return members


def _check_user_accounts(members):
    """The checks full_clean would make with a query per file: the linked user account exists and has
    no other file, here or in the database."""
    linked = [(index, m) for index, m in enumerate(members) if m.user_id is not None]
    if not linked:
        return
    field = Member._meta.get_field("user")
    user_ids = {m.user_id for _index, m in linked}
    existing = set(
        field.remote_field.model._default_manager.filter(pk__in=user_ids).values_list("pk", flat=True)
    )
    taken = set(Member.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    for index, member in linked:
        if member.user_id not in existing:
            error = ValidationError(
                field.error_messages["invalid"],
                code="invalid",
                params={
                    "model": field.remote_field.model._meta.verbose_name,
                    "pk": member.user_id,
                    "field": field.remote_field.field_name,
                    "value": member.user_id,
                },
            )
        elif member.user_id in taken:
            error = member.unique_error_message(Member, ["user"])
        else:
            taken.add(member.user_id)
            continue
        error = ValidationError({"user": [error]})
        error.row_index = index
        raise error


# Where a role's right to a field holds: in every file the user may edit, or (for a unit's own lists)
# only as far as the change touches the units the user staffs.
ANYWHERE = "anywhere"
OWN_UNITS = "own_units"
EDITABLE_FIELDS = [*Member.FILE_FIELDS, *(f"term.{name}" for name in TERM_FIELDS)]

# Who may change which field of a member file (issue 8, finding 3). The office keeps the committee's
# register, so it changes everything. Unit staff (专委会/工委工作人员) keep in touch with their units'
# members: they correct the contact and work details they learn first, and record who sits in the special
# committees they staff. Everything else records a decision of the committee or a fact of the person's
# identity — name, ID number, birth date, gender, party, 界别, 镇区工委, 常委, status — and changes only
# through the office, which answers for the register; letting a unit change them would let it rewrite
# the standing committee's attendance notice and the scoring of other units. update_member enforces this
# table whatever a form posted; the edit form shows the other fields read-only.
FIELD_ACCESS = {
    Role.OFFICE: dict.fromkeys(EDITABLE_FIELDS, ANYWHERE),
    Role.UNIT_STAFF: {
        "phone": ANYWHERE,
        "email": ANYWHERE,
        "address": ANYWHERE,
        "employer_post": ANYWHERE,
        "term.special_committees": OWN_UNITS,
    },
}


class FieldNotEditable(AuditedPermissionDenied):
    """The actor tried to change a field of a member file that their role does not own; the refusal
    is already in the audit log, and the message names the fields."""


def field_label(field):
    """The name a person reads for a member-file field ("phone", "term.is_standing")."""
    model, name = (MemberTerm, field[len("term.") :]) if field.startswith("term.") else (Member, field)
    return str(model._meta.get_field(name).verbose_name)


def field_access(actor):
    """{field: ANYWHERE or OWN_UNITS} for every member-file field the actor's roles let them change."""
    if actor.is_superuser:
        return dict.fromkeys(EDITABLE_FIELDS, ANYWHERE)
    access = {}
    for role in actor.groups.values_list("name", flat=True):
        for field, scope in FIELD_ACCESS.get(role, {}).items():
            if access.get(field) != ANYWHERE:
                access[field] = scope
    return access


def _refusal(actor, member, changed, specials_moved):
    """Why `actor` may not make these changes to `member` (a translated sentence), or None."""
    if member.committee_id != actor.committee_id or not (
        actor.is_committee_wide or Member.objects.visible_to(actor).filter(pk=member.pk).exists()
    ):
        return _("This member file is outside the units you work for; nothing was saved."), list(changed)
    access = field_access(actor)
    refused = [field for field in changed if field not in access]
    if refused:
        names = "、".join(f"“{field_label(field)}”" for field in refused)
        return (
            _("Your role may not change %(fields)s; the office keeps these fields. Nothing was saved.")
            % {"fields": names},
            refused,
        )
    if access.get("term.special_committees") == OWN_UNITS and specials_moved - actor.unit_ids():
        outside = OrgUnit.objects.filter(pk__in=specials_moved - actor.unit_ids()).order_by(
            "sort_order", "name"
        )
        return (
            _(
                "You may change the membership only of the special committees you work for, not of "
                "%(units)s. Nothing was saved."
            )
            % {"units": "、".join(str(unit) for unit in outside)},
            ["term.special_committees"],
        )
    return None


def _term_values_changed(member_term, values):
    """Put `values` on the (unsaved) term row; return the changed fields and the special committees
    added or removed. The special committees are only compared here: they are set after the row is saved."""
    changed, specials_moved = [], set()
    for name, value in values.items():
        if name == "special_committees":
            old = (
                set(member_term.special_committees.values_list("pk", flat=True)) if member_term.pk else set()
            )
            specials_moved = old ^ {unit.pk for unit in value}
            if specials_moved:
                changed.append("term.special_committees")
        elif getattr(member_term, name) != value:
            setattr(member_term, name, value)
            changed.append(f"term.{name}")
    return changed, specials_moved


def update_member(
    *,
    member,
    before,
    expected_version,
    actor,
    term=None,
    term_values=None,
    source=MemberChange.Source.EDIT,
    extra_changes=(),
    request=None,
):
    """Save `member` (already carrying the new values) if nobody saved it since `expected_version`, and
    the member's place in `term` as `term_values` says ({MemberTerm field: new value}, special
    committees as a list of units).

    `before` is `snapshot()` of the file as the editor loaded it; `extra_changes` are changes to term
    rows that the caller writes itself in the same transaction (the roster import, in bulk). Every
    changed field must be one the actor's role owns (FIELD_ACCESS): otherwise FieldNotEditable is
    raised before anything is written, and the refusal is audited — so call this outside a transaction
    that the refusal would roll back. The version check and increment are one conditional UPDATE, so of
    two concurrent saves exactly one wins and the other raises StaleMemberError with nothing saved.
    """
    member_changes = _diff(member, before, snapshot(member))
    member_term = None
    term_changed, specials_moved = [], set()
    if term is not None and term_values:
        member_term = MemberTerm.objects.filter(member=member, term=term).first() or MemberTerm(
            member=member, term=term
        )
        term_before = term_snapshot(member_term)
        term_changed, specials_moved = _term_values_changed(member_term, term_values)
    changed = [c["field"] for c in member_changes] + term_changed + [c["field"] for c in extra_changes]
    refusal = _refusal(actor, member, changed, specials_moved) if changed else None
    if refusal:
        message, fields = refusal
        audit.record(
            audit.Action.PERMISSION_DENIED,
            actor=actor,
            request=request,
            obj=member,
            summary=f"edit {member.name}",
            detail={"fields": fields},
            result=audit.Result.FAILURE,
        )
        raise FieldNotEditable(message)
    with transaction.atomic():
        bumped = Member.objects.filter(pk=member.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not bumped:
            raise StaleMemberError
        member.version = expected_version + 1
        changes = member_changes + list(extra_changes)
        if term_changed:
            member_term.save()
            if "term.special_committees" in term_changed:
                member_term.special_committees.set(term_values["special_committees"])
            changes += term_diff(member_term, term_before, term_snapshot(member_term))
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


LOOKUPS = {"id_number": "find_by_id_number", "phone": "find_by_phone"}


def lookup_members(*, actor, field, value, request=None):
    """The members the actor may see whose `field` ("id_number" or "phone") is exactly `value`.

    Finding whose number it is reveals as much as unmasking it, so it takes the unmask permission and
    every lookup is audited (with the number masked), found or not."""
    if field not in LOOKUPS:
        raise ValidationError(_("This field cannot be looked up."))
    masked = MASKED_FIELDS[field](value)
    if not actor.has_perm("members.unmask_personal_data"):
        audit.record(
            audit.Action.PERMISSION_DENIED,
            actor=actor,
            request=request,
            summary=f"lookup {field}",
            detail={"field": field, "value": masked},
            result=audit.Result.FAILURE,
        )
        raise AuditedPermissionDenied
    found = list(getattr(Member.objects.visible_to(actor), LOOKUPS[field])(value))
    audit.record(
        audit.Action.LOOKUP,
        actor=actor,
        request=request,
        summary=f"lookup {field}",
        detail={"field": field, "value": masked, "found": [m.pk for m in found]},
    )
    return found


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
