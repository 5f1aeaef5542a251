"""Request bodies larger than a page takes are refused before the view reads them (413), with a message
that says what to do; Django's own cap on form data other than files is 2.5 MB."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.factories import MemberFactory


@pytest.fixture
def office_client(client, make_user):
    client.force_login(make_user(Role.OFFICE))
    return client


def big_file(megabytes, name="photo.jpg"):
    return SimpleUploadedFile(name, b"\xff\xd8\xff" + b"\x00" * (megabytes * 1024 * 1024), "image/jpeg")


def test_a_30_mb_photo_is_refused_before_the_view(office_client, committee, monkeypatch):
    member = MemberFactory(committee=committee)

    def view_must_not_run(*args, **kwargs):
        raise AssertionError("the member form read the upload")

    monkeypatch.setattr("lvzhi.members.views.MemberForm", view_must_not_run)
    response = office_client.post(
        reverse("members:edit", args=[member.pk]), {"name": member.name, "photo": big_file(30)}
    )

    assert response.status_code == 413
    html = response.content.decode()
    assert "2 MB" in html
    assert "文件过大" in html


def test_a_photo_page_takes_photos_of_its_own_size_only(office_client, committee):
    """3 MB is fine for an attachment but not for a photo page."""
    member = MemberFactory(committee=committee)

    response = office_client.post(reverse("members:edit", args=[member.pk]), {"photo": big_file(3)})

    assert response.status_code == 413


def test_an_attachment_page_takes_up_to_the_attachment_cap(office_client):
    # Under the cap the view runs (and judges the file itself).
    response = office_client.post(reverse("library:create"), {"upload": big_file(3, "a.pdf")})

    assert response.status_code == 200


def test_any_page_refuses_more_than_the_largest_upload(office_client):
    response = office_client.post(reverse("library:create"), {"upload": big_file(21, "a.pdf")})

    assert response.status_code == 413


def test_form_data_other_than_files_is_capped_at_2_5_mb(office_client):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440

    response = office_client.post(
        reverse("library:create"),
        data=io.BytesIO(b"title=" + b"x" * 2_700_000).read(),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
