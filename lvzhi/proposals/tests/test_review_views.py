"""The work page and the review and assignment sections of the proposal page: who sees what, the
buttons' posts, bad input as messages, the query count of the list."""

import pytest
from django.urls import reverse

from lvzhi.core.testing import assert_same_query_count, body, capture_queries
from lvzhi.proposals.models import Proposal, ProposalCategory, RejectionReason

from .fixtures import *  # noqa: F403

Status = Proposal.Status
pytestmark = pytest.mark.usefixtures("english")


def _login(client, user):
    client.force_login(user)
    return client


def test_the_work_page_counts_every_tab(client, office, make_proposal, department):
    make_proposal()
    make_proposal()
    make_proposal(Status.ACCEPTED)
    overdue = make_proposal(Status.HANDLING, lead=department)
    Proposal.objects.filter(pk=overdue.pk).update(deadline="2020-01-01")
    make_proposal(Status.REPLIED)
    text = body(_login(client, office).get(reverse("proposals:work")))
    for tab, count in {
        "review": 2,
        "cosigning": 0,
        "assign": 1,
        "handling": 1,
        "overdue": 1,
        "closing": 1,
    }.items():
        assert f'data-tab="{tab}">{count}<' in text, tab
    assert "table-danger" not in text  # the review tab lists the submitted ones
    overdue_tab = body(client.get(reverse("proposals:work"), {"tab": "overdue"}))
    assert "table-danger" in overdue_tab and "县交通运输局" in overdue_tab


def test_the_work_page_filters_by_category_and_survives_garbage(client, office, make_proposal, committee):
    economy, politics = ProposalCategory.objects.filter(committee=committee)[:2]
    make_proposal(category=economy, title="经济类提案")
    make_proposal(category=politics, title="政治类提案")
    _login(client, office)
    text = body(client.get(reverse("proposals:work"), {"category": economy.pk}))
    assert "经济类提案" in text and "政治类提案" not in text and 'data-tab="review">1<' in text
    for junk in ({"tab": "nope"}, {"session": "99999999999999999999"}, {"category": "x"}, {"page": "zz"}):
        assert client.get(reverse("proposals:work"), junk).status_code == 200


def test_the_work_page_costs_the_same_queries_for_more_rows(
    client, office, make_proposal, cosigner, department
):
    _login(client, office)
    for tab in ("review", "handling"):
        make_proposal(co_signers=[cosigner])
        make_proposal(Status.HANDLING, lead=department if tab == "review" else None)
        client.get(reverse("proposals:work"), {"tab": tab})
        with capture_queries() as small:
            client.get(reverse("proposals:work"), {"tab": tab})
        for _ in range(6):
            make_proposal(co_signers=[cosigner])
            make_proposal(Status.HANDLING)
        with capture_queries() as large:
            client.get(reverse("proposals:work"), {"tab": tab})
        assert_same_query_count(small, large)


def test_members_and_units_may_not_open_the_work_page(client, proposer, unit_user, leader):
    assert _login(client, proposer.user).get(reverse("proposals:work")).status_code == 403
    assert _login(client, unit_user).get(reverse("proposals:work")).status_code == 403
    assert _login(client, leader).get(reverse("proposals:work")).status_code == 200


