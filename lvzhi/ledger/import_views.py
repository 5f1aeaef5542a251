"""Pages of the duty-record import (ledger.import_records): the list of imports with the upload form and
the template, one import's preview or result, and its confirm, discard and undo steps (POST). Imports
are fetched through get_import_for_user: another committee's is a 404, without the right a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lvzhi.core.forms import ImportModeForm, SpreadsheetUploadForm
from lvzhi.core.pagination import paginate
from lvzhi.core.uploads import UploadRefused

from . import import_services, import_template, kinds
from .models import DutyImport

IMPORT_PERM = "ledger.import_records"
UPLOAD_LABEL = gettext_lazy("File of duty records")


def _require_right(user):
    if not user.has_perm(IMPORT_PERM):
        raise PermissionDenied(IMPORT_PERM)


def get_import_for_user(user, pk):
    """The import `pk` of the user's committee (404 otherwise), for a holder of ledger.import_records."""
    _require_right(user)
    return get_object_or_404(
        DutyImport.objects.select_related("created_by", "undone_by", "committee"),
        pk=pk,
        committee_id=user.committee_id,
    )


def _list_page(request, form, status=200):
    jobs = DutyImport.objects.filter(committee_id=request.user.committee_id).select_related("created_by")
    return render(
        request,
        "ledger/imports/list.html",
        {"form": form, "page": paginate(request, jobs, per_page=20)},
        status=status,
    )


@login_required
@never_cache
@require_GET
def import_list(request):
    _require_right(request.user)
    return _list_page(request, SpreadsheetUploadForm(label=UPLOAD_LABEL))


@login_required
@require_POST
def import_new(request):
    _require_right(request.user)
    form = SpreadsheetUploadForm(request.POST, request.FILES, label=UPLOAD_LABEL)
    if form.is_valid():
        try:
            job = import_services.start(
                committee=request.user.committee,
                uploaded_file=form.cleaned_data["file"],
                actor=request.user,
                request=request,
            )
        except UploadRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("ledger:import_detail", pk=job.pk)
    return _list_page(request, form, status=400)


def _labelled(counts, label):
    return [{"key": key, "label": label(key), "count": n} for key, n in counts.items()]


@login_required
@never_cache
def import_detail(request, pk):
    job = get_import_for_user(request.user, pk)
    preview = job.preview or {}
    sample = [
        {**row, "kind_label": kinds.label(row["kind"]), "role_label": kinds.role_label(row["role"])}
        for row in preview.get("sample", [])
    ]
    return render(
        request,
        "ledger/imports/detail.html",
        {
            "job": job,
            "preview": preview,
            "sample": sample,
            "by_kind": _labelled(preview.get("by_kind", {}), kinds.label),
            "by_year": _labelled(preview.get("by_year", {}), str),
            "confirm_form": ImportModeForm(),
            "errors_cut": preview.get("error_count", 0) > len(preview.get("errors", [])),
        },
    )


def _step(request, pk, run, done_message):
    job = get_import_for_user(request.user, pk)
    try:
        run(job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done_message(job))
    return redirect("ledger:import_detail", pk=job.pk)


@login_required
@require_POST
def import_confirm(request, pk):
    form = ImportModeForm(request.POST)
    valid_only = not form.is_valid() or form.cleaned_data["mode"] == "valid"
    return _step(
        request,
        pk,
        lambda job: import_services.confirm(
            job=job, valid_only=valid_only, actor=request.user, request=request
        ),
        lambda job: _("%(n)d duty records were imported.") % {"n": job.result.get("records", 0)},
    )


@login_required
@require_POST
def import_discard(request, pk):
    return _step(
        request,
        pk,
        lambda job: import_services.discard(job=job, actor=request.user, request=request),
        lambda job: _("The import was discarded; nothing was written and the file was deleted."),
    )


@login_required
@require_POST
def import_undo(request, pk):
    return _step(
        request,
        pk,
        lambda job: import_services.undo(job=job, actor=request.user, request=request),
        lambda job: (
            _("The import was undone: %(n)d duty records were removed.")
            % {"n": job.result.get("retracted", 0)}
        ),
    )


@login_required
@require_GET
def import_template_download(request):
    _require_right(request.user)
    return import_template.response()


urlpatterns = [
    path("imports/", import_list, name="imports"),
    path("imports/new/", import_new, name="import_new"),
    path("imports/template/", import_template_download, name="import_template"),
    path("imports/<int:pk>/", import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", import_confirm, name="import_confirm"),
    path("imports/<int:pk>/discard/", import_discard, name="import_discard"),
    path("imports/<int:pk>/undo/", import_undo, name="import_undo"),
]
