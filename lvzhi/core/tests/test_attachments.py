"""uploads.check_attachment: documents judged by their content, bombs refused, the cap kept."""

import io
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.utils import translation
from docx import Document
from PIL import Image

from lvzhi.core import uploads
from lvzhi.core.uploads import UploadRefused, check_attachment


def tr(msgid):
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(msgid)


def docx_bytes():
    document = Document()
    document.add_paragraph("会议议程")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes():
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def image_bytes(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "extension"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "议程.pdf", "pdf"),
        (docx_bytes(), "材料.docx", "docx"),
        (xlsx_bytes(), "名单.xlsx", "xlsx"),
        (image_bytes("PNG"), "现场.png", "png"),
        (image_bytes("JPEG"), "现场.jpg", "jpg"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧文件.doc", "doc"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧表格.xls", "xls"),
    ],
)
def test_it_recognises_each_kind_by_content(data, name, extension):
    fileobj = io.BytesIO(data)
    assert check_attachment(fileobj, name)[0] == extension
    assert fileobj.tell() == 0


def test_the_name_does_not_decide_the_kind():
    # A Word file called .pdf is stored and served as Word.
    assert check_attachment(io.BytesIO(docx_bytes()), "议程.pdf") == uploads.ATTACHMENT_TYPES["docx"]


@pytest.mark.parametrize(
    "data",
    [b"<html><script>alert(1)</script></html>", b"#!/bin/sh\nrm -rf /\n", b"GIF89a\x01\x00"],
)
def test_it_refuses_anything_else(data):
    with pytest.raises(UploadRefused) as exc:
        check_attachment(io.BytesIO(data), "议程.pdf")
    assert str(exc.value) == tr(
        "“%(name)s” is not a file type we accept. Attach PDF, Word, Excel, PowerPoint, JPEG or PNG files."
    ) % {"name": "议程.pdf"}


def test_it_refuses_a_zip_that_is_not_an_office_file():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.html", "<script></script>")
    with pytest.raises(UploadRefused):
        check_attachment(io.BytesIO(out.getvalue()), "材料.docx")


def test_it_refuses_a_zip_bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("word/media/zeros.bin", b"\x00" * (uploads.MAX_UNCOMPRESSED_BYTES + 1))
    with pytest.raises(UploadRefused) as exc:
        check_attachment(io.BytesIO(out.getvalue()), "材料.docx")
    assert str(exc.value) == tr(
        "The file unpacks to far more data than any document needs (a “zip bomb”). It was refused as unsafe."
    )


def test_it_refuses_a_file_over_the_cap_and_an_empty_file(settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(UploadRefused) as exc:
        check_attachment(io.BytesIO(b"%PDF-" + b"x" * 10), "大文件.pdf")
    assert "大文件.pdf" in str(exc.value)
    with pytest.raises(UploadRefused):
        check_attachment(io.BytesIO(b""), "空.pdf")


def with_extra_part(data, name, content=b"x"):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr(zipfile.ZipInfo(name), content)
    return out.getvalue()


@pytest.mark.parametrize(
    "part",
    [
        "../../../etc/cron.d/evil",
        "word/../../evil.sh",
        "/etc/passwd",
        "C:/Windows/evil.bat",
        "word\\..\\..\\evil.bat",
        "word/media/a\x01b.png",
    ],
)
def test_it_refuses_a_part_named_outside_the_folder(part):
    with pytest.raises(UploadRefused) as exc:
        check_attachment(io.BytesIO(with_extra_part(docx_bytes(), part)), "材料.docx")
    assert "../" in str(exc.value)


def test_a_part_whose_name_merely_contains_dots_is_fine():
    data = with_extra_part(docx_bytes(), "word/media/image..1.png")
    assert check_attachment(io.BytesIO(data), "材料.docx")[0] == "docx"


def test_an_attachment_may_have_more_parts_than_an_import():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for n in range(uploads.MAX_IMPORT_ZIP_ENTRIES + 1):
            dst.writestr(f"word/media/image{n}.png", b"")
    assert check_attachment(io.BytesIO(out.getvalue()), "相册.docx")[0] == "docx"
