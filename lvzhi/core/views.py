import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from . import audit, audit_anchor
from .forms import StyledFormMixin
from .models import AuditEvent, AuditVerification
from .pagination import paginate
from .permissions import AuditedPermissionDenied
from .tasks import start_audit_verification


class AuditFilterForm(StyledFormMixin, forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("All actions")), *AuditEvent.Action.choices], required=False
    )
    # Grouped by app, each event by its message without parameters; read when the form is made, in the
    # reader's language.
    event = forms.ChoiceField(
        label=_("Event"), choices=lambda: [("", _("All events")), *audit.event_choices()], required=False
    )
    username = forms.CharField(label=_("Username"), max_length=150, required=False)
    result = forms.ChoiceField(
        label=_("Result"), choices=[("", _("All results")), *AuditEvent.Result.choices], required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@login_required
@permission_required("core.view_audit_log", raise_exception=True)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    # Auditors see their committee's events and the sign-in events that belong to no committee
    # (failed logins of unknown usernames).
    events = AuditEvent.objects.filter(
        Q(committee_id=request.user.committee_id) | Q(committee_id__isnull=True)
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["event"]:
            events = events.filter(event=data["event"])
        if data["username"]:
            events = events.filter(username__icontains=data["username"])
        if data["result"]:
            events = events.filter(result=data["result"])
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lte=data["date_to"])
    page = paginate(request, events.select_related("actor"), per_page=50)
    page.object_list = list(page.object_list)
    for row in page.object_list:
        row.message = audit.describe(row)  # what happened, in the reader's language
    anchor = audit_anchor.last_anchor()
    return render(
        request,
        "core/audit_log.html",
        {
            "form": form,
            "page": page,
            "verification": AuditVerification.objects.first(),
            "anchor_at": _anchor_time(anchor),
        },
    )


def _anchor_time(anchor):
    try:
        return datetime.datetime.fromisoformat(anchor["at"]) if anchor else None
    except (KeyError, TypeError, ValueError):
        return None


@login_required
@permission_required("core.view_audit_log", raise_exception=True)
@require_POST
def audit_verify(request):
    """Start a verification of the whole log in the task worker; the page follows its progress."""
    if start_audit_verification(actor=request.user) is None:
        messages.info(request, gettext("A verification is already running."))
    return redirect("core:audit_log")


@login_required
@permission_required("core.view_audit_log", raise_exception=True)
def audit_verification(request, pk):
    """The verification box, polled by the page while a verification runs."""
    verification = get_object_or_404(AuditVerification, pk=pk)
    return render(request, "core/_audit_verification.html", {"verification": verification})


def permission_denied(request, exception=None):
    """403 page; every denial is written to the audit log (DESIGN §8)."""
    if isinstance(exception, AuditedPermissionDenied):
        return render(request, "403.html", status=403)
    audit.record(
        audit.Action.PERMISSION_DENIED,
        actor=getattr(request, "user", None),
        request=request,
        event="core.permission_denied",
        params={"method": request.method, "path": request.path[:200]},
        detail={"permission": str(exception)[:200]} if exception else {},
        result=audit.Result.FAILURE,
    )
    return render(request, "403.html", status=403)
