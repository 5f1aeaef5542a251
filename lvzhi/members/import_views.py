"""Pages of the roster import: upload, progress, preview with errors by row and column, confirm."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lvzhi.core.forms import ImportModeForm, SpreadsheetUploadForm
from lvzhi.core.pagination import paginate
from lvzhi.core.uploads import UploadRefused

from . import import_jobs, roster_template, tasks
from .models import RosterImport

IMPORT_PERMS = ("members.add_member", "members.change_member")
UPLOAD_LABEL = gettext_lazy("Roster file")


def _require_import_rights(user):
    if not all(user.has_perm(p) for p in IMPORT_PERMS):
        raise PermissionDenied("members.add_member")


def get_import_for_user(user, pk):
    _require_import_rights(user)
    return get_object_or_404(
        RosterImport.objects.select_related("created_by"), pk=pk, committee_id=user.committee_id
    )


@login_required
def import_upload(request):
    _require_import_rights(request.user)
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None, label=UPLOAD_LABEL)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                job = import_jobs.start(
                    committee=request.user.committee,
                    uploaded_file=form.cleaned_data["file"],
                    actor=request.user,
                    request=request,
                )
                tasks.check_when_committed(job)
        except UploadRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("members:import_detail", pk=job.pk)
    recent = RosterImport.objects.filter(committee_id=request.user.committee_id).select_related("created_by")
    return render(
        request, "members/import_upload.html", {"form": form, "page": paginate(request, recent, per_page=10)}
    )


@login_required
def import_detail(request, pk):
    job = get_import_for_user(request.user, pk)
    preview = job.preview or {}
    return render(
        request,
        "members/import_detail.html",
        {"job": job, "preview": preview, "confirm_form": ImportModeForm()},
    )


@login_required
def import_progress(request, pk):
    """The progress bar fragment, polled by htmx while the worker runs; once the job has moved on, it
    tells htmx to reload the page, which then shows the preview or the result."""
    job = get_import_for_user(request.user, pk)
    if not job.is_running:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "members/_import_progress.html", {"job": job})


@login_required
@require_POST
def import_confirm(request, pk):
    job = get_import_for_user(request.user, pk)
    form = ImportModeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to import."))
        return redirect("members:import_detail", pk=job.pk)
    try:
        with transaction.atomic():
            import_jobs.confirm(
                job=job, valid_only=form.cleaned_data["mode"] == "valid", actor=request.user, request=request
            )
            tasks.import_when_committed(job, request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("members:import_detail", pk=job.pk)


@login_required
def import_template(request):
    _require_import_rights(request.user)
    return roster_template.response(committee=request.user.committee)
