"""A handed-in file is downloaded with the extension its content was judged by."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lvzhi.studies.models import StudySubmission

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_pdf_handed_in_as_html_downloads_as_pdf(client_of, member):
    client = client_of(member.user)
    client.post(
        reverse("studies:submit"),
        {"kind": "notes", "title": "t", "body": "b", "attachment": SimpleUploadedFile("notes.html", PDF)},
    )
    item = StudySubmission.objects.get()
    response = client.get(reverse("studies:attachment", args=[item.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="notes.pdf"'
