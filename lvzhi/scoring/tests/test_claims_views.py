"""Duty claims' pages (views/claims.py): the member's list and form, a claim's page and its steps, the
evidence download, the office's queue and its filters, the claim for a member; the permission and IDOR
matrix, POST-only steps, refused steps as messages, and the queue's query count."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, body, capture_queries
from lvzhi.factories import MemberFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.scoring import home_cards
from lvzhi.scoring import services_claims as claims
from lvzhi.scoring.models import DutyClaim

from .conftest import YEAR

pytestmark = pytest.mark.usefixtures("english", "media")

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
DAY = datetime.date(YEAR, 6, 1)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def new_claim(member, *, actor=None, kind="commendation.national", title="获评全国优秀政协委员", day=DAY):
    return claims.submit_claim(
        actor=actor or member.user,
        member=member,
        kind=kind,
        date=day,
        title=title,
        evidence=SimpleUploadedFile("证书.pdf", PDF),
    )


def form_data(**changes):
    return {
        "kind": "commendation.provincial",
        "date": DAY.isoformat(),
        "title": "获评全省优秀政协委员",
        "description": "省政协表彰",
        "evidence": SimpleUploadedFile("证书.pdf", PDF),
        **changes,
    }


def has_record(claim):
    return DutyRecord.objects.filter(
        source_type=ContentType.objects.get_for_model(DutyClaim), source_id=claim.pk
    ).exists()


# --- the member ---------------------------------------------------------------------------------------


def test_the_member_sees_their_claims_with_the_reason_and_the_form(client, year_world):
    w = year_world
    mine = new_claim(w["c"])
    claims.reject_claim(mine, actor=w["office"], reason="请补充表彰文件")
    other = new_claim(w["a"], title="甲的表彰")
    client.force_login(w["c"].user)
    response = client.get(reverse("scoring:claims_mine"))
    assert response.status_code == 200
    text = body(response)
    assert "获评全国优秀政协委员" in text and "请补充表彰文件" in text
    assert "甲的表彰" not in text and f'data-claim="{other.pk}"' not in text
    assert 'name="evidence"' in text and 'value="commendation.family_help"' in text


def test_a_member_sends_a_claim_from_the_form(client, year_world):
    w = year_world
    client.force_login(w["c"].user)
    response = client.post(reverse("scoring:claim_new"), form_data())
    claim = DutyClaim.objects.get()
    assert response.status_code == 302 and response.url == reverse("scoring:claim_detail", args=[claim.pk])
    assert (claim.member, claim.kind, claim.date, claim.title) == (
        w["c"],
        "commendation.provincial",
        DAY,
        "获评全省优秀政协委员",
    )
    assert claim.original_name == "证书.pdf"


def test_the_same_form_sent_twice_makes_one_claim(client, year_world):
    client.force_login(year_world["c"].user)
    for _ in range(2):
        client.post(reverse("scoring:claim_new"), form_data(submission_token="tok-1"))
    assert DutyClaim.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"evidence": ""}, "Evidence"),
        ({"evidence": SimpleUploadedFile("x.pdf", b"MZ\x90\x00binary")}, "not a file type we accept"),
        ({"kind": "attendance.plenary.present"}, "Kind"),
        ({"date": "2999-01-01"}, "later than today"),
        ({"title": ""}, "Title"),
    ],
    ids=["no-evidence", "exe", "kind", "future", "title"],
)
def test_a_bad_form_shows_what_is_wrong_and_keeps_the_rest(client, year_world, changes, words):
    client.force_login(year_world["c"].user)
    response = client.post(reverse("scoring:claim_new"), form_data(**changes))
    assert response.status_code == 400
    text = body(response)
    assert words in text
    assert not DutyClaim.objects.exists()
    if "description" not in changes:
        assert "省政协表彰" in text


def test_an_account_without_a_member_file_has_no_claims_page(client, year_world):
    client.force_login(year_world["leader"])
    assert client.get(reverse("scoring:claims_mine")).status_code == 404
    assert client.post(reverse("scoring:claim_new"), form_data()).status_code == 404


def test_the_claim_page_shows_the_decision_and_the_reason(client, year_world):
    w = year_world
    claim = new_claim(w["c"])
    claims.reject_claim(claim, actor=w["office"], reason="请上传清晰的证书")
    client.force_login(w["c"].user)
    text = body(client.get(reverse("scoring:claim_detail", args=[claim.pk])))
    assert "Rejected by the office" in text and "请上传清晰的证书" in text
    assert 'id="claim-resubmit"' in text and 'id="claim-approve"' not in text


def test_the_member_withdraws_after_confirming(client, year_world):
    w = year_world
    claim = new_claim(w["c"])
    client.force_login(w["c"].user)
    page = body(client.get(reverse("scoring:claim_detail", args=[claim.pk])))
    assert 'id="claim-withdraw" data-confirm=' in page
    response = client.post(reverse("scoring:claim_withdraw", args=[claim.pk]), {"version": claim.version})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.WITHDRAWN


def test_a_refused_step_is_a_message_not_a_500(client, year_world):
    w = year_world
    claim = new_claim(w["c"])
    claims.withdraw_claim(claim, actor=w["c"].user)
    claim.refresh_from_db()
    client.force_login(w["c"].user)
    response = client.post(
        reverse("scoring:claim_withdraw", args=[claim.pk]), {"version": claim.version}, follow=True
    )
    assert response.status_code == 200
    assert "A claim that is Withdrawn cannot become Withdrawn." in body(response)
    client.force_login(w["office"])
    response = client.post(
        reverse("scoring:claim_approve", args=[claim.pk]), {"version": claim.version}, follow=True
    )
    assert "cannot become Approved" in body(response)
    assert not has_record(claim)


def test_a_stale_page_is_told_and_changes_nothing(client, year_world):
    w = year_world
    claim = new_claim(w["c"])
    client.force_login(w["office"])
    response = client.post(reverse("scoring:claim_approve", args=[claim.pk]), {"version": 99}, follow=True)
    assert "Someone else saved this" in body(response)
    assert not has_record(claim)


def test_the_member_resubmits_a_rejected_claim_with_changes(client, year_world):
    w = year_world
    claim = new_claim(w["c"])
    claims.reject_claim(claim, actor=w["office"], reason="级别有误")
    claim.refresh_from_db()
    client.force_login(w["c"].user)
    response = client.post(
        reverse("scoring:claim_resubmit", args=[claim.pk]),
        form_data(evidence="", version=claim.version),
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.SUBMITTED and claim.kind == "commendation.provincial"
    assert claim.original_name == "证书.pdf"


# --- the evidence -------------------------------------------------------------------------------------


def test_the_evidence_is_a_download_for_the_member_and_the_office_and_audited(client, year_world):
    w = year_world
    claim = new_claim(w["c"])
    for user in (w["c"].user, w["office"]):
        client.force_login(user)
        response = client.get(reverse("scoring:claim_evidence", args=[claim.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
    downloads = AuditEvent.objects.filter(event="scoring.claim_evidence_downloaded", object_id=str(claim.pk))
    assert sorted(downloads.values_list("actor", flat=True)) == sorted([w["c"].user.pk, w["office"].pk])


def test_other_members_and_the_leader_cannot_download_the_evidence(client, year_world):
    w = year_world
    claim = new_claim(w["c"])
    for user in (w["a"].user, w["leader"]):
        client.force_login(user)
        assert client.get(reverse("scoring:claim_evidence", args=[claim.pk])).status_code == 404
    assert not AuditEvent.objects.filter(event="scoring.claim_evidence_downloaded").exists()


# --- the permission / IDOR matrix ---------------------------------------------------------------------


@pytest.fixture
def strangers(year_world, make_user, other_committee):
    """An office account and a member of another committee."""
    member = MemberFactory(committee=other_committee, user=make_user(Role.MEMBER, committee=other_committee))
    return {
        "office": make_user(Role.OFFICE, committee=other_committee, username="other_office"),
        "member": member.user,
    }


@pytest.mark.parametrize(
    "name",
    ["claim_detail", "claim_evidence", "claim_withdraw", "claim_approve", "claim_reject", "claim_resubmit"],
)
def test_another_committee_gets_404(client, year_world, strangers, name):
    claim = new_claim(year_world["c"])
    method = client.get if name in ("claim_detail", "claim_evidence") else client.post
    client.force_login(strangers["office"])
    assert method(reverse(f"scoring:{name}", args=[claim.pk]), {"reason": "x"}).status_code == 404
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.SUBMITTED


@pytest.mark.parametrize("name", ["claim_detail", "claim_evidence", "claim_withdraw", "claim_resubmit"])
def test_another_member_gets_404(client, year_world, name):
    claim = new_claim(year_world["c"])
    method = client.get if name in ("claim_detail", "claim_evidence") else client.post
    client.force_login(year_world["a"].user)
    assert method(reverse(f"scoring:{name}", args=[claim.pk])).status_code == 404


@pytest.mark.parametrize("who", ["c", "a", "leader"])
@pytest.mark.parametrize("name", ["claim_approve", "claim_reject"])
def test_deciding_without_the_right_is_403(client, year_world, who, name):
    w = year_world
    claim = new_claim(w["c"])
    client.force_login(w[who] if who == "leader" else w[who].user)
    response = client.post(reverse(f"scoring:{name}", args=[claim.pk]), {"reason": "x", "version": 1})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.SUBMITTED


@pytest.mark.parametrize("name", ["claims", "claim_for_member", "claim_member_search"])
def test_the_office_pages_are_403_for_members_and_leaders(client, year_world, name):
    for user in (year_world["c"].user, year_world["leader"]):
        client.force_login(user)
        assert client.get(reverse(f"scoring:{name}")).status_code == 403


def test_the_claimant_in_the_office_cannot_approve_their_own(client, year_world):
    w = year_world
    typed = new_claim(w["b"], actor=w["office"])
    client.force_login(w["office"])
    page = body(client.get(reverse("scoring:claim_detail", args=[typed.pk])))
    assert 'id="claim-approve"' not in page and 'id="claim-own"' in page
    response = client.post(
        reverse("scoring:claim_approve", args=[typed.pk]), {"version": typed.version}, follow=True
    )
    assert "a colleague decides on it" in body(response)
    assert not has_record(typed)


@pytest.mark.parametrize("name", ["claim_withdraw", "claim_approve", "claim_reject"])
def test_the_steps_are_post_only(client, year_world, name):
    claim = new_claim(year_world["c"])
    client.force_login(year_world["office"])
    assert client.get(reverse(f"scoring:{name}", args=[claim.pk])).status_code == 405


def test_an_id_beyond_any_database_id_is_404(client, year_world):
    client.force_login(year_world["office"])
    assert client.get(reverse("scoring:claim_detail", args=[10**30])).status_code == 404


# --- the office ---------------------------------------------------------------------------------------


def test_the_office_approves_after_confirming_and_the_record_is_written(client, year_world):
    w = year_world
    claim = new_claim(w["c"])
    client.force_login(w["office"])
    page = body(client.get(reverse("scoring:claim_detail", args=[claim.pk])))
    assert 'id="claim-approve"' in page and "data-confirm=" in page
    response = client.post(reverse("scoring:claim_approve", args=[claim.pk]), {"version": claim.version})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.APPROVED and has_record(claim)


def test_a_rejection_without_a_reason_is_refused_on_the_page(client, year_world):
    w = year_world
    claim = new_claim(w["c"])
    client.force_login(w["office"])
    response = client.post(reverse("scoring:claim_reject", args=[claim.pk]), {"reason": "", "version": 1})
    assert response.status_code == 400
    assert "Reason for the rejection" in body(response)
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.SUBMITTED


def test_the_office_rejects_an_approved_claim_and_the_record_goes(client, year_world):
    w = year_world
    claim = new_claim(w["c"])
    claims.approve_claim(claim, actor=w["office"])
    claim.refresh_from_db()
    client.force_login(w["office"])
    response = client.post(
        reverse("scoring:claim_reject", args=[claim.pk]), {"reason": "重复申报", "version": claim.version}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.REJECTED and not has_record(claim)


def test_the_queue_lists_the_waiting_first_with_a_count_and_filters(client, year_world):
    w = year_world
    decided = new_claim(w["a"], title="已审核")
    claims.approve_claim(decided, actor=w["office"])
    waiting = new_claim(w["b"], title="待审核", kind="commendation.city")
    old = new_claim(w["c"], title="去年的", day=datetime.date(YEAR - 1, 5, 1))
    client.force_login(w["office"])
    response = client.get(reverse("scoring:claims"))
    assert response.status_code == 200
    rows = [c.pk for c in response.context["page"]]
    assert rows[:2] == [old.pk, waiting.pk] or rows[:2] == [waiting.pk, old.pk]
    assert rows[-1] == decided.pk
    assert response.context["waiting"] == 2
    assert "2 awaiting approval" in body(response)
    filtered = client.get(reverse("scoring:claims"), {"status": "submitted", "kind": "commendation.city"})
    assert [c.pk for c in filtered.context["page"]] == [waiting.pk]
    by_year = client.get(reverse("scoring:claims"), {"year": YEAR - 1})
    assert [c.pk for c in by_year.context["page"]] == [old.pk]
    # a bad filter is dropped, the others still apply
    bad = client.get(reverse("scoring:claims"), {"status": "nonsense", "year": YEAR - 1})
    assert [c.pk for c in bad.context["page"]] == [old.pk]


def test_the_queue_costs_the_same_queries_for_few_and_many_claims(client, year_world):
    w = year_world
    client.force_login(w["office"])
    url = reverse("scoring:claims")
    new_claim(w["a"])
    client.get(url)
    with capture_queries() as small:
        client.get(url)
    for i in range(12):
        claim = new_claim(w["abc"[i % 3]], title=f"表彰{i}")
        if i % 2:
            claims.approve_claim(claim, actor=w["office"])
    with capture_queries() as large:
        client.get(url)
    assert_same_query_count(small, large)


def test_the_office_records_a_claim_for_a_member_found_by_name(client, year_world):
    w = year_world
    client.force_login(w["office"])
    # the picker's radio button is the member: no hidden field of the same name overrides it
    assert 'name="member"' not in body(client.get(reverse("scoring:claim_for_member")))
    found = client.get(reverse("scoring:claim_member_search"), {"q": "丙"})
    assert f'value="{w["c"].pk}"' in body(found) and f'value="{w["a"].pk}"' not in body(found)
    response = client.post(reverse("scoring:claim_for_member"), form_data(member=w["c"].pk))
    claim = DutyClaim.objects.get()
    assert response.status_code == 302
    assert claim.member == w["c"] and claim.submitted_by == w["office"]


def test_the_member_search_finds_nobody_by_id_number_or_of_another_committee(
    client, year_world, other_committee
):
    w = year_world
    MemberFactory(committee=other_committee, name="丙委员外")
    client.force_login(w["office"])
    text = body(client.get(reverse("scoring:claim_member_search"), {"q": "丙委员"}))
    assert "丙委员外" not in text
    text = body(client.get(reverse("scoring:claim_member_search"), {"q": "110101199003071234"}))
    assert "does not look for ID" in text


def test_the_office_cannot_record_a_claim_for_another_committees_member(client, year_world, strangers):
    stranger = MemberFactory(committee=strangers["office"].committee)
    client.force_login(year_world["office"])
    response = client.post(reverse("scoring:claim_for_member"), form_data(member=stranger.pk))
    assert response.status_code == 400
    assert not DutyClaim.objects.exists()


def test_the_home_card_counts_the_waiting_for_the_office_only(year_world):
    w = year_world
    new_claim(w["c"])
    claims.approve_claim(new_claim(w["a"]), actor=w["office"])
    assert home_cards.claims_waiting(w["office"]) == {"waiting": 1}
    assert home_cards.claims_waiting(w["c"].user) is None
    assert home_cards.claims_waiting(w["leader"]) is None


def test_the_home_card_links_to_the_waiting_claims(year_world):
    from django.template.loader import render_to_string

    html = render_to_string("scoring/_home_claims.html", {"card": {"waiting": 3}})
    assert f'href="{reverse("scoring:claims")}?status=submitted"' in html
    assert 'data-card-count="claims">3<' in html and "3 claims awaiting approval" in html.replace(
        '<span class="fs-5" data-card-count="claims">3</span>', "3"
    )


def test_hostile_values_are_refused_not_500s(client, year_world):
    w = year_world
    claim = new_claim(w["c"])
    client.force_login(w["office"])
    response = client.post(
        reverse("scoring:claim_approve", args=[claim.pk]),
        {"version": claim.version, "note": "a\x00b"},
        follow=True,
    )
    assert response.status_code == 200 and not has_record(claim)
    response = client.post(
        reverse("scoring:claim_reject", args=[claim.pk]), {"version": "x", "reason": "a\x00b"}
    )
    assert response.status_code == 400
    response = client.post(reverse("scoring:claim_for_member"), form_data(member=str(10**30), title="a\x00b"))
    assert response.status_code == 400
    response = client.get(reverse("scoring:claims"), {"year": str(10**30), "status": "\x00", "page": "-1"})
    assert response.status_code == 200
    response = client.get(reverse("scoring:claim_member_search"), {"q": "\x00"})
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.SUBMITTED and DutyClaim.objects.count() == 1
