"""Stored uploads are downloaded under their uploaded name, but with the extension their content was
judged by: a PDF uploaded as "x.html" must not come back as a page a browser opens."""

import pytest

from lvzhi.core.uploads import download_name


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ("会议议程.pdf", "pdf", "会议议程.pdf"),
        ("会议议程.PDF", "pdf", "会议议程.PDF"),
        ("照片.jpeg", "jpg", "照片.jpeg"),
        ("notice.html", "pdf", "notice.pdf"),
        ("notice.pdf.exe", "pdf", "notice.pdf.pdf"),
        ("agenda", "docx", "agenda.docx"),
        ("", "png", "attachment.png"),
        ("  ", "png", "attachment.png"),
        (".htaccess", "pdf", "attachment.pdf"),
        ("C:\\Users\\x\\议程.svg", "png", "议程.png"),
    ],
)
def test_download_name_carries_the_checked_extension(name, extension, expected):
    assert download_name(name, extension) == expected
