"""The office's form of an announcement: the fields save_announcement takes, and the version the page
showed (optimistic locking)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lvzhi.core.forms import StyledFormMixin

from .models import Announcement
from .services.announcements import BODY_LIMIT, TITLE_LIMIT


class AnnouncementForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Announcement.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_LIMIT)
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_LIMIT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        # zh: 纯文本；空一行另起一段。
        help_text=_("Plain text; a blank line starts a new paragraph."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def for_announcement(cls, announcement: Announcement) -> "AnnouncementForm":
        return cls(
            initial={
                "kind": announcement.kind,
                "title": announcement.title,
                "body": announcement.body,
                "version": announcement.version,
            }
        )

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("kind", "title", "body")}
