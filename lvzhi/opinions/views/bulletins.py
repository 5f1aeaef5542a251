"""Views of the opinions app: bulletins (社情民意专报). Editors compile signed reports into a numbered
bulletin, order them, send it (after a confirmation: sending marks the reports reported and cannot be
undone) and download it as Word; the office and leaders read them. Every change goes through
services.bulletins; objects are fetched through permissions.get_bulletin_for_user."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lvzhi.core import audit, docx_official, submission
from lvzhi.core.forms import show_errors
from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import StaleEdit, posted_version

from .. import documents
from ..forms_bulletins import AddReportsForm, BulletinCreateForm, BulletinEditForm, MoveForm, SendForm
from ..models import Bulletin, OpinionReport
from ..permissions import PROCESS, VIEW_ALL, get_bulletin_for_user
from ..services import bulletins as services

CONFIRM_SEND = "confirm_send"


def _require_view(user):
    if not user.has_perm(VIEW_ALL):
        raise PermissionDenied(VIEW_ALL)


def _to_bulletin(bulletin):
    return redirect("opinions:bulletin", pk=bulletin.pk)


def _may_compile(user, bulletin):
    return user.has_perm(PROCESS) and bulletin.status == Bulletin.Status.DRAFT


def candidates(user):
    """Signed reports of the user's committee that no bulletin holds and the user did not write."""
    return (
        OpinionReport.objects.visible_to(user)
        .filter(status=OpinionReport.Status.SIGNED, bulletin__isnull=True)
        .exclude(authors__user=user)
        .exclude(authors__member__user=user)
        .exclude(created_by=user)
        .select_related("category")
        .order_by("year", "serial", "pk")
    )


@login_required
def bulletin_list(request):
    _require_view(request.user)
    bulletins = (
        Bulletin.objects.visible_to(request.user)
        .annotate(report_count=Count("reports"))
        .order_by("-year", "-number")
    )
    page = paginate(request, bulletins, per_page=30)
    return render(
        request,
        "opinions/bulletins/list.html",
        {"page": page, "may_create": request.user.has_perm(PROCESS)},
    )


@login_required
def bulletin_new(request):
    user = request.user
    if not user.has_perm(PROCESS):
        raise PermissionDenied(PROCESS)
    form = BulletinCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                submission.claim(request)
                bulletin = services.create_bulletin(actor=user, **form.cleaned_data)
        except submission.DuplicateSubmission:
            submission.tell_already_submitted(request)
            return redirect("opinions:bulletins")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Bulletin %(bulletin)s created.") % {"bulletin": bulletin})
            return _to_bulletin(bulletin)
    return render(request, "opinions/bulletins/new.html", {"form": form})


@login_required
def bulletin_detail(request, pk):
    user = request.user
    bulletin = get_bulletin_for_user(user, pk)
    reports = documents.bulletin_reports(bulletin)
    may_compile = _may_compile(user, bulletin)
    context = {
        "bulletin": bulletin,
        "reports": reports,
        "may_compile": may_compile,
        "history": bulletin.status_changes.select_related("actor"),
        "not_signed": [r for r in reports if r.status != OpinionReport.Status.SIGNED]
        if bulletin.status == Bulletin.Status.DRAFT
        else [],
    }
    if may_compile:
        context |= {
            "edit_form": BulletinEditForm(
                initial={
                    "version": bulletin.version,
                    "title": bulletin.title,
                    "recipients": bulletin.recipients,
                }
            ),
            "add_form": AddReportsForm(initial={"version": bulletin.version}, candidates=candidates(user)),
            "send_form": SendForm(initial={"version": bulletin.version}),
        }
    return render(request, "opinions/bulletins/detail.html", context)


@login_required
@require_POST
def bulletin_edit(request, pk):
    bulletin = get_bulletin_for_user(request.user, pk)
    form = BulletinEditForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {error}" if label else error)
        return _to_bulletin(bulletin)
    try:
        services.update_bulletin(
            bulletin=bulletin,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            title=form.cleaned_data["title"],
            recipients=form.cleaned_data["recipients"],
        )
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("Bulletin saved."))
    return _to_bulletin(bulletin)


