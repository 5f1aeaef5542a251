"""Wording of the study pages: meaningful empty choices, the plan year once, the status history."""

from django.urls import reverse

from lvzhi.studies import services
from lvzhi.studies.forms import SessionForm, SubmissionForm


def test_select_fields_name_their_empty_choice(plan, member):
    assert list(SessionForm(plan=plan).fields["activity"].choices)[0][1] == "No training activity yet"
    assert (
        list(SubmissionForm(committee_id=member.committee_id).fields["session"].choices)[0][1]
        == "Not about a session"
    )


def test_the_plan_title_shows_the_year_once(client_of, office, plan):
    assert str(plan.year) in plan.title
    for url in (reverse("studies:plans"), reverse("studies:plan_detail", args=[plan.pk])):
        page = client_of(office).get(url).content.decode()
        assert f"{plan.year} · " not in page and plan.title in page
    services.update_plan(
        plan=plan, actor=office, title="委员学习培训方案", summary="", expected_version=plan.version
    )
    page = client_of(office).get(reverse("studies:plan_detail", args=[plan.pk])).content.decode()
    assert f"{plan.year} · 委员学习培训方案" in page


def test_the_submission_page_shows_the_status_history(client_of, office, member, make_submission):
    item = make_submission(member)
    page = client_of(office).get(reverse("studies:submission_detail", args=[item.pk])).content.decode()
    assert "Status history" in page and ">History<" not in page
