"""Filing pages: my proposals (with invitations on top), the write page (GET/POST, errors kept with
the text), submitting, the co-signer's answer, attachments, the member search, a draft from a
suggestion, the proposal page's filing section, the home card; 404 outside one's scope; query counts."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lvzhi.activities.models import Activity
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, body, capture_queries
from lvzhi.opinions.models import Suggestion
from lvzhi.proposals.models import Proposal, ProposalAttachment, ProposalAuthor, ProposalPolicy
from lvzhi.proposals.services import filing

from .fixtures import *  # noqa: F403

Status = Proposal.Status
pytestmark = pytest.mark.usefixtures("english")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _login(client, user):
    client.force_login(user)
    return client


def _post_data(session, **extra):
    return {
        "session": session.pk,
        "timing": "during",
        "title": "关于改善县城公交线路的提案",
        "case": "县城公交线路少。",
        "analysis": "新建小区没有公交。",
        "suggestions": "增开线路。",
        "kind": "individual",
        **extra,
    }


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def joint(proposer, cosigner, session):
    proposal = filing.create_draft(
        actor=proposer.user,
        session=session,
        title="关于加强农村饮水安全的提案",
        case="部分村饮水不安全。",
        suggestions="建设集中供水工程。",
        co_signers=[cosigner],
    )
    return filing.submit(proposal, actor=proposer.user)


# --- the write page ----------------------------------------------------------------------------------


def test_the_new_page_defaults_to_the_latest_session_of_the_current_term(client, proposer, session, term):
    from lvzhi.organization.models import Session

    Session.objects.create(term=term, number=1, name="第一次会议", start_date=datetime.date(2025, 1, 8))
    _login(client, proposer.user)
    page = client.get(reverse("proposals:new"))
    assert page.status_code == 200
    assert page.context["form"].initial["session"] == session.pk
    text = body(page)
    assert 'data-count-for="proposal-body"' in text and 'data-limit="3000"' in text
    assert 'id="co-signer-search"' in text and "<script>" not in text.split("</footer>")[0]


def test_a_member_saves_a_draft_then_submits_it(client, proposer, cosigner, session, office):
    _login(client, proposer.user)
    saved = client.post(reverse("proposals:new"), _post_data(session, co_signers=[cosigner.pk]), follow=True)
    proposal = Proposal.objects.get()
    assert saved.redirect_chain[-1][0] == reverse("proposals:edit", args=[proposal.pk])
    assert "Draft saved." in _messages(saved)
    assert proposal.kind == Proposal.Kind.JOINT
    edit_page = client.get(reverse("proposals:edit", args=[proposal.pk]))
    assert f'value="{cosigner.pk}"' in body(edit_page) and "李秀英" in body(edit_page)
    done = client.post(
        reverse("proposals:edit", args=[proposal.pk]),
        _post_data(session, co_signers=[cosigner.pk], version=proposal.version, submit_now="1"),
        follow=True,
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    assert done.redirect_chain[-1][0] == reverse("proposals:detail", args=[proposal.pk])
    assert any("co-signers confirm by" in m for m in _messages(done))


def test_refused_input_keeps_the_text_and_names_the_limit(client, proposer, session, committee):
    ProposalPolicy.objects.create(committee=committee, body_limit=20)
    _login(client, proposer.user)
    page = client.post(reverse("proposals:new"), _post_data(session, analysis="很长的分析" * 5))
    assert page.status_code == 200 and not Proposal.objects.exists()
    text = body(page)
    assert "很长的分析很长的分析" in text
    assert "more than the limit of 20" in text and "38 characters" in text


def test_nul_characters_and_overlong_titles_are_form_errors(client, proposer, session):
    _login(client, proposer.user)
    page = client.post(reverse("proposals:new"), _post_data(session, case="坏\x00字", title="长" * 201))
    assert page.status_code == 200 and not Proposal.objects.exists()
    assert page.context["form"].errors.keys() >= {"case", "title"}


def test_ids_no_column_holds_are_unknown_choices(client, proposer, session):
    _login(client, proposer.user)
    page = client.post(reverse("proposals:new"), _post_data(session, co_signers=["99999999999999999999"]))
    assert page.status_code == 200 and "co_signers" in page.context["form"].errors


def test_who_may_not_file_gets_403(client, office, unit_user):
    for user in (office, unit_user):
        _login(client, user)
        assert client.get(reverse("proposals:new")).status_code == 403


def test_a_co_signer_cannot_open_the_edit_page_or_submit(client, proposer, cosigner, session):
    proposal = filing.create_draft(actor=proposer.user, session=session, title="草稿", co_signers=[cosigner])
    _login(client, cosigner.user)
    assert client.get(reverse("proposals:edit", args=[proposal.pk])).status_code == 403
    assert client.post(reverse("proposals:edit", args=[proposal.pk]), _post_data(session)).status_code == 403
    assert (
        client.post(
            reverse("proposals:submit", args=[proposal.pk]), {"version": proposal.version}
        ).status_code
        == 403
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.DRAFT and proposal.title == "草稿"


def test_another_member_and_another_committee_get_404(
    client, proposer, other_member, foreign_office, session
):
    proposal = filing.create_draft(actor=proposer.user, session=session, title="草稿")
    for outsider in (other_member.user, foreign_office):
        _login(client, outsider)
        assert client.get(reverse("proposals:edit", args=[proposal.pk])).status_code == 404
        assert client.get(reverse("proposals:detail", args=[proposal.pk])).status_code == 404
        assert client.post(reverse("proposals:submit", args=[proposal.pk])).status_code == 404
        assert (
            client.post(reverse("proposals:cosign", args=[proposal.pk]), {"answer": "confirm"}).status_code
            == 404
        )


def test_a_submitted_proposal_sends_the_edit_page_to_the_proposal(client, proposer, session):
    proposal = filing.submit(
        filing.create_draft(
            actor=proposer.user, session=session, title="标题", case="案由", suggestions="建议"
        ),
        actor=proposer.user,
    )
    _login(client, proposer.user)
    response = client.get(reverse("proposals:edit", args=[proposal.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("proposals:detail", args=[proposal.pk])
    assert "A submitted proposal cannot be changed." in _messages(response)


def test_submitting_with_a_stale_version_or_missing_parts_is_a_message(client, proposer, session):
    proposal = filing.create_draft(actor=proposer.user, session=session, title="标题")
    _login(client, proposer.user)
    stale = client.post(reverse("proposals:submit", args=[proposal.pk]), {"version": 99}, follow=True)
    assert any("Someone else saved" in m for m in _messages(stale))
    missing = client.post(
        reverse("proposals:submit", args=[proposal.pk]), {"version": proposal.version}, follow=True
    )
    assert missing.redirect_chain[-1][0] == reverse("proposals:edit", args=[proposal.pk])
    assert any("Case:" in m for m in _messages(missing))
    proposal.refresh_from_db()
    assert proposal.status == Status.DRAFT


def test_get_is_refused_on_post_only_urls(client, proposer, session):
    proposal = filing.create_draft(actor=proposer.user, session=session, title="标题")
    _login(client, proposer.user)
    for name in ("submit", "cosign", "attachment_add"):
        assert client.get(reverse(f"proposals:{name}", args=[proposal.pk])).status_code == 405


# --- co-signing --------------------------------------------------------------------------------------


def test_my_proposals_show_invitations_on_top_and_the_co_signer_confirms(client, joint, cosigner, proposer):
    _login(client, cosigner.user)
    page = body(client.get(reverse("proposals:mine")))
    assert 'id="cosign-invitations"' in page and f'id="cosign-confirm-{joint.pk}"' in page
    assert page.index("cosign-invitations") < page.index("my-proposals")
    response = client.post(
        reverse("proposals:cosign", args=[joint.pk]), {"answer": "confirm", "next": "mine"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("proposals:mine")
    assert "You co-sign this proposal now." in _messages(response)
    assert joint.authors.get(member=cosigner).consent == "confirmed"
    assert 'id="cosign-invitations"' not in body(response)


def test_the_co_signer_declines_on_the_proposal_page(client, joint, cosigner):
    _login(client, cosigner.user)
    page = body(client.get(reverse("proposals:detail", args=[joint.pk])))
    assert 'id="cosign-confirm"' in page and 'id="cosign-decline"' in page
    response = client.post(reverse("proposals:cosign", args=[joint.pk]), {"answer": "decline"}, follow=True)
    assert "You declined to co-sign this proposal." in _messages(response)
    assert 'id="cosign-confirm"' not in body(response)
    assert joint.authors.get(member=cosigner).consent == "declined"


def test_an_answer_after_the_deadline_is_a_message(client, joint, cosigner):
    Proposal.objects.filter(pk=joint.pk).update(cosign_deadline=timezone.now() - datetime.timedelta(hours=1))
    _login(client, cosigner.user)
    assert 'id="cosign-confirm"' not in body(client.get(reverse("proposals:detail", args=[joint.pk])))
    response = client.post(reverse("proposals:cosign", args=[joint.pk]), {"answer": "confirm"}, follow=True)
    assert any("ended" in m for m in _messages(response))
    bad = client.post(reverse("proposals:cosign", args=[joint.pk]), {"answer": "maybe"}, follow=True)
    assert "Choose to confirm or to decline." in _messages(bad)


def test_someone_not_invited_gets_403_on_cosign(client, joint, proposer):
    _login(client, proposer.user)
    assert client.post(reverse("proposals:cosign", args=[joint.pk]), {"answer": "confirm"}).status_code == 403


def test_the_detail_section_shows_proposers_and_their_state(client, joint, proposer, office):
    _login(client, proposer.user)
    page = body(client.get(reverse("proposals:detail", args=[joint.pk])))
    assert 'id="proposal-proposers"' in page and "李秀英" in page and "Invited" in page
    assert 'id="cosign-deadline"' in page and 'id="edit-proposal"' not in page
    _login(client, office)
    assert "李秀英" in body(client.get(reverse("proposals:detail", args=[joint.pk])))


def test_the_first_proposer_sees_edit_and_submit_on_the_draft(client, proposer, session):
    proposal = filing.create_draft(actor=proposer.user, session=session, title="标题")
    _login(client, proposer.user)
    page = body(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert 'id="edit-proposal"' in page and 'id="submit-proposal"' in page
    assert 'id="proposal-attachment-form"' in page


# --- my proposals ------------------------------------------------------------------------------------


def test_my_proposals_list_what_i_wrote_or_co_signed_with_status(
    client, joint, proposer, make_proposal, other_member
):
    mine = make_proposal(Status.ACCEPTED)
    someone_elses = make_proposal(Status.SUBMITTED, author=other_member)
    _login(client, proposer.user)
    page = body(client.get(reverse("proposals:mine")))
    assert f'id="my-proposal-{joint.pk}"' in page and f'id="my-proposal-{mine.pk}"' in page
    assert f'id="my-proposal-{someone_elses.pk}"' not in page
    assert "Accepted" in page and 'id="new-proposal"' in page


def test_my_proposals_cost_the_same_queries_for_more_rows(
    client, proposer, cosigner, cosigner2, make_proposal
):
    _login(client, proposer.user)
    make_proposal(Status.SUBMITTED, co_signers=[cosigner])
    make_proposal(
        Status.SUBMITTED,
        author=cosigner,
        co_signers=[proposer],
        consent=ProposalAuthor.Consent.PENDING,
        cosign_deadline=timezone.now() + datetime.timedelta(days=3),
    )
    client.get(reverse("proposals:mine"))
    with capture_queries() as small:
        client.get(reverse("proposals:mine"))
    for _ in range(6):
        make_proposal(Status.ACCEPTED, co_signers=[cosigner, cosigner2])
        make_proposal(
            Status.SUBMITTED,
            author=cosigner2,
            co_signers=[proposer],
            consent=ProposalAuthor.Consent.PENDING,
            cosign_deadline=timezone.now() + datetime.timedelta(days=3),
        )
    with capture_queries() as large:
        response = client.get(reverse("proposals:mine"))
    assert len(response.context["invitations"]) == 7
    assert_same_query_count(small, large)


# --- the home card -----------------------------------------------------------------------------------


def test_the_home_card_shows_invitations_and_replies_to_evaluate(
    client, joint, cosigner, proposer, make_proposal
):
    from lvzhi.proposals import home_cards

    assert home_cards.mine(proposer.user) is None
    card = home_cards.mine(cosigner.user)
    assert [i.proposal for i in card["invitations"]] == [joint] and card["replies"] == []
    replied = make_proposal(Status.REPLIED)
    card = home_cards.mine(proposer.user)
    assert card["replies"] == [replied] and card["invitations"] == []
    _login(client, cosigner.user)
    text = body(client.get(reverse("home:index")))
    assert 'id="home-cosign-invitations"' in text and joint.title in text


# --- attachments -------------------------------------------------------------------------------------


def test_attachments_are_added_served_audited_and_scoped(
    client, proposer, cosigner, other_member, office, session, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    proposal = filing.create_draft(actor=proposer.user, session=session, title="标题", co_signers=[cosigner])
    _login(client, proposer.user)
    upload = SimpleUploadedFile("调研.pdf", PDF, content_type="application/pdf")
    added = client.post(
        reverse("proposals:attachment_add", args=[proposal.pk]), {"file": upload, "next": "edit"}, follow=True
    )
    assert added.redirect_chain[-1][0] == reverse("proposals:edit", args=[proposal.pk])
    attachment = ProposalAttachment.objects.get()
    url = reverse("proposals:attachment", args=[proposal.pk, attachment.pk])
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(event="proposals.attachment_downloaded", actor=proposer.user).exists()
    # The invited co-signer reads it but cannot change the files.
    _login(client, cosigner.user)
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf")
    assert (
        client.post(reverse("proposals:attachment_add", args=[proposal.pk]), {"file": upload}).status_code
        == 403
    )
    delete = reverse("proposals:attachment_delete", args=[proposal.pk, attachment.pk])
    assert client.post(delete).status_code == 403
    for outsider in (other_member.user, office):  # a draft is its proposers' own
        _login(client, outsider)
        assert client.get(url).status_code == 404
        assert client.post(delete).status_code == 404
    _login(client, proposer.user)
    assert (
        client.get(reverse("proposals:attachment", args=[proposal.pk, attachment.pk + 1])).status_code == 404
    )
    bad = client.post(
        reverse("proposals:attachment_add", args=[proposal.pk]),
        {"file": SimpleUploadedFile("a.exe", b"MZ\x90\x00binary")},
        follow=True,
    )
    assert any("File" in m for m in _messages(bad)) and ProposalAttachment.objects.count() == 1
    removed = client.post(delete, follow=True)
    assert "File removed." in _messages(removed) and not ProposalAttachment.objects.exists()


# --- the member search -------------------------------------------------------------------------------


def test_the_member_search_finds_members_of_the_committee_only(client, proposer, cosigner, other_committee):
    from lvzhi.factories import MemberFactory

    MemberFactory(committee=other_committee, name="李秀兰")
    _login(client, proposer.user)
    text = body(client.get(reverse("proposals:member_search"), {"q": "李秀", "field": "co_signers"}))
    assert f'data-member-pick="{cosigner.pk}"' in text and "李秀兰" not in text
    numbers = body(client.get(reverse("proposals:member_search"), {"q": "13800138000"}))
    assert "does not look for ID or phone numbers" in numbers
    mine = body(client.get(reverse("proposals:member_search"), {"q": "张建"}))
    assert f'data-member-pick="{proposer.pk}"' not in mine


def test_the_member_search_is_for_who_files(client, office):
    _login(client, office)
    assert client.get(reverse("proposals:member_search"), {"q": "李"}).status_code == 403


# --- from a suggestion -------------------------------------------------------------------------------


@pytest.fixture
def suggestion(committee, proposer):
    activity = Activity.objects.create(
        committee=committee,
        title="城区交通视察",
        kind=Activity.Kind.INSPECTION,
        status=Activity.Status.CLOSED,
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=3, hours=-3),
    )
    return Suggestion.objects.create(
        committee=committee, activity=activity, member=proposer, findings="路口拥堵。", text="增设信号灯。"
    )


def test_a_member_makes_a_draft_from_their_suggestion_once(client, suggestion, proposer, session):
    _login(client, proposer.user)
    url = reverse("proposals:from_suggestion", args=[suggestion.pk])
    assert client.get(url).status_code == 405
    first = client.post(url, follow=True)
    proposal = Proposal.objects.get()
    assert first.redirect_chain[-1][0] == reverse("proposals:edit", args=[proposal.pk])
    client.post(url)
    assert Proposal.objects.count() == 1


def test_others_get_404_for_a_suggestion(client, suggestion, other_member, foreign_office, session):
    for outsider in (other_member.user, foreign_office):
        _login(client, outsider)
        assert client.post(reverse("proposals:from_suggestion", args=[suggestion.pk])).status_code == 404
    assert not Proposal.objects.exists()


def test_without_a_session_the_page_says_so_and_saves_nothing(client, proposer, term):
    _login(client, proposer.user)
    assert 'id="no-session"' in body(client.get(reverse("proposals:new")))
    page = client.post(reverse("proposals:new"), {"title": "标题", "kind": "individual", "timing": "during"})
    assert page.status_code == 200 and "session" in page.context["form"].errors
    assert not Proposal.objects.exists()


def test_the_deadline_line_goes_once_everyone_answered(client, joint, proposer, cosigner):
    _login(client, cosigner.user)
    client.post(reverse("proposals:cosign", args=[joint.pk]), {"answer": "confirm"})
    _login(client, proposer.user)
    page = body(client.get(reverse("proposals:detail", args=[joint.pk])))
    assert "Confirmed" in page and 'id="cosign-deadline"' not in page
