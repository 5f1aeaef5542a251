"""Staff pages for activities (DESIGN §6.1): the list, the activity form with its invitee rules, and the
manage page: lifecycle actions, attendance by hand, corrections and attachments. Every change goes
through a service; the views only fetch through scoped helpers and turn domain errors into messages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from lvzhi.core import submission, uploads
from lvzhi.core.forms import show_errors
from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import StaleEdit, posted_version
from lvzhi.members.models import Member, MemberTerm

from . import selectors, services
from .forms import (
    ActivityFilterForm,
    ActivityForm,
    AddParticipantForm,
    AttachmentForm,
    BulkCheckInForm,
    CorrectionForm,
    InviteeRulesForm,
    ParticipantFilterForm,
    ReasonForm,
    resolve_names,
)
from .models import Activity, ActivityAttachment, Participation, ParticipationStatusChange

PStatus = Participation.Status
LEAVE_STATUSES = (PStatus.LEAVE_REQUESTED, PStatus.LEAVE_APPROVED)


# --- fetching with permission checks ---------------------------------------------------------------


def _require_view(user):
    if not user.has_perm("activities.view_activity"):
        raise PermissionDenied("activities.view_activity")


def _staff_activity(user, pk):
    """An activity the staff user may see (their committee; for unit staff, their units), else 404."""
    _require_view(user)
    return selectors.get_activity_for_user(user, pk)


def _run_activity(user, pk):
    activity = _staff_activity(user, pk)
    if not selectors.can_run(user, activity):
        raise PermissionDenied("activities.run_activity")
    return activity


def _participation(activity, ppk):
    return get_object_or_404(
        Participation.objects.select_related("member", "activity"), pk=ppk, activity=activity
    )


def _to_manage(activity):
    return redirect("activities:manage", pk=activity.pk)


def _posted_reason(request):
    """The posted reason, or None after telling the user what is wrong with it (too long, NUL)."""
    form = ReasonForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["reason"]
    for error in form.errors["reason"]:
        messages.error(request, _("Reason: %(error)s") % {"error": error})
    return None


def with_counts(qs):
    """Participation counts per activity in the same query as the activities."""
    return qs.annotate(
        n_invited=Count("participations"),
        n_confirmed=Count("participations", filter=Q(participations__status=PStatus.CONFIRMED)),
        n_leave=Count("participations", filter=Q(participations__status__in=LEAVE_STATUSES)),
        n_attended=Count("participations", filter=Q(participations__status__in=Participation.ATTENDED)),
    )


# --- list ------------------------------------------------------------------------------------------


@login_required
def staff_list(request):
    _require_view(request.user)
    visible = Activity.objects.visible_to(request.user)
    form = ActivityFilterForm(request.GET or None, activities=visible, user=request.user)
    activities = with_counts(form.filter(visible).select_related("organizing_unit")).order_by(
        "-starts_at", "pk"
    )
    page = paginate(request, activities, per_page=30)
    template = (
        "activities/staff/_list.html"
        if request.htmx and not request.htmx.boosted
        else "activities/staff/list.html"
    )
    return render(request, template, {"form": form, "page": page})


# --- create and edit -------------------------------------------------------------------------------


def _form_fields(form):
    return {name: form.cleaned_data[name] for name in ActivityForm.Meta.fields}


@login_required
def activity_new(request):
    user = request.user
    if not (user.has_perm("activities.add_activity") and user.has_perm("activities.run_activity")):
        raise PermissionDenied("activities.add_activity")
    form = ActivityForm(request.POST or None, instance=Activity(committee_id=user.committee_id), user=user)
    rules_form = InviteeRulesForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid() and rules_form.is_valid():
        try:
            with transaction.atomic():
                submission.claim(request)
                activity = services.create_activity(
                    actor=user, **_form_fields(form), invitee_rules=rules_form.rules()
                )
        except submission.DuplicateSubmission:
            submission.tell_already_submitted(request)
            return redirect("activities:staff_list")
        except services.ActivityError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Activity “%(title)s” saved as a draft.") % {"title": activity.title})
            return _to_manage(activity)
    return render(request, "activities/staff/form.html", {"form": form, "rules_form": rules_form})


@login_required
def activity_edit(request, pk):
    user = request.user
    activity = _run_activity(user, pk)
    if activity.status not in services.EDITABLE_STATUSES:
        messages.error(
            request,
            _("An activity that is %(status)s cannot be edited.") % {"status": activity.get_status_display()},
        )
        return _to_manage(activity)
    form = ActivityForm(request.POST or None, instance=activity, user=user)
    rules_form = InviteeRulesForm(
        request.POST or None,
        user=user,
        stored=activity.invitee_rules,
        initial=InviteeRulesForm.initial_for(activity),
    )
    if request.method == "POST" and form.is_valid() and rules_form.is_valid():
        try:
            services.update_activity(
                activity=activity,
                actor=user,
                expected_version=form.cleaned_data["version"] or 0,
                **_form_fields(form),
                invitee_rules=rules_form.rules(),
            )
        except StaleEdit:
            # Not StaleEdit's message: this page keeps the entries, and reloading it would lose them.
            form.add_error(
                None,
                _(
                    "Someone else changed this activity after you opened it. Nothing was saved. "
                    "Your entries are still below: open the activity in a new tab to see the changes, "
                    "then save again."
                ),
            )
            # The next save compares with the version now stored.
            form.data = form.data.copy()
            form.data["version"] = Activity.objects.values_list("version", flat=True).get(pk=activity.pk)
        except services.ActivityError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Activity saved."))
            return _to_manage(activity)
    return render(
        request, "activities/staff/form.html", {"form": form, "rules_form": rules_form, "activity": activity}
    )


@login_required
@require_POST
def invitee_count(request):
    """htmx: how many members the posted rules invite right now. On the edit page (?activity=), the
    activity's stored rules count too: unit staff keep what the office allowed there."""
    user = request.user
    _require_view(user)
    if not user.has_perm("activities.run_activity"):
        raise PermissionDenied("activities.run_activity")
    stored = None
    if request.GET.get("activity"):
        stored = _run_activity(user, request.GET["activity"]).invitee_rules
    rules_form = InviteeRulesForm(request.POST, user=user, stored=stored)
    count = None
    if rules_form.is_valid():
        probe = Activity(committee_id=user.committee_id, invitee_rules=rules_form.rules())
        count = selectors.resolve_invitees(probe).count()
    return render(request, "activities/staff/_invitee_count.html", {"count": count, "rules_form": rules_form})


