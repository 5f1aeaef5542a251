"""What a proposal implies for the duty ledger (DESIGN §6.5): every service that changes a proposal's
status, its proposers or its flags ends with `sync_proposal_ledger`, which makes the ledger hold exactly
these facts, so corrections need no special code. Each fact carries the proposer's role (lead: the first
proposer, co: a co-signer who confirmed, collective: a main author of a body's proposal) so that rule
sets can split the points.

- proposal.submitted: each proposer, from the day it was submitted (co-signers once they confirm);
- proposal.accepted: each proposer, on the day it was accepted (立案); the proposers of proposals merged
  into it (并案) are credited too, with the note "merged";
- proposal.key / proposal.excellent: each proposer of an accepted case, on the day it was so marked;
- proposal.converted: each proposer, on the day it was converted to an opinion or a letter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from lvzhi.ledger.services import Fact, SyncResult, sync_records

from .models import Proposal, ProposalAuthor

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

MERGED_NOTE = "并案"


def _counted(proposal: Proposal) -> list[ProposalAuthor]:
    """The member proposers who count: the first proposer, the main authors and the confirmed
    co-signers (invited, declined and dropped co-signers do not)."""
    return [
        a
        for a in proposal.authors.select_related("member")
        if a.member_id is not None and a.consent == ProposalAuthor.Consent.CONFIRMED
    ]


def proposal_facts(proposal: Proposal) -> list[Fact]:
    if proposal.submitted_at is None or proposal.status == Proposal.Status.DRAFT:
        return []
    authors = _counted(proposal)
    submitted = timezone.localdate(proposal.submitted_at)
    facts = [Fact(a.member, "proposal.submitted", submitted, role=a.role) for a in authors]
    day = proposal.reviewed_on
    if proposal.status in Proposal.ACCEPTED_STATUSES and day is not None:
        credited = {a.member_id: a for a in authors}
        facts += [Fact(a.member, "proposal.accepted", day, role=a.role) for a in authors]
        for merged in proposal.merged_proposals.filter(status=Proposal.Status.MERGED):
            for a in _counted(merged):
                if a.member_id not in credited:
                    credited[a.member_id] = a
                    facts.append(Fact(a.member, "proposal.accepted", day, role=a.role, note=MERGED_NOTE))
        if proposal.is_key and proposal.key_marked_on:
            facts += [Fact(a.member, "proposal.key", proposal.key_marked_on, role=a.role) for a in authors]
        if proposal.is_excellent and proposal.excellent_marked_on:
            facts += [
                Fact(a.member, "proposal.excellent", proposal.excellent_marked_on, role=a.role)
                for a in authors
            ]
    if proposal.status == Proposal.Status.CONVERTED and day is not None:
        facts += [Fact(a.member, "proposal.converted", day, role=a.role) for a in authors]
    return facts


def sync_proposal_ledger(proposal: Proposal, *, actor: User | None) -> SyncResult:
    return sync_records(
        source=proposal, committee=proposal.committee, facts=proposal_facts(proposal), actor=actor
    )
