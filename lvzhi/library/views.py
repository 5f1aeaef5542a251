"""Library pages: the list and a document for every reader of the committee; editing for the office."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lvzhi.core import submission, uploads
from lvzhi.core.forms import show_errors
from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import StaleEdit, posted_version

from . import services
from .forms import DocumentForm, DocumentSearchForm
from .models import Document
from .permissions import get_document_for_user

PER_PAGE = 20


@login_required
def document_list(request):
    form = DocumentSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    documents = Document.objects.visible_to(request.user).defer("body")
    if category := filters.get("category"):
        documents = documents.filter(category=category)
    if query := (filters.get("q") or "").strip():
        documents = documents.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    page = paginate(request, documents, per_page=PER_PAGE)
    return render(
        request,
        "library/list.html",
        {
            "form": form,
            "page": page,
            "category": filters.get("category") or "",
            "query": query,
            "categories": Document.Category.choices,
            "can_add": request.user.has_perm("library.add_document"),
        },
    )


@login_required
def document_detail(request, pk):
    document = get_document_for_user(request.user, pk)
    return render(
        request,
        "library/detail.html",
        {
            "document": document,
            "can_change": request.user.has_perm("library.change_document"),
            "can_delete": request.user.has_perm("library.delete_document"),
        },
    )


@login_required
def document_download(request, pk):
    return uploads.attachment_response(get_document_for_user(request.user, pk))


@login_required
def document_create(request):
    if not request.user.has_perm("library.add_document"):
        raise PermissionDenied("library.add_document")
    form = DocumentForm(request.POST or None, request.FILES or None, instance=Document())
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                submission.claim(request)
                document = services.create_document(
                    actor=request.user, data=form.document_data(), upload=form.cleaned_data["upload"]
                )
        except submission.DuplicateSubmission:
            submission.tell_already_submitted(request)
            return redirect("library:list")
        except services.LibraryError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Document “%(title)s” saved.") % {"title": document.title})
            return redirect("library:detail", pk=document.pk)
    return render(request, "library/form.html", {"form": form})


@login_required
def document_edit(request, pk):
    document = get_document_for_user(request.user, pk, write=True)
    form = DocumentForm(request.POST or None, request.FILES or None, instance=document)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.update_document(
                document=document,
                data=form.document_data(),
                actor=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                upload=form.cleaned_data["upload"],
                remove_attachment=form.cleaned_data.get("remove_attachment", False),
            )
        except (services.LibraryError, StaleEdit) as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Document “%(title)s” saved.") % {"title": document.title})
            return redirect("library:detail", pk=document.pk)
    return render(request, "library/form.html", {"form": form, "document": document})


def _publishing(request, pk, *, published):
    document = get_document_for_user(request.user, pk, write=True)
    try:
        services.set_published(
            document=document,
            published=published,
            actor=request.user,
            expected_version=posted_version(request),
        )
    except (services.LibraryError, StaleEdit) as error:
        show_errors(request, error)
    else:
        messages.success(
            request,
            _("The document is published.") if published else _("The document is withdrawn from readers."),
        )
    return redirect("library:detail", pk=pk)


@login_required
@require_POST
def document_publish(request, pk):
    return _publishing(request, pk, published=True)


@login_required
@require_POST
def document_unpublish(request, pk):
    return _publishing(request, pk, published=False)


@login_required
@require_POST
def document_delete(request, pk):
    document = get_document_for_user(request.user, pk)
    if not request.user.has_perm("library.delete_document"):
        raise PermissionDenied("library.delete_document")
    try:
        services.delete_document(
            document=document, actor=request.user, expected_version=posted_version(request)
        )
    except (services.LibraryError, StaleEdit) as error:
        show_errors(request, error)
        return redirect("library:detail", pk=pk)
    messages.success(request, _("Document “%(title)s” deleted.") % {"title": document.title})
    return redirect("library:list")
