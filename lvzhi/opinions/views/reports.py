"""Views of the opinions app: reports — the author's side (write, autosave, submit, my reports,
attachments) and the editors' pipeline (the report page with its steps, the queues, the settings).
Every fetch goes through permissions.get_report_for_user; every change through services.reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lvzhi.core import uploads
from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import StaleEdit, posted_version
from lvzhi.members import selectors as member_selectors
from lvzhi.members.models import Member

from .. import permissions, selectors
from ..diff import char_diff
from ..forms_reports import (
    AttachmentForm,
    CategoryForm,
    CoAuthorSearchForm,
    EditForm,
    FindingsForm,
    MergeForm,
    PaperReportForm,
    PolicyForm,
    ReasonForm,
    RegisterForm,
    ReportDirectlyForm,
    ReportForm,
    VerifierForm,
)
from ..models import Category, OpinionAttachment, OpinionReport
from ..permissions import get_report_for_user
from ..services import reports as services
from ..services import settings as settings_services
from .feedback import feedback_context

Status = OpinionReport.Status
CO_AUTHOR_PICK_LIMIT = 10


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


def _require_writer(user):
    if not (user.has_perm(permissions.WRITE) or user.has_perm(permissions.PROCESS)):
        raise PermissionDenied(permissions.WRITE)


# --- the author's side -------------------------------------------------------------------------------


@login_required
def mine(request):
    """The author's reports with their status and what became of them."""
    reports = paginate(request, selectors.my_reports(request.user).prefetch_related(*_FEEDBACK), per_page=30)
    return render(
        request,
        "opinions/report_mine.html",
        {"page": reports, "may_write": request.user.has_perm(permissions.WRITE)},
    )


# What a list or page shows of the feedback other helpers record (model relations already).
_FEEDBACK = ("adoptions", "instructions", "transfers__department")


def _policy_context(user):
    policy = selectors.policy_for(user.committee_id)
    return {"body_limit": policy.body_limit}


def _write_page(request, form, report=None):
    co_ids = form["co_authors"].value() or []
    chosen = list(
        Member.objects.filter(
            committee_id=request.user.committee_id,
            # Ids a database column holds (a longer number was an OverflowError, a 500).
            pk__in=[i for i in co_ids if str(i).isdecimal() and len(str(i)) < 19],
        )
    )
    return render(
        request,
        "opinions/report_form.html",
        {
            "form": form,
            "report": report,
            "chosen_co_authors": chosen,
            "attachment_form": AttachmentForm() if report else None,
            **_policy_context(request.user),
        },
    )


def _saved(request, report):
    """After the write page's save: back to the draft, or on to submitting it when the author pressed
    提交 (one post, so nothing typed since the last autosave is left behind)."""
    if not request.POST.get("submit_now"):
        messages.success(request, _("Draft saved."))
        return redirect("opinions:edit", report.pk)
    return _submit(request, report, expected_version=report.version)


@login_required
@never_cache
def new(request):
    """The write page of a new report; saving it (or the first autosave) makes the draft."""
    _require_writer(request.user)
    if request.method == "POST":
        form = ReportForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                report = services.create_draft(actor=request.user, **form.service_kwargs())
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                return _saved(request, report)
        return _write_page(request, form)
    return _write_page(request, ReportForm(user=request.user))


