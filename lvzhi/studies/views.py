"""Study pages: the member's training plan and notes (phone), and the staff's plan editor and queue."""

import openpyxl
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lvzhi.core import audit, submission, uploads, xlsx
from lvzhi.core.forms import show_errors
from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import StaleEdit, posted_version

from . import selectors, services
from .forms import (
    AcknowledgeForm,
    PaperSubmissionForm,
    PlanForm,
    QueueFilterForm,
    ReturnForm,
    SessionForm,
    SubmissionForm,
)
from .models import StudySubmission, TrainingPlan


def _member_or_404(user):
    member = getattr(user, "member", None)
    if member is None:
        raise Http404
    return member


# --- member side -----------------------------------------------------------------------------------


@login_required
def home(request):
    """The member's page: this year's published plan and their own notes and essays."""
    member = getattr(request.user, "member", None)
    year = timezone.localdate().year
    plan = selectors.published_plan(request.user, year)
    visible = set()
    if plan is not None:
        visible = selectors.visible_activity_ids(
            request.user, [s.activity_id for s in plan.sessions.all() if s.activity_id]
        )
    submissions = list(selectors.my_submissions(member)) if member is not None else []
    return render(
        request,
        "studies/home.html",
        {
            "member": member,
            "plan": plan,
            "year": year,
            "visible_activities": visible,
            "submissions": submissions,
        },
    )


def _create_from_form(request, form, create, *, success, back):
    """Create a submission from a valid form through `create(member, **fields)` (the member's own or one
    recorded on paper), once per form; the response to send, or None to show the form again."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            submission.claim(request)
            created = create(
                member=data.get("member") or _member_or_404(request.user),
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                session=data["session"],
                attachment=data["attachment"],
            )
    except submission.DuplicateSubmission:
        submission.tell_already_submitted(request)
        return redirect(back)
    except services.StudyError as error:
        show_errors(request, error)
        return None
    messages.success(request, success % {"member": created.member})
    return redirect("studies:submission_detail", pk=created.pk)


@login_required
def submit(request):
    member = _member_or_404(request.user)
    form = SubmissionForm(request.POST or None, request.FILES or None, committee_id=member.committee_id)
    if request.method == "POST" and form.is_valid():
        response = _create_from_form(
            request,
            form,
            services.submit,
            success=_("Handed in. The office will acknowledge it."),
            back="studies:home",
        )
        if response is not None:
            return response
    return render(request, "studies/submit.html", {"form": form, "chosen_file": form.chosen_file_name()})


@login_required
@permission_required("studies.acknowledge_studysubmission", raise_exception=True)
def paper_submit(request):
    """Staff type in what a member handed in on paper; it then waits for acknowledgement like any other."""
    form = PaperSubmissionForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        response = _create_from_form(
            request,
            form,
            services.record_on_paper,
            success=_("Recorded for %(member)s."),
            back="studies:queue",
        )
        if response is not None:
            return response
    return render(
        request, "studies/paper_submit.html", {"form": form, "chosen_file": form.chosen_file_name()}
    )


@login_required
def edit_submission(request, pk):
    """The member edits a returned submission and hands it in again."""
    item = selectors.get_submission_for_user(request.user, pk)
    member = _member_or_404(request.user)
    if item.member_id != member.pk:
        raise PermissionDenied
    if item.status != StudySubmission.Status.RETURNED:
        messages.error(request, _("Only a returned submission can be edited."))
        return redirect("studies:submission_detail", pk=item.pk)
    initial = {"kind": item.kind, "title": item.title, "body": item.body, "session": item.session_id}
    form = SubmissionForm(
        request.POST or None,
        request.FILES or None,
        committee_id=member.committee_id,
        initial=initial,
        has_stored_file=bool(item.file),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.resubmit(
                submission=item,
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                session=data["session"],
                attachment=data["attachment"],
                expected_version=posted_version(request),
            )
        except (services.StudyError, StaleEdit) as error:
            show_errors(request, error)
        else:
            messages.success(request, _("Handed in again."))
            return redirect("studies:submission_detail", pk=item.pk)
    return render(
        request, "studies/submit.html", {"form": form, "item": item, "chosen_file": form.chosen_file_name()}
    )


@login_required
def submission_detail(request, pk):
    item = selectors.get_submission_for_user(request.user, pk)
    return render(
        request,
        "studies/submission_detail.html",
        {
            "item": item,
            "is_owner": item.member.user_id == request.user.pk,
            "can_review": services.can_acknowledge(request.user, item),
            "history": item.status_changes.select_related("actor"),
            "return_form": ReturnForm(),
        },
    )


@login_required
def attachment(request, pk):
    """The attachment, for the member who handed it in or staff who may see the member."""
    return uploads.attachment_response(selectors.get_submission_for_user(request.user, pk))


# --- staff: review ---------------------------------------------------------------------------------


@login_required
@permission_required("studies.view_studysubmission", raise_exception=True)
def queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.queue(
        request.user,
        year=filters.get("year"),
        kind=filters.get("kind") or "",
        status=filters.get("status") or "",
    )
    page = paginate(request, items)
    return render(
        request,
        "studies/queue.html",
        {"form": form, "page": page, "year": filters.get("year") or timezone.localdate().year},
    )


def _show_form_errors(request, form):
    """Each error of a form that has no page of its own, as a message naming the field."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def _reviewed_item(request, pk, form_class):
    """The submission and the review form posted for it; PermissionDenied before anything is read."""
    item = selectors.get_submission_for_user(request.user, pk)
    if not services.can_acknowledge(request.user, item):
        raise PermissionDenied("studies.acknowledge_studysubmission")
    return item, form_class(request.POST)


