"""The leave page: the leave requests a leader, office staff member or unit head may decide, and the
ones decided lately (issue 4). Who may decide what is the rule of selectors.leave_approvers."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lvzhi.core.forms import show_errors
from lvzhi.core.pagination import paginate

from . import selectors, services
from .models import Activity, Participation

RECENT_DAYS = 30
RECENT_LIMIT = 20
DECISIONS = {"approve": True, "refuse": False}
UNDO = "undo"  # leave/<pk>/undo/: the decision back to pending (services.undo_leave_decision)


class LeaveDecisionForm(forms.Form):
    # Required when refusing: the service says so (the member reads the reason).
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


def _require_leave_page(user):
    if not selectors.may_decide_some_leave(user):
        raise PermissionDenied("activities.approve_leave")


def _scoped(user):
    return selectors.leave_requests_for_user(user).select_related(
        "activity", "activity__organizing_unit", "member", "decided_by"
    )


@login_required
def leave_requests(request):
    _require_leave_page(request.user)
    requests_ = _scoped(request.user)
    pending = requests_.filter(
        status=Participation.Status.LEAVE_REQUESTED, activity__status__in=Activity.OPEN_STATUSES
    ).order_by("activity__starts_at", "activity_id", "responded_at", "pk")
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    decided = requests_.filter(decided_at__gte=since).order_by("-decided_at", "-pk")[:RECENT_LIMIT]
    return render(
        request,
        "activities/leave/list.html",
        {
            "page": paginate(request, pending, per_page=50),
            "decided": decided,
            "recent_days": RECENT_DAYS,
            "open_statuses": Activity.OPEN_STATUSES,
        },
    )


@login_required
@require_POST
def leave_decide(request, pk, decision):
    if decision not in DECISIONS and decision != UNDO:
        raise Http404
    _require_leave_page(request.user)
    participation = get_object_or_404(_scoped(request.user), pk=pk)
    params = {"member": participation.member.name, "title": participation.activity.title}
    if decision == UNDO:
        try:
            services.undo_leave_decision(participation=participation, actor=request.user)
        except services.ActivityError as error:
            show_errors(request, error)
        else:
            messages.success(
                request,
                _(
                    "The decision on the leave of %(member)s (%(title)s) is undone; "
                    "the request waits for a decision again."
                )
                % params,
            )
        return redirect("activities:leave_requests")
    form = LeaveDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Note: at most 500 characters."))
        return redirect("activities:leave_requests")
    try:
        services.decide_leave(
            participation=participation,
            approve=DECISIONS[decision],
            actor=request.user,
            note=form.cleaned_data["note"].strip(),
        )
    except services.ActivityError as error:
        show_errors(request, error)
    else:
        if DECISIONS[decision]:
            messages.success(request, _("Leave approved for %(member)s (%(title)s).") % params)
        else:
            messages.success(request, _("Leave refused for %(member)s (%(title)s).") % params)
    return redirect("activities:leave_requests")
