"""Handing a returned submission in again with a new file: the old file goes only once the change is
committed, so a failed resubmission leaves the submission and its file as they were."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lvzhi.studies import services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def returned(member, office, make_submission):
    item = make_submission(member, attachment=SimpleUploadedFile("笔记.pdf", PDF))
    return services.return_submission(submission=item, actor=office, reason="请补充")


def _resubmit(item, member):
    return services.resubmit(
        submission=item,
        actor=member.user,
        kind=item.kind,
        title="修改后",
        body="新正文",
        attachment=SimpleUploadedFile("新笔记.png", PNG),
        expected_version=item.version,
    )


def test_a_failed_resubmission_keeps_the_old_file(returned, member, monkeypatch, settings):
    old = returned.file.path

    def fail(*args, **kwargs):
        raise RuntimeError("the ledger is down")

    monkeypatch.setattr(services, "_sync_ledger", fail)
    with pytest.raises(RuntimeError):
        _resubmit(returned, member)
    returned.refresh_from_db()
    assert returned.file.path == old
    with open(old, "rb") as handle:
        assert handle.read() == PDF
    # …and the new file, stored before the ledger failed, is gone with the transaction.
    assert [name for _, _, names in os.walk(settings.MEDIA_ROOT) for name in names] == [os.path.basename(old)]


def test_a_resubmission_replaces_the_file_after_commit(returned, member, django_capture_on_commit_callbacks):
    old = returned.file.path
    with django_capture_on_commit_callbacks(execute=True):
        item = _resubmit(returned, member)
        assert os.path.exists(old)  # a rollback must find it still there
    item.refresh_from_db()
    assert item.original_name == "新笔记.png" and item.content_type == "image/png"
    assert item.size == len(PNG) and item.uploaded_by == member.user
    assert item.file.path != old
    assert not os.path.exists(old)