@login_required
@require_POST
def acknowledge(request, pk):
    item, form = _reviewed_item(request, pk, AcknowledgeForm)
    if not form.is_valid():
        _show_form_errors(request, form)
        return redirect("studies:submission_detail", pk=item.pk)
    try:
        services.acknowledge(
            submission=item,
            actor=request.user,
            note=form.cleaned_data["note"],
            expected_version=posted_version(request),
        )
    except (services.StudyError, StaleEdit) as error:
        show_errors(request, error)
    else:
        messages.success(request, _("Acknowledged: it counts in the member's duty record."))
    return redirect("studies:submission_detail", pk=item.pk)


@login_required
@require_POST
def return_submission(request, pk):
    item, form = _reviewed_item(request, pk, ReturnForm)
    # An empty reason goes on to the service, whose message says what the reason is for.
    if not form.is_valid() and form.data.get("reason", "").strip():
        _show_form_errors(request, form)
        return redirect("studies:submission_detail", pk=item.pk)
    try:
        services.return_submission(
            submission=item,
            actor=request.user,
            reason=form.cleaned_data.get("reason", ""),
            expected_version=posted_version(request),
        )
    except (services.StudyError, StaleEdit) as error:
        show_errors(request, error)
    else:
        messages.success(request, _("Returned to the member."))
    return redirect("studies:submission_detail", pk=item.pk)


@login_required
@permission_required("studies.view_studysubmission", raise_exception=True)
def export(request):
    """A year's submissions as an Excel workbook, written to the audit log."""
    form = QueueFilterForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    year = year or timezone.localdate().year
    items = selectors.queue(request.user, year=year).order_by("submitted_at", "pk")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = str(year)
    title = _("%(year)s study notes and essays") % {"year": year}
    headers = [
        _("Member"),
        _("Kind"),
        _("Title"),
        _("Training session"),
        _("Submitted at"),
        _("Status"),
        _("Reviewed at"),
    ]
    header_row = xlsx.start_sheet(sheet, headers, title=title)
    rows = 0
    for item in items:
        rows += 1
        xlsx.append_row(
            sheet,
            [
                item.member.name,
                item.get_kind_display(),
                item.title,
                item.session.topic if item.session else "",
                f"{timezone.localtime(item.submitted_at):%Y-%m-%d %H:%M}",
                item.get_status_display(),
                f"{timezone.localtime(item.reviewed_at):%Y-%m-%d %H:%M}" if item.reviewed_at else "",
            ],
        )
    xlsx.fit_columns(sheet, header_row=header_row)
    filename = f"{title}-{timezone.localdate():%Y%m%d}.xlsx"
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        event="studies.exported",
        params={"file": filename},
        detail={"format": "xlsx", "rows": rows, "year": year},
    )
    return xlsx.workbook_response(workbook, filename)


