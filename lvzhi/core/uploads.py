"""Uploads: the only way to store an upload, and the checks every upload passes (DESIGN §8: size cap,
zip-bomb and XML-bomb guards, type by content).

Storing an upload
-----------------
`store()` is the only way to store a file that someone uploaded: attachments, study notes, library
files, and whatever the next apps keep (社情民意 materials, proposal attachments). Do as
activities.services.add_attachment, library.services and studies.services do:

1. The model derives from `lvzhi.core.models.StoredFile` (file, original_name, content_type, size,
   uploaded_by, uploaded_at) and says in `upload_folder()` where its files go. A row that is a file has
   its own model (ActivityAttachment); a row that may carry one derives from it too (Document).
2. The service, in the transaction that saves the row, stores the uploaded file and turns a refusal
   into its own error, which the view shows like any other:

       try:
           uploads.store(row, uploaded_file, actor=actor)   # checks, stores, fills the fields
       except uploads.UploadRefused as refused:
           raise MyAppError(str(refused), code="upload_refused") from refused
       row.save()

   `clear(row)` takes the file off a row that stays; `delete_after_commit(row)` goes with deleting it.
3. The form's file field is an `AttachmentField`: it checks early, to show a refusal next to the field
   without losing what else was typed. The service is the guard all the same: `store` checks the file
   by its content (`check_attachment`) whatever the form did, so the API, imports and the demo are
   held to the same check.
4. The view serves it with `attachment_response(row)`, behind the app's permission-checked fetch:
   always a download, with the checked content type, under the uploaded name with the checked
   extension (`download_name`).

What `store` guarantees: the file lies under a random name with the extension its content was judged
by, never under the uploaded name; if the transaction (or a savepoint around the call) rolls back, the
stored file is removed; a file that `store` replaces, or that `clear` or `delete_after_commit` let go,
is removed only once the transaction commits, so that a rollback finds it still there. Rows deleted by
a cascade keep their files: delete such rows in a service that calls `delete_after_commit`.

Checking an upload
------------------
`check_spreadsheet` (rosters and other imports) and `check_attachment` (everything `store` keeps) look
at a file before any parser does, reading only what they need: its size (by seeking, not by loading
it), its first bytes, a zip file's central directory and the first few KB of each XML part. They return
the kind of file by its content, whatever its name says, or raise `UploadRefused` with a message for
the person who uploaded it.

The XML pre-check is cheap and catches the usual XML bombs (a DTD with entities at the top of a part);
the real guard is defusedxml, which openpyxl uses for every XML part it parses once it is installed
(`openpyxl.DEFUSEDXML`), and which refuses entity declarations anywhere.
"""

from __future__ import annotations

import codecs
import logging
import struct
import zipfile
from typing import IO, TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.core.files.storage import Storage
    from django.core.files.uploadedfile import UploadedFile

    from .models import StoredFile

logger = logging.getLogger(__name__)

XLSX, XLS, CSV = "xlsx", "xls", "csv"
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

# A roster of a few thousand rows unpacks to a few MB and its parts compress about 10:1; these caps sit
# far above any real workbook and far below what would hurt the server.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Tiny parts (printer settings full of zeros) may compress better than 100:1 and harm nobody.
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
# A roster workbook has a dozen parts; a Word or PowerPoint file with many pictures a few hundred.
MAX_IMPORT_ZIP_ENTRIES = 1_000
MAX_ZIP_ENTRIES = 10_000
XML_PRECHECK_BYTES = 8 * 1024
TEXT_SNIFF_BYTES = 64 * 1024

# End of central directory: signature, disk numbers, entries on this disk, total entries, ...
EOCD_SIGNATURE = b"PK\x05\x06"
EOCD_SIZE = 22
EOCD_MAX_COMMENT = 0xFFFF
ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"

CSV_ENCODINGS = ("utf-8-sig", "gb18030")
XML_BOMB_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)


