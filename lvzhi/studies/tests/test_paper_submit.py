"""Staff record notes a member handed in on paper (studies:paper_submit)."""

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.studies.models import StudySubmission

URL = reverse("studies:paper_submit")


def data(member, **extra):
    return {
        "member": member.pk,
        "kind": StudySubmission.Kind.NOTES,
        "title": "学习全会精神的笔记",
        "body": "手写笔记，由办公室录入。",
        "submission_token": "tok-paper-1",
        **extra,
    }


def test_office_records_notes_for_a_member(client_of, office, member):
    response = client_of(office).post(URL, data(member))
    item = StudySubmission.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("studies:submission_detail", args=[item.pk])
    assert (item.member, item.status) == (member, StudySubmission.Status.SUBMITTED)
    assert item.status_changes.get().reason == "Handed in on paper"


def test_a_double_click_records_once(client_of, office, member):
    client = client_of(office)
    client.post(URL, data(member))
    response = client.post(URL, data(member), follow=True)
    assert StudySubmission.objects.count() == 1
    assert "already submitted" in response.content.decode()


def test_unit_staff_choose_only_their_units_members(client_of, unit_staff, member, outsider):
    client = client_of(unit_staff)
    page = client.get(URL).content.decode()
    assert member.name in page
    assert outsider.name not in page
    response = client.post(URL, data(outsider))
    assert response.status_code == 200
    assert not StudySubmission.objects.exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LEADER])
def test_others_may_not(client_of, make_user, member, role):
    assert client_of(make_user(role)).post(URL, data(member)).status_code == 403
    assert not StudySubmission.objects.exists()


def test_a_missing_title_is_named(client_of, office, member):
    response = client_of(office).post(URL, data(member, title=""))
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert not StudySubmission.objects.exists()
