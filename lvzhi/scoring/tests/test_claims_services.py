"""Duty claims' services (services_claims): a member's claim with evidence, the office's approval into
the ledger (and the score), the rejection with its reason that retracts an approved record, withdrawal,
resubmission, and every refused step as a clear error.

The shared `year_world` (conftest): c has no records and 10.00; the default rules give a national
commendation 10 points in the category commendations."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.workflow import StaleEdit
from lvzhi.factories import MemberFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.notifications.models import Notification
from lvzhi.scoring import services
from lvzhi.scoring import services_claims as claims
from lvzhi.scoring.models import DutyClaim, MemberScore

from .conftest import YEAR

pytestmark = pytest.mark.usefixtures("english", "media")

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DAY = datetime.date(YEAR, 6, 1)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf(name="证书.pdf"):
    return SimpleUploadedFile(name, PDF)


def xlsx(name="表彰.xlsx"):
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return SimpleUploadedFile(name, out.getvalue())


def claim_for(world, key="c", *, kind="commendation.national", actor=None, member=None, **kwargs):
    values = {"date": DAY, "title": "获评全国优秀政协委员", "description": "全国政协表彰", "evidence": pdf()}
    values.update(kwargs)
    return claims.submit_claim(actor=actor or world[key].user, kind=kind, member=member, **values)


def records(claim):
    return DutyRecord.objects.filter(
        source_type=ContentType.objects.get_for_model(DutyClaim), source_id=claim.pk
    )


def score(world, key):
    return MemberScore.objects.get(member=world[key], year=YEAR, rule_set__status="active")


def events(claim):
    return list(
        AuditEvent.objects.filter(object_type="scoring.DutyClaim", object_id=str(claim.pk))
        .order_by("id")
        .values_list("event", flat=True)
    )


# --- submitting ---------------------------------------------------------------------------------------


def test_a_member_claims_for_themself_with_evidence(year_world):
    w = year_world
    claim = claim_for(w)
    assert claim.status == DutyClaim.Status.SUBMITTED
    assert claim.member == w["c"] and claim.committee == w["committee"]
    assert claim.submitted_by == w["c"].user
    assert claim.original_name == "证书.pdf" and claim.content_type == "application/pdf"
    assert claim.file.read() == PDF
    assert events(claim) == ["scoring.claim_submitted"]
    assert not records(claim).exists()
    # the office hears of it, the member does not notify themself
    assert set(Notification.objects.values_list("recipient", flat=True)) == {w["office"].pk}


def test_the_office_claims_for_a_member_and_is_the_submitter(year_world):
    w = year_world
    claim = claim_for(w, actor=w["office"], member=w["b"])
    assert claim.member == w["b"] and claim.submitted_by == w["office"]
    # the member is told, the office typist is not
    assert list(Notification.objects.values_list("recipient", flat=True)) == [w["b"].user.pk]


def test_a_member_cannot_claim_for_another_member(year_world):
    w = year_world
    with pytest.raises(PermissionDenied):
        claim_for(w, "c", member=w["a"])
    assert not DutyClaim.objects.exists()


def test_the_office_cannot_claim_for_another_committees_member(year_world, other_committee):
    w = year_world
    stranger = MemberFactory(committee=other_committee)
    with pytest.raises(PermissionDenied):
        claim_for(w, actor=w["office"], member=stranger)


def test_an_account_without_a_member_file_cannot_claim_for_itself(year_world):
    with pytest.raises(PermissionDenied):
        claim_for(year_world, actor=year_world["leader"])


def test_evidence_is_required(year_world):
    with pytest.raises(claims.ClaimError) as caught:
        claim_for(year_world, evidence=None)
    assert caught.value.code == "evidence_required"
    assert not DutyClaim.objects.exists()


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (lambda: xlsx(), "not accepted as evidence"),
        (lambda: SimpleUploadedFile("证书.pdf", b"<html><script>alert(1)</script>"), "not a file type"),
        (lambda: SimpleUploadedFile("空.pdf", b""), "is empty"),
    ],
    ids=["spreadsheet", "html-named-pdf", "empty"],
)
def test_evidence_that_is_not_a_pdf_word_or_picture_is_refused(year_world, upload, words):
    with pytest.raises(claims.ClaimError) as caught:
        claim_for(year_world, evidence=upload())
    assert words in " ".join(caught.value.messages)
    assert not DutyClaim.objects.exists()


def test_evidence_larger_than_the_limit_is_refused(year_world, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(claims.ClaimError) as caught:
        claim_for(year_world)
    assert "larger than" in " ".join(caught.value.messages)


def test_a_picture_and_a_png_are_evidence(year_world):
    claim = claim_for(year_world, evidence=SimpleUploadedFile("photo.png", PNG))
    assert claim.content_type == "image/png"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"kind": "proposal.submitted"}, "Kind"),
        ({"date": None}, "Date"),
        ({"date": datetime.date.today() + datetime.timedelta(days=2)}, "later than today"),
        ({"title": "  "}, "Title"),
        ({"title": "x" * 201}, "at most 200"),
    ],
    ids=["unknown-kind", "no-date", "future", "no-title", "long-title"],
)
def test_bad_fields_are_refused_naming_the_field(year_world, changes, words):
    values = {"kind": "commendation.national", **changes}
    with pytest.raises(claims.ClaimError) as caught:
        claim_for(year_world, **values)
    assert words in " ".join(caught.value.messages)
    assert not DutyClaim.objects.exists()


# --- approving ----------------------------------------------------------------------------------------


def test_approval_writes_the_ledger_record_and_the_score_follows(
    year_world, django_capture_on_commit_callbacks
):
    w = year_world
    claim = claim_for(w)
    assert score(w, "c").total == Decimal("10.00")
    with django_capture_on_commit_callbacks(execute=True):
        claims.approve_claim(claim, actor=w["office"], note="核实无误")
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.APPROVED
    assert claim.decided_by == w["office"] and claim.decided_at is not None
    assert claim.decision_note == "核实无误"
    [record] = records(claim)
    assert (record.member, record.kind, record.date, record.note) == (
        w["c"],
        "commendation.national",
        DAY,
        "获评全国优秀政协委员",
    )
    assert record.committee == w["committee"]
    # recomputed in the background after the commit: c 10 → 20, +10 in commendations
    after = score(w, "c")
    assert after.total == Decimal("20.00")
    assert after.categories["commendations"]["score"] == "10.00"
    assert events(claim) == ["scoring.claim_submitted", "ledger.synced", "scoring.claim_approved"]
    notice = Notification.objects.get(recipient=w["c"].user, kind="scoring.claim_decided")
    assert notice.url == f"/scoring/claims/{claim.pk}/"


def test_approval_counts_in_compute_year_too(year_world):
    w = year_world
    claims.approve_claim(claim_for(w, kind="commendation.provincial"), actor=w["office"])
    services.compute_year(committee=w["committee"], year=YEAR)
    assert score(w, "c").total == Decimal("18.00")
    assert score(w, "c").categories["commendations"]["score"] == "8.00"


def test_a_later_rejection_retracts_the_record_and_the_score(year_world, django_capture_on_commit_callbacks):
    w = year_world
    claim = claim_for(w)
    with django_capture_on_commit_callbacks(execute=True):
        claims.approve_claim(claim, actor=w["office"])
    assert score(w, "c").total == Decimal("20.00")
    with django_capture_on_commit_callbacks(execute=True):
        claims.reject_claim(claim, actor=w["office"], reason="经核实，表彰对象为单位而非个人")
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.REJECTED
    assert claim.decision_note == "经核实，表彰对象为单位而非个人"
    assert not records(claim).exists()
    assert score(w, "c").total == Decimal("10.00")
    assert events(claim)[-2:] == ["ledger.synced", "scoring.claim_rejected"]
    notice = Notification.objects.filter(recipient=w["c"].user, kind="scoring.claim_decided").latest("pk")
    assert notice.body == "经核实，表彰对象为单位而非个人"


def test_a_rejection_needs_a_reason(year_world):
    w = year_world
    claim = claim_for(w)
    with pytest.raises(claims.ClaimError) as caught:
        claims.reject_claim(claim, actor=w["office"], reason="   ")
    assert caught.value.code == "reason_required"
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.SUBMITTED


def test_nobody_decides_on_their_own_claim_even_the_office(year_world, make_user):
    w = year_world
    # an office account that is also a member
    office_member = make_user(Role.OFFICE, username="office_member")
    w["a"].user = office_member
    w["a"].save(update_fields=["user"])
    own = claim_for(w, "a", actor=office_member)
    with pytest.raises(claims.ClaimError) as caught:
        claims.approve_claim(own, actor=office_member)
    assert caught.value.code == "own_claim"
    # nor on one they typed in for a member
    typed = claim_for(w, actor=w["office"], member=w["b"])
    with pytest.raises(claims.ClaimError):
        claims.reject_claim(typed, actor=w["office"], reason="x")
    # a colleague may
    claims.approve_claim(typed, actor=office_member)
    assert not records(own).exists() and records(typed).count() == 1


@pytest.mark.parametrize("who", ["c", "a", "leader"])
def test_without_the_right_nobody_approves_or_rejects(year_world, who):
    w = year_world
    claim = claim_for(w)
    actor = w[who] if who == "leader" else w[who].user
    with pytest.raises((PermissionDenied, claims.ClaimError)):
        claims.approve_claim(claim, actor=actor)
    with pytest.raises(PermissionDenied):
        claims.reject_claim(claim, actor=w["leader"], reason="x")
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.SUBMITTED


def test_another_committees_office_cannot_decide(year_world, make_user, other_committee):
    w = year_world
    claim = claim_for(w)
    stranger = make_user(Role.OFFICE, committee=other_committee, username="other_office")
    with pytest.raises(PermissionDenied):
        claims.approve_claim(claim, actor=stranger)


# --- the transition table -----------------------------------------------------------------------------


def test_the_transitions_refused_are_clear_errors(year_world):
    w = year_world
    claim = claim_for(w)
    claims.withdraw_claim(claim, actor=w["c"].user)
    for step in (
        lambda: claims.approve_claim(claim, actor=w["office"]),
        lambda: claims.reject_claim(claim, actor=w["office"], reason="x"),
        lambda: claims.withdraw_claim(claim, actor=w["c"].user),
    ):
        with pytest.raises(claims.ClaimError) as caught:
            step()
        assert caught.value.code == "illegal_transition"
        assert "A claim that is Withdrawn cannot become" in caught.value.messages[0]
    approved = claim_for(w)
    claims.approve_claim(approved, actor=w["office"])
    with pytest.raises(claims.ClaimError):
        claims.approve_claim(approved, actor=w["office"])
    with pytest.raises(claims.ClaimError):
        claims.withdraw_claim(approved, actor=w["c"].user)
    with pytest.raises(claims.ClaimError):
        claims.resubmit_claim(approved, actor=w["c"].user, kind="commendation.city", date=DAY, title="x")
    assert records(approved).count() == 1


def test_a_stale_page_changes_nothing(year_world):
    w = year_world
    claim = claim_for(w)
    with pytest.raises(StaleEdit):
        claims.approve_claim(claim, actor=w["office"], expected_version=claim.version + 1)
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.SUBMITTED and not records(claim).exists()


def test_only_the_claimant_withdraws(year_world):
    w = year_world
    claim = claim_for(w)
    with pytest.raises(PermissionDenied):
        claims.withdraw_claim(claim, actor=w["a"].user)
    with pytest.raises(PermissionDenied):
        claims.withdraw_claim(claim, actor=w["office"])
    claims.withdraw_claim(claim, actor=w["c"].user)
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.WITHDRAWN
    assert events(claim)[-1] == "scoring.claim_withdrawn"


# --- resubmitting -------------------------------------------------------------------------------------


def test_a_rejected_claim_is_changed_and_sent_again(year_world):
    w = year_world
    claim = claim_for(w)
    claims.reject_claim(claim, actor=w["office"], reason="表彰级别应为省级")
    claim.refresh_from_db()
    old_file = claim.file.name
    claims.resubmit_claim(
        claim,
        actor=w["c"].user,
        kind="commendation.provincial",
        date=DAY,
        title="获评全省优秀政协委员",
        expected_version=claim.version,
    )
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.SUBMITTED
    assert claim.kind == "commendation.provincial" and claim.title == "获评全省优秀政协委员"
    assert claim.decision_note == "" and claim.decided_by is None
    assert claim.file.name == old_file  # the evidence kept
    assert events(claim)[-1] == "scoring.claim_resubmitted"
    claims.approve_claim(claim, actor=w["office"])
    assert records(claim).get().kind == "commendation.provincial"


def test_a_resubmission_may_replace_the_evidence(year_world):
    w = year_world
    claim = claim_for(w)
    claims.reject_claim(claim, actor=w["office"], reason="证书不清晰")
    claims.resubmit_claim(
        claim,
        actor=w["c"].user,
        kind=claim.kind,
        date=DAY,
        title=claim.title,
        evidence=SimpleUploadedFile("清晰.png", PNG),
    )
    claim.refresh_from_db()
    assert claim.original_name == "清晰.png"


def test_another_member_cannot_resubmit(year_world):
    w = year_world
    claim = claim_for(w)
    claims.reject_claim(claim, actor=w["office"], reason="x")
    with pytest.raises(PermissionDenied):
        claims.resubmit_claim(claim, actor=w["a"].user, kind=claim.kind, date=DAY, title="y")
