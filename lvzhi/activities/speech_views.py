"""Staff pages for the speeches given at an activity (大会发言, 书面发言); each speech writes the ledger."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lvzhi.core.forms import StyledFormMixin
from lvzhi.members.models import Member

from . import selectors, services
from .models import Speech


class SpeechForm(StyledFormMixin, forms.Form):
    member = forms.ModelChoiceField(
        label=gettext_lazy("Member"),
        queryset=Member.objects.none(),
        empty_label=gettext_lazy("Choose a member"),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Speech.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        # The activity's participants, in the committee's name order (by strokes).
        self.fields["member"].queryset = Member.objects.filter(
            committee_id=activity.committee_id, participations__activity=activity
        ).order_by("name_stroke_key", "pk")


def _activity_for_reading(user, pk):
    activity = selectors.get_activity_for_user(user, pk)
    if not user.has_perm("activities.view_activity"):
        raise PermissionDenied("activities.view_activity")
    return activity


@login_required
def speeches(request, pk):
    """The activity's speeches; staff who run the activity add them here (POST)."""
    activity = _activity_for_reading(request.user, pk)
    can_change = selectors.can_run(request.user, activity)
    form = None
    if can_change:
        form = SpeechForm(request.POST or None, activity=activity)
    elif request.method == "POST":
        raise PermissionDenied("activities.run_activity")
    if request.method == "POST" and form.is_valid():
        try:
            speech = services.record_speech(activity=activity, actor=request.user, **form.cleaned_data)
        except services.ActivityError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("%(kind)s by %(member)s recorded.")
                % {"kind": speech.get_kind_display(), "member": speech.member.name},
            )
            return redirect("activities:speeches", pk=activity.pk)
    return render(
        request,
        "activities/speeches/list.html",
        {
            "activity": activity,
            "speeches": activity.speeches.select_related("member", "recorded_by"),
            "form": form,
            "can_change": can_change,
            "speech_statuses": services.SPEECH_STATUSES,
        },
    )


@login_required
@require_POST
def speech_delete(request, pk, speech_pk):
    activity = _activity_for_reading(request.user, pk)
    if not selectors.can_run(request.user, activity):
        raise PermissionDenied("activities.run_activity")
    speech = get_object_or_404(activity.speeches.select_related("member"), pk=speech_pk)
    services.delete_speech(speech=speech, actor=request.user)
    messages.success(
        request,
        _("%(kind)s by %(member)s deleted.")
        % {"kind": speech.get_kind_display(), "member": speech.member.name},
    )
    return redirect("activities:speeches", pk=activity.pk)
