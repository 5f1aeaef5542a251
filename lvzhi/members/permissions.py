from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import ContactUpdateRequest, Member


def get_member_for_user(user, pk, *, write=False):
    """The member file if the user may see it (404 otherwise, so other committees' ids reveal nothing);
    with write=True also 403 unless the user may change member files."""
    member = get_object_or_404(Member.objects.visible_to(user).select_related("committee", "user"), pk=pk)
    if write and not user.has_perm("members.change_member"):
        raise PermissionDenied("members.change_member")
    return member


def get_contact_request_for_user(user, pk):
    if not user.has_perm("members.approve_contact_update"):
        raise PermissionDenied("members.approve_contact_update")
    return get_object_or_404(
        ContactUpdateRequest.objects.select_related("member").filter(
            member__in=Member.objects.visible_to(user)
        ),
        pk=pk,
    )
