"""Tell a file's type from its content, never from its name."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from congvan.lib.errors import InvalidInput
from congvan.lib.text import extension

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
OLE = "application/x-ole-storage"  # legacy .doc / .xls
ZIP = "application/zip"

EXTENSIONS: dict[str, set[str]] = {
    PDF: {"pdf"},
    PNG: {"png"},
    JPEG: {"jpg", "jpeg"},
    TIFF: {"tif", "tiff"},
    DOCX: {"docx"},
    XLSX: {"xlsx"},
    ODT: {"odt"},
    ODS: {"ods"},
    OLE: {"doc", "xls"},
    ZIP: {"zip"},
}
KNOWN_EXTENSIONS = {ext for exts in EXTENSIONS.values() for ext in exts}


def sniff(head: bytes, path: Path | None = None) -> str | None:
    """Return the MIME type that the first bytes (and, for zip containers, the file) show."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"PK\x03\x04") and path is not None:
        return _sniff_zip(path)
    return None


def sniff_bytes(data: bytes) -> str | None:
    """The MIME type of content held in memory (an attachment of a mail), zip containers opened."""
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(io.BytesIO(data))
    return sniff(data[:8192])


# What reading a broken or hostile zip raises: its structure, a member compressed or encrypted in a way
# Python does not read (NotImplementedError, RuntimeError), damaged deflate data (zlib.error).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    KeyError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
)


# What Pillow's readers raise on a damaged or hostile picture (besides its DecompressionBombError): a
# TIFF whose tags lie raises TypeError "Missing dimensions", a cut PNG OSError or SyntaxError.
IMAGE_ERRORS = (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, EOFError, struct.error)


def _sniff_zip(path: Path | BinaryIO) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared in (ODT, ODS):
                    return declared
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
    except ZIP_ERRORS:  # an archive broken or of a kind Python does not read: a plain zip
        pass
    return ZIP


def check_type(name: str, mime: str | None, *, allowed: set[str], size: int) -> str:
    """Return the content type, refusing empty files, unknown types and names that lie."""
    if size == 0:
        raise InvalidInput((_("Tệp %(name)s rỗng") % {"name": f"{name!r}"}), code="empty_file")
    if mime is None or mime not in allowed:
        raise InvalidInput(
            (_("Tệp %(name)s không thuộc loại được nhận") % {"name": f"{name!r}"}), code="bad_file_type"
        )
    ext = extension(name)
    if ext in KNOWN_EXTENSIONS and ext not in EXTENSIONS[mime]:
        raise InvalidInput(
            (_("Tệp %(name)s không đúng với phần mở rộng .%(ext)s") % {"name": f"{name!r}", "ext": ext}),
            code="type_mismatch",
        )
    return mime


DEFAULT_EXTENSION = {
    PDF: "pdf",
    PNG: "png",
    JPEG: "jpg",
    TIFF: "tif",
    DOCX: "docx",
    XLSX: "xlsx",
    ODT: "odt",
    ODS: "ods",
    OLE: "doc",
    ZIP: "zip",
}


def named_for(name: str, mime: str) -> str:
    """The name with the extension of its detected type: "to-trinh" or "to-trinh.exe" of a PDF is kept as
    "to-trinh.pdf" / "to-trinh.exe.pdf", so no program opens it as something else."""
    if extension(name) in EXTENSIONS[mime]:
        return name
    return f"{name or 'tep'}.{DEFAULT_EXTENSION[mime]}"


def truly_named(name: str, mime: str) -> str:
    """The name with an extension that lies about the detected type replaced by the type's own ("anh.jpg"
    of a PNG: "anh.png"); any other name as it is. For files no one can be asked to rename (a mail's);
    an upload with such a name is refused by ``check_type``."""
    ext = extension(name)
    if mime in EXTENSIONS and ext in KNOWN_EXTENSIONS and ext not in EXTENSIONS[mime]:
        return f"{name.rpartition('.')[0]}.{DEFAULT_EXTENSION[mime]}"
    return name


TAIL = 64 * 1024 + 22  # a ZIP's end record lies in the last 64 KiB plus its own size


def pdf_problem(path: Path, size: int, tail: bytes | None = None) -> str | None:
    """Why a file that starts as a PDF is not only a PDF, or None: a ZIP (or a file format read from the
    end) appended to it, or data after its last ``%%EOF`` that is not blank (a polyglot). ``tail``: the
    file's last ``TAIL`` bytes when the caller holds them (nothing is read from the disk then)."""
    if tail is None or len(tail) < min(size, TAIL):
        try:
            with path.open("rb") as fh:
                fh.seek(max(0, size - TAIL))
                tail = fh.read()
        except OSError:
            return "unreadable"
    end = tail.rfind(b"%%EOF")
    if end < 0:
        return "incomplete"
    if tail[end + 5 :].strip(b" \t\r\n\x00\x0c"):
        return "trailing"
    # a ZIP's end record is found from the file's end: its last TAIL bytes are all it reads
    try:
        found = zipfile.is_zipfile(io.BytesIO(tail))
    except zipfile.BadZipFile:  # an end record that spans disks: a ZIP all the same
        found = True
    return "zip" if found else None
