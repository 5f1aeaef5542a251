"""Views of the opinions app: feedback on reported reports. Editors record adoptions and leaders'
instructions (and delete a wrong one, after a confirmation) and transfer a report to a department from
the report page's feedback section (templates/opinions/_feedback.html); the department's account finds
what was transferred to it on its own pages (转办给本单位的社情民意), signs for it and replies; an editor
types in a reply that came on paper. Every change goes through services.feedback."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lvzhi.core import uploads
from lvzhi.core.forms import show_errors
from lvzhi.core.pagination import paginate

from ..forms_feedback import (
    AdoptionForm,
    InstructionForm,
    PaperReplyForm,
    ReplyForm,
    TransferFilterForm,
    TransferForm,
)
from ..models import Adoption, Instruction, OpinionReport, Transfer, TransferStatusChange
from ..permissions import PROCESS, VIEW_ALL, get_report_for_user, get_transfer_for_user
from ..services import feedback as services

CONFIRM_DELETE = "confirm_delete"


def _to_feedback(report):
    return redirect(f"{report.get_absolute_url()}#feedback")


def _form_errors(request, form):
    """A refused form of the report page as messages naming the field (the page is drawn anew)."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- adoptions and instructions ---------------------------------------------------------------------


@login_required
@require_POST
def adoption_add(request, pk):
    report = get_report_for_user(request.user, pk)
    form = AdoptionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_feedback(report)
    try:
        services.add_adoption(report=report, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("Adoption recorded; the authors are told."))
    return _to_feedback(report)


@login_required
@require_POST
def instruction_add(request, pk):
    report = get_report_for_user(request.user, pk)
    form = InstructionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_feedback(report)
    try:
        services.add_instruction(report=report, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("Instruction recorded; the authors are told."))
    return _to_feedback(report)


def _feedback_row(model, user, pk):
    """An adoption or instruction of a report the user may see, else 404."""
    try:
        return model.objects.select_related("report", "report__committee").get(
            pk=pk, report__in=OpinionReport.objects.visible_to(user).values("pk")
        )
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _delete(request, pk, model, service, kind_label, done):
    """Deleting is confirmed on a page of its own: the first POST shows what goes, the second deletes."""
    row = _feedback_row(model, request.user, pk)
    report = row.report
    if not services.may_record(request.user, report):
        raise PermissionDenied(PROCESS)
    if not request.POST.get(CONFIRM_DELETE):
        return render(
            request,
            "opinions/feedback/confirm_delete.html",
            {"row": row, "report": report, "kind_label": kind_label, "flag": CONFIRM_DELETE},
        )
    try:
        service(**{model._meta.model_name: row}, actor=request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, done)
    return _to_feedback(report)


@login_required
@require_POST
def adoption_delete(request, pk):
    return _delete(
        request,
        pk,
        Adoption,
        services.delete_adoption,
        _("adoption"),
        _("Adoption deleted; the authors are told."),
    )


@login_required
@require_POST
def instruction_delete(request, pk):
    return _delete(
        request,
        pk,
        Instruction,
        services.delete_instruction,
        _("instruction"),
        _("Instruction deleted; the authors are told."),
    )


# --- transfers: the editors' side -------------------------------------------------------------------


