"""Attaching a file twice from the same form (a double click) attaches it once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lvzhi.activities.models import Activity, ActivityAttachment

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_repeated_attachment_form_attaches_once(client, office, make_activity):
    activity = make_activity(status=Activity.Status.PUBLISHED)
    client.force_login(office)
    url = reverse("activities:attachment_add", args=[activity.pk])
    for _ in range(2):
        response = client.post(
            url,
            {"file": SimpleUploadedFile("议程.pdf", PDF), "submission_token": "tok-attach-1"},
            follow=True,
        )
        assert response.status_code == 200
    assert ActivityAttachment.objects.count() == 1
    assert "already submitted" in response.content.decode()


def test_the_attachment_form_carries_a_submission_token(client, office, make_activity):
    activity = make_activity(status=Activity.Status.PUBLISHED)
    client.force_login(office)
    body = client.get(reverse("activities:manage", args=[activity.pk])).content.decode()
    form = body[body.index(reverse("activities:attachment_add", args=[activity.pk])) :]
    assert 'name="submission_token"' in form[: form.index("</form>")]
