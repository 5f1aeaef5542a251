"""uploads.store, the only way to store an upload: checked by content, stored under a random name with the
checked extension, removed again when the transaction that stored it rolls back; a replaced or removed
file goes only once the change is committed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import isolate_apps
from django.utils import timezone

from lvzhi.core import uploads
from lvzhi.core.models import StoredFile
from lvzhi.core.uploads import UploadRefused

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<html><script>alert(1)</script></html>"

pytestmark = pytest.mark.usefixtures("english")


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def paper_model():
    # A model of its own, in a registry of its own: core has no concrete stored file, and the feature
    # apps' ones are tested in their apps. The registry holds no user model to point at.
    with isolate_apps("lvzhi.core"):

        class Person(models.Model):  # noqa: DJ008 - a stand-in for the user, never shown
            class Meta:
                app_label = "core"

        class Paper(StoredFile):
            uploaded_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")

            class Meta:
                app_label = "core"

            def upload_folder(self):
                return "papers"

        yield Paper


def upload(name="会议议程.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="text/html")  # the browser's word counts for nothing


def on_disk(tmp_path, paper):
    return (tmp_path / paper.file.name).exists()


def test_it_stores_under_a_random_name_with_the_checked_extension(db, paper_model, tmp_path):
    paper = paper_model()
    with transaction.atomic():
        uploads.store(paper, upload("议程.html"), actor=None)

    folder, stored = paper.file.name.split("/")
    assert folder == "papers"
    assert stored.endswith(".pdf") and "议程" not in stored and len(stored) == 32 + 4
    assert (tmp_path / paper.file.name).read_bytes() == PDF
    assert paper.original_name == "议程.html"  # shown as uploaded; downloaded as 议程.pdf
    assert paper.content_type == "application/pdf"
    assert paper.size == len(PDF)
    assert paper.uploaded_at is not None and paper.uploaded_at <= timezone.now()


def test_it_keeps_only_the_last_part_of_a_windows_path(db, paper_model):
    paper = paper_model()
    with transaction.atomic():
        uploads.store(paper, upload("C:\\Users\\办公室\\议程.pdf"), actor=None)
    assert paper.original_name == "议程.pdf"


def test_a_disguised_html_file_is_refused_and_nothing_is_stored(db, paper_model, tmp_path):
    paper = paper_model()
    with transaction.atomic(), pytest.raises(UploadRefused) as refused:
        uploads.store(paper, upload("议程.pdf", HTML), actor=None)
    assert "“议程.pdf” is not a file type we accept" in str(refused.value)
    assert not paper.file
    assert list(tmp_path.rglob("*.*")) == []


def test_a_rolled_back_transaction_leaves_no_file(db, paper_model, tmp_path):
    paper = paper_model()
    with pytest.raises(Boom), transaction.atomic():
        uploads.store(paper, upload(), actor=None)
        assert on_disk(tmp_path, paper)
        raise Boom  # e.g. the row or its audit row cannot be saved
    assert not on_disk(tmp_path, paper)


def test_a_rollback_of_an_outer_transaction_also_removes_it(db, paper_model, tmp_path):
    paper = paper_model()
    with pytest.raises(Boom), transaction.atomic():
        with transaction.atomic():
            uploads.store(paper, upload(), actor=None)
        assert on_disk(tmp_path, paper)  # the service's own transaction went through
        raise Boom  # the view's, around it, did not
    assert not on_disk(tmp_path, paper)


def test_a_replaced_file_goes_only_after_commit(
    db, paper_model, tmp_path, django_capture_on_commit_callbacks
):
    paper = paper_model()
    with django_capture_on_commit_callbacks(execute=True):
        uploads.store(paper, upload(), actor=None)
    old = tmp_path / paper.file.name

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        uploads.store(paper, upload("现场.png", PNG), actor=None)
        assert old.exists()  # a rollback must find it still there
    assert old.exists()
    for callback in callbacks:
        callback()
    assert not old.exists()
    assert on_disk(tmp_path, paper) and paper.content_type == "image/png"


def test_a_replaced_file_stays_when_the_replacement_rolls_back(db, paper_model, tmp_path):
    paper = paper_model()
    with transaction.atomic():
        uploads.store(paper, upload(), actor=None)
    old = tmp_path / paper.file.name
    with pytest.raises(Boom), transaction.atomic():
        uploads.store(paper, upload("现场.png", PNG), actor=None)
        new = tmp_path / paper.file.name
        raise Boom
    assert old.exists() and not new.exists()


def test_clear_empties_the_fields_and_removes_the_file_after_commit(
    db, paper_model, tmp_path, django_capture_on_commit_callbacks
):
    paper = paper_model()
    with django_capture_on_commit_callbacks(execute=True):
        uploads.store(paper, upload(), actor=None)
    path = tmp_path / paper.file.name

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        uploads.clear(paper)
    assert not paper.file and paper.original_name == paper.content_type == "" and paper.size is None
    assert paper.uploaded_at is None
    assert path.exists()
    for callback in callbacks:
        callback()
    assert not path.exists()


def test_delete_after_commit_leaves_the_fields_for_the_message(
    db, paper_model, tmp_path, django_capture_on_commit_callbacks
):
    paper = paper_model()
    with django_capture_on_commit_callbacks(execute=True):
        uploads.store(paper, upload(), actor=None)
    path = tmp_path / paper.file.name

    with django_capture_on_commit_callbacks(execute=True):
        uploads.delete_after_commit(paper)
        assert path.exists()
    assert not path.exists()
    assert paper.original_name == "会议议程.pdf"


def test_store_outside_a_transaction_is_refused(paper_model, tmp_path):
    # Outside a transaction nothing could take the file back if the row then failed to save.
    with pytest.raises(TransactionManagementError):
        uploads.store(paper_model(), upload(), actor=None)
    assert list(tmp_path.rglob("*.*")) == []


def test_the_download_carries_the_checked_extension(db, paper_model):
    paper = paper_model()
    with transaction.atomic():
        uploads.store(paper, upload("议程.html"), actor=None)
        response = uploads.attachment_response(paper)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E8%AE%AE%E7%A8%8B.pdf"
    assert b"".join(response.streaming_content) == PDF


def test_a_row_without_a_file_has_no_download(db, paper_model):
    from django.http import Http404

    with pytest.raises(Http404):
        uploads.attachment_response(paper_model())


# Real commits and rollbacks, not the savepoints of a test wrapped in a transaction. serialized_rollback
# like the browser journeys: a plain flush would recreate the content types under new ids.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_commit_keeps_the_file_and_a_real_rollback_removes_it(paper_model, tmp_path):
    kept, lost = paper_model(), paper_model()
    with transaction.atomic():
        uploads.store(kept, upload(), actor=None)
    with pytest.raises(Boom), transaction.atomic():
        uploads.store(lost, upload(), actor=None)
        raise Boom
    assert on_disk(tmp_path, kept)
    assert not on_disk(tmp_path, lost)
