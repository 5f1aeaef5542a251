"""The handling section of the proposal page and its steps (views.handling): who sees which form, what a
refused form shows, the reply document's download and its audit row."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import body
from lvzhi.proposals.models import Assignment, ContactRecord, Evaluation, Proposal, Reply
from lvzhi.proposals.services import handling as services

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("english")

Status = Proposal.Status
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case(make_proposal, department, co_department, cosigner):
    return make_proposal(Status.HANDLING, lead=department, co_units=[co_department], co_signers=[cosigner])


def _a(proposal, department):
    return Assignment.objects.get(proposal=proposal, department=department)


def _page(client, user, proposal):
    client.force_login(user)
    response = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert response.status_code == 200
    return body(response)


def _contact_data(**kw):
    data = {
        "contact-date": timezone.localdate().isoformat(),
        "contact-way": "phone",
        "contact-note": "电话沟通。",
    }
    data.update(kw)
    return data


def _reply_ready(case, department, co_department, unit_user, co_unit_user):
    services.record_contact(
        _a(case, department), actor=unit_user, date=timezone.localdate(), way="phone", note="x"
    )
    services.give_views(_a(case, co_department), actor=co_unit_user, views="同意主办单位意见。")
    services.save_reply(
        case,
        actor=unit_user,
        result="B",
        text="列入计划。",
        uploaded_file=SimpleUploadedFile("答复函.pdf", PDF, content_type="application/pdf"),
    )


# --- the section ------------------------------------------------------------------------------------


def test_the_lead_unit_sees_the_reply_form_with_what_is_missing(client, case, unit_user):
    page = _page(client, unit_user, case)
    assert 'id="reply-form"' in page and 'id="contact-form"' in page
    assert 'id="reply-blockers"' in page and "has not given its views yet" in page
    assert 'value="A"' in page and "A: solved or basically solved" in page
    assert 'id="reply-send"' in page and "data-confirm" in page
    assert 'id="views-form"' not in page  # the lead unit gives no views
    assert 'id="co-views"' in page  # but sees the co-units'


def test_a_co_unit_sees_its_views_form_but_not_the_reply_form(client, case, co_unit_user):
    page = _page(client, co_unit_user, case)
    assert 'id="views-form"' in page and 'id="contact-form"' in page
    assert 'id="reply-form"' not in page and 'id="paper-reply-form"' not in page


def test_a_co_unit_sees_only_its_own_views(
    client, make_proposal, department, co_department, co_unit_user, committee
):
    from lvzhi.factories import DepartmentFactory

    third = DepartmentFactory(committee=committee, name="县住建局")
    case = make_proposal(Status.HANDLING, lead=department, co_units=[co_department, third])
    Assignment.objects.filter(department=third).update(views="第三家的意见", views_given_at=timezone.now())
    Assignment.objects.filter(department=co_department).update(
        views="财政局意见", views_given_at=timezone.now()
    )
    page = _page(client, co_unit_user, case)
    assert "财政局意见" in page and "第三家的意见" not in page


def test_the_proposer_sees_neither_units_forms_nor_co_views(client, case, proposer, co_department):
    Assignment.objects.filter(department=co_department).update(
        views="内部意见", views_given_at=timezone.now()
    )
    page = _page(client, proposer.user, case)
    assert 'id="handling"' in page
    assert "内部意见" not in page
    for form in ("reply-form", "contact-form", "views-form", "paper-reply-form", "evaluation-form"):
        assert f'id="{form}"' not in page


def test_staff_see_the_paper_reply_form_and_co_views(client, case, office, co_department):
    Assignment.objects.filter(department=co_department).update(
        views="财政局意见", views_given_at=timezone.now()
    )
    page = _page(client, office, case)
    assert 'id="paper-reply-form"' in page and "财政局意见" in page
    assert 'id="reply-form"' not in page


def test_the_section_is_not_shown_before_assignment(client, make_proposal, proposer):
    page = _page(client, proposer.user, make_proposal(Status.ACCEPTED))
    assert 'id="handling"' not in page


# --- steps ------------------------------------------------------------------------------------------


def test_a_unit_records_a_contact(client, case, department, unit_user):
    client.force_login(unit_user)
    response = client.post(reverse("proposals:contact", args=[_a(case, department).pk]), _contact_data())
    assert response.status_code == 302 and response.url.endswith("#handling")
    assert ContactRecord.objects.get().note == "电话沟通。"


@pytest.mark.parametrize(
    "data",
    [
        {"contact-note": "x" * 2001},
        {"contact-note": "a\x00b"},
        {"contact-date": "9999-01-01"},
        {"contact-date": "2099-01-01"},
        {"contact-way": "carrier pigeon"},
    ],
)
def test_a_refused_contact_shows_the_form_again(client, case, department, unit_user, data):
    client.force_login(unit_user)
    response = client.post(
        reverse("proposals:contact", args=[_a(case, department).pk]), _contact_data(**data)
    )
    assert response.status_code == 400
    assert 'id="contact-form"' in body(response) and "invalid-feedback" in body(response)
    assert not ContactRecord.objects.exists()


def test_another_units_assignment_is_404(client, case, department, other_unit_user, co_unit_user):
    client.force_login(other_unit_user)
    assert (
        client.post(reverse("proposals:contact", args=[_a(case, department).pk]), _contact_data()).status_code
        == 404
    )
    assert (
        client.post(
            reverse("proposals:views", args=[_a(case, department).pk]), {"views-views": "x"}
        ).status_code
        == 404
    )
    assert client.post(reverse("proposals:reply", args=[case.pk]), {"reply-text": "x"}).status_code == 404
    client.force_login(co_unit_user)
    # The co-unit sees the proposal but the lead unit's assignment is not its own.
    assert (
        client.post(reverse("proposals:contact", args=[_a(case, department).pk]), _contact_data()).status_code
        == 404
    )


def test_the_views_form(client, case, co_department, co_unit_user, unit_user):
    client.force_login(co_unit_user)
    url = reverse("proposals:views", args=[_a(case, co_department).pk])
    assert client.post(url, {"views-views": ""}).status_code == 400
    assert client.post(url, {"views-views": "y" * 5001}).status_code == 400
    assert client.post(url, {"views-views": "建议分步实施。"}).status_code == 302
    assert _a(case, co_department).views == "建议分步实施。"


def test_the_lead_unit_saves_a_draft_with_a_document_and_sends_it(
    client, case, department, co_department, unit_user, co_unit_user, proposer
):
    services.record_contact(
        _a(case, department), actor=unit_user, date=timezone.localdate(), way="phone", note="x"
    )
    services.give_views(_a(case, co_department), actor=co_unit_user, views="同意。")
    client.force_login(unit_user)
    document = SimpleUploadedFile("答复函.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("proposals:reply", args=[case.pk]),
        {"reply-result": "B", "reply-text": "列入明年计划。", "reply-document": document},
    )
    assert response.status_code == 302
    reply = Reply.objects.get()
    assert (reply.result, reply.original_name, reply.sent_at) == ("B", "答复函.pdf", None)
    page = _page(client, unit_user, case)
    assert 'id="draft-document"' in page and 'id="reply-blockers"' not in page
    response = client.post(reverse("proposals:send_reply", args=[case.pk]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REPLIED
    page = _page(client, proposer.user, case)
    assert 'id="reply-1"' in page and 'id="reply-1-document"' in page and 'id="evaluation-form"' in page


def test_a_refused_send_is_a_message_not_a_500(client, case, unit_user):
    client.force_login(unit_user)
    response = client.post(reverse("proposals:send_reply", args=[case.pk]), follow=True)
    assert response.status_code == 200
    assert "Record at least one contact" in body(response)
    case.refresh_from_db()
    assert case.status == Status.HANDLING


def test_a_refused_draft_keeps_the_text(client, case, unit_user):
    client.force_login(unit_user)
    bad = SimpleUploadedFile("答复.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(
        reverse("proposals:reply", args=[case.pk]),
        {"reply-result": "B", "reply-text": "很长的答复正文", "reply-document": bad},
    )
    assert response.status_code == 400
    assert "很长的答复正文" in body(response)
    assert not Reply.objects.exists()


def test_a_co_unit_cannot_send_the_reply(client, case, co_unit_user):
    client.force_login(co_unit_user)
    assert client.post(reverse("proposals:send_reply", args=[case.pk])).status_code == 403
    assert client.post(reverse("proposals:reply", args=[case.pk]), {"reply-result": "A"}).status_code == 403


def test_staff_record_a_paper_reply(client, case, office):
    client.force_login(office)
    url = reverse("proposals:paper_reply", args=[case.pk])
    response = client.post(url, {"paper-replied_on": timezone.localdate().isoformat(), "paper-result": "C"})
    assert response.status_code == 400 and "Write the reply or upload" in body(response)
    response = client.post(
        url,
        {"paper-replied_on": timezone.localdate().isoformat(), "paper-result": "C", "paper-text": "纸质答复"},
    )
    assert response.status_code == 302
    reply = Reply.objects.get()
    assert (reply.on_paper, reply.result) == (True, "C")


@pytest.fixture
def replied(case, department, co_department, unit_user, co_unit_user):
    _reply_ready(case, department, co_department, unit_user, co_unit_user)
    return services.send_reply(case, actor=unit_user)


def test_the_first_proposer_evaluates_and_a_co_signer_cannot(client, replied, proposer, cosigner):
    assert 'id="evaluation-form"' not in _page(client, cosigner.user, replied)
    response = client.post(
        reverse("proposals:evaluate", args=[replied.pk]), {"evaluation-rating": "satisfied"}
    )
    assert response.status_code == 403
    client.force_login(proposer.user)
    url = reverse("proposals:evaluate", args=[replied.pk])
    response = client.post(url, {"evaluation-rating": "unsatisfied", "evaluation-comments": ""})
    assert response.status_code == 400 and "Say why you are not satisfied" in body(response)
    response = client.post(url, {"evaluation-rating": "basic", "evaluation-comments": "基本满意。"})
    assert response.status_code == 302
    assert Evaluation.objects.get().rating == "basic"
    replied.refresh_from_db()
    assert replied.status == Status.EVALUATED
    page = _page(client, proposer.user, replied)
    assert 'id="evaluation-1"' in page and 'id="evaluation-form"' not in page


def test_not_satisfied_through_the_page_starts_round_two(client, replied, proposer, unit_user):
    client.force_login(proposer.user)
    response = client.post(
        reverse("proposals:evaluate", args=[replied.pk]),
        {"evaluation-rating": "unsatisfied", "evaluation-comments": "没有落实。"},
    )
    assert response.status_code == 302
    page = _page(client, unit_user, replied)
    assert 'id="handling-round"' in page and 'id="reply-form"' in page and 'id="reply-1"' in page


# --- the reply document -----------------------------------------------------------------------------


def test_the_reply_document_for_staff_proposers_and_units(
    client, replied, office, proposer, cosigner, unit_user, co_unit_user, other_unit_user, foreign_office
):
    reply = Reply.objects.get()
    url = reverse("proposals:reply_document", args=[replied.pk, reply.pk])
    for user in (office, proposer.user, cosigner.user, unit_user, co_unit_user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(event="proposals.reply_document_downloaded").count() == 5
    for user in (other_unit_user, foreign_office):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(office)
    assert (
        client.get(reverse("proposals:reply_document", args=[replied.pk, reply.pk + 99])).status_code == 404
    )


def test_a_draft_document_only_for_its_unit(client, case, unit_user, office, proposer, co_unit_user):
    services.save_reply(
        case,
        actor=unit_user,
        result="",
        text="",
        uploaded_file=SimpleUploadedFile("草稿.pdf", PDF, content_type="application/pdf"),
    )
    url = reverse("proposals:reply_document", args=[case.pk, Reply.objects.get().pk])
    for user in (office, proposer.user, co_unit_user):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(unit_user)
    assert client.get(url).status_code == 200


def test_another_proposal_in_the_url_is_404(client, replied, make_proposal, office):
    other = make_proposal(Status.HANDLING)
    reply = Reply.objects.get()
    client.force_login(office)
    assert client.get(reverse("proposals:reply_document", args=[other.pk, reply.pk])).status_code == 404


def test_get_is_refused_on_the_steps(client, case, office):
    client.force_login(office)
    for name in ("reply", "send_reply", "paper_reply", "evaluate"):
        assert client.get(reverse(f"proposals:{name}", args=[case.pk])).status_code == 405
