from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lvzhi.activities.models import Activity
from lvzhi.core import uploads
from lvzhi.core.forms import StyledFormMixin
from lvzhi.members.models import Member

from .models import StudySubmission, TrainingPlan, TrainingSession


class PlanForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    summary = forms.CharField(
        label=gettext_lazy("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["year"]
        else:
            self.fields["year"].initial = timezone.localdate().year


class SessionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = ["planned_on", "topic", "lecturer", "audience", "activity"]
        widgets = {"planned_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(
            committee_id=plan.committee_id,
            kind=Activity.Kind.TRAINING,
            starts_at__year=plan.year,
        ).order_by("starts_at", "pk")
        self.fields["activity"].label_from_instance = lambda a: (
            f"{timezone.localtime(a.starts_at):%Y-%m-%d} {a.title}"
        )
        self.fields["activity"].empty_label = _("No training activity yet")
        self.fields["activity"].help_text = _(
            "The study and training activity held for this session, once set up."
        )


class SubmissionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=StudySubmission.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    session = forms.ModelChoiceField(
        label=gettext_lazy("Training session"),
        queryset=TrainingSession.objects.none(),
        required=False,
        empty_label=gettext_lazy("Not about a session"),
        help_text=gettext_lazy("The session these notes are about, if any."),
    )
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 10}))
    attachment = uploads.AttachmentField(
        label=gettext_lazy("Attachment"),
        required=False,
        help_text=gettext_lazy("Optional: PDF, Word, Excel, PowerPoint, JPEG or PNG."),
    )

    def __init__(self, *args, committee_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = (
            TrainingSession.objects.filter(
                plan__committee_id=committee_id, plan__status=TrainingPlan.Status.PUBLISHED
            )
            .select_related("plan")
            .order_by("-plan__year", "planned_on", "pk")
        )


class PaperSubmissionForm(SubmissionForm):
    """Staff type in notes or an essay a member handed in on paper, for a member they may see."""

    member = forms.ModelChoiceField(
        label=gettext_lazy("Member"),
        queryset=Member.objects.none(),
        empty_label=gettext_lazy("Choose a member"),
    )
    field_order = ["member", "kind", "title", "session", "body", "attachment"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, committee_id=actor.committee_id, **kwargs)
        self.fields["member"].queryset = Member.objects.visible_to(actor).order_by("name_stroke_key", "pk")


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note to the member"), max_length=2000, required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000)


class QueueFilterForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=[("", "—"), *StudySubmission.Kind.choices]
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", "—"), *StudySubmission.Status.choices]
    )
