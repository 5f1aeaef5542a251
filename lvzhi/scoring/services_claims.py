"""Duty claims (DutyClaim): the facts only the member or the office knows of — a commendation, a key
enterprise served, a family helped — claimed with evidence and approved by the office before they reach
the ledger.

    submitted ─approve→ approved ─reject (reason)→ rejected ─resubmit (with changes)→ submitted
        │                                              ↑
        ├─reject (reason)──────────────────────────────┘
        └─withdraw (the claimant)→ withdrawn

Every step: rights → lock the row (core.workflow.lock, with the version the page showed) → check the
transition table → change → audit (the request's origin comes from the audit middleware) → ledger
(approval syncs one record, a rejection retracts it) → notify. The office (scoring.approve_dutyclaim)
decides, never on a claim that is its own or that it typed in for the member: a second pair of eyes, as
for a paper proposal."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.core import audit, uploads, workflow
from lvzhi.core.forms import EARLIEST_DATE
from lvzhi.ledger import services as ledger
from lvzhi.members.models import Member
from lvzhi.notifications.services import notify

from .models import CLAIM_KINDS, DutyClaim

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from lvzhi.accounts.models import User

APPROVE = "scoring.approve_dutyclaim"
Status = DutyClaim.Status
# Evidence is a certificate, a letter or a photo of one: the kinds core.uploads judges by content.
EVIDENCE_EXTENSIONS = {"pdf", "jpg", "png", "doc", "docx"}
TITLE_LIMIT: int = DutyClaim._meta.get_field("title").max_length or 200
NOTE_LIMIT: int = DutyClaim._meta.get_field("decision_note").max_length or 500
DESCRIPTION_LIMIT = 2000


class ClaimError(ValidationError):
    """A refused step or bad input: shown to the user as a message, never a 500."""


# --- who is who ---------------------------------------------------------------------------------------


def may_approve(user) -> bool:
    return bool(user.is_authenticated and user.committee_id is not None and user.has_perm(APPROVE))


def is_claimant(user, claim: DutyClaim) -> bool:
    """The member the claim is about, or the account that put it in (the office for a member)."""
    if not user.is_authenticated:
        return False
    return claim.member.user_id == user.pk or claim.submitted_by_id == user.pk


def may_withdraw(user, claim: DutyClaim) -> bool:
    return claim.status == Status.SUBMITTED and is_claimant(user, claim)


def may_resubmit(user, claim: DutyClaim) -> bool:
    return claim.status == Status.REJECTED and is_claimant(user, claim)


def may_decide(user, claim: DutyClaim) -> bool:
    return (
        may_approve(user)
        and user.committee_id == claim.committee_id
        and not is_claimant(user, claim)
        and claim.status in (Status.SUBMITTED, Status.APPROVED)
    )


def _require_committee(actor: User, claim: DutyClaim) -> None:
    if actor.committee_id is None or actor.committee_id != claim.committee_id:
        raise PermissionDenied("another committee's claim")


def _require_decider(actor: User, claim: DutyClaim) -> None:
    _require_committee(actor, claim)
    if not actor.has_perm(APPROVE):
        raise PermissionDenied(APPROVE)
    if is_claimant(actor, claim):
        raise ClaimError(
            # zh: 这是您本人的申报（或由您代为录入），不能由您审核，请由其他工作人员审核。
            _("This claim is yours or you typed it in, so a colleague decides on it."),
            code="own_claim",
        )


def _require_claimant(actor: User, claim: DutyClaim) -> None:
    _require_committee(actor, claim)
    if not is_claimant(actor, claim):
        raise PermissionDenied("not the claimant")


# --- checks of the fields -----------------------------------------------------------------------------


def _clean(
    *, kind: str, date: datetime.date | None, title: str | None, description: str | None
) -> tuple[str, datetime.date, str, str]:
    problems = []
    if kind not in CLAIM_KINDS:
        # zh: 类别：请从列表中选择。
        problems.append(_("Kind: choose one from the list."))
    today = timezone.localdate()
    if date is None:
        problems.append(_("Date: give the date of the commendation or service."))
    elif date > today:
        # zh: 日期：不能晚于今天。
        problems.append(_("Date: it cannot be later than today."))
    elif date < EARLIEST_DATE:
        problems.append(_("Date: give a date from %(limit)s on.") % {"limit": EARLIEST_DATE.isoformat()})
    title = (title or "").strip()
    if not title:
        # zh: 名称：请填写，例如“获评全省优秀政协委员”。
        problems.append(_("Title: write it, for example “获评全省优秀政协委员”."))
    elif len(title) > TITLE_LIMIT:
        problems.append(_("Title: at most %(n)s characters.") % {"n": TITLE_LIMIT})
    description = (description or "").strip()
    if len(description) > DESCRIPTION_LIMIT:
        problems.append(_("Description: at most %(n)s characters.") % {"n": DESCRIPTION_LIMIT})
    if any(ch == "\x00" for ch in title + description):
        problems.append(_("Title and description cannot hold the character \\0."))
    if problems:
        raise ClaimError(problems)
    assert date is not None
    return kind, date, title, description


def check_evidence(evidence: UploadedFile) -> None:
    """Raise uploads.UploadRefused unless `evidence` is, by its content, a PDF, Word, JPEG or PNG file
    that core.uploads would keep."""
    name = (evidence.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    extension, _content_type = uploads.check_attachment(evidence, name)
    if extension not in EVIDENCE_EXTENSIONS:
        raise uploads.UploadRefused(
            # zh: “x.xlsx”不是可接受的证明材料，请上传 PDF、Word、JPEG 或 PNG 文件。
            _("“%(name)s” is not accepted as evidence. Upload a PDF, Word, JPEG or PNG file.")
            % {"name": name}
        )


def _store_evidence(claim: DutyClaim, evidence: UploadedFile | None, actor: User) -> None:
    if evidence is None:
        # zh: 证明材料：请上传获奖证书、表彰文件或服务证明（PDF、Word、JPEG 或 PNG）。
        raise ClaimError(
            _(
                "Evidence: upload the certificate, the commendation or a proof of the service "
                "(PDF, Word, JPEG or PNG)."
            ),
            code="evidence_required",
        )
    try:
        check_evidence(evidence)
        uploads.store(claim, evidence, actor=actor)
    except uploads.UploadRefused as refused:
        raise ClaimError(
            _("Evidence: %(problem)s") % {"problem": refused}, code="upload_refused"
        ) from refused


def _move(claim: DutyClaim, to_status: str) -> None:
    """Through DutyClaim.TRANSITIONS, bumping the version (the claim has no history model: its audit
    rows are its history)."""
    allowed = DutyClaim.TRANSITIONS.get(Status(claim.status), set())
    if to_status not in allowed:
        raise ClaimError(
            # zh: 状态为“%(from)s”的申报不能改为“%(to)s”。
            _("A claim that is %(from)s cannot become %(to)s."),
            code="illegal_transition",
            params={"from": Status(claim.status).label, "to": Status(to_status).label},
        )
    claim.status = to_status
    claim.version += 1


def _lock(claim: DutyClaim, expected_version: int | None) -> DutyClaim:
    # No select_related: FOR UPDATE would lock the member's row too.
    return workflow.lock(DutyClaim, claim.pk, expected_version)


def _audit(claim: DutyClaim, action: str, event: str, actor: User, **detail) -> None:
    audit.record(
        action,
        actor=actor,
        committee=claim.committee_id,
        obj=claim,
        event=event,
        params={"member": claim.member.name, "title": claim.title},
        detail={"member": claim.member_id, "kind": claim.kind, "date": claim.date.isoformat(), **detail},
    )


# --- notices ------------------------------------------------------------------------------------------


def _send(claim: DutyClaim, user_ids, *, kind: str, title: str, body: str = "", skip: User | None = None):
    ids = {pk for pk in user_ids if pk and (skip is None or pk != skip.pk)}
    if not ids:
        return
    User = get_user_model()
    notify(
        recipients=[User(pk=pk) for pk in ids],
        kind=kind,
        title=title,
        body=body,
        url=reverse("scoring:claim_detail", args=[claim.pk]),
        committee=claim.committee,
    )


def _office_ids(claim: DutyClaim) -> set[int]:
    """Active accounts of the committee that may decide on the claim (not its claimants)."""
    perm = Q(
        groups__permissions__codename="approve_dutyclaim",
        groups__permissions__content_type__app_label="scoring",
    )
    own = Q(
        user_permissions__codename="approve_dutyclaim", user_permissions__content_type__app_label="scoring"
    )
    ids = set(
        get_user_model()
        .objects.filter(perm | own, committee_id=claim.committee_id, is_active=True)
        .values_list("pk", flat=True)
    )
    return ids - {claim.member.user_id, claim.submitted_by_id}


def _tell_claimants(claim: DutyClaim, *, kind: str, title: str, body: str, actor: User) -> None:
    _send(claim, {claim.member.user_id, claim.submitted_by_id}, kind=kind, title=title, body=body, skip=actor)


# --- the steps ----------------------------------------------------------------------------------------


@transaction.atomic
def submit_claim(
    *,
    actor: User,
    kind: str,
    date: datetime.date | None,
    title: str,
    description: str = "",
    evidence: UploadedFile | None,
    member: Member | None = None,
) -> DutyClaim:
    """A claim with its evidence, awaiting approval. A member claims for themself (`member` None or
    their own file); the office (approve_dutyclaim) for any member of its committee, and is then its
    submitter, so that a colleague decides on it."""
    own = getattr(actor, "member", None) if actor.is_authenticated else None
    if member is None or (own is not None and member.pk == own.pk):
        if own is None:
            raise PermissionDenied("no member file")
        member = own
    else:
        if not may_approve(actor):
            raise PermissionDenied(APPROVE)
        if member.committee_id != actor.committee_id:
            raise PermissionDenied("another committee's member")
    kind, date, title, description = _clean(kind=kind, date=date, title=title, description=description)
    claim = DutyClaim(
        committee_id=member.committee_id,
        member=member,
        kind=kind,
        date=date,
        title=title,
        description=description,
        status=Status.SUBMITTED,
        submitted_by=actor,
    )
    _store_evidence(claim, evidence, actor)
    claim.save()
    _audit(
        claim,
        audit.Action.CREATE,
        "scoring.claim_submitted",
        actor,
        file=claim.original_name,
        for_member=member.user_id != actor.pk,
    )
    _send(
        claim,
        _office_ids(claim),
        kind="scoring.claim_submitted",
        # zh: 待审核的履职申报：%(member)s，%(title)s
        title=_("A duty claim awaits approval: %(member)s, %(title)s")
        % {"member": member.name, "title": title},
        skip=actor,
    )
    if member.user_id and member.user_id != actor.pk:
        _send(
            claim,
            {member.user_id},
            kind="scoring.claim_submitted",
            # zh: 办公室为您录入了履职申报：%(title)s
            title=_("The office recorded a duty claim for you: %(title)s") % {"title": title},
        )
    return claim


@transaction.atomic
def withdraw_claim(claim: DutyClaim, *, actor: User, expected_version: int | None = None) -> DutyClaim:
    """The claimant takes back a claim still awaiting approval."""
    _require_claimant(actor, claim)
    claim = _lock(claim, expected_version)
    _move(claim, Status.WITHDRAWN)
    claim.save(update_fields=["status", "version"])
    _audit(claim, audit.Action.UPDATE, "scoring.claim_withdrawn", actor)
    return claim


@transaction.atomic
def approve_claim(
    claim: DutyClaim, *, actor: User, note: str = "", expected_version: int | None = None
) -> DutyClaim:
    """The office approves: the claim becomes one ledger record (member, kind, date, the title as its
    note), and the member's score follows through the ledger's announcement."""
    _require_decider(actor, claim)
    claim = _lock(claim, expected_version)
    note = (note or "").strip()[:NOTE_LIMIT]
    if "\x00" in note:
        raise ClaimError(_("Note: it cannot hold the character \\0."), code="bad_note")
    _move(claim, Status.APPROVED)
    claim.decided_by, claim.decided_at, claim.decision_note = actor, timezone.now(), note
    claim.save(update_fields=["status", "version", "decided_by", "decided_at", "decision_note"])
    ledger.sync_records(
        source=claim,
        committee=claim.committee,
        facts=[ledger.Fact(member=claim.member, kind=claim.kind, date=claim.date, note=claim.title)],
        actor=actor,
    )
    _audit(claim, audit.Action.APPROVE, "scoring.claim_approved", actor, note=note)
    _tell_claimants(
        claim,
        kind="scoring.claim_decided",
        # zh: 履职申报已通过：%(title)s
        title=_("Duty claim approved: %(title)s") % {"title": claim.title},
        body=note,
        actor=actor,
    )
    return claim


@transaction.atomic
def reject_claim(
    claim: DutyClaim, *, actor: User, reason: str, expected_version: int | None = None
) -> DutyClaim:
    """The office refuses a claim, with the reason the member reads; after an approval too, when the
    record it made is retracted from the ledger."""
    _require_decider(actor, claim)
    reason = (reason or "").strip()
    if not reason:
        # zh: 不通过的理由：请填写，委员会看到。
        raise ClaimError(
            _("Reason: write why the claim is rejected; the member reads it."), code="reason_required"
        )
    if "\x00" in reason:
        raise ClaimError(_("Reason: it cannot hold the character \\0."), code="bad_reason")
    if len(reason) > NOTE_LIMIT:
        raise ClaimError(_("Reason: at most %(n)s characters.") % {"n": NOTE_LIMIT}, code="reason_too_long")
    claim = _lock(claim, expected_version)
    was = claim.status
    _move(claim, Status.REJECTED)
    claim.decided_by, claim.decided_at, claim.decision_note = actor, timezone.now(), reason
    claim.save(update_fields=["status", "version", "decided_by", "decided_at", "decision_note"])
    if was == Status.APPROVED:
        ledger.retract_all(source=claim, committee=claim.committee, actor=actor)
    _audit(claim, audit.Action.REJECT, "scoring.claim_rejected", actor, reason=reason, was=was)
    _tell_claimants(
        claim,
        kind="scoring.claim_decided",
        # zh: 履职申报未通过：%(title)s
        title=_("Duty claim rejected: %(title)s") % {"title": claim.title},
        body=reason,
        actor=actor,
    )
    return claim


@transaction.atomic
def resubmit_claim(
    claim: DutyClaim,
    *,
    actor: User,
    kind: str,
    date: datetime.date | None,
    title: str,
    description: str = "",
    evidence: UploadedFile | None = None,
    expected_version: int | None = None,
) -> DutyClaim:
    """The claimant changes a rejected claim and sends it again; the evidence is kept unless a new file
    replaces it. The earlier decision stays in the audit log."""
    _require_claimant(actor, claim)
    kind, date, title, description = _clean(kind=kind, date=date, title=title, description=description)
    claim = _lock(claim, expected_version)
    earlier = {"reason": claim.decision_note, "decided_by": claim.decided_by_id}
    _move(claim, Status.SUBMITTED)
    claim.kind, claim.date, claim.title, claim.description = kind, date, title, description
    if evidence is not None:
        _store_evidence(claim, evidence, actor)
    claim.decided_by, claim.decided_at, claim.decision_note = None, None, ""
    claim.submitted_at = timezone.now()
    claim.save()
    _audit(
        claim,
        audit.Action.UPDATE,
        "scoring.claim_resubmitted",
        actor,
        earlier=earlier,
        new_file=evidence is not None,
    )
    _send(
        claim,
        _office_ids(claim),
        kind="scoring.claim_submitted",
        title=_("A duty claim awaits approval: %(member)s, %(title)s")
        % {"member": claim.member.name, "title": title},
        skip=actor,
    )
    return claim


def record_evidence_download(*, claim: DutyClaim, actor: User) -> None:
    """The audit row of a download of a claim's evidence (the view fetched it through the scope)."""
    audit.record(
        audit.Action.EXPORT,
        actor=actor,
        committee=claim.committee_id,
        obj=claim,
        event="scoring.claim_evidence_downloaded",
        params={"member": claim.member.name, "title": claim.title, "file": claim.original_name},
        detail={"member": claim.member_id},
    )