def test_staff_accept_from_the_proposal_page(client, office, make_proposal, committee):
    proposal = make_proposal()
    _login(client, office)
    page = body(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert 'id="accept-form"' in page and 'id="reject-form"' in page and 'id="convert-form"' in page
    category = ProposalCategory.objects.filter(committee=committee).last()
    response = client.post(
        reverse("proposals:accept", args=[proposal.pk]),
        {"category": category.pk, "version": proposal.version},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.ACCEPTED and proposal.serial == 1 and proposal.category == category
    page = body(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert 'id="assign-form"' in page and 'id="key-form"' in page and 'id="accept-form"' not in page


def test_a_stale_page_and_bad_input_are_messages_not_errors(client, office, make_proposal, committee):
    proposal = make_proposal()
    _login(client, office)
    category = ProposalCategory.objects.filter(committee=committee).first()
    stale = client.post(
        reverse("proposals:accept", args=[proposal.pk]), {"category": category.pk, "version": 0}, follow=True
    )
    assert "Someone else saved this" in body(stale)
    reason = RejectionReason.objects.filter(committee=committee).first()
    for data in (
        {"reason": reason.pk, "note": "x\x00y"},
        {"reason": reason.pk, "note": "长" * 2001},
        {"reason": "9" * 30},
    ):
        response = client.post(reverse("proposals:reject", args=[proposal.pk]), data)
        assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).status == Status.SUBMITTED
    response = client.post(
        reverse("proposals:supervise", args=[proposal.pk]), {"date": "0001-01-01", "note": "x"}
    )
    assert response.status_code == 302
    assert client.get(reverse("proposals:accept", args=[proposal.pk])).status_code == 405


def test_merge_and_convert_through_the_page(client, office, make_proposal, other_member, department):
    main, other = make_proposal(), make_proposal(author=other_member, title="关于公交站台的提案")
    _login(client, office)
    page = body(client.get(reverse("proposals:detail", args=[main.pk])))
    assert "关于公交站台的提案（王志强）" in page
    client.post(
        reverse("proposals:merge", args=[main.pk]), {"proposals": [other.pk], "category": main.category_id}
    )
    assert Proposal.objects.get(pk=other.pk).merged_into_id == main.pk
    letter = make_proposal()
    client.post(reverse("proposals:convert", args=[letter.pk]), {"to": "letter", "version": letter.version})
    assert Proposal.objects.get(pk=letter.pk).status == Status.SUBMITTED  # no department: a form error
    client.post(
        reverse("proposals:convert", args=[letter.pk]),
        {"to": "letter", "department": department.pk, "version": letter.version},
    )
    assert Proposal.objects.get(pk=letter.pk).letter_department == department


def test_the_proposer_sees_the_outcome_but_no_review_forms(
    client, proposer, office, make_proposal, committee
):
    from lvzhi.proposals.services import review

    proposal = make_proposal()
    _login(client, proposer.user)
    page = body(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert 'id="proposal-review"' not in page
    reason = RejectionReason.objects.filter(committee=committee).first()
    assert (
        client.post(reverse("proposals:reject", args=[proposal.pk]), {"reason": reason.pk}).status_code == 403
    )
    review.reject(proposal, actor=office, reason=reason, note="请向有关部门反映")
    page = body(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert reason.text in page and "请向有关部门反映" in page


def test_another_committees_staff_and_units_get_404(
    client, foreign_office, other_unit_user, make_proposal, committee
):
    proposal = make_proposal()
    category = ProposalCategory.objects.filter(committee=committee).first()
    for user in (foreign_office, other_unit_user):
        _login(client, user)
        assert client.get(reverse("proposals:detail", args=[proposal.pk])).status_code == 404
        response = client.post(reverse("proposals:accept", args=[proposal.pk]), {"category": category.pk})
        assert response.status_code == 404
    assert Proposal.objects.get(pk=proposal.pk).status == Status.SUBMITTED


def test_the_staff_home_card(office, proposer, make_proposal):
    from lvzhi.proposals.home_cards import staff_queue

    make_proposal()
    make_proposal(Status.ACCEPTED)
    assert staff_queue(office) == {"review": 1, "assign": 1, "returns": 0, "overdue": 0}
    assert staff_queue(proposer.user) is None


def test_the_work_page_leads_to_the_units_and_for_staff_to_the_settings(client, office, leader):
    staff_page = body(_login(client, office).get(reverse("proposals:work")))
    assert f'href="{reverse("proposals:unit")}"' in staff_page
    assert f'href="{reverse("proposals:settings")}"' in staff_page
    assert f'href="{reverse("proposals:paper_new")}"' in staff_page
    leader_page = body(_login(client, leader).get(reverse("proposals:work")))
    assert f'href="{reverse("proposals:unit")}"' in leader_page
    assert f'href="{reverse("proposals:settings")}"' not in leader_page
    assert client.get(reverse("proposals:unit")).status_code == 200
