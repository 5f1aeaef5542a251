"""承办单位的提案 (`unit`): a handling unit's account sees its department's assignments — to sign for,
return requested, being handled (days left, the overdue ones first and marked), replied — and nothing of
another department (its id answers 404). Proposal staff see the units' record with the overdue cases
(the overdue list per unit) and open any unit's list of their committee with ?department=<id>. A
handling unit's account without a department is told why it sees nothing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from lvzhi.core.pagination import paginate
from lvzhi.organization.models import Department

from .. import selectors
from ..models import Assignment, Proposal, Reply
from ..services.common import HANDLE, VIEW_ALL

Status = Proposal.Status
AStatus = Assignment.Status
WORKING = (Status.ASSIGNED, Status.HANDLING)
DONE = (Status.REPLIED, Status.EVALUATED, Status.CLOSED)


def _department(user, value):
    """The department ?department= names, if the user may see its list: staff any of their committee's,
    a unit's account only its own; else 404."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not user.has_perm(VIEW_ALL) and pk != getattr(user, "department_id", None):
        raise Http404
    try:
        return Department.objects.get(pk=pk, committee_id=user.committee_id)
    except (Department.DoesNotExist, OverflowError):
        raise Http404 from None


def _with_days(assignments, today, remind_days):
    for a in assignments:
        deadline = a.proposal.deadline
        a.days_left = (deadline - today).days if deadline else None
        owes = a.role == Assignment.Role.LEAD or a.views_given_at is None
        a.owes = owes
        a.overdue = owes and a.days_left is not None and a.days_left < 0
        a.days_over = -a.days_left if a.overdue else 0
        a.due_soon = owes and a.days_left is not None and 0 <= a.days_left <= remind_days
    return assignments


def _unit_page(request, department):
    user = request.user
    today = timezone.localdate()
    remind_days = selectors.policy_for(department.committee_id).remind_days
    mine = (
        Assignment.objects.visible_to(user)
        .filter(department=department)
        .exclude(status=AStatus.RETURNED)
        .select_related("proposal", "proposal__session")
    )
    active = list(
        mine.filter(proposal__status__in=WORKING).order_by("proposal__deadline", "proposal__serial", "pk")
    )
    _with_days(active, today, remind_days)
    to_sign = [a for a in active if a.status == AStatus.ASSIGNED]
    returning = [a for a in active if a.status == AStatus.RETURN_REQUESTED]
    handling = [a for a in active if a.status == AStatus.SIGNED]
    # The overdue first, then by deadline.
    handling.sort(key=lambda a: (not a.overdue, a.proposal.deadline or today, a.pk))
    page = paginate(
        request,
        mine.filter(proposal__status__in=DONE).order_by("-proposal__status_changed_at", "-pk"),
        per_page=30,
    )
    rows = list(page.object_list)
    latest = {}
    replies = (
        Reply.objects.filter(proposal__in=[a.proposal_id for a in rows], sent_at__isnull=False)
        .select_related("evaluation")
        .order_by("round")
    )
    for r in replies:
        latest[r.proposal_id] = r
    for a in rows:
        a.latest_reply = latest.get(a.proposal_id)
    return render(
        request,
        "proposals/unit/list.html",
        {
            "department": department,
            "own": department.pk == getattr(user, "department_id", None),
            "to_sign": to_sign,
            "returning": returning,
            "handling": handling,
            "overdue_count": sum(1 for a in handling + to_sign if a.overdue),
            "page": page,
            "replied": rows,
            "remind_days": remind_days,
            "today": today,
        },
    )


def _overview(request):
    """Staff: each unit's record and the overdue cases of the committee."""
    committee_id = request.user.committee_id
    if committee_id is None:
        raise PermissionDenied(VIEW_ALL)
    today = timezone.localdate()
    return render(
        request,
        "proposals/unit/overview.html",
        {
            "records": selectors.unit_records(committee_id, today=today),
            "overdue": list(selectors.overdue_assignments(committee_id, today=today)),
            "today": today,
        },
    )


@login_required
def unit(request):
    user = request.user
    staff = user.has_perm(VIEW_ALL)
    if not (staff or user.has_perm(HANDLE)):
        raise PermissionDenied(HANDLE)
    if "department" in request.GET:
        return _unit_page(request, _department(user, request.GET["department"]))
    if getattr(user, "department_id", None) and user.has_perm(HANDLE):
        department = Department.objects.filter(
            Q(pk=user.department_id), committee_id=user.committee_id
        ).first()
        if department is not None:
            return _unit_page(request, department)
    if staff:
        return _overview(request)
    return render(request, "proposals/unit/no_department.html")


urlpatterns = [path("unit/", unit, name="unit")]
