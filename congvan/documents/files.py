"""Check staged uploads and attach them to documents."""

from __future__ import annotations

from django.utils.translation import gettext as _

from congvan.documents.errors import InvalidDocument
from congvan.documents.models import Blob, Document, DocumentFile, FileRole
from congvan.documents.uploads import BlobUpload
from congvan.lib import filetypes
from congvan.lib.sql import insert_rows
from congvan.lib.text import clean_file_name

MAIN_TYPES = {filetypes.PDF}
ATTACHMENT_TYPES = {
    filetypes.PDF,
    filetypes.PNG,
    filetypes.JPEG,
    filetypes.TIFF,
    filetypes.DOCX,
    filetypes.XLSX,
    filetypes.ODT,
    filetypes.ODS,
    filetypes.OLE,
    filetypes.ZIP,
}
MAX_ATTACHMENTS = 30


def check_upload(upload: BlobUpload, *, allowed: set[str]) -> tuple[str, str]:
    """Return (clean name, content type) of an upload, or refuse it with the reason. The name's extension
    follows the detected type; a PDF must be only a PDF (complete, nothing after its end, not a ZIP)."""
    name = clean_file_name(upload.name or "")
    mime = filetypes.sniff(upload.head, upload.temp)
    mime = filetypes.check_type(name, mime, allowed=allowed, size=upload.size or 0)
    if mime == filetypes.PDF:
        problem = filetypes.pdf_problem(upload.temp, upload.size or 0, upload.tail)
        if problem in ("incomplete", "unreadable"):
            raise InvalidDocument(
                (_("Tệp %(name)s là PDF hỏng hoặc không trọn vẹn") % {"name": f"{name!r}"}),
                code="broken_file",
            )
        if problem is not None:
            raise InvalidDocument(
                _("Tệp %(name)s không chỉ là PDF (có dữ liệu khác ghép sau phần cuối của tệp)")
                % {"name": f"{name!r}"},
                code="not_only_pdf",
            )
    return filetypes.named_for(name, mime), mime


def check_files(main: BlobUpload | None, attachments: list[BlobUpload]) -> list[tuple[BlobUpload, str, str]]:
    """Check every file before anything is stored: one bad file refuses the whole request."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidDocument(
            _("Tối đa %(MAX_ATTACHMENTS)s tệp đính kèm") % {"MAX_ATTACHMENTS": MAX_ATTACHMENTS}
        )
    checked = []
    if main is not None:
        checked.append((main, *check_upload(main, allowed=MAIN_TYPES)))
    checked += [(a, *check_upload(a, allowed=ATTACHMENT_TYPES)) for a in attachments]
    return checked


def store_files(
    checked: list[tuple[BlobUpload, str, str]], *, rows_written: set[str] | None = None
) -> list[tuple[Blob, str]]:
    """Commit checked uploads to the blob store and return their blobs with the clean names.
    ``rows_written``: contents whose Blob row this transaction wrote already (a batch's shared file),
    not written again; those written here are added to it."""
    blobs = [
        (Blob(sha256=upload.commit(), size=upload.size or 0, mime=mime), name)
        for upload, name, mime in checked
    ]
    known = rows_written if rows_written is not None else set()
    new = [b for b, _ in blobs if b.sha256 not in known]
    if new:
        insert_rows(new, ignore_conflicts=True)
        known.update(b.sha256 for b in new)
    return blobs


def attach(
    document: Document, checked: list[tuple[BlobUpload, str, str]], *, has_main: bool, start: int = 0
) -> None:
    """Store checked uploads as the document's files (the main one first)."""
    rows = [
        DocumentFile(
            document=document,
            role=FileRole.MAIN if has_main and i == 0 else FileRole.ATTACHMENT,
            blob_id=blob.sha256,
            name=name,
            position=start + i,
        )
        for i, (blob, name) in enumerate(store_files(checked))
    ]
    DocumentFile.objects.bulk_create(rows)


def replace_blob(file: DocumentFile, sha256: str) -> None:
    """Point a file of an unreleased document at new content (its signed version); the old blob stays."""
    if file.document.state == "released":
        raise InvalidDocument(_("Tệp của văn bản đã ban hành không thay đổi"))
    DocumentFile.objects.filter(pk=file.pk).update(blob_id=sha256)
    file.blob_id = sha256
