"""The documents inside a ZIP archive attached to a mail: agencies zip a dossier's scans to send them as
one file, and the clerk expects them to arrive as they would unzipped.

Hostile input is bounded: the first ``MAX_ENTRIES`` entries are looked at, at most ``limit`` files
taken; a file larger than ``MAX_UPLOAD_BYTES`` and what comes after ``MAX_UPLOAD_BYTES`` in all are left
out (and said so), by the sizes the archive declares, which the reader holds each file to; encrypted
files, folders, macOS's resource forks and files that are not documents (an archive inside the archive
too) are left out. A broken file inside is left out and the others read; an archive whose directory
is broken gives nothing (and says so).

Names: UTF-8 when the archive says so. Otherwise as the sender's tool wrote them: Windows' own zip
writes the OEM code page (1258 on Vietnamese Windows), some tools write UTF-8 without saying so (read
as UTF-8 when the bytes are valid UTF-8). Folders are dropped from a name.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

from congvan.lib import filetypes
from congvan.lib.text import nfc

MAX_ENTRIES = 1000  # entries looked at (each is read to know what it is): a zip of 100,000 empty files
UTF8_FLAG = 0x800
ENCRYPTED_FLAG = 0x1


@dataclass
class Opened:
    files: list[tuple[str, bytes, str]] = field(default_factory=list)  # name, content, type
    problems: list[str] = field(default_factory=list)


def name_of(info: zipfile.ZipInfo) -> str:
    """A member's file name, without its folders."""
    if info.flag_bits & UTF8_FLAG:
        name = info.orig_filename
    else:
        raw = info.orig_filename.encode("cp437")  # what zipfile decoded: the bytes as written
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            name = raw.decode("cp1258", "replace")
    return nfc(name.replace("\\", "/").rsplit("/", 1)[-1])


def documents(data: bytes, *, limit: int, kinds: set[str]) -> Opened:
    """The files of the archive ``data`` whose content is of a type in ``kinds``, in the archive's order."""
    out = Opened()
    budget = settings.MAX_UPLOAD_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for looked, info in enumerate(archive.infolist()):
                if looked >= MAX_ENTRIES or len(out.files) >= limit:
                    many = f"{MAX_ENTRIES} entries" if looked >= MAX_ENTRIES else f"{limit} documents"
                    out.problems.append(f"zip: more than {many}, the rest left out")
                    break
                name = name_of(info)
                if info.is_dir() or not name or name.startswith("._") or info.flag_bits & ENCRYPTED_FLAG:
                    continue
                if info.file_size > budget:
                    out.problems.append(f"zip: {name[:100]} left out ({info.file_size} bytes: too big)")
                    continue
                try:
                    content = archive.read(info)  # held to the size declared (CRC and size checked)
                except filetypes.ZIP_ERRORS as exc:
                    out.problems.append(f"zip: {name[:100]} unreadable ({type(exc).__name__})")
                    continue
                budget -= len(content)
                mime = filetypes.sniff_bytes(content)
                if mime in kinds:
                    out.files.append((name, content, mime))
    except filetypes.ZIP_ERRORS as exc:
        out.problems.append(f"zip: unreadable archive ({type(exc).__name__})")
    return out