# Attachments: what an office attaches to a meeting notice or a member hands in. Kind → (extension,
# content type). Office files are told apart by the main part inside their zip.
ATTACHMENT_TYPES = {
    "pdf": ("pdf", "application/pdf"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "ole2": ("doc", "application/msword"),
    "jpeg": ("jpg", "image/jpeg"),
    "png": ("png", "image/png"),
}
OOXML_MAIN_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
OLE2_SUFFIXES = {
    ".xls": ("xls", "application/vnd.ms-excel"),
    ".ppt": ("ppt", "application/vnd.ms-powerpoint"),
}


class UploadRefused(Exception):
    """The upload is not a file we will keep or read; str() is the message for the user."""


def file_size(fileobj: IO[bytes]) -> int:
    """The size in bytes without reading the content (seek to the end, then back)."""
    size = getattr(fileobj, "size", None)
    if isinstance(size, int):
        return size
    position = fileobj.tell()
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(position)
    return size


def check_spreadsheet(fileobj: IO[bytes], filename: str | None, *, max_bytes: int | None = None) -> str:
    """Return "xlsx", "xls" or "csv" for a file that is safe to parse, or raise UploadRefused.

    Reads a bounded amount whatever the file holds and leaves the file positioned at its start.
    """
    if max_bytes is None:
        max_bytes = settings.ROSTER_MAX_BYTES
    name = (filename or "").lower()
    size = file_size(fileobj)
    if size > max_bytes:
        raise UploadRefused(
            _("The file is larger than %(mb)s MB. Split it, or remove pictures and other sheets from it.")
            % {"mb": _megabytes(max_bytes)}
        )
    if size == 0:
        raise UploadRefused(_("The file is empty."))
    try:
        fileobj.seek(0)
        head = fileobj.read(TEXT_SNIFF_BYTES)
        if head.startswith(ZIP_MAGIC):
            _check_xlsx(fileobj, size)
            return XLSX
        if head.startswith(OLE2_MAGIC):
            return XLS
        if _looks_like_text(head, complete=size <= len(head)):
            if name.endswith(EXCEL_SUFFIXES):
                raise UploadRefused(_not_excel(filename))
            return CSV
        if name.endswith(EXCEL_SUFFIXES):
            raise UploadRefused(_not_excel(filename))
        raise UploadRefused(
            _("This file is not a spreadsheet. Upload an Excel file (.xlsx or .xls) or a CSV file.")
        )
    finally:
        fileobj.seek(0)


def check_attachment(
    fileobj: IO[bytes], filename: str | None, *, max_bytes: int | None = None
) -> tuple[str, str]:
    """Return (extension, content type) for a PDF, Word, Excel, PowerPoint, JPEG or PNG file judged by
    its content, or raise UploadRefused. `store` keeps the file under that extension and
    `attachment_response` serves it with that content type, so a renamed HTML or script file can never
    come back as something a browser runs. Leaves the file positioned at its start."""
    if max_bytes is None:
        max_bytes = settings.ATTACHMENT_MAX_BYTES
    size = file_size(fileobj)
    if size > max_bytes:
        raise UploadRefused(
            _("“%(name)s” is larger than %(mb)s MB.") % {"name": filename, "mb": _megabytes(max_bytes)}
        )
    if size == 0:
        raise UploadRefused(_("“%(name)s” is empty.") % {"name": filename})
    try:
        fileobj.seek(0)
        head = fileobj.read(16)
        if head.startswith(b"%PDF-"):
            kind = "pdf"
        elif head.startswith(b"\xff\xd8\xff"):
            kind = "jpeg"
        elif head.startswith(b"\x89PNG\r\n\x1a\n"):
            kind = "png"
        elif head.startswith(ZIP_MAGIC):
            names = _check_zip(fileobj, size, damaged=_("“%(name)s” is damaged.") % {"name": filename})
            office_kind = next((k for part, k in OOXML_MAIN_PARTS.items() if part in names), None)
            if office_kind is None:
                raise UploadRefused(_not_attachment(filename))
            kind = office_kind
        elif head.startswith(OLE2_MAGIC):
            # Old binary Office files share one container; the name tells Word from Excel or PowerPoint.
            suffix = "." + (filename or "").lower().rsplit(".", 1)[-1]
            return OLE2_SUFFIXES.get(suffix, ATTACHMENT_TYPES["ole2"])
        else:
            raise UploadRefused(_not_attachment(filename))
        return ATTACHMENT_TYPES[kind]
    finally:
        fileobj.seek(0)


# Extensions that name the same kind of content as the one the check gave.
EXTENSION_ALIASES = {"jpg": {"jpg", "jpeg"}}


def download_name(name: str | None, extension: str) -> str:
    """The name a checked upload is downloaded under: the uploaded name, which people recognise, but
    always ending in the extension its content was judged by. A PDF uploaded as "x.html" comes back
    as "x.pdf", so no browser or desktop opens it as a page or a program."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    if suffix.lower() in EXTENSION_ALIASES.get(extension, {extension}) and stem:
        return name
    return f"{stem.strip() or 'attachment'}.{extension}"


def store(target: StoredFile, upload: UploadedFile, *, actor: AbstractBaseUser | None) -> None:
    """Check `upload` by its content and store it as the file of `target` (a StoredFile row), filling
    its fields; the caller saves the row in the same transaction. Raises UploadRefused (nothing is
    stored then). The stored file is removed if the transaction rolls back; the file it replaces goes
    after commit."""
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction nothing could take the file back if the row then failed to save.
        raise transaction.TransactionManagementError(
            "uploads.store() runs in the transaction that saves the row."
        )
    original = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    extension, content_type = check_attachment(upload, original)
    replaced = target.file.name if target.file else None
    size = file_size(upload)
    # upload_to (core.models.stored_file_path) makes the random name; this one only carries the extension.
    target.file.save(f"upload.{extension}", upload, save=False)
    transaction.on_commit(_RemovedUnlessCommitted(target.file.storage, target.file.name))
    if replaced:
        _delete_after_commit(target.file.storage, replaced)
    target.original_name = (original or f"attachment.{extension}")[-200:]
    target.content_type = content_type
    target.size = size
    # The user model (accounts.User), which core knows only as AbstractBaseUser.
    uploader: Any = actor
    target.uploaded_by = uploader
    target.uploaded_at = timezone.now()


def clear(target: StoredFile) -> None:
    """Empty the file fields of `target` (the caller saves it); the file goes after commit."""
    if target.file:
        _delete_after_commit(target.file.storage, target.file.name)
    target.file = None
    target.original_name = target.content_type = ""
    target.size = target.uploaded_by = target.uploaded_at = None


def delete_after_commit(target: StoredFile) -> None:
    """For a service that deletes the row of `target`: its file goes once the deletion is committed.
    The fields stay as they were, for the messages that name the file."""
    if target.file:
        _delete_after_commit(target.file.storage, target.file.name)


def _delete_after_commit(storage: Storage, name: str) -> None:
    # robust: the change is committed by then; a file that cannot be removed is logged, not a 500.
    transaction.on_commit(lambda: storage.delete(name), robust=True)


class _RemovedUnlessCommitted:
    """Removes a file just stored unless its transaction commits.

    Django has no rollback hook, but it drops the after-commit callbacks of a transaction or savepoint
    that rolls back. This callback lives only in that list: called, the transaction committed and the
    file stays; dropped uncalled, the object is freed at once (CPython counts references) and removes
    the file. One case removes a committed file: Django stops running after-commit callbacks at the
    first that raises and drops the rest, so a callback registered before this one that raises takes
    the file with it (the request then fails with that error anyway). after-commit callbacks that can
    fail should be registered with robust=True."""

    def __init__(self, storage: Storage, name: str) -> None:
        self.storage, self.name, self.committed = storage, name, False

    def __call__(self) -> None:
        self.committed = True

    def __del__(self) -> None:
        if not self.committed:
            try:
                self.storage.delete(self.name)
            except Exception:  # nothing can catch an error raised in a finalizer
                logger.exception("The file %s of a rolled-back upload could not be removed.", self.name)


class AttachmentField(forms.FileField):
    """A form's file field that runs `check_attachment` early, so that a refusal shows next to the
    field and nothing else the person typed is lost; `store` in the service checks again and decides.
    An empty field is None."""

    def clean(self, data: Any, initial: Any = None) -> UploadedFile | None:
        file: UploadedFile | None = super().clean(data, initial)
        if not file:
            return None
        try:
            check_attachment(file, file.name)
        except UploadRefused as refused:
            raise forms.ValidationError(str(refused), code="upload_refused") from refused
        return file


def attachment_response(stored: StoredFile) -> FileResponse:
    """Serve the file of `stored` (a StoredFile row): always a download (never shown inline), with the
    content type the check gave and the download name of `download_name`; no shared cache keeps it.
    404 if there is no file or it is gone."""
    if not stored.file:
        raise Http404
    extension = stored.file.name.rsplit(".", 1)[-1].lower()
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(stored.original_name, extension),
        content_type=stored.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _not_attachment(filename: str | None) -> str:
    return _(
        "“%(name)s” is not a file type we accept. Attach PDF, Word, Excel, PowerPoint, JPEG or PNG files."
    ) % {"name": filename}


def _megabytes(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:.0f}" if mb >= 1 else f"{mb:.2f}"


def _not_excel(filename: str | None) -> str:
    return _(
        "“%(name)s” is not an Excel file, although its name says so. Open it in Excel and save it as .xlsx."
    ) % {"name": filename}


def _looks_like_text(head: bytes, *, complete: bool) -> bool:
    if b"\x00" in head:
        return False
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            # A sniffed prefix may end inside a multi-byte character: only the whole file must decode.
            decoder.decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _check_xlsx(fileobj: IO[bytes], size: int) -> None:
    names = _check_zip(
        fileobj,
        size,
        damaged=_("The file is damaged: it cannot be opened as an Excel workbook."),
        max_entries=MAX_IMPORT_ZIP_ENTRIES,
    )
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UploadRefused(_("This file is not an Excel workbook (it may be a Word or other Office file)."))


def _unsafe_entry_name(name: str) -> bool:
    """A part name no Office program writes and an unpacking program could follow out of its folder:
    absolute, with a drive letter, backslashes or a ".." step, or with control characters."""
    if name.startswith("/") or "\\" in name or (len(name) > 1 and name[1] == ":"):
        return True
    if any(ord(ch) < 32 for ch in name):
        return True
    return ".." in name.split("/")


def _check_zip(
    fileobj: IO[bytes], size: int, *, damaged: str, max_entries: int = MAX_ZIP_ENTRIES
) -> set[str]:
    """Refuse zip bombs, XML bombs and path-traversal part names in an Office (OOXML) file; return the
    names of its parts."""
    entries = _zip_entry_count(fileobj, size, damaged=damaged)
    if entries > max_entries:
        raise UploadRefused(_bomb())
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise UploadRefused(damaged) from exc
    with archive:
        infos = archive.infolist()
        if any(_unsafe_entry_name(info.filename) for info in infos):
            raise UploadRefused(
                _(
                    "The file contains parts named outside its own folder (“../”), which Office never writes. It was refused as unsafe."
                )
            )
        # The sizes come from the central directory; zipfile never inflates an entry past its declared
        # size, so checking them here bounds what any later reader can unpack.
        total = 0
        for info in infos:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > MAX_UNCOMPRESSED_BYTES or (
                info.file_size > RATIO_CHECKED_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO
            ):
                raise UploadRefused(_bomb())
        for info in infos:
            if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                try:
                    with archive.open(info) as part:
                        prefix = part.read(XML_PRECHECK_BYTES)
                except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                    raise UploadRefused(damaged) from exc
                if any(marker in prefix for marker in XML_BOMB_MARKERS):
                    raise UploadRefused(
                        _(
                            "The file contains XML declarations that Office never writes (a DTD). It was refused as unsafe."
                        )
                    )
        return {info.filename for info in infos}


def _bomb() -> str:
    return _(
        "The file unpacks to far more data than any document needs (a “zip bomb”). It was refused as unsafe."
    )


def _zip_entry_count(fileobj: IO[bytes], size: int, *, damaged: str) -> int:
    """Entries announced by the end-of-central-directory record, read before zipfile builds its list of
    entries (which would cost memory in proportion to a hostile count)."""
    tail_size = min(size, EOCD_SIZE + EOCD_MAX_COMMENT)
    fileobj.seek(size - tail_size)
    tail = fileobj.read(tail_size)
    position = tail.rfind(EOCD_SIGNATURE)
    if position < 0 or len(tail) < position + EOCD_SIZE:
        raise UploadRefused(damaged)
    total_entries: int = struct.unpack("<H", tail[position + 10 : position + 12])[0]
    zip64 = position >= 20 and tail[position - 20 : position - 16] == ZIP64_LOCATOR_SIGNATURE
    if zip64 or total_entries == 0xFFFF:
        # Only archives with more than 65,534 entries or over 4 GB need ZIP64: no document does.
        return MAX_ZIP_ENTRIES + 1
    return total_entries