@login_required
@never_cache
def edit(request, pk):
    report = get_report_for_user(request.user, pk)
    if "edit" not in permissions.report_actions(request.user, report):
        raise PermissionDenied("not the report's author, or no longer editable")
    if request.method == "POST":
        form = ReportForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                report = services.update_draft(
                    report,
                    actor=request.user,
                    expected_version=posted_version(request),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                return _saved(request, report)
        return _write_page(request, form, report)
    initial = {
        "title": report.title,
        "body": report.body,
        "category": report.category_id,
        "unit": report.unit_id,
        "co_authors": list(report.authors.filter(role="co").values_list("member_id", flat=True)),
        "agrees_to_publish": report.agrees_to_publish,
        "version": report.version,
    }
    return _write_page(request, ReportForm(initial=initial, user=request.user), report)


@login_required
@require_POST
def autosave(request, pk=None):
    """The write page saves itself every ~20 s and on change (static/lvzhi/opinions.js): JSON with the
    new version and time, or 409 with the reason (another tab saved first; not editable any more)."""
    _require_writer(request.user)
    form = ReportForm(request.POST, user=request.user)
    if not form.is_valid():
        first = next(iter(form.errors.items()))
        label = form.fields[first[0]].label if first[0] in form.fields else ""
        return JsonResponse({"error": f"{label}：{first[1][0]}" if label else first[1][0]}, status=400)
    try:
        if pk is None:
            report = services.create_draft(actor=request.user, **form.service_kwargs())
        else:
            report = get_report_for_user(request.user, pk)
            report = services.update_draft(
                report, actor=request.user, expected_version=posted_version(request), **form.service_kwargs()
            )
    except StaleEdit as error:
        return JsonResponse({"error": _error_text(error), "stale": True}, status=409)
    except ValidationError as error:
        return JsonResponse({"error": _error_text(error)}, status=409)
    now = timezone.localtime()
    return JsonResponse(
        {
            "version": report.version,
            "saved": _("Autosaved at %(time)s") % {"time": now.strftime("%H:%M")},
            "autosave_url": reverse("opinions:autosave", args=[report.pk]),
            "edit_url": reverse("opinions:edit", args=[report.pk]),
            "action_url": reverse("opinions:edit", args=[report.pk]),
        }
    )


@login_required
@never_cache
def co_author_search(request):
    """The co-author picker (htmx): the committee's members by name, pinyin or initials; with
    pick=lead, the office's choice of the member who handed a paper report in (radio buttons)."""
    lead = request.GET.get("pick") == "lead"
    if lead:
        if not request.user.has_perm(permissions.RECORD_PAPER):
            raise PermissionDenied(permissions.RECORD_PAPER)
    else:
        _require_writer(request.user)
    form = CoAuthorSearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    number_typed = member_selectors.looks_like_personal_number(q)
    found = []
    if q and not number_typed:
        members = Member.objects.filter(committee_id=request.user.committee_id)
        found = list(
            member_selectors.search_members(members, q=q, order="pinyin")[: CO_AUTHOR_PICK_LIMIT + 1]
        )
    return render(
        request,
        "opinions/_lead_member_results.html" if lead else "opinions/_co_author_results.html",
        {
            "q": q,
            "number_typed": number_typed,
            "found": found[:CO_AUTHOR_PICK_LIMIT],
            "more": len(found) > CO_AUTHOR_PICK_LIMIT,
        },
    )


@login_required
@never_cache
def paper_new(request):
    """The office types in a report a member handed in on paper: it is submitted in the member's name."""
    if not request.user.has_perm(permissions.RECORD_PAPER):
        raise PermissionDenied(permissions.RECORD_PAPER)
    form = PaperReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.record_paper_report(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("The paper report was typed in and submitted in the member's name."))
            return redirect("opinions:detail", report.pk)
    member_field = form["member"].value()
    chosen = (
        form.fields["member"].queryset.filter(pk=member_field).first()
        if str(member_field or "").isdecimal() and len(str(member_field)) < 19
        else None
    )
    return render(
        request,
        "opinions/report_paper.html",
        {"form": form, "chosen_member": chosen, **_policy_context(request.user)},
    )


@login_required
@require_POST
def submit(request, pk):
    return _submit(request, get_report_for_user(request.user, pk), expected_version=posted_version(request))


def _submit(request, report, *, expected_version):
    step = services.resubmit if report.status == Status.RETURNED else services.submit
    try:
        step(report, actor=request.user, expected_version=expected_version)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        if report.status in OpinionReport.AUTHOR_EDITABLE:
            return redirect("opinions:edit", report.pk)
    else:
        messages.success(request, _("Report submitted. The editors will register it."))
    return redirect("opinions:detail", report.pk)


@login_required
@require_POST
def attachment_add(request, pk):
    report = get_report_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(f"{_('File')}：{e}" for e in form.errors.get("file", [])))
    else:
        try:
            services.add_attachment(
                report=report, uploaded_file=form.cleaned_data["file"], actor=request.user
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("File attached."))
    return _back_to(request, report)


def _back_to(request, report):
    """Back to the write page when the file was added there, else to the report page."""
    return redirect("opinions:edit" if request.POST.get("next") == "edit" else "opinions:detail", report.pk)


def _attachment(request, pk, file_pk):
    report = get_report_for_user(request.user, pk)
    return report, get_object_or_404(OpinionAttachment, report=report, pk=file_pk)


@login_required
@require_POST
def attachment_delete(request, pk, file_pk):
    report, attachment = _attachment(request, pk, file_pk)
    try:
        services.delete_attachment(attachment=attachment, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("File removed."))
    return _back_to(request, report)


