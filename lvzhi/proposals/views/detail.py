"""The proposal page: one page for every role that may see the proposal (proposers, proposal staff,
leaders, the handling units), each part of the cycle adding its section and the steps the user may
take now. The parts' views put what their section needs into the context through `<part>_context`
(filing, review, assignment, handling), each in its own module."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from ..models import ProposalAuthor
from ..permissions import get_proposal_for_user
from ..services.common import VIEW_ALL, is_proposer
from . import assignment, filing, handling, review


@login_required
def detail(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    user = request.user
    authors = list(proposal.authors.select_related("member").order_by("order", "pk"))
    context = {
        "proposal": proposal,
        "authors": authors,
        # Who the proposal is by: invited, declined and dropped co-signers are not (yet) among them.
        "proposers": [a for a in authors if a.consent == ProposalAuthor.Consent.CONFIRMED],
        "history": list(proposal.status_changes.select_related("actor").order_by("at", "pk")),
        "is_proposer": is_proposer(user, proposal),
        "staff_view": user.has_perm(VIEW_ALL),
        "unit_view": bool(getattr(user, "department_id", None)) and not user.has_perm(VIEW_ALL),
    }
    for part in (filing, review, assignment, handling):
        context.update(part.detail_context(request, proposal))
    return render(request, "proposals/detail.html", context)


urlpatterns = [path("<int:pk>/", detail, name="detail")]
