"""A file is downloaded with the extension its content was judged by, never the one it was uploaded with."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lvzhi.activities import services
from lvzhi.activities.models import Activity

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_pdf_uploaded_as_html_downloads_as_pdf(client, office, make_activity):
    activity = make_activity(status=Activity.Status.PUBLISHED)
    attachment = services.add_attachment(
        activity=activity, uploaded_file=SimpleUploadedFile("notice.html", PDF), actor=office
    )
    assert attachment.original_name == "notice.html"  # shown as uploaded on the page
    client.force_login(office)
    response = client.get(reverse("activities:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="notice.pdf"'
    assert response["Cache-Control"] == "private, no-store"