@login_required
def attachment_download(request, pk, file_pk):
    """Served only to who may see the report (get_report_for_user), always as a download."""
    _report, attachment = _attachment(request, pk, file_pk)
    if not attachment.file:
        raise Http404
    return uploads.attachment_response(attachment)


# --- the report page ---------------------------------------------------------------------------------


# The steps whose reason is written for the authors.
REASONS_FOR_AUTHORS = (Status.RETURNED, Status.NOT_ADOPTED, Status.REPORTED)


@login_required
@never_cache
def detail(request, pk):
    report = get_report_for_user(request.user, pk)
    actions = permissions.report_actions(request.user, report)
    context = {
        "report": report,
        "actions": actions,
        "authors": list(report.authors.select_related("member").order_by("order", "pk")),
        "history": list(report.status_changes.select_related("actor").order_by("at", "pk")),
        "attachments": list(report.attachments.all()),
        "merged_reports": list(report.merged_reports.order_by("pk")),
        "is_author": permissions.is_author(request.user, report),
        "staff_view": request.user.has_perm(permissions.VIEW_ALL) or report.verifier_id == request.user.pk,
        **_policy_context(request.user),
        **feedback_context(request.user, report),
    }
    if not context["staff_view"]:
        # Authors read why their report was returned or not adopted; the comments passed between
        # leaders and editors on the way stay among them (the rows themselves are not changed).
        for change in context["history"]:
            if change.to_status not in REASONS_FOR_AUTHORS:
                change.reason = ""
    # An author may not see the report theirs was merged into (another member's): named, not linked.
    context["merged_into_visible"] = (
        report.merged_into_id is not None
        and OpinionReport.objects.visible_to(request.user).filter(pk=report.merged_into_id).exists()
    )
    if report.edited_title or report.edited_body:
        context["title_diff"] = char_diff(report.title, report.edited_title or report.title)
        context["body_diff"] = char_diff(report.body, report.edited_body or report.body)
    if "register" in actions:
        context["register_form"] = RegisterForm(report=report)
        context["similar"] = _similar(report)
        context["merge_targets"] = services.MERGE_TARGETS
    if "assign_verifier" in actions:
        context["verifier_form"] = VerifierForm(report=report, initial={"verifier": report.verifier_id})
    if "findings" in actions:
        context["findings_form"] = FindingsForm(initial={"findings": report.findings})
    if "merge" in actions:
        context["merge_form"] = MergeForm(report=report, user=request.user)
    if "report_directly" in actions:
        context["report_form"] = ReportDirectlyForm(initial={"reported_on": timezone.localdate()})
    if "attachments" in actions:
        context["attachment_form"] = AttachmentForm()
    return render(request, "opinions/report_detail.html", context)


def _similar(report):
    """The most similar reports of the committee (similarity helper's module), or None when it is not
    there (the page then says so)."""
    try:
        return selectors.similar_reports(report, k=5)
    except ImportError:  # pragma: no cover - until the similarity module arrives
        return None


def _step(request, pk, run, success):
    """Run one pipeline step on the report: a refusal is a message, never a 500."""
    report = get_report_for_user(request.user, pk)
    try:
        run(report)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)
    return redirect("opinions:detail", report.pk)


def _form_step(request, pk, form_class, run, success, **form_kwargs):
    report = get_report_for_user(request.user, pk)
    form = form_class(request.POST, **{k: (report if v == "report" else v) for k, v in form_kwargs.items()})
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return redirect("opinions:detail", report.pk)
    try:
        run(report, form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)
    return redirect("opinions:detail", report.pk)


@login_required
@require_POST
def register(request, pk):
    return _form_step(
        request,
        pk,
        RegisterForm,
        lambda r, d: services.register(
            r,
            actor=request.user,
            category=d["category"],
            source=d["source"],
            expected_version=posted_version(request),
        ),
        _("Report registered."),
        report="report",
    )


@login_required
@require_POST
def assign_verifier(request, pk):
    return _form_step(
        request,
        pk,
        VerifierForm,
        lambda r, d: services.assign_verifier(
            r, actor=request.user, verifier=d["verifier"], expected_version=posted_version(request)
        ),
        _("Verifier assigned."),
        report="report",
    )


@login_required
@require_POST
def findings(request, pk):
    return _form_step(
        request,
        pk,
        FindingsForm,
        lambda r, d: services.record_findings(
            r, actor=request.user, findings=d["findings"], expected_version=posted_version(request)
        ),
        _("Findings recorded."),
    )


