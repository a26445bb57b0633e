"""The classification guard at every entry of a document: the confidentiality field, the subject and the
file's own text (a mark near the top of page 1, ``lib.classification``). A PDF with a text layer is read
when it arrives; a scan is read by OCR in the background (``capture``) and, until it is, its document is
neither approved, released nor registered."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.documents.errors import Classified, WrongState
from congvan.documents.metadata import CLASSIFIED_REASON, refuse_classified
from congvan.documents.models import CheckState, ContentCheck, Document
from congvan.documents.uploads import BlobUpload
from congvan.lib import filetypes
from congvan.lib.classification import Classification, find_mark, subject_mark
from congvan.lib.errors import InvalidInput
from congvan.lib.officetext import office_text
from congvan.lib.pdftext import is_scan, page_text


@dataclass(frozen=True)
class FileVerdict:
    sha256: str
    state: str
    mark: str = ""


def refuse_mark(found: Classification, where: str) -> None:
    raise Classified(
        str(CLASSIFIED_REASON.format(label=found.mark, value=found.level))
        + " "
        + _("(dấu %(mark)s ở %(where)s: “%(line)s”)")
        % {"mark": found.mark, "where": where, "line": found.text[:80]}
    )


def check_fields(*, subject: str = "", confidentiality: str = "none", **_other: object) -> None:
    """The confidentiality field and a mark written into the subject."""
    refuse_classified(confidentiality or "none")
    found = subject_mark(subject or "")
    if found is not None:
        refuse_mark(found, _("trích yếu"))


def read_file(path: Path, mime: str, name: str) -> str:
    """The verdict's state for one file before it is stored: clear, pending (a scan), or a refusal."""
    if mime in (filetypes.DOCX, filetypes.ODT):
        try:
            text = office_text(path, mime)
        except InvalidInput:
            return CheckState.CLEAR  # unreadable text: nothing to read a mark from (the file is kept as sent)
        found = find_mark(text)
        if found is not None:
            refuse_mark(found, _("tệp %(name)s") % {"name": name})
        return CheckState.CLEAR
    if mime in (filetypes.PNG, filetypes.JPEG, filetypes.TIFF):
        return CheckState.PENDING  # a picture of a page: read by OCR in the background
    if mime != filetypes.PDF:
        return CheckState.CLEAR  # spreadsheets and archives carry no page-1 stamp
    text = page_text(path)
    if is_scan(path, text):
        return CheckState.PENDING
    found = find_mark(text)
    if found is not None:
        refuse_mark(found, _("tệp %(name)s") % {"name": name})
    return CheckState.CLEAR


def check_staged(
    staged: Iterable[tuple[BlobUpload, str, str]], *, known_clear: set[str] | None = None
) -> list[str]:
    """Read each staged upload ``(upload, name, mime)`` before anything is stored; return their states
    in order. Content already judged clear (the same bytes, by SHA-256: a document sent to a thousand
    units) is not read again. ``known_clear``: contents known to be judged clear already (the files of
    a batch's earlier messages), not looked up again; those found clear are added to it."""
    staged = list(staged)
    clear = known_clear if known_clear is not None else set()
    wanted = [upload.sha256 for upload, _name, _mime in staged if upload.sha256 not in clear]
    if wanted:
        clear.update(
            ContentCheck.objects.filter(blob_id__in=wanted, state=CheckState.CLEAR).values_list(
                "blob_id", flat=True
            )
        )
    return [
        CheckState.CLEAR if upload.sha256 in clear else read_file(upload.temp, mime, name)
        for upload, name, mime in staged
    ]


def record_verdicts(verdicts: Iterable[FileVerdict], *, known_clear: set[str] | None = None) -> None:
    """Keep the verdicts of stored files (inside the storing transaction); a file already judged keeps its
    verdict unless this one is stricter. ``known_clear`` (see ``check_staged``): judged already, skipped;
    the clear verdicts kept here are added to it."""
    now = timezone.now()
    known = known_clear if known_clear is not None else set()
    for v in verdicts:
        if v.sha256 in known:
            continue
        row = ContentCheck.objects.filter(blob_id=v.sha256).first()
        if row is None:
            ContentCheck.objects.create(
                blob_id=v.sha256, state=v.state, mark=v.mark, checked_at=now if v.state != "pending" else None
            )
        if (row.state if row is not None else v.state) == CheckState.CLEAR:
            known.add(v.sha256)


def refuse_unchecked(doc: Document) -> None:
    """Refuse to approve, release or register a document one of whose files is marked, or not read yet."""
    states = dict(
        ContentCheck.objects.filter(blob__documentfile__document=doc).values_list("state", "mark").distinct()
    )
    if CheckState.MARKED in states:
        raise Classified(
            str(CLASSIFIED_REASON.format(label=states[CheckState.MARKED] or "MẬT", value="marked"))
        )
    if CheckState.PENDING in states:
        raise WrongState(
            _("Tệp quét chưa được đọc để kiểm tra độ mật: hãy chờ ít phút rồi thử lại"),
            code="content_unchecked",
        )
