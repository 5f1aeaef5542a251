"""The form of a proposal a member handed in on paper (views.filing.paper_new): the write page's fields
(forms_filing.ProposalForm) and the member who handed it in. Co-signers and main authors need no account
here; services.filing.record_paper_proposal checks the rights, the length limit and the members."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lvzhi.members.models import Member

from .forms_filing import ProposalForm


class PaperProposalForm(ProposalForm):
    lead_member = forms.ModelChoiceField(
        # zh: 第一提案人
        label=_("First proposer"),
        queryset=Member.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            # zh: 请搜索交来纸质提案的委员，并从列表中选择。
            "required": _("Search for the member who handed the proposal in and choose them from the list."),
            "invalid_choice": _("Choose the member from the search results of your committee."),
        },
    )
    # The search box of the pickers (q) and the one-submission token are read by the view, not here.
    field_order = ["lead_member"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # Nothing to compare: the paper proposal is written in one post.
        del self.fields["version"]
        self.fields["lead_member"].queryset = Member.objects.filter(committee_id=user.committee_id)

    def service_kwargs(self):
        return {**super().service_kwargs(), "lead_member": self.cleaned_data["lead_member"]}


class PaperMemberSearchForm(forms.Form):
    """The paper page's member search: which picker asks (the first proposer, a co-signer, a main author)."""

    q = forms.CharField(required=False, max_length=50)
    field = forms.ChoiceField(
        required=False,
        choices=[(name, name) for name in ("lead_member", "co_signers", "collective_authors")],
    )
