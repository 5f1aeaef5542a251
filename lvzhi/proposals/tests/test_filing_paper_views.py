"""The paper proposal page (proposals:paper_new) and its member search (proposals:paper_member_search):
proposal staff only, the button on the work page, GET and POST, what was typed kept with the errors
(a NUL character or over-long text is a form error, never a 500), another committee's member refused."""

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.testing import body
from lvzhi.factories import MemberFactory
from lvzhi.proposals.forms_filing import TEXT_MAX
from lvzhi.proposals.models import Proposal, ProposalAuthor, ProposalPolicy

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("english")

Status = Proposal.Status
URL = reverse("proposals:paper_new")
SEARCH = reverse("proposals:paper_member_search")


@pytest.fixture
def paper_member(committee):
    return MemberFactory(committee=committee, name="赵纸稿")


@pytest.fixture
def paper_cosigner(committee):
    return MemberFactory(committee=committee, name="钱联名")


def _data(session, lead, **extra):
    return {
        "lead_member": lead.pk if lead else "",
        "session": session.pk,
        "timing": "during",
        "title": "关于修复村道的提案",
        "case": "村道破损严重。",
        "analysis": "养护资金不足。",
        "suggestions": "列入年度养护计划。",
        "kind": "individual",
        **extra,
    }


def test_the_work_page_offers_the_paper_page_to_proposal_staff_only(client, office, leader):
    client.force_login(office)
    page = body(client.get(reverse("proposals:work")))
    assert 'id="paper-new"' in page and URL in page
    client.force_login(leader)
    assert 'id="paper-new"' not in body(client.get(reverse("proposals:work")))


def test_the_page_says_the_typist_does_not_review_it(client, office, session):
    client.force_login(office)
    response = client.get(URL)
    page = body(response)
    assert response.status_code == 200
    assert 'id="paper-proposal-form"' in page and 'id="lead-member-search"' in page
    assert "You typed it, so you cannot review, assign or close it" in page
    assert f'<option value="{session.pk}" selected' in page


@pytest.mark.parametrize("role", [Role.MEMBER, Role.UNIT_STAFF, Role.LEADER, Role.HANDLING_UNIT])
def test_members_units_and_leaders_are_refused(client, make_user, role, paper_member, session, department):
    user = make_user(role, department=department) if role == Role.HANDLING_UNIT else make_user(role)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _data(session, paper_member)).status_code == 403
    assert client.get(SEARCH, {"q": "赵", "field": "lead_member"}).status_code == 403
    assert not Proposal.objects.exists()


def test_the_office_types_in_a_joint_paper_proposal(client, office, paper_member, paper_cosigner, session):
    client.force_login(office)
    response = client.post(URL, _data(session, paper_member, co_signers=[paper_cosigner.pk]))
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "proposals:detail", args=[proposal.pk]
    )
    assert (proposal.status, proposal.kind, proposal.created_by) == (Status.SUBMITTED, "joint", office)
    assert proposal.authors.get(role="co").consent == ProposalAuthor.Consent.CONFIRMED
    page = body(client.get(response["Location"]))
    assert "赵纸稿" in page and "钱联名" in page


def test_a_second_post_of_the_same_page_files_nothing_twice(client, office, paper_member, session):
    client.force_login(office)
    data = _data(session, paper_member, submission_token="paper-token-1")
    client.post(URL, data)
    response = client.post(URL, data)
    assert response.status_code == 302 and Proposal.objects.count() == 1


def test_the_member_search_lists_radio_buttons_for_the_lead_and_pick_buttons_for_co_signers(
    client, office, paper_member, other_committee
):
    MemberFactory(committee=other_committee, name="赵邻县")
    client.force_login(office)
    lead = body(client.get(SEARCH, {"q": "赵", "field": "lead_member"}))
    assert f'name="lead_member" value="{paper_member.pk}"' in lead and "赵邻县" not in lead
    co = body(client.get(SEARCH, {"q": "赵", "field": "co_signers"}))
    assert f'data-member-pick="{paper_member.pk}"' in co and "赵邻县" not in co
    typed = body(client.get(SEARCH, {"q": "13800138000", "field": "lead_member"}))
    assert "does not look for ID or phone numbers" in typed
    # A garbled field or an over-long search is no error page.
    assert client.get(SEARCH, {"q": "赵" * 80, "field": "x\x00"}).status_code == 200


def test_without_a_member_the_page_asks_for_one_and_keeps_the_text(client, office, session):
    client.force_login(office)
    response = client.post(URL, _data(session, None, case="村道破损严重，需要修复。"))
    page = body(response)
    assert response.status_code == 200 and not Proposal.objects.exists()
    assert "Search for the member who handed the proposal in" in page
    assert "村道破损严重，需要修复。" in page


def test_another_committees_member_is_refused(client, office, other_committee, paper_member, session):
    stranger = MemberFactory(committee=other_committee, name="邻县委员")
    client.force_login(office)
    page = body(client.post(URL, _data(session, stranger)))
    assert "Choose the member from the search results of your committee." in page
    page = body(client.post(URL, _data(session, paper_member, co_signers=[stranger.pk])))
    assert "is not one of the available choices" in page
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "关于\x00的提案"),
        ("case", "村道\x00破损"),
        ("collective_name", "民盟\x00"),
        ("title", "长" * 201),
        ("case", "长" * (TEXT_MAX + 1)),
        ("lead_member", "9" * 30),
        ("session", "\x00"),
    ],
)
def test_nul_and_over_long_input_are_form_errors(client, office, paper_member, session, field, value):
    client.force_login(office)
    response = client.post(URL, {**_data(session, paper_member), field: value})
    assert response.status_code == 200
    assert 'class="invalid-feedback d-block"' in body(response)
    assert not Proposal.objects.exists()


def test_over_the_committees_limit_the_service_says_so_on_the_page(
    client, office, paper_member, committee, session
):
    ProposalPolicy.objects.create(committee=committee, body_limit=10)
    client.force_login(office)
    page = body(client.post(URL, _data(session, paper_member, case="字" * 11)))
    assert "more than the limit of 10" in page and "字" * 11 in page and "赵纸稿" in page
    assert not Proposal.objects.exists()