# --- manage ----------------------------------------------------------------------------------------


def _participants(activity):
    current_terms = Prefetch(
        "member__terms",
        queryset=MemberTerm.objects.filter(term__is_current=True)
        .order_by()
        .select_related("sector", "town_committee"),
        to_attr="current_terms",
    )
    # Why staff recorded what they did (a check-in outside the window, leaving early, a correction):
    # the reasons on the history rows into attended or absent, and of the corrections; the member's
    # leave reason and the approver's note are the participation's own fields.
    staff_reasons = Prefetch(
        "status_changes",
        queryset=ParticipationStatusChange.objects.exclude(reason="").filter(
            Q(to_status__in=[*Participation.ATTENDED, PStatus.ABSENT])
            | Q(from_status__in=Participation.FINAL)
        ),
        to_attr="staff_reasons",
    )
    return activity.participations.select_related("member", "checked_in_by").prefetch_related(
        current_terms, staff_reasons
    )


def _summary(activity):
    by_status = dict(activity.participations.values_list("status").annotate(n=Count("pk")).order_by())
    return {
        "total": sum(by_status.values()),
        "confirmed": by_status.get(PStatus.CONFIRMED, 0),
        "leave_requested": by_status.get(PStatus.LEAVE_REQUESTED, 0),
        "leave_approved": by_status.get(PStatus.LEAVE_APPROVED, 0),
        "declined": by_status.get(PStatus.DECLINED, 0),
        "attended": sum(by_status.get(s, 0) for s in Participation.ATTENDED),
        "late": by_status.get(PStatus.LATE, 0),
        "left_early": by_status.get(PStatus.LEFT_EARLY, 0),
        "absent": by_status.get(PStatus.ABSENT, 0),
        "waiting": by_status.get(PStatus.INVITED, 0),
    }


def _row_context(user, activity):
    """What a row of the participant table needs, on the manage page and alone (htmx)."""
    can_run = selectors.can_run(user, activity)
    checkin_open = activity.status in Activity.OPEN_STATUSES
    return {
        "activity": activity,
        "can_run": can_run,
        "checkin_open": checkin_open,
        "in_window": activity.checkin_open_at(timezone.now()),
        # Checking in the selected members at once (checkin_bulk): the rules of one by one.
        "bulk": can_run and checkin_open,
        "correction_form": CorrectionForm(),
    }


@login_required
def manage(request, pk):
    activity = _staff_activity(request.user, pk)
    filter_form = ParticipantFilterForm(request.GET)
    participants = filter_form.filter(_participants(activity))
    return render(
        request,
        "activities/staff/manage.html",
        {
            **_row_context(request.user, activity),
            "participants": participants,
            "status_filter": filter_form.cleaned_data.get("p", ""),
            "name_filter": filter_form.cleaned_data.get("name", ""),
            "participation_statuses": PStatus.choices,
            "summary": _summary(activity),
            "history": activity.status_changes.select_related("actor"),
            "attachments": activity.attachments.select_related("uploaded_by"),
            "editable": activity.status in services.EDITABLE_STATUSES,
            "add_form": AddParticipantForm(),
            "attachment_form": AttachmentForm(),
        },
    )


