"""Forms of the public message board (views/public_messages.py): a message with its captcha, and the
lookup by query code.

The message form only carries what was typed: services.messages checks every field (one place, one
message naming the field, whoever calls), so the fields here are optional to Django and say what is
required to the browser and to screen readers through their attributes. The form is sent with
`novalidate`, so the messages a visitor reads are the site's own, in the site's language."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from .models import TITLE_MAX, Category
from .services import messages as services

PHONE_MAX = 24
CAPTCHA_MAX = 8
CODE_MAX = 40


def _category_choices():
    # zh: 请选择
    return [("", _("Choose…")), *Category.choices]


class MessageForm(forms.Form):
    category = forms.CharField(
        label=services.LABELS["category"],
        required=False,
        widget=forms.Select(choices=_category_choices),
    )
    title = forms.CharField(
        label=services.LABELS["title"],
        required=False,
        # zh: 用一句话说明留言的事由，最多 100 个字。
        help_text=_("One sentence saying what it is about, at most 100 characters."),
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX}),
    )
    content = forms.CharField(
        label=services.LABELS["content"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    name = forms.CharField(
        label=services.LABELS["name"],
        required=False,
        # zh: 选填。留言公开时与留言一同显示。
        help_text=_("Optional. Shown with your message when it is published."),
        widget=forms.TextInput(attrs={"maxlength": services.NAME_MAX, "autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=services.LABELS["phone"],
        required=False,
        # zh: 必填，绝不公开：只有政协办公室能看到，用于与您联系。
        help_text=_("Required, never shown publicly: only the office sees it, to contact you."),
        widget=forms.TextInput(
            attrs={"type": "tel", "maxlength": PHONE_MAX, "autocomplete": "tel", "inputmode": "tel"}
        ),
    )
    captcha = forms.CharField(
        # zh: 验证码
        label=_("Verification code"),
        required=False,
        # zh: 输入图片中的字符，不区分大小写。
        help_text=_("Type the characters in the image; capital or small letters both do."),
        widget=forms.TextInput(
            attrs={
                "maxlength": CAPTCHA_MAX,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
            }
        ),
    )
    captcha_key = forms.CharField(required=False, widget=forms.HiddenInput)

    REQUIRED = ("category", "title", "content", "phone", "captcha")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = services.text_max()
        self.fields["content"].widget.attrs["maxlength"] = limit
        # zh: 请写明事情发生的地点、时间和您的建议，最多 %(limit)s 个字。
        self.fields["content"].help_text = _(
            "Say where and since when, and what you suggest; at most %(limit)s characters."
        ) % {"limit": limit}
        for name, field in self.fields.items():
            # The service refuses a NUL with a message naming the field; Django's own check would say
            # only "Null characters are not allowed".
            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]
            if isinstance(field.widget, forms.HiddenInput):
                continue
            css = (
                "form-select form-select-lg"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-lg"
            )
            field.widget.attrs["class"] = css
            if name in self.REQUIRED:
                field.widget.attrs["required"] = True

    def describe_errors(self) -> None:
        """A field with a problem points screen readers to it (aria-describedby: the error, then the
        help), as the template gives both their ids."""
        for name, field in self.fields.items():
            bound = self[name]
            if bound.errors and not field.widget.is_hidden:
                ids = [f"{bound.auto_id}_error"] + ([f"{bound.auto_id}_helptext"] if field.help_text else [])
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def service_kwargs(self) -> dict[str, str]:
        data = self.cleaned_data
        return {name: data.get(name, "") for name in ("category", "title", "content", "name", "phone")}

    def with_new_challenge(self, key: str) -> "MessageForm":
        """The same form, everything typed kept, with a new captcha (key) and its answer emptied."""
        data = self.data.copy()
        data["captcha_key"] = key
        data["captcha"] = ""
        return type(self)(data)


class LookupForm(forms.Form):
    code = forms.CharField(
        # zh: 查询码
        label=_("Query code"),
        max_length=CODE_MAX,
        # zh: 留言提交后显示的 12 位查询码，如 ABCD-EFGH-JKMN。
        help_text=_("The 12-character code shown when you sent your message, like ABCD-EFGH-JKMN."),
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                # Not kept in the browser's form history: on a shared computer the next person would see it.
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "required": True,
            }
        ),
        error_messages={
            # zh: 请输入查询码。
            "required": _("Query code: type the code you were given."),
            "max_length": _("Query code: it has 12 characters, like ABCD-EFGH-JKMN."),
            "null_characters_not_allowed": _("Query code: it has 12 characters, like ABCD-EFGH-JKMN."),
        },
    )
