"""Double submission creates one row (DESIGN §8): the same rendered form posted twice."""

import re

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.models import SubmissionToken
from lvzhi.factories import LiaisonFactory
from lvzhi.members.models import Member
from lvzhi.organization.models import Department, LiaisonContact


def token_of(response):
    return re.search(r'name="submission_token" value="([^"]+)"', response.content.decode()).group(1)


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def test_a_new_member_posted_twice_is_created_once(office_client, term):
    url = reverse("members:create")
    data = {
        "submission_token": token_of(office_client.get(url)),
        "name": "欧阳修",
        "gender": "male",
        "term-status": "serving",
    }
    first = office_client.post(url, data)
    second = office_client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert Member.objects.filter(name="欧阳修").count() == 1
    assert second.url == reverse("members:list")


def test_a_form_shown_again_after_an_error_keeps_its_token(office_client, term):
    url = reverse("members:create")
    token = token_of(office_client.get(url))
    response = office_client.post(url, {"submission_token": token, "name": "", "gender": "male"})
    assert response.status_code == 200
    assert token_of(response) == token
    office_client.post(
        url, {"submission_token": token, "name": "欧阳修", "gender": "male", "term-status": "serving"}
    )
    assert Member.objects.filter(name="欧阳修").count() == 1


def test_a_department_posted_twice_is_created_once(office_client):
    url = reverse("organization:department_create")
    data = {
        "submission_token": token_of(office_client.get(url)),
        "name": "县水利局",
        "kind": "government",
        "is_active": "on",
    }
    office_client.post(url, data)
    office_client.post(url, data)
    assert Department.objects.filter(name="县水利局").count() == 1


def test_a_liaison_contact_posted_twice_is_recorded_once(office_client, committee):
    liaison = LiaisonFactory(committee=committee)
    url = reverse("organization:liaison_detail", args=[liaison.pk])
    data = {
        "submission_token": token_of(office_client.get(url)),
        "date": "2026-05-06",
        "participants": "主任",
        "topic": "座谈",
    }
    office_client.post(url, data)
    office_client.post(url, data)
    assert LiaisonContact.objects.filter(liaison=liaison).count() == 1


def test_two_different_forms_are_two_submissions(office_client):
    url = reverse("organization:department_create")
    for name in ("县水利局", "县审计局"):
        token = token_of(office_client.get(url))
        office_client.post(
            url, {"submission_token": token, "name": name, "kind": "government", "is_active": "on"}
        )
    assert Department.objects.filter(name__in=["县水利局", "县审计局"]).count() == 2


def test_a_token_used_by_someone_else_is_still_a_repeat(client, office, make_user):
    url = reverse("organization:department_create")
    client.force_login(office)
    token = token_of(client.get(url))
    client.post(url, {"submission_token": token, "name": "县水利局", "kind": "government", "is_active": "on"})
    client.force_login(make_user(Role.OFFICE, username="office2"))
    client.post(url, {"submission_token": token, "name": "县审计局", "kind": "government", "is_active": "on"})
    assert not Department.objects.filter(name="县审计局").exists()


@pytest.mark.parametrize("garbled", ["a\x00b" * 8, "x" * 200, "<script>alert(1)</script>", "短"])
def test_a_garbled_token_saves_the_form_and_is_not_stored(office_client, garbled):
    url = reverse("organization:department_create")

    response = office_client.post(
        url, {"submission_token": garbled, "name": "县水利局", "kind": "government", "is_active": "on"}
    )

    assert response.status_code == 302
    assert Department.objects.filter(name="县水利局").count() == 1
    assert not SubmissionToken.objects.exists()
