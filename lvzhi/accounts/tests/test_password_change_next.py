"""The forced password change keeps where the user was going (issue 10, defect 2): the account policy
sends the user to the password page with that page as `next`, and the password page goes on to it
(only to a page of this site) once the new password is set."""

import pytest
from django.urls import reverse

from lvzhi.accounts.models import User
from lvzhi.accounts.roles import Role

PASSWORD = "Test-pass-2026"
NEW = "Brand#New2026"


@pytest.fixture
def user(client, make_user):
    user = make_user(Role.OFFICE)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client.force_login(user)
    return user


def change(client, url):
    return client.post(url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})


def test_the_password_page_is_told_where_the_user_was_going(client, user):
    response = client.get(reverse("members:list") + "?q=li")

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change") + "?next=%2Fmembers%2F%3Fq%3Dli"


def test_after_the_change_the_user_goes_on_to_that_page(client, user):
    password_page = client.get(reverse("members:list")).url

    response = change(client, password_page)

    assert response.status_code == 302
    assert response.url == reverse("members:list")
    assert client.get(response.url).status_code == 200


def test_a_next_on_another_site_is_ignored(client, user):
    response = change(client, reverse("accounts:password_change") + "?next=https://evil.example/")

    assert response.status_code == 302
    assert response.url == "/"


def test_a_post_is_not_taken_as_the_way_back(client, user):
    response = client.post(reverse("members:list"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change")