@login_required
@require_POST
def start_editing(request, pk):
    return _step(
        request,
        pk,
        lambda r: services.start_editing(r, actor=request.user, expected_version=posted_version(request)),
        _("Editing started."),
    )


@login_required
@never_cache
def edit_text(request, pk):
    """The editor's version of the title and body, beside the author's."""
    report = get_report_for_user(request.user, pk)
    if "save_edit" not in permissions.report_actions(request.user, report):
        raise PermissionDenied(permissions.PROCESS)
    if request.method == "POST":
        form = EditForm(request.POST)
        if form.is_valid():
            try:
                services.save_edit(
                    report,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    edited_title=form.cleaned_data["edited_title"],
                    edited_body=form.cleaned_data["edited_body"],
                )
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, _("Edited text saved."))
                return redirect("opinions:detail", report.pk)
    else:
        form = EditForm(
            initial={
                "edited_title": report.edited_title or report.title,
                "edited_body": report.edited_body or report.body,
                "version": report.version,
            }
        )
    return render(request, "opinions/report_edit_text.html", {"report": report, "form": form})


@login_required
@require_POST
def send_for_signoff(request, pk):
    return _step(
        request,
        pk,
        lambda r: services.send_for_signoff(r, actor=request.user, expected_version=posted_version(request)),
        _("Sent to the leaders for sign-off."),
    )


@login_required
@require_POST
def sign(request, pk):
    return _step(
        request,
        pk,
        lambda r: services.sign(r, actor=request.user, expected_version=posted_version(request)),
        _("Report signed."),
    )


@login_required
@require_POST
def send_back(request, pk):
    return _form_step(
        request,
        pk,
        ReasonForm,
        lambda r, d: services.send_back(
            r, actor=request.user, comments=d["reason"], expected_version=posted_version(request)
        ),
        _("Sent back to the editors."),
    )


@login_required
@require_POST
def return_to_author(request, pk):
    return _form_step(
        request,
        pk,
        ReasonForm,
        lambda r, d: services.return_to_author(
            r, actor=request.user, reason=d["reason"], expected_version=posted_version(request)
        ),
        _("Returned to the author."),
    )


@login_required
@require_POST
def not_adopt(request, pk):
    return _form_step(
        request,
        pk,
        ReasonForm,
        lambda r, d: services.not_adopt(
            r, actor=request.user, reason=d["reason"], expected_version=posted_version(request)
        ),
        _("Marked as not adopted; the authors are told."),
    )


@login_required
@require_POST
def merge(request, pk):
    return _form_step(
        request,
        pk,
        MergeForm,
        lambda r, d: services.merge(
            r,
            actor=request.user,
            into=d["into"],
            reason=d["reason"],
            expected_version=posted_version(request),
        ),
        _("Report merged."),
        report="report",
        user=request.user,
    )


@login_required
@require_POST
def report_directly(request, pk):
    return _form_step(
        request,
        pk,
        ReportDirectlyForm,
        lambda r, d: services.report_directly(
            r, actor=request.user, reported_on=d["reported_on"], reported_to=d["reported_to"]
        ),
        _("Report marked as reported."),
    )


@login_required
@require_POST
def archive(request, pk):
    return _step(
        request,
        pk,
        lambda r: services.archive(r, actor=request.user, expected_version=posted_version(request)),
        _("Report archived."),
    )


# --- queues ------------------------------------------------------------------------------------------

QUEUE_LABELS = {
    "submitted": _("To register"),
    "verifying": _("Being verified"),
    "editing": _("Being edited"),
    "signoff": _("Awaiting sign-off"),
    "signed": _("Signed, to report"),
}


def _is_pipeline_staff(user):
    return user.has_perm(permissions.VIEW_ALL) or selectors.to_verify(user).exists()


@login_required
@never_cache
def work(request):
    """社情民意工作: the queues with their counts (editors, office, leaders) and what waits for me."""
    user = request.user
    if not _is_pipeline_staff(user):
        raise PermissionDenied(permissions.VIEW_ALL)
    policy = selectors.policy_for(user.committee_id)
    context = {"to_verify": selectors.mark_overdue(selectors.to_verify(user), policy), "policy": policy}
    if user.has_perm(permissions.VIEW_ALL):
        counts = selectors.editor_queue_counts(user)
        key = request.GET.get("queue")
        if key not in selectors.QUEUE_STATUSES:
            key = (
                "signoff"
                if user.has_perm(permissions.SIGN) and not user.has_perm(permissions.PROCESS)
                else "submitted"
            )
        overdue_only = request.GET.get("overdue") == "1"
        page = paginate(request, selectors.queue(user, key, overdue_only=overdue_only), per_page=30)
        page.object_list = selectors.mark_overdue(page.object_list, policy)
        context.update(
            {
                "queues": [
                    {"key": k, "label": QUEUE_LABELS[k], **counts[k]}
                    for k, _statuses in selectors.EDITOR_QUEUES
                ],
                "current": key,
                "current_label": QUEUE_LABELS[key],
                "overdue_only": overdue_only,
                "page": page,
                "may_configure": user.has_perm(permissions.PROCESS),
            }
        )
    return render(request, "opinions/report_work.html", context)