LIFECYCLE = {
    "publish": (
        services.publish_activity,
        False,
        gettext_lazy("The activity is published and the invitations are out."),
    ),
    "start": (services.start_activity, False, gettext_lazy("The activity is in progress.")),
    "close": (
        services.close_activity,
        False,
        gettext_lazy("The activity is closed and the attendance is recorded."),
    ),
    "cancel": (services.cancel_activity, True, gettext_lazy("The activity is cancelled.")),
    "reopen": (
        services.reopen_activity,
        True,
        gettext_lazy("The activity is reopened; its ledger rows are retracted."),
    ),
}


# The flags a confirmation page posts back (defect 4 of issue 10): closing says how many will be marked
# absent and, before the scheduled end, asks a second time; publishing an activity whose start has
# passed says so before anyone is notified. A POST without them shows the page and changes nothing.
CONFIRM_CLOSE = "confirm_absent"
CONFIRM_EARLY = "confirm_early"
CONFIRM_PAST = "confirm_past"


def _confirmation(request, activity, action):
    """The confirmation page this act still needs, or None when the POST carries every flag it needs."""
    now = timezone.now()
    context = {"activity": activity, "version": request.POST.get("version", "")}
    if action == "close" and activity.status == Activity.Status.IN_PROGRESS:
        if not request.POST.get(CONFIRM_CLOSE):
            step = "absent"
        elif now < activity.ends_at and not request.POST.get(CONFIRM_EARLY):
            step = "early"
        else:
            return None
        absent = selectors.to_mark_absent(activity).select_related("member").order_by("member__name")
        names = [p.member.name for p in absent[: CLOSE_NAMES_SHOWN + 1]]
        context |= {
            "step": step,
            "absent_count": absent.count(),
            "absent_names": names[:CLOSE_NAMES_SHOWN],
            "more_names": len(names) > CLOSE_NAMES_SHOWN,
            "ends_today": timezone.localdate(activity.ends_at) == timezone.localdate(now),
            "flag_absent": CONFIRM_CLOSE,
            "flag_early": CONFIRM_EARLY,
        }
        return render(request, "activities/staff/confirm_close.html", context)
    if action == "publish" and activity.status == Activity.Status.DRAFT and activity.starts_at < now:
        if request.POST.get(CONFIRM_PAST):
            return None
        invitees = selectors.new_invitees(activity)
        context |= {
            "invited_count": invitees.count(),
            "notified_count": invitees.filter(user__isnull=False).count(),
            "flag_past": CONFIRM_PAST,
        }
        return render(request, "activities/staff/confirm_publish.html", context)
    return None


CLOSE_NAMES_SHOWN = 50


@login_required
@require_POST
def lifecycle(request, pk, action):
    activity = _run_activity(request.user, pk)
    service, needs_reason, done = LIFECYCLE[action]
    if action in ("close", "publish"):
        if posted_version(request) != activity.version:
            # A confirmation of what the page showed before someone else changed it would mislead.
            show_errors(request, StaleEdit())
            return _to_manage(activity)
        page = _confirmation(request, activity, action)
        if page is not None:
            return page
    kwargs = {}
    if needs_reason:
        reason = _posted_reason(request)
        if reason is None:
            return _to_manage(activity)
        kwargs["reason"] = reason
    try:
        service(activity=activity, actor=request.user, expected_version=posted_version(request), **kwargs)
    except (services.ActivityError, StaleEdit) as error:
        show_errors(request, error)
    else:
        messages.success(request, done)
    return _to_manage(activity)


def _to_row(activity, participation):
    """Back to the manage page at the participant's row (without JavaScript the page reloads there)."""
    return redirect(reverse("activities:manage", args=[activity.pk]) + f"#p-{participation.pk}")


def _row(request, activity, participation, error=None):
    """The participant's row alone, for htmx to swap in place: the page keeps its position."""
    context = _row_context(request.user, activity)
    context |= {"p": _participants(activity).get(pk=participation.pk), "row_error": error}
    return render(request, "activities/staff/_participant_row.html", context)


def _error_text(error):
    return " ".join(error.messages) if hasattr(error, "messages") else str(error)


