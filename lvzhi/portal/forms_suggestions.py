"""Forms of the members' suggestions (views/suggestions.py): the member's suggestion, the office's
publication with the official answer, its answer alone, its return and its taking off the site. The
services check everything again (services/suggestions.py)."""

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from lvzhi.core.forms import StyledFormMixin

from .models import TITLE_MAX, Category, MemberSuggestion
from .services import suggestions as services


def _category_choices():
    # zh: 请选择
    return [("", _("Choose…")), *Category.choices]


class SuggestionForm(StyledFormMixin, forms.Form):
    """What the member writes; large fields for a phone (members are often older)."""

    category = forms.ChoiceField(label=_("Category"), choices=_category_choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        # zh: 例如：关于扶持县域特色农产品电商的建议
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 关于扶持县域特色农产品电商的建议")}),
    )
    content = forms.CharField(
        label=_("Content"),
        widget=forms.Textarea(attrs={"rows": 10}),
        # zh: 写明问题、原因和具体建议。
        help_text=_("The problem, its causes and what you suggest."),
    )
    show_name = forms.BooleanField(
        label=_("Publish with my name"),
        required=False,
        initial=True,
        # zh: 不勾选时，网站上署名为“委员”。
        help_text=_("Unticked, the website shows “Member” instead of your name."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        limit = int(settings.LVZHI_PUBLIC_TEXT_MAX)
        # The cap is a setting: read when the form is made, not when the module is imported.
        self.fields["content"].validators.append(MaxLengthValidator(limit))
        self.fields["content"].widget.attrs["maxlength"] = str(limit)
        for field in self.fields.values():
            css = field.widget.attrs.get("class", "")
            if "form-select" in css:
                field.widget.attrs["class"] = f"{css} form-select-lg"
            elif "form-control" in css:
                field.widget.attrs["class"] = f"{css} form-control-lg"
        if not editing:
            del self.fields["version"]

    @classmethod
    def for_suggestion(cls, suggestion: MemberSuggestion):
        return cls(
            initial={
                "category": suggestion.category,
                "title": suggestion.title,
                "content": suggestion.content,
                "show_name": suggestion.show_name,
                "version": suggestion.version,
            },
            editing=True,
        )

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "category": data["category"],
            "title": data["title"],
            "content": data["content"],
            "show_name": data["show_name"],
        }


class AnswerForm(StyledFormMixin, forms.Form):
    """The official answer: on publication (optional, it may follow later) and on its own afterwards."""

    answer = forms.CharField(
        label=_("Official answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        # zh: 可以先发布，答复收到后再补充。
        help_text=_("Optional: publish now and add the answer when it comes."),
    )
    answered_by_unit = forms.CharField(
        label=_("Answered by"),
        required=False,
        max_length=services.UNIT_MAX,
        # zh: 例如：县发改委
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 县发改委")}),
    )

    def __init__(self, *args, published=False, **kwargs):
        super().__init__(*args, **kwargs)
        if published:  # the answer of a suggestion already on the site: changed or removed
            # zh: 清空后，网站上不再显示答复。
            self.fields["answer"].help_text = _("Emptied, the website shows no answer.")
        limit = int(settings.LVZHI_PUBLIC_TEXT_MAX)
        # The cap is a setting: read when the form is made, not when the module is imported.
        self.fields["answer"].validators.append(MaxLengthValidator(limit))
        self.fields["answer"].widget.attrs["maxlength"] = str(limit)

    @classmethod
    def for_suggestion(cls, suggestion: MemberSuggestion):
        return cls(
            initial={"answer": suggestion.answer, "answered_by_unit": suggestion.answered_by_unit},
            published=suggestion.status == MemberSuggestion.Status.PUBLISHED,
        )

    def clean(self):
        data = super().clean()
        if data.get("answered_by_unit", "").strip() and not data.get("answer", "").strip():
            self.add_error(
                "answer",
                # zh: 填写了答复单位时，请同时填写官方答复。
                _("Write the official answer that the unit gave, or leave “Answered by” empty."),
            )
        return data


class ReturnForm(StyledFormMixin, forms.Form):
    return_reason = forms.CharField(
        # zh: 退回理由
        label=_("Reason for returning"),
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        # zh: 写明需要修改什么，委员会看到。
        help_text=_("What to change; the member reads it."),
    )


class WithdrawForm(StyledFormMixin, forms.Form):
    withdraw_reason = forms.CharField(
        # zh: 撤下理由
        label=_("Reason for taking it off the site"),
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        # zh: 委员会看到。
        help_text=_("The member reads it."),
    )
