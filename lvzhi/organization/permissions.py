from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Department, Liaison, LiaisonContact, OrgUnit, Session, Term


def _fetch(user, queryset, pk, write_perm=None):
    obj = get_object_or_404(queryset.visible_to(user), pk=pk)
    if write_perm and not user.has_perm(write_perm):
        raise PermissionDenied(write_perm)
    return obj


def get_unit_for_user(user, pk, *, write=False):
    return _fetch(
        user, OrgUnit.objects.select_related("parent"), pk, "organization.change_orgunit" if write else None
    )


def get_term_for_user(user, pk, *, write=False):
    return _fetch(user, Term.objects.all(), pk, "organization.change_term" if write else None)


def get_session_for_user(user, pk, *, write=False):
    return _fetch(
        user, Session.objects.select_related("term"), pk, "organization.change_session" if write else None
    )


def get_department_for_user(user, pk, *, write=False):
    return _fetch(user, Department.objects.all(), pk, "organization.change_department" if write else None)


def get_liaison_for_user(user, pk, *, write=False):
    return _fetch(
        user,
        Liaison.objects.select_related("unit", "department", "target_unit"),
        pk,
        "organization.change_liaison" if write else None,
    )


def get_liaison_contact_for_user(user, pk):
    """A contact to correct or delete: by whoever may record contacts, on a liaison they may see (their
    committee; for unit staff, their units' liaisons)."""
    return _fetch(
        user,
        LiaisonContact.objects.select_related("liaison__unit", "liaison__department", "liaison__target_unit"),
        pk,
        "organization.add_liaisoncontact",
    )