@login_required
@require_POST
def bulletin_add(request, pk):
    bulletin = get_bulletin_for_user(request.user, pk)
    if not request.user.has_perm(PROCESS):
        raise PermissionDenied(PROCESS)
    form = AddReportsForm(request.POST, candidates=candidates(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose the reports to add: signed reports that no bulletin holds."))
        return _to_bulletin(bulletin)
    try:
        added = services.add_reports(
            bulletin=bulletin,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            reports=form.cleaned_data["reports"],
        )
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("%(count)s reports added.") % {"count": len(added)})
    return _to_bulletin(bulletin)


def _bulletin_report(bulletin, rpk):
    return get_object_or_404(bulletin.reports.all(), pk=rpk)


@login_required
@require_POST
def bulletin_remove(request, pk, rpk):
    bulletin = get_bulletin_for_user(request.user, pk)
    report = _bulletin_report(bulletin, rpk)
    try:
        services.remove_report(
            bulletin=bulletin, actor=request.user, expected_version=posted_version(request), report=report
        )
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(
            request, _("“%(title)s” removed from the bulletin.") % {"title": report.current_title}
        )
    return _to_bulletin(bulletin)


@login_required
@require_POST
def bulletin_move(request, pk, rpk):
    bulletin = get_bulletin_for_user(request.user, pk)
    report = _bulletin_report(bulletin, rpk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _to_bulletin(bulletin)
    try:
        services.move_report(
            bulletin=bulletin,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            report=report,
            direction=form.cleaned_data["direction"],
        )
    except ValidationError as error:
        show_errors(request, error)
    return redirect(f"{bulletin.get_absolute_url()}#r-{report.pk}")


@login_required
@require_POST
def bulletin_send(request, pk):
    """Sending is irreversible: the first POST shows what will happen, the confirmation's POST sends."""
    user = request.user
    bulletin = get_bulletin_for_user(user, pk)
    if not user.has_perm(PROCESS):
        raise PermissionDenied(PROCESS)
    form = SendForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("sent_on", []):
            messages.error(request, _("Sent on: %(error)s") % {"error": error})
        return _to_bulletin(bulletin)
    if form.cleaned_data["version"] != bulletin.version:
        show_errors(request, StaleEdit())
        return _to_bulletin(bulletin)
    if not request.POST.get(CONFIRM_SEND):
        return render(
            request,
            "opinions/bulletins/confirm_send.html",
            {
                "bulletin": bulletin,
                "reports": documents.bulletin_reports(bulletin),
                "sent_on": form.cleaned_data["sent_on"],
                "version": bulletin.version,
                "flag": CONFIRM_SEND,
            },
        )
    try:
        services.send_bulletin(
            bulletin=bulletin,
            actor=user,
            expected_version=form.cleaned_data["version"],
            sent_on=form.cleaned_data["sent_on"],
        )
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(
            request,
            _("Bulletin %(bulletin)s sent; its reports are marked reported.") % {"bulletin": bulletin},
        )
    return _to_bulletin(bulletin)


@login_required
def bulletin_download(request, pk):
    """The bulletin as Word (made in memory), written to the audit log."""
    bulletin = get_bulletin_for_user(request.user, pk)
    reports = documents.bulletin_reports(bulletin)
    document = documents.build_bulletin_docx(bulletin, reports)
    filename = documents.filename(bulletin)
    response = docx_official.document_response(document, filename)
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        committee=bulletin.committee_id,
        obj=bulletin,
        event="opinions.bulletin_downloaded",
        params={"bulletin": str(bulletin)},
        detail={"file": filename, "reports": [r.pk for r in reports], "status": bulletin.status},
    )
    return response


urlpatterns = [
    path("bulletins/", bulletin_list, name="bulletins"),
    path("bulletins/new/", bulletin_new, name="bulletin_new"),
    path("bulletins/<int:pk>/", bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/edit/", bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:pk>/add/", bulletin_add, name="bulletin_add"),
    path("bulletins/<int:pk>/reports/<int:rpk>/remove/", bulletin_remove, name="bulletin_remove"),
    path("bulletins/<int:pk>/reports/<int:rpk>/move/", bulletin_move, name="bulletin_move"),
    path("bulletins/<int:pk>/send/", bulletin_send, name="bulletin_send"),
    path("bulletins/<int:pk>/download/", bulletin_download, name="bulletin_download"),
]
