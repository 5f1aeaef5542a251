"""A document's file is stored through uploads.store: the service checks it, a rolled-back transaction
leaves no file behind, and a replaced, removed or deleted file goes only once the change is committed."""

import pathlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from lvzhi.library import services
from lvzhi.library.models import Document

from .conftest import PDF

HTML = b"<html><script>alert(1)</script></html>"
DATA = {"title": "工作规则", "category": "rules", "audience": "everyone", "body": "正文"}


def pdf(name="规则.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def media():
    return pathlib.Path(settings.MEDIA_ROOT)


def stored_files():
    return sorted(p for p in media().rglob("*") if p.is_file())


@pytest.fixture
def with_file(office):
    return services.create_document(actor=office, data=DATA, upload=pdf())


def test_a_rolled_back_transaction_leaves_no_file(office):
    with pytest.raises(RuntimeError), transaction.atomic():
        document = services.create_document(actor=office, data=DATA, upload=pdf())
        assert (media() / document.file.name).exists()
        raise RuntimeError("the page around it failed")  # e.g. the submission token was used meanwhile
    assert not Document.objects.exists()
    assert stored_files() == []


def test_the_service_refuses_a_disguised_html_file(office, with_file):
    before = stored_files()
    with pytest.raises(services.LibraryError) as refused:
        services.create_document(actor=office, data=DATA, upload=pdf("规则.pdf", HTML))
    assert "“规则.pdf” is not a file type we accept" in refused.value.messages[0]
    with pytest.raises(services.LibraryError):
        services.update_document(
            document=with_file, data={}, actor=office, expected_version=1, upload=pdf("新.pdf", HTML)
        )
    assert Document.objects.get().original_name == "规则.pdf"
    assert stored_files() == before


def test_a_rolled_back_replacement_keeps_the_old_file(office, with_file):
    old = media() / with_file.file.name
    with pytest.raises(RuntimeError), transaction.atomic():
        services.update_document(
            document=with_file, data={}, actor=office, expected_version=1, upload=pdf("新版.pdf")
        )
        raise RuntimeError("the page around it failed")
    with_file.refresh_from_db()
    assert media() / with_file.file.name == old
    assert stored_files() == [old]


def test_a_removed_file_goes_only_after_commit(office, with_file, django_capture_on_commit_callbacks):
    old = media() / with_file.file.name
    with django_capture_on_commit_callbacks(execute=True):
        document = services.update_document(
            document=with_file, data={}, actor=office, expected_version=1, remove_attachment=True
        )
        assert old.exists()
    assert not old.exists()
    document.refresh_from_db()
    assert not document.file and document.original_name == "" and document.size is None


def test_a_rolled_back_deletion_keeps_the_file(office, with_file):
    path = media() / with_file.file.name
    with pytest.raises(RuntimeError), transaction.atomic():
        services.delete_document(document=with_file, actor=office)
        raise RuntimeError("the page around it failed")
    assert Document.objects.exists()
    assert path.read_bytes() == PDF
