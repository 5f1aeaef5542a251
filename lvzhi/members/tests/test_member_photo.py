import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from lvzhi.accounts.roles import Role
from lvzhi.factories import MemberFactory, MemberTermFactory, UserFactory
from lvzhi.members.tests.test_member_edit import browser_data


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def member(term):
    return MemberTermFactory(member=MemberFactory(committee=term.committee), term=term).member


def image_file(fmt, name, size=(60, 80)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(client, member, photo):
    data = browser_data(client.get(reverse("members:edit", args=[member.pk])))
    data["photo"] = photo
    return client.post(reverse("members:edit", args=[member.pk]), data)


def test_it_stores_a_png_photo_and_serves_it_only_through_the_permission_check(client, office, member):
    client.force_login(office)
    assert upload(client, member, image_file("PNG", "me.png")).status_code == 302
    member.refresh_from_db()
    assert member.photo.name.endswith(".png")
    response = client.get(reverse("members:photo", args=[member.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_the_stored_name_follows_the_content_not_the_uploaded_name(client, office, member):
    client.force_login(office)
    assert upload(client, member, image_file("JPEG", "looks-like.png")).status_code == 302
    member.refresh_from_db()
    assert member.photo.name.endswith(".jpg")


@pytest.mark.parametrize(
    "photo",
    [
        image_file("GIF", "anim.gif"),
        SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>"),
    ],
    ids=["gif", "text-named-jpg"],
)
def test_it_refuses_what_is_not_a_jpeg_or_png(client, office, member, photo):
    client.force_login(office)
    response = upload(client, member, photo)
    assert response.status_code == 200
    assert "photo" in response.context["form"].errors
    member.refresh_from_db()
    assert not member.photo


def test_it_refuses_a_photo_over_the_size_cap(client, office, member, settings):
    settings.MEMBER_PHOTO_MAX_BYTES = 1000
    client.force_login(office)
    response = upload(client, member, image_file("PNG", "big.png", size=(400, 400)))
    assert "photo" in response.context["form"].errors


def test_another_committee_cannot_fetch_the_photo(client, office, member, other_committee):
    client.force_login(office)
    upload(client, member, image_file("PNG", "me.png"))
    client.force_login(UserFactory(committee=other_committee, role=Role.OFFICE))
    assert client.get(reverse("members:photo", args=[member.pk])).status_code == 404