# --- staff: plans ----------------------------------------------------------------------------------


@login_required
@permission_required("studies.view_trainingplan", raise_exception=True)
def plan_list(request):
    plans = TrainingPlan.objects.visible_to(request.user).order_by("-year", "pk")
    return render(
        request,
        "studies/plan_list.html",
        {"plans": plans, "can_manage": services.can_manage_plans(request.user)},
    )


@login_required
@permission_required("studies.add_trainingplan", raise_exception=True)
def plan_create(request):
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(actor=request.user, **form.cleaned_data)
        except services.StudyError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Plan created. Add its sessions, then publish it."))
            return redirect("studies:plan_detail", pk=plan.pk)
    return render(request, "studies/plan_form.html", {"form": form})


@login_required
@permission_required("studies.view_trainingplan", raise_exception=True)
def plan_detail(request, pk):
    plan = selectors.get_plan_for_user(request.user, pk)
    can_manage = services.can_manage_plans(request.user, plan.committee_id)
    return render(
        request,
        "studies/plan_detail.html",
        {
            "plan": plan,
            "sessions": selectors.sessions_with_activities(plan),
            "can_manage": can_manage,
            "session_form": SessionForm(plan=plan) if can_manage else None,
        },
    )


@login_required
@permission_required("studies.change_trainingplan", raise_exception=True)
def plan_edit(request, pk):
    plan = selectors.get_plan_for_user(request.user, pk)
    form = PlanForm(
        request.POST or None, editing=True, initial={"title": plan.title, "summary": plan.summary}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(
                plan=plan, actor=request.user, expected_version=posted_version(request), **form.cleaned_data
            )
        except (services.StudyError, StaleEdit) as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("studies:plan_detail", pk=plan.pk)
    return render(request, "studies/plan_form.html", {"form": form, "plan": plan})


@login_required
@require_POST
def plan_status(request, pk, to_status):
    plan = selectors.get_plan_for_user(request.user, pk)
    try:
        services.set_plan_status(
            plan=plan, to_status=to_status, actor=request.user, expected_version=posted_version(request)
        )
    except (services.StudyError, StaleEdit) as error:
        show_errors(request, error)
    else:
        messages.success(
            request,
            _("Plan published: members see it now.")
            if to_status == "published"
            else _("Plan taken back to draft."),
        )
    return redirect("studies:plan_detail", pk=plan.pk)


@login_required
@require_POST
def session_add(request, pk):
    plan = selectors.get_plan_for_user(request.user, pk)
    if not services.can_manage_plans(request.user, plan.committee_id):
        raise PermissionDenied
    form = SessionForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            with transaction.atomic():
                submission.claim(request)
                services.save_session(plan=plan, actor=request.user, **form.cleaned_data)
        except submission.DuplicateSubmission:
            submission.tell_already_submitted(request)
        except services.StudyError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("Session added."))
            return redirect("studies:plan_detail", pk=plan.pk)
    else:
        _show_form_errors(request, form)
    return redirect("studies:plan_detail", pk=plan.pk)


@login_required
def session_edit(request, pk):
    session = selectors.get_session_for_user(request.user, pk)
    plan = session.plan
    if not services.can_manage_plans(request.user, plan.committee_id):
        raise PermissionDenied
    form = SessionForm(request.POST or None, instance=session, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_session(plan=plan, actor=request.user, session=session, **form.cleaned_data)
        except services.StudyError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Session saved."))
            return redirect("studies:plan_detail", pk=plan.pk)
    return render(request, "studies/session_form.html", {"form": form, "plan": plan, "session": session})


@login_required
@require_POST
def session_delete(request, pk):
    session = selectors.get_session_for_user(request.user, pk)
    plan = session.plan
    if not services.can_manage_plans(request.user, plan.committee_id):
        raise PermissionDenied
    services.delete_session(session=session, actor=request.user)
    messages.success(request, _("Session deleted."))
    return redirect("studies:plan_detail", pk=plan.pk)
