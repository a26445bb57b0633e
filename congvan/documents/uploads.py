"""Stream uploads straight into the blob store while hashing them; never hold a file in memory."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from congvan.documents import blobstore
from congvan.lib import filetypes

HEAD = 8192


class BlobUpload(UploadedFile):
    """An uploaded file written to a temporary blob; ``commit()`` keeps it, ``close()`` drops it."""

    def __init__(self, temp: Path, name: str, content_type: str, size: int, sha256: str, head: bytes) -> None:
        self.temp = temp
        self.committed = False
        self.dropped = False
        self._file: BinaryIO | None = None
        super().__init__(None, name, content_type, size)
        self.mode = "rb"
        self.sha256 = sha256
        self.head = head
        self.tail: bytes | None = None  # the last ``filetypes.TAIL`` bytes, when held already

    # Opened when first read: most staged files are checked from ``head`` and ``tail`` and moved into the
    # store unread (a mail's documents: five system calls each, and as many waits for the fetch's lock).
    @property  # type: ignore[override]
    def file(self) -> BinaryIO | None:
        if self._file is None and not self.dropped:
            self._file = open(self.temp, "rb")  # noqa: SIM115 - closed by close() or commit()
        return self._file

    @file.setter
    def file(self, value: BinaryIO | None) -> None:
        self._file = value

    def commit(self) -> str:
        """Move the content into the store (idempotent) and return its SHA-256."""
        if not self.committed:
            if self._file is not None:
                self._file.close()
                self._file = None
            # from now on the content is read from the store (a batch of messages shares one upload)
            self.temp = blobstore.commit_temp(self.temp, self.sha256)
            self.committed = True
        return self.sha256

    def close(self) -> None:
        try:
            if self._file is not None:
                self._file.close()
        finally:
            if not self.committed:
                self.dropped = True
                self.temp.unlink(missing_ok=True)


class HeldPart(UploadedFile):
    """A small exchange message part (the edXML of ``message`` or ``message-N``) kept in memory: it is
    read once and never stored, so it is not written to a temporary file and read back."""

    def __init__(self, data: bytes, name: str, content_type: str) -> None:
        super().__init__(None, name, content_type, len(data))
        self.data = data


# A message part beyond this goes to a temporary file like any upload (a batch holds at most 100 parts).
HELD_MAX = 256 * 1024
_HELD_FIELDS = {
    "/exchange/v1/messages": re.compile(r"message"),
    "/exchange/v1/batch": re.compile(r"message-\d{1,3}"),
}


class BlobUploadHandler(FileUploadHandler):
    """Write each uploaded file to a temporary blob, hashing it; refuse one over the size limit.

    A page request from someone not signed in has no file to send (the login form has none): its files
    are skipped unread into the disk, so nothing is spooled before the request is refused. The API
    checks the bearer token before it reads a body; the exchange checks the sending node first.
    """

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        request = self.request
        if request is not None and not request.path.startswith(("/api/", "/exchange/")):
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                raise SkipFile()
        held = _HELD_FIELDS.get(request.path) if request is not None else None
        self.held: list[bytes] | None = (
            [] if held is not None and held.fullmatch(self.field_name or "") else None
        )
        if self.held is None:
            self.temp, self.fh = blobstore.new_temp()
        self.digest = hashlib.sha256()
        self.size = 0
        self.head = b""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.held is not None:
            self.held.append(raw_data)
            if self.size + len(raw_data) <= HELD_MAX:
                self.size += len(raw_data)
                return None
            self.temp, self.fh = blobstore.new_temp()  # too large to hold: a temporary file after all
            raw_data, self.held = b"".join(self.held), None
            self.size = 0
        self.size += len(raw_data)
        if self.size > settings.MAX_UPLOAD_BYTES:
            self.fh.close()
            self.temp.unlink(missing_ok=True)
            if self.request is not None:
                too_large: list[str] = getattr(self.request, "congvan_too_large", [])
                too_large.append(self.file_name or "")
                self.request.congvan_too_large = too_large  # type: ignore[attr-defined]
            raise SkipFile()
        if len(self.head) < HEAD:
            self.head += raw_data[: HEAD - len(self.head)]
        self.digest.update(raw_data)
        self.fh.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> BlobUpload | HeldPart:
        if self.held is not None:
            return HeldPart(b"".join(self.held), self.file_name or "", self.content_type or "")
        self.fh.close()
        return BlobUpload(
            self.temp,
            self.file_name or "",
            self.content_type or "",
            self.size,
            self.digest.hexdigest(),
            self.head,
        )

    def upload_interrupted(self) -> None:
        fh = getattr(self, "fh", None) if getattr(self, "held", None) is None else None
        if fh is not None:
            fh.close()
            self.temp.unlink(missing_ok=True)


def stage_bytes(
    name: str, data: bytes, content_type: str = "application/octet-stream", *, sha256: str | None = None
) -> BlobUpload:
    """Stage content made inside the system (demo data, generated files, a mail's attachment) like an
    upload; ``sha256``: its hash when the caller has it already."""
    temp = blobstore.write_temp(data)
    digest = sha256 or hashlib.sha256(data).hexdigest()
    blobstore.make_room(digest)
    upload = BlobUpload(temp, name, content_type, len(data), digest, data[:HEAD])
    upload.tail = data[-filetypes.TAIL :]  # the checks read it here, not from the disk
    return upload
