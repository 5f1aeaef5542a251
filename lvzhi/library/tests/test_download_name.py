"""A library file is downloaded with the extension its content was judged by."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from lvzhi.core import uploads
from lvzhi.library.models import Document

from .conftest import PDF


def test_a_pdf_uploaded_as_html_downloads_as_pdf(client, office, make_document):
    document = make_document(audience=Document.Audience.EVERYONE)
    with transaction.atomic():
        uploads.store(document, SimpleUploadedFile("rules.html", PDF), actor=office)
        document.save()
    client.force_login(office)
    response = client.get(reverse("library:download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="rules.pdf"'
    assert response["Cache-Control"] == "private, no-store"
