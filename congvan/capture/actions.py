"""Take files in, process them in the worker, and turn a finished intake into a draft."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.capture.convert import convert, first_page_ocr, image_ocr, office_pdf
from congvan.capture.errors import IntakeNotFound, IntakeRefused
from congvan.capture.metadata import extract
from congvan.capture.models import Intake, IntakeState
from congvan.documents import blobstore
from congvan.documents.actions import do_create_draft
from congvan.documents.files import ATTACHMENT_TYPES, check_files, store_files
from congvan.documents.models import Blob, CheckState, ContentCheck, Document, DocumentFile
from congvan.documents.uploads import BlobUpload, stage_bytes
from congvan.lib import filetypes
from congvan.lib.access import fetch_visible
from congvan.lib.classification import find_mark
from congvan.orgs.access import DRAFTERS, UNIT_WIDE, Acting

INTAKE_TYPES = {filetypes.PDF, filetypes.PNG, filetypes.JPEG, filetypes.TIFF, filetypes.DOCX, filetypes.ODT}
assert INTAKE_TYPES <= ATTACHMENT_TYPES


def visible_intakes(acting: Acting) -> QuerySet[Intake]:
    """The unit's intakes for the roles that see all of its work; a specialist's own only."""
    qs = Intake.objects.filter(unit_id=acting.unit.pk)
    if acting.role not in UNIT_WIDE:
        qs = qs.filter(created_by_id=acting.user.pk)
    return qs


def access_intake(acting: Acting, intake_id: int, *, for_write: bool = False) -> Intake:
    qs = visible_intakes(acting).select_related("blob")
    return fetch_visible(
        qs, intake_id, IntakeNotFound(_("Không tìm thấy tệp tiếp nhận")), for_write=for_write
    )


def do_take_in_file(upload: BlobUpload | None, *, actor: Acting) -> Intake:
    """Store a file for digitisation and queue it for the worker."""
    from congvan.capture.tasks import process_intake

    actor.require(*DRAFTERS, what=_("tiếp nhận tệp"))
    if upload is None:
        raise IntakeRefused(_("file: cần một tệp"), code="missing_file")
    [(checked, name, mime)] = check_files(None, [upload])
    if mime not in INTAKE_TYPES:
        raise IntakeRefused(_("Chỉ nhận PDF, ảnh quét (JPEG, PNG, TIFF), DOCX, ODT"))
    with transaction.atomic():
        [(blob, name)] = store_files([(checked, name, mime)])
        intake = Intake.objects.create(unit=actor.unit, created_by=actor.user, blob=blob, name=name)
        record(
            "intake.created",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="intake",
            target_id=intake.pk,
            details={"name": name, "mime": mime},
        )
        process_intake.enqueue(intake.pk)  # part of this transaction: runs only if it commits
    return intake


def _set(intake_id: int, **fields: Any) -> None:
    Intake.objects.filter(pk=intake_id).update(updated_at=timezone.now(), **fields)


def process(intake_id: int) -> None:
    """Convert, OCR, guard and read the metadata of one intake (restartable: it starts over)."""
    intake = Intake.objects.select_related("blob").filter(pk=intake_id).first()
    if intake is None or intake.state in (IntakeState.DONE, IntakeState.REFUSED):
        return
    _set(intake.pk, state=IntakeState.PROCESSING, progress=10)
    try:
        converted = convert(blobstore.blob_path(intake.blob_id), intake.blob.mime)
        _set(intake.pk, progress=70, kind=converted.kind, pages=converted.pages or None)
        mark = find_mark(converted.text)
        if mark is not None:
            raise IntakeRefused(
                _("Văn bản có dấu %(mark)s (dòng %(line)s): văn bản mật không được xử lý qua hệ thống này")
                % {"mark": mark.mark, "line": mark.line}
            )
        suggested = extract(converted.text).as_dict()
    except IntakeRefused as exc:
        with transaction.atomic():
            _set(intake.pk, state=IntakeState.REFUSED, progress=100, reason=exc.message[:500])
            record(
                "intake.refused",
                actor=None,
                unit="",
                target_type="intake",
                target_id=intake.pk,
                details={"reason": exc.message[:200]},
            )
        return
    with transaction.atomic():
        rendition = None
        if converted.rendition is not None:
            sha, size = blobstore.put_bytes(converted.rendition)
            rendition, _created = Blob.objects.get_or_create(
                sha256=sha, defaults={"size": size, "mime": filetypes.PDF}
            )
        # The guard read this file's whole text above: its verdict is kept, so a draft or an incoming
        # document made of it is not held for another reading.
        now = timezone.now()
        for blob_id in filter(None, [intake.blob_id, rendition.sha256 if rendition else None]):
            ContentCheck.objects.get_or_create(
                blob_id=blob_id, defaults={"state": CheckState.CLEAR, "checked_at": now}
            )
        _set(
            intake.pk,
            state=IntakeState.DONE,
            progress=100,
            text=converted.text[:500_000],
            suggested=suggested,
            rendition=rendition,
        )
        record(
            "intake.done",
            actor=None,
            target_type="intake",
            target_id=intake.pk,
            details={"kind": converted.kind, "pages": converted.pages},
        )


def do_make_draft_from_intake(intake_id: int, overrides: dict[str, Any], *, actor: Acting) -> Document:
    """Turn a finished intake into a draft outgoing document, prefilled with what was read."""
    intake = access_intake(actor, intake_id)
    if intake.state != IntakeState.DONE:
        raise IntakeRefused(_("Tệp chưa xử lý xong hoặc bị từ chối"), code="wrong_state")
    s = intake.suggested
    meta = {
        k: v
        for k, v in {
            "type": s.get("type") or "CV",
            "subject": s.get("subject") or intake.name,
            "signer_name": s.get("signer_name", "")[:50],
            "signer_position": s.get("signer_position", "")[:100],
            "signer_competence": s.get("signer_competence", "")[:100],
            "urgency": s.get("urgency") or "normal",
        }.items()
        if v is not None
    }
    meta.update(overrides)
    source = intake.rendition_id or intake.blob_id
    with blobstore.open_blob(source) as fh:  # the file is staged before the transaction
        data = fh.read()
    main = stage_bytes(intake.name if intake.name.lower().endswith(".pdf") else intake.name + ".pdf", data)
    with transaction.atomic():
        intake = access_intake(actor, intake_id, for_write=True)
        if intake.document_id is not None:
            raise IntakeRefused(_("Tệp đã được dùng"), code="wrong_state")
        doc = do_create_draft(meta, main=main, attachments=[], actor=actor)
        Intake.objects.filter(pk=intake.pk).update(document=doc)
        record(
            "intake.drafted",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="intake",
            target_id=intake.pk,
            details={"document": doc.pk},
        )
    return doc


def do_check_pending_contents(limit: int = 20) -> int:
    """Read by OCR the first page of files the guard could not read when they arrived (scans, pictures);
    a marked one blocks its document (``documents.guard.refuse_unchecked``) and is recorded. Returns how
    many were read."""
    done = 0
    pending = ContentCheck.objects.filter(state=CheckState.PENDING).values_list("blob_id", "blob__mime")
    for sha, mime in list(pending[:limit]):
        path = blobstore.blob_path(sha)
        text = first_page_ocr(path) if mime == filetypes.PDF else image_ocr(path)
        found = find_mark(text)
        with transaction.atomic():
            state = CheckState.MARKED if found else CheckState.CLEAR
            changed = ContentCheck.objects.filter(blob_id=sha, state=CheckState.PENDING).update(
                state=state, mark=found.reason[:100] if found else "", checked_at=timezone.now()
            )
            if changed and found:
                for doc_id, unit in DocumentFile.objects.filter(blob_id=sha).values_list(
                    "document_id", "document__issuing_unit__code"
                ):
                    record(
                        "document.marked",
                        actor=None,
                        unit=unit,
                        target_type="document",
                        target_id=doc_id,
                        details={"mark": found.reason[:100]},
                    )
        done += 1
    return done


def do_extract_texts(blob_ids: list[str] | None = None, *, ocr: bool = False, limit: int = 200) -> int:
    """Read the text of stored files that have none yet (of documents), so search finds what is written
    inside them: text layers and office files at once; scans and images by OCR when ``ocr``. Returns how
    many were read."""
    from congvan.capture.convert import file_text, folded_line
    from congvan.capture.models import FileText

    todo = Blob.objects.filter(text__isnull=True, documentfile__isnull=False)
    if blob_ids is not None:
        todo = todo.filter(pk__in=blob_ids)
    done = 0
    for sha, mime in list(todo.values_list("sha256", "mime").distinct()[:limit]):
        got = file_text(blobstore.blob_path(sha), mime, ocr=ocr)
        if got is None:
            continue
        text, source = got
        FileText.objects.update_or_create(
            blob_id=sha,
            defaults={
                "text": text,
                "folded": folded_line(text),
                "source": source,
                "extracted_at": timezone.now(),
            },
        )
        done += 1
    return done


def office_main(
    main: BlobUpload | None, attachments: list[BlobUpload]
) -> tuple[BlobUpload | None, list[BlobUpload]]:
    """A draft's main file given as DOCX or ODT: the PDF LibreOffice makes of it becomes the main file,
    the original is kept as the first attachment (a PDF, or no file, passes unchanged)."""
    if main is None:
        return main, attachments
    mime = filetypes.sniff(main.head, main.temp)
    if mime not in (filetypes.DOCX, filetypes.ODT):
        return main, attachments
    pdf = office_pdf(main.temp, main.name or "van-ban.docx")
    if pdf is None:
        raise IntakeRefused(
            _("Không chuyển được tệp DOCX/ODT sang PDF (thiếu LibreOffice hoặc tệp hỏng): hãy gửi PDF"),
            code="conversion_failed",
        )
    stem = (main.name or "van-ban").rsplit(".", 1)[0]
    return stage_bytes(stem + ".pdf", pdf, filetypes.PDF), [main, *attachments]
