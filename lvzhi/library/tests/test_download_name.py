"""A library file is downloaded with the extension its content was judged by."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lvzhi.library.models import Document

from .conftest import PDF


def test_a_pdf_uploaded_as_html_downloads_as_pdf(client, office, make_document):
    document = make_document(audience=Document.Audience.EVERYONE)
    document.attachment.save("document.pdf", SimpleUploadedFile("x", PDF), save=False)
    document.attachment_name = "rules.html"
    document.attachment_content_type = "application/pdf"
    document.save()
    client.force_login(office)
    response = client.get(reverse("library:download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="rules.pdf"'
    assert response["Cache-Control"] == "private, no-store"
