"""Writes to the organization structure: one service per thing that can be created or changed. Each takes
the cleaned values (never a form) and the actor, checks the actor's right and scope itself (a view that
forgot would still not widen anyone's reach), validates, saves and writes the audit row with the fields
that changed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from lvzhi.accounts import services as account_services
from lvzhi.core import audit
from lvzhi.core.permissions import committee_of
from lvzhi.members.models import Member

from .models import Department, Liaison, LiaisonContact, Membership, OrgUnit, Session, Term

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from lvzhi.accounts.models import User

# The fields each service sets; anything else in `data` is a programming error.
UNIT_FIELDS = ("kind", "name", "short_name", "parent", "sort_order", "description", "is_active")
TERM_FIELDS = ("number", "name", "start_date", "end_date", "is_current")
SESSION_FIELDS = ("term", "number", "name", "start_date", "end_date")
DEPARTMENT_FIELDS = ("name", "kind", "contact_person", "contact_phone", "address", "is_active")
LIAISON_FIELDS = ("department", "target_unit", "note")
CONTACT_FIELDS = ("date", "participants", "topic", "follow_up")
MEMBERSHIP_FIELDS = ("member", "position", "start_date", "end_date")


class _Scoped(Protocol):
    """A model's manager whose queryset knows what a user may see."""

    def visible_to(self, user: User, /) -> QuerySet[Any]: ...


_M = TypeVar("_M", bound=models.Model)


def _require(actor: User, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied(perm)


def _require_visible(actor: User, queryset: _Scoped, obj: models.Model | None) -> None:
    """The actor may act on `obj` only if it is among what they may see (their committee; for unit
    staff, their units)."""
    if obj is None or not queryset.visible_to(actor).filter(pk=obj.pk).exists():
        raise PermissionDenied("outside the actor's scope")


def _save(
    obj: _M, *, data: Mapping[str, Any], fields: Iterable[str], actor: User, committee_id: int | None
) -> _M:
    """Set `fields` from `data`, refuse a value of another committee, validate, save, audit."""
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"Not settable here: {sorted(unknown)}")
    creating = obj.pk is None
    if not creating:
        # The row as stored, not the caller's copy (a ModelForm has already written its values into the
        # instance it was given), so that the audit names what really changes.
        obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    changed = []
    for name in fields:
        if name not in data:
            continue
        value = data[name]
        if getattr(value, "committee_id", committee_id) != committee_id:
            raise PermissionDenied(f"{name} of another committee")
        if creating or getattr(obj, name) != value:
            changed.append(name)
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    audit.record(
        audit.Action.CREATE if creating else audit.Action.UPDATE,
        actor=actor,
        obj=obj,
        event="organization.created" if creating else "organization.edited",
        params={"object": str(obj)} if creating else {"object": str(obj), "fields": changed},
        detail={} if creating else {"fields": changed},
    )
    return obj


@transaction.atomic
def save_unit(*, actor: User, data: Mapping[str, Any], unit: OrgUnit | None = None) -> OrgUnit:
    """Create a unit of the actor's committee, or change `unit` (unit staff: only the units they staff)."""
    if unit is None:
        _require(actor, "organization.add_orgunit")
        unit = OrgUnit(committee_id=committee_of(actor))
    else:
        _require(actor, "organization.change_orgunit")
        _require_visible(actor, OrgUnit.objects, unit)
    parent = data.get("parent")
    while parent is not None and unit.pk is not None:
        if parent.pk == unit.pk:
            raise ValidationError({"parent": _("A unit cannot be placed under itself.")})
        parent = parent.parent
    return _save(unit, data=data, fields=UNIT_FIELDS, actor=actor, committee_id=unit.committee_id)


@transaction.atomic
def save_term(*, actor: User, data: Mapping[str, Any], term: Term | None = None) -> Term:
    if term is None:
        _require(actor, "organization.add_term")
        term = Term(committee_id=committee_of(actor))
    else:
        _require(actor, "organization.change_term")
        _require_visible(actor, Term.objects, term)
    before = Term.objects.filter(pk=term.pk).values("is_current", "end_date").first() if term.pk else None
    term = _save(term, data=data, fields=TERM_FIELDS, actor=actor, committee_id=term.committee_id)
    after = {"is_current": term.is_current, "end_date": term.end_date}
    if (before or {"is_current": False, "end_date": None}) != after:
        # A term became current (its members serve now, the others no longer), or the current term's
        # end moved (perhaps into the past): the members who no longer serve lose their accounts.
        account_services.disable_departed_member_accounts(committee=term.committee, actor=actor)
    return term