@login_required
@require_POST
def checkin_member(request, pk, ppk):
    """Check in one member by hand. From the page (htmx) the answer is the row alone, swapped in place;
    a plain POST goes back to the row's anchor."""
    activity = _run_activity(request.user, pk)
    participation = _participation(activity, ppk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return _row(request, activity, participation, _error_text(form.errors["reason"][0]))
        _posted_reason(request)
        return _to_row(activity, participation)
    try:
        services.check_in(
            activity=activity,
            member=participation.member,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except services.ActivityError as error:
        if request.htmx:
            return _row(request, activity, participation, _error_text(error))
        show_errors(request, error)
    else:
        if request.htmx:
            return _row(request, activity, participation)
        messages.success(request, _("%(member)s is checked in.") % {"member": participation.member})
    return _to_row(activity, participation)


@login_required
@require_POST
def checkin_bulk(request, pk):
    """Check in the members selected on the manage page, in one service call: the rules of checking in
    one by one (a reason outside the window), for as many rows as a plenary has."""
    activity = _run_activity(request.user, pk)
    to_list = redirect(reverse("activities:manage", args=[activity.pk]) + "#participants")
    form = BulkCheckInForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return to_list
    try:
        done, skipped = services.check_in_many(
            activity=activity,
            participation_ids=form.cleaned_data["participants"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except services.ActivityError as error:
        show_errors(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "%(n)d selected member is checked in.", "%(n)d selected members are checked in.", len(done)
            )
            % {"n": len(done)},
        )
        if skipped:
            messages.warning(
                request,
                ngettext(
                    "%(n)d selected member was checked in already or is not on the list; nothing changed "
                    "for them.",
                    "%(n)d selected members were checked in already or are not on the list; nothing "
                    "changed for them.",
                    len(skipped),
                )
                % {"n": len(skipped)},
            )
    return to_list


@login_required
@require_POST
def checkin_add(request, pk):
    """Check in a member who was not invited: the service puts them on the list (unit staff: only
    members of their units)."""
    activity = _run_activity(request.user, pk)
    form = AddParticipantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type the name of the member to check in."))
        return _to_manage(activity)
    name = form.cleaned_data["name"].strip()
    ids, errors = resolve_names(activity.committee_id, [name])
    if errors:
        for error in errors:
            messages.error(request, error)
        return _to_manage(activity)
    member = Member.objects.get(pk=ids[0], committee_id=activity.committee_id)
    try:
        services.add_participant(
            activity=activity, member=member, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except services.ActivityError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("%(member)s is checked in.") % {"member": member})
    return _to_manage(activity)


@login_required
@require_POST
def left_early(request, pk, ppk):
    activity = _run_activity(request.user, pk)
    participation = _participation(activity, ppk)
    reason = _posted_reason(request)
    if reason is None:
        return _to_manage(activity)
    try:
        services.mark_left_early(participation=participation, actor=request.user, reason=reason)
    except services.ActivityError as error:
        show_errors(request, error)
    else:
        messages.success(
            request, _("%(member)s is marked as having left early.") % {"member": participation.member}
        )
    return _to_manage(activity)


@login_required
@require_POST
def correct(request, pk, ppk):
    activity = _run_activity(request.user, pk)
    participation = _participation(activity, ppk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an attendance status."))
        return _to_manage(activity)
    try:
        services.correct_attendance(
            participation=participation,
            status=form.cleaned_data["status"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except services.ActivityError as error:
        show_errors(request, error)
    else:
        messages.success(
            request,
            _("The attendance of %(member)s is corrected and the duty record rewritten.")
            % {"member": participation.member},
        )
    return _to_manage(activity)


# --- attachments -----------------------------------------------------------------------------------


@login_required
@require_POST
def attachment_add(request, pk):
    activity = _run_activity(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return _to_manage(activity)
    try:
        with transaction.atomic():
            submission.claim(request)
            attachment = services.add_attachment(
                activity=activity, uploaded_file=form.cleaned_data["file"], actor=request.user
            )
    except submission.DuplicateSubmission:
        submission.tell_already_submitted(request)
    except services.ActivityError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("“%(name)s” is attached.") % {"name": attachment.original_name})
    return _to_manage(activity)


def _visible_attachment(user, pk):
    return get_object_or_404(
        ActivityAttachment.objects.select_related("activity"),
        pk=pk,
        activity__in=Activity.objects.visible_to(user),
    )


@login_required
@require_POST
def attachment_delete(request, pk):
    _require_view(request.user)
    attachment = _visible_attachment(request.user, pk)
    activity = attachment.activity
    if not selectors.can_run(request.user, activity):
        raise PermissionDenied("activities.run_activity")
    try:
        services.delete_attachment(attachment=attachment, actor=request.user)
    except services.ActivityError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("“%(name)s” is removed.") % {"name": attachment.original_name})
    return _to_manage(activity)


@login_required
def attachment(request, pk):
    """The file, for anyone who may see the activity; always a download with the stored type."""
    attachment = _visible_attachment(request.user, pk)
    return uploads.attachment_response(attachment)