# --- settings ----------------------------------------------------------------------------------------


@login_required
@never_cache
def settings_page(request):
    """The committee's body limit, days per step and categories (editors)."""
    if not request.user.has_perm(permissions.PROCESS):
        raise PermissionDenied(permissions.PROCESS)
    policy = selectors.policy_for(request.user.committee_id)
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            settings_services.update_policy(
                actor=request.user,
                body_limit=form.cleaned_data["body_limit"],
                overdue_days=form.overdue_days(),
            )
            messages.success(request, _("Settings saved."))
            return redirect("opinions:settings")
    else:
        form = PolicyForm(
            initial={
                "body_limit": policy.body_limit,
                **{f"days_{s}": policy.overdue_days.get(s) for s in OpinionReport.WORK_STEPS},
            }
        )
    categories = (
        Category.objects.filter(committee_id=request.user.committee_id)
        .annotate(used=Count("reports"))
        .order_by("order", "pk")
    )
    return render(
        request,
        "opinions/report_settings.html",
        {"form": form, "categories": categories, "category_form": CategoryForm()},
    )


@login_required
@require_POST
def category_change(request):
    action = request.POST.get("action", "")
    category = None
    pk = request.POST.get("category", "")
    if pk:
        if not pk.isdecimal() or len(pk) > 18:
            raise Http404
        category = get_object_or_404(Category, committee_id=request.user.committee_id, pk=int(pk))
    form = CategoryForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "；".join(f"{form.fields[f].label}：{e}" for f, errs in form.errors.items() for e in errs),
        )
        return redirect("opinions:settings")
    try:
        settings_services.change_category(
            actor=request.user, action=action, category=category, name=form.cleaned_data["name"]
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Categories saved."))
    return redirect("opinions:settings")


urlpatterns: list = [
    path("mine/", mine, name="mine"),
    path("reports/new/", new, name="new"),
    path("reports/paper/", paper_new, name="paper_new"),
    path("reports/new/autosave/", autosave, name="autosave_new"),
    path("reports/co-author-search/", co_author_search, name="co_author_search"),
    path("reports/<int:pk>/", detail, name="detail"),
    path("reports/<int:pk>/edit/", edit, name="edit"),
    path("reports/<int:pk>/autosave/", autosave, name="autosave"),
    path("reports/<int:pk>/submit/", submit, name="submit"),
    path("reports/<int:pk>/attachments/", attachment_add, name="attachment_add"),
    path("reports/<int:pk>/attachments/<int:file_pk>/", attachment_download, name="attachment"),
    path("reports/<int:pk>/attachments/<int:file_pk>/delete/", attachment_delete, name="attachment_delete"),
    path("reports/<int:pk>/register/", register, name="register"),
    path("reports/<int:pk>/verifier/", assign_verifier, name="assign_verifier"),
    path("reports/<int:pk>/findings/", findings, name="findings"),
    path("reports/<int:pk>/start-editing/", start_editing, name="start_editing"),
    path("reports/<int:pk>/editing/", edit_text, name="edit_text"),
    path("reports/<int:pk>/send-for-signoff/", send_for_signoff, name="send_for_signoff"),
    path("reports/<int:pk>/sign/", sign, name="sign"),
    path("reports/<int:pk>/send-back/", send_back, name="send_back"),
    path("reports/<int:pk>/return/", return_to_author, name="return"),
    path("reports/<int:pk>/not-adopt/", not_adopt, name="not_adopt"),
    path("reports/<int:pk>/merge/", merge, name="merge"),
    path("reports/<int:pk>/report/", report_directly, name="report_directly"),
    path("reports/<int:pk>/archive/", archive, name="archive"),
    path("work/", work, name="work"),
    path("settings/", settings_page, name="settings"),
    path("settings/categories/", category_change, name="category_change"),
]