@login_required
@require_POST
def transfer_add(request, pk):
    report = get_report_for_user(request.user, pk)
    form = TransferForm(request.POST, committee_id=report.committee_id)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_feedback(report)
    try:
        transfer = services.transfer_report(report=report, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(
            request, _("Transferred to %(department)s.") % {"department": transfer.department.name}
        )
    return _to_feedback(report)


# --- transfers: the department's pages --------------------------------------------------------------


def _require_transfers_page(user):
    if not (user.department_id or user.has_perm(VIEW_ALL)):
        raise PermissionDenied("opinions.transfer")


@login_required
def transfer_list(request):
    """转办给本单位的社情民意: a department's account sees its department's transfers (of reports, and of
    inspection reports, which it answers the same way); the committee's staff see them all."""
    user = request.user
    _require_transfers_page(user)
    form = TransferFilterForm(request.GET or None)
    transfers = (
        Transfer.objects.visible_to(user)
        .select_related("report", "inspection_report", "department")
        .order_by("status", "-transferred_on", "-pk")
    )
    status = form.cleaned_data["status"] if form.is_valid() else ""
    if status:
        transfers = transfers.filter(status=status)
    page = paginate(request, transfers, per_page=30)
    return render(request, "opinions/transfers/list.html", {"page": page, "form": form, "status": status})


def _may_answer(user, transfer):
    return bool(user.department_id) and user.department_id == transfer.department_id


def _transfer_page(request, transfer, *, reply_form=None, paper_form=None, status=200):
    user = request.user
    may_answer = _may_answer(user, transfer)
    # Paper replies to an inspection report's transfers are the inspections pages' business.
    may_record_paper = (
        transfer.report is not None
        and not may_answer
        and user.has_perm(PROCESS)
        and transfer.status != Transfer.Status.REPLIED
    )
    report = transfer.report
    history = TransferStatusChange.objects.filter(transfer=transfer).select_related("actor")
    return render(
        request,
        "opinions/transfers/detail.html",
        {
            "transfer": transfer,
            "report": report,
            "subject_title": report.current_title if report else transfer.inspection_report.title,
            "subject_body": report.current_body if report else transfer.inspection_report.body,
            "may_answer": may_answer and transfer.status != Transfer.Status.REPLIED,
            "may_sign": may_answer and transfer.status == Transfer.Status.SENT,
            "reply_form": reply_form or ReplyForm(),
            "may_record_paper": may_record_paper,
            "paper_form": paper_form or PaperReplyForm(),
            "history": history,
        },
        status=status,
    )


@login_required
def transfer_detail(request, pk):
    transfer = get_transfer_for_user(request.user, pk)
    return _transfer_page(request, transfer)


@login_required
@require_POST
def transfer_sign(request, pk):
    transfer = get_transfer_for_user(request.user, pk)
    try:
        services.sign_transfer(transfer=transfer, actor=request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("Signed for. Reply when your department has its answer."))
    return redirect("opinions:transfer", pk=transfer.pk)


@login_required
@require_POST
def transfer_reply(request, pk):
    transfer = get_transfer_for_user(request.user, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.reply_transfer(
                transfer=transfer,
                actor=request.user,
                reply=form.cleaned_data["reply"],
                document=form.cleaned_data["document"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Reply sent; the authors are told."))
            return redirect("opinions:transfer", pk=transfer.pk)
    return _transfer_page(request, transfer, reply_form=form, status=400)


@login_required
@require_POST
def transfer_paper_reply(request, pk):
    transfer = get_transfer_for_user(request.user, pk)
    form = PaperReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.record_paper_reply(transfer=transfer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Paper reply recorded; the authors are told."))
            return redirect("opinions:transfer", pk=transfer.pk)
    return _transfer_page(request, transfer, paper_form=form, status=400)


@login_required
def transfer_document(request, pk):
    """The reply document, for the department, the committee's staff and whoever may see the report
    (its authors)."""
    user = request.user
    visible = Transfer.objects.visible_to(user).filter(pk=pk)
    through_report = Transfer.objects.filter(
        pk=pk, report__in=OpinionReport.objects.visible_to(user).values("pk")
    )
    try:
        transfer = (visible | through_report).distinct().get()
    except (Transfer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not transfer.file:
        raise Http404
    return uploads.attachment_response(transfer)


# --- the report page's section ----------------------------------------------------------------------


def feedback_context(user, report):
    """What templates/opinions/_feedback.html shows on the report page: the feedback every reader of
    the report sees (its authors included), and for editors the forms to add to it."""
    transfers = report.transfers.select_related("department").prefetch_related(
        Prefetch("status_changes", queryset=TransferStatusChange.objects.select_related("actor"))
    )
    may_record = services.may_record(user, report)
    context = {
        "report": report,
        "adoptions": report.adoptions.all(),
        "instructions": report.instructions.all(),
        "transfers": transfers,
        "shows_feedback": report.status in services.FEEDBACK_STATUSES,
        "may_record": may_record,
        "may_open_transfers": user.has_perm(VIEW_ALL),
    }
    if may_record:
        context |= {
            "adoption_form": AdoptionForm(),
            "instruction_form": InstructionForm(),
            "transfer_form": TransferForm(committee_id=report.committee_id),
        }
    return context


urlpatterns = [
    path("feedback/<int:pk>/adoptions/add/", adoption_add, name="adoption_add"),
    path("feedback/adoptions/<int:pk>/delete/", adoption_delete, name="adoption_delete"),
    path("feedback/<int:pk>/instructions/add/", instruction_add, name="instruction_add"),
    path("feedback/instructions/<int:pk>/delete/", instruction_delete, name="instruction_delete"),
    path("feedback/<int:pk>/transfers/add/", transfer_add, name="transfer_add"),
    path("transfers/", transfer_list, name="transfers"),
    path("transfers/<int:pk>/", transfer_detail, name="transfer"),
    path("transfers/<int:pk>/sign/", transfer_sign, name="transfer_sign"),
    path("transfers/<int:pk>/reply/", transfer_reply, name="transfer_reply"),
    path("transfers/<int:pk>/paper-reply/", transfer_paper_reply, name="transfer_paper_reply"),
    path("transfers/<int:pk>/document/", transfer_document, name="transfer_document"),
]