@transaction.atomic
def save_session(*, actor: User, data: Mapping[str, Any], session: Session | None = None) -> Session:
    if session is None:
        _require(actor, "organization.add_session")
        session = Session()
    else:
        _require(actor, "organization.change_session")
        _require_visible(actor, Session.objects, session)
    term = data.get("term", getattr(session, "term", None))
    _require_visible(actor, Term.objects, term)
    return _save(session, data=data, fields=SESSION_FIELDS, actor=actor, committee_id=term.committee_id)


@transaction.atomic
def save_department(
    *, actor: User, data: Mapping[str, Any], department: Department | None = None
) -> Department:
    if department is None:
        _require(actor, "organization.add_department")
        department = Department(committee_id=committee_of(actor))
    else:
        _require(actor, "organization.change_department")
        _require_visible(actor, Department.objects, department)
    return _save(
        department, data=data, fields=DEPARTMENT_FIELDS, actor=actor, committee_id=department.committee_id
    )


@transaction.atomic
def create_liaison(*, actor: User, unit: OrgUnit, data: Mapping[str, Any]) -> Liaison:
    """A special committee's standing link to a department or a town committee / sector."""
    _require(actor, "organization.add_liaison")
    _require_visible(actor, OrgUnit.objects, unit)
    if unit.kind != OrgUnit.Kind.SPECIAL_COMMITTEE:
        raise PermissionDenied("liaison from a non special committee")
    liaison = Liaison(committee_id=unit.committee_id, unit=unit)
    return _save(liaison, data=data, fields=LIAISON_FIELDS, actor=actor, committee_id=unit.committee_id)


@transaction.atomic
def record_liaison_contact(*, actor: User, liaison: Liaison, data: Mapping[str, Any]) -> LiaisonContact:
    """Log one contact along a liaison the actor may see."""
    _require(actor, "organization.add_liaisoncontact")
    _require_visible(actor, Liaison.objects, liaison)
    contact = LiaisonContact(liaison=liaison, recorded_by=actor)
    return _save(contact, data=data, fields=CONTACT_FIELDS, actor=actor, committee_id=liaison.committee_id)


@transaction.atomic
def add_membership(*, actor: User, unit: OrgUnit, data: Mapping[str, Any]) -> Membership:
    """A member's post in a unit. Unit staff add posts only in their units and only for members they may
    see, so a post never widens their reach."""
    _require(actor, "organization.add_membership")
    _require_visible(actor, OrgUnit.objects, unit)
    _require_visible(actor, Member.objects, data.get("member"))
    membership = Membership(unit=unit)
    return _save(membership, data=data, fields=MEMBERSHIP_FIELDS, actor=actor, committee_id=unit.committee_id)


@transaction.atomic
def delete_membership(*, membership: Membership, actor: User) -> None:
    _require(actor, "organization.delete_membership")
    _require_visible(actor, Membership.objects, membership)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        obj=membership,
        event="organization.membership_removed",
        params={"object": str(membership)},
    )
    membership.delete()


def _require_contact_rights(actor: User, contact: LiaisonContact) -> None:
    """Correcting and deleting a contact is for whoever may record contacts, within their scope."""
    _require(actor, "organization.add_liaisoncontact")
    _require_visible(actor, LiaisonContact.objects, contact)


@transaction.atomic
def update_liaison_contact(
    *, actor: User, contact: LiaisonContact, data: Mapping[str, Any], request: HttpRequest | None = None
) -> LiaisonContact:
    """Correct a logged contact (a wrong date, a name left out); audited with the fields changed and the
    client's address."""
    _require_contact_rights(actor, contact)
    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"Not settable here: {sorted(unknown)}")
    contact = LiaisonContact.objects.select_for_update().get(pk=contact.pk)
    changed = [name for name in CONTACT_FIELDS if name in data and getattr(contact, name) != data[name]]
    for name in changed:
        setattr(contact, name, data[name])
    contact.full_clean()
    if changed:
        contact.save(update_fields=changed)
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            request=request,
            obj=contact,
            event="organization.liaison_contact_edited",
            params={"contact": str(contact), "fields": changed},
            detail={"fields": changed},
        )
    return contact


@transaction.atomic
def delete_liaison_contact(
    *, actor: User, contact: LiaisonContact, request: HttpRequest | None = None
) -> None:
    """Delete a contact logged by mistake; the audit row keeps what it said."""
    _require_contact_rights(actor, contact)
    audit.record(
        audit.Action.DELETE,
        actor=actor,
        request=request,
        obj=contact,
        event="organization.liaison_contact_deleted",
        params={"contact": str(contact)},
        detail={
            "date": contact.date.isoformat(),
            "participants": contact.participants,
            "topic": contact.topic[:200],
        },
    )
    contact.delete()
