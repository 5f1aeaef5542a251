import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.models import User
from lvzhi.accounts.roles import Role

PASSWORD = "Test-pass-2026"


def change(client, old, new):
    return client.post(
        reverse("accounts:password_change"), {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_a_user_who_must_change_is_sent_to_the_password_page(client, make_user):
    user = make_user(Role.OFFICE)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client.force_login(user)
    response = client.get(reverse("members:list"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change") + "?next=%2Fmembers%2F"
    assert client.get(reverse("accounts:password_change")).status_code == 200

    change(client, PASSWORD, "Brand#New2026")
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("members:list")).status_code == 200


def test_a_staff_password_expires_after_90_days(client, make_user):
    user = make_user(Role.OFFICE)
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=91))
    client.force_login(user)
    assert client.get(reverse("members:list")).url.startswith(reverse("accounts:password_change"))


def test_a_members_password_does_not_expire(client, make_user):
    user = make_user(Role.MEMBER)
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=400))
    client.force_login(user)
    assert client.get(reverse("home:index")).status_code == 200


@pytest.mark.django_db
def test_none_of_the_last_five_passwords_can_be_reused(make_user):
    user = make_user(Role.OFFICE)
    history = [f"Round#{n}pass" for n in range(6)]
    for password in history:
        user.set_password(password)
        user.save()
    with pytest.raises(ValidationError):
        validate_password(history[-1], user)
    with pytest.raises(ValidationError):
        validate_password(history[1], user)
    validate_password(history[0], user)  # the sixth-last is allowed again
    assert user.password_history.count() == 5
