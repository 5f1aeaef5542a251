import io
import struct
import time
import zipfile

import openpyxl
import pytest
import xlwt
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from lvzhi.core import uploads
from lvzhi.core.uploads import UploadRefused, check_spreadsheet


def tr(msgid):
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(msgid)


class CountingFile(io.BytesIO):
    """A file that counts the bytes read from it: the checks must read little of a hostile file."""

    bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def workbook_bytes():
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "身份证号码"])
    workbook.active.append(["张三", "990101197503010011"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace_part(xlsx, name, content, *, compression=zipfile.ZIP_DEFLATED):
    """The workbook with one part replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            if info.filename == name:
                dst.writestr(name, content)
            else:
                dst.writestr(info, src.read(info))
    return out.getvalue()


def refused(data, name="名单.xlsx", **kwargs):
    fileobj = CountingFile(data)
    started = time.monotonic()
    with pytest.raises(UploadRefused) as exc:
        check_spreadsheet(fileobj, name, **kwargs)
    # "Quickly": far below a second even on a busy CI machine (the checks take milliseconds).
    assert time.monotonic() - started < 2
    return str(exc.value), fileobj


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_it_recognises_each_kind_by_content():
    assert check_spreadsheet(io.BytesIO(workbook_bytes()), "名单.xlsx") == "xlsx"
    book = xlwt.Workbook()
    book.add_sheet("s").write(0, 0, "姓名")
    xls = io.BytesIO()
    book.save(xls)
    assert check_spreadsheet(io.BytesIO(xls.getvalue()), "名单.xls") == "xls"
    assert check_spreadsheet(io.BytesIO("姓名,身份证号\n张三,1\n".encode()), "名单.csv") == "csv"
    assert check_spreadsheet(io.BytesIO("\ufeff姓名,性别\n".encode()), "名单.csv") == "csv"
    assert check_spreadsheet(io.BytesIO("姓名,性别\n张三,男\n".encode("gb18030")), "名单.csv") == "csv"
    # The content decides, not the name.
    assert check_spreadsheet(io.BytesIO(workbook_bytes()), "名单.csv") == "xlsx"


def test_it_accepts_an_uploaded_file_and_leaves_it_at_the_start():
    upload = SimpleUploadedFile("名单.xlsx", workbook_bytes())
    upload.read(10)
    assert check_spreadsheet(upload, upload.name) == "xlsx"
    assert upload.tell() == 0


def test_it_refuses_a_file_over_the_size_cap_without_reading_it(settings):
    settings.ROSTER_MAX_BYTES = 1024 * 1024
    message, fileobj = refused(b"\0" * (1024 * 1024 + 1))
    assert message == tr(
        "The file is larger than %(mb)s MB. Split it, or remove pictures and other sheets from it."
    ) % {"mb": "1"}
    assert fileobj.bytes_read == 0


def test_the_default_cap_is_ten_megabytes():
    assert settings.ROSTER_MAX_BYTES == 10 * 1024 * 1024
    message, fileobj = refused(b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024))
    assert "10" in message
    assert fileobj.bytes_read == 0


def test_it_refuses_an_empty_file():
    message, _file = refused(b"")
    assert message == tr("The file is empty.")


@pytest.fixture
def forbid_inflating(monkeypatch):
    """Call it once the bomb is built: from then on, opening a part of an archive (which starts
    inflating it) fails the test, so the bomb must be refused from the central directory alone."""

    def forbid():
        def refuse(self, name, *args, **kwargs):
            raise AssertionError(f"{name} was opened")

        monkeypatch.setattr(zipfile.ZipFile, "open", refuse)

    return forbid


def test_it_refuses_a_zip_bomb_by_its_total_size_without_inflating_it(forbid_inflating):
    # 101 parts of 1 MB each: every one small enough to escape the ratio check, 101 MB together.
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook_bytes())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        chunk = b" " * uploads.RATIO_CHECKED_FROM_BYTES
        for n in range(101):
            dst.writestr(f"xl/media/image{n}.xml", chunk)
    bomb = out.getvalue()
    assert len(bomb) < 1024 * 1024
    forbid_inflating()
    message, _file = refused(bomb)
    assert message == tr(
        "The file unpacks to far more data than any document needs (a “zip bomb”). It was refused as unsafe."
    )


def test_it_refuses_a_part_compressed_more_than_a_hundredfold(forbid_inflating):
    bomb = replace_part(workbook_bytes(), "xl/worksheets/sheet1.xml", b"<worksheet>" + b"0" * 5_000_000)
    assert len(bomb) < 50_000
    forbid_inflating()
    message, _file = refused(bomb)
    assert message == tr(
        "The file unpacks to far more data than any document needs (a “zip bomb”). It was refused as unsafe."
    )


def test_it_refuses_a_zip_with_too_many_entries_before_listing_them(monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        with zipfile.ZipFile(io.BytesIO(workbook_bytes())) as src:
            for info in src.infolist():
                archive.writestr(info, src.read(info))
        for n in range(uploads.MAX_ZIP_ENTRIES + 1):
            archive.writestr(f"xl/media/{n}.bin", b"")

    def refuse(*args, **kwargs):
        raise AssertionError("zipfile read the whole central directory")

    monkeypatch.setattr(zipfile.ZipFile, "__init__", refuse)
    message, _file = refused(out.getvalue())
    assert message == tr(
        "The file unpacks to far more data than any document needs (a “zip bomb”). It was refused as unsafe."
    )


def test_an_import_has_at_most_a_thousand_parts():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        with zipfile.ZipFile(io.BytesIO(workbook_bytes())) as src:
            for info in src.infolist():
                archive.writestr(info, src.read(info))
        for n in range(uploads.MAX_IMPORT_ZIP_ENTRIES):
            archive.writestr(f"xl/media/{n}.bin", b"")

    message, _file = refused(out.getvalue())
    assert uploads.MAX_IMPORT_ZIP_ENTRIES == 1000
    assert message == tr(
        "The file unpacks to far more data than any document needs (a “zip bomb”). It was refused as unsafe."
    )


def test_a_workbook_with_a_part_outside_its_folder_is_refused():
    data = replace_part(workbook_bytes(), "xl/styles.xml", b"<styleSheet/>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("../../evil.sh", b"#!/bin/sh")

    message, _file = refused(out.getvalue())
    assert "../" in message


def test_it_reads_the_entry_count_from_the_end_record():
    data = workbook_bytes()
    position = data.rfind(b"PK\x05\x06")
    (count,) = struct.unpack("<H", data[position + 10 : position + 12])
    assert uploads._zip_entry_count(io.BytesIO(data), len(data), damaged="") == count


def test_it_refuses_an_xml_bomb():
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + b"".join(
            f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
            for i in range(1, 10)
        )
        + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    bomb = replace_part(workbook_bytes(), "xl/worksheets/sheet1.xml", laughs)
    message, _file = refused(bomb)
    assert message == tr(
        "The file contains XML declarations that Office never writes (a DTD). It was refused as unsafe."
    )


def test_it_refuses_an_xml_bomb_encoded_in_utf16():
    doc = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet/>'
    bomb = replace_part(workbook_bytes(), "xl/workbook.xml", doc.encode("utf-16"))
    message, _file = refused(bomb)
    assert message == tr(
        "The file contains XML declarations that Office never writes (a DTD). It was refused as unsafe."
    )


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("姓名,身份证号\n张三,1\n".encode(), id="text"),
        pytest.param(b"not a spreadsheet at all", id="ascii"),
    ],
)
def test_it_refuses_text_named_xlsx(content):
    message, _file = refused(content, "名单.xlsx")
    assert message == tr(
        "“%(name)s” is not an Excel file, although its name says so. Open it in Excel and save it as .xlsx."
    ) % {"name": "名单.xlsx"}


def test_it_refuses_a_png_named_xlsx():
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, format="PNG")
    message, _file = refused(png.getvalue(), "名单.xlsx")
    assert message == tr(
        "“%(name)s” is not an Excel file, although its name says so. Open it in Excel and save it as .xlsx."
    ) % {"name": "名单.xlsx"}


def test_it_refuses_a_png_named_csv():
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, format="PNG")
    message, _file = refused(png.getvalue(), "名单.csv")
    assert message == tr(
        "This file is not a spreadsheet. Upload an Excel file (.xlsx or .xls) or a CSV file."
    )


def test_it_refuses_a_word_document_named_xlsx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    message, _file = refused(out.getvalue(), "名单.xlsx")
    assert message == tr("This file is not an Excel workbook (it may be a Word or other Office file).")


def test_it_refuses_a_truncated_zip():
    message, _file = refused(workbook_bytes()[:2000], "名单.xlsx")
    assert message == tr("The file is damaged: it cannot be opened as an Excel workbook.")
