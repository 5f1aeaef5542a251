from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lvzhi.activities.models import Activity
from lvzhi.core import uploads
from lvzhi.core.forms import StyledFormMixin
from lvzhi.members.models import Member

from .models import StudySubmission, TrainingPlan, TrainingSession
from .services import NEITHER_TEXT_NOR_FILE


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
    body = forms.CharField(
        label=gettext_lazy("Text"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    attachment = uploads.AttachmentField(
        label=gettext_lazy("Attachment"),
        required=False,
        help_text=gettext_lazy(
            "A photo of handwritten notes (JPEG or PNG, taken with the phone) will do instead of typed text; "
            "or PDF, Word, Excel, PowerPoint."
        ),
        # Phones offer the camera and the photo library for these; the content is still checked.
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"}
        ),
    )

    def __init__(self, *args, committee_id, has_stored_file=False, **kwargs):
        super().__init__(*args, **kwargs)
        # A returned submission's file, kept unless a new one is chosen, counts as the content.
        self.has_stored_file = has_stored_file
        self.fields["session"].queryset = (
            TrainingSession.objects.filter(
                plan__committee_id=committee_id, plan__status=TrainingPlan.Status.PUBLISHED
            )
            .select_related("plan")
            .order_by("-plan__year", "planned_on", "pk")
        )

    def clean(self):
        data = super().clean()
        if "attachment" in self.errors:
            return data  # the file was refused: its own message says why
        if not (data.get("body") or "").strip() and not data.get("attachment") and not self.has_stored_file:
            self.add_error("body", NEITHER_TEXT_NOR_FILE)
        return data

    def chosen_file_name(self):
        """The name of the file posted with a form that is shown again: browsers cannot refill a file
        field, so the page says it must be chosen again."""
        chosen = self.files.get("attachment") if self.is_bound else None
        return getattr(chosen, "name", "") if chosen else ""


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
