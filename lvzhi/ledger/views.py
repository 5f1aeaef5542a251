from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.members.permissions import get_member_for_user

from . import selectors

MIN_YEAR, MAX_YEAR = 1949, 2999


def _render_record(request, member, year, *, own):
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404(_("No such year."))
    return render(
        request,
        "ledger/member_record.html",
        {
            "member": member,
            "year": year,
            "groups": selectors.member_year(member, year),
            "years": selectors.record_years(member),
            "own": own,
        },
    )


@login_required
def member_record(request, member_pk, year):
    """履职档案: a member's duty records of one year, printable."""
    member = get_member_for_user(request.user, member_pk)
    return _render_record(request, member, year, own=member.user_id == request.user.pk)


@login_required
def my_record(request, year=None):
    """我的履职档案: the signed-in member's own record (this year's when no year is named: the menu's link)."""
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404(_("Your account is not linked to a member file."))
    return _render_record(request, member, year or timezone.localdate().year, own=True)
