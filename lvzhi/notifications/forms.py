from django import forms

from . import channels
from .models import ChannelPreference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = ChannelPreference
        fields = ["email_enabled", "digest", "sms_enabled"]
        widgets = {"digest": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Without a configured gateway SMS is not offered at all (nothing would be sent).
        if not channels.sms_available():
            del self.fields["sms_enabled"]
