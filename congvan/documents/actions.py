"""State changes of outgoing documents while they are drafts."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from congvan.audit.actions import record, record_access
from congvan.documents import guard
from congvan.documents.access import access_issued_document, issued_documents
from congvan.documents.errors import InvalidDocument, WrongState
from congvan.documents.files import attach, check_files
from congvan.documents.metadata import check_reply_due, clean_metadata
from congvan.documents.models import DocState, Document, DocumentType, FileRole
from congvan.documents.uploads import BlobUpload
from congvan.orgs.access import DRAFTERS, Acting, usable_groups


def do_create_draft(
    raw_metadata: Any,
    *,
    main: BlobUpload | None,
    attachments: list[BlobUpload],
    actor: Acting,
    in_reply_to: Document | None = None,
) -> Document:
    """Create a draft outgoing document with its files (``in_reply_to``: the received document it
    answers, checked by the caller that may see it)."""
    actor.require(*DRAFTERS, what=_("soạn văn bản"))
    fields = clean_metadata(raw_metadata)
    check_reply_due(fields)
    _check_replaces(actor, fields)
    _check_groups(actor, fields)
    if main is None:
        raise InvalidDocument(_("file: cần tệp PDF văn bản chính"), code="missing_file")
    guard.check_fields(**fields)
    checked = check_files(main, attachments)
    verdicts = _read_contents(checked)
    fields.setdefault("place", actor.unit.place)
    with transaction.atomic():
        doc = Document.objects.create(
            issuing_unit=actor.unit, created_by=actor.user, in_reply_to=in_reply_to, **fields
        )
        attach(doc, checked, has_main=True)
        guard.record_verdicts(verdicts)
        record(
            "document.drafted",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="document",
            target_id=doc.pk,
            details={"subject": doc.subject, "files": len(checked)},
        )
    return doc


def _read_contents(checked: list[tuple[BlobUpload, str, str]]) -> list[guard.FileVerdict]:
    """The classification guard over each file's text, before anything is stored (a mark refuses)."""
    states = guard.check_staged(checked)
    return [
        guard.FileVerdict(upload.sha256, state)
        for (upload, _n, _m), state in zip(checked, states, strict=True)
    ]


def _check_replaces(acting: Acting, fields: dict[str, Any]) -> None:
    """A draft may name, as the document it replaces, one its own unit released."""
    replaced = fields.get("replaces_id")
    if (
        replaced is not None
        and not issued_documents(acting).filter(pk=replaced, state=DocState.RELEASED).exists()
    ):
        raise InvalidDocument(_("replaces: không có văn bản đã ban hành này của đơn vị"))


def _check_groups(acting: Acting, fields: dict[str, Any]) -> None:
    """A draft's recipient groups are those its unit may send to (its own, those shared from above)."""
    slugs = fields.get("planned_groups") or []
    known = set(usable_groups(acting).filter(slug__in=slugs).values_list("slug", flat=True))
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise InvalidDocument(
            _("groups: không có nhóm nơi nhận %(items)s") % {"items": ", ".join(unknown[:20])},
            code="unknown_group",
        )


def do_update_draft(
    document_id: int,
    raw_metadata: Any,
    *,
    main: BlobUpload | None = None,
    attachments: list[BlobUpload] | None = None,
    actor: Acting,
) -> Document:
    """Change a draft's metadata, replace its main file or add attachments."""
    fields = clean_metadata(raw_metadata, partial=True)
    check_reply_due(fields)
    guard.check_fields(**fields)
    _check_replaces(actor, fields)
    _check_groups(actor, fields)
    checked = check_files(main, attachments or [])
    verdicts = _read_contents(checked)
    with transaction.atomic():
        doc = access_issued_document(actor, document_id, for_write=True)
        if doc.state != DocState.DRAFT:
            raise WrongState(_("Chỉ sửa được văn bản đang dự thảo"))
        if doc.created_by_id != actor.user.pk and actor.role not in {"leader", "clerk"}:
            raise WrongState(_("Chỉ người soạn sửa được dự thảo"))
        for name, value in fields.items():
            setattr(doc, name, value)
        doc.save()
        if main is not None:
            doc.files.filter(role=FileRole.MAIN).delete()
        last = doc.files.order_by("-position").values_list("position", flat=True).first() or 0
        attach(doc, checked, has_main=main is not None, start=last + 1)
        guard.record_verdicts(verdicts)
        record(
            "document.edited",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="document",
            target_id=doc.pk,
            details={"fields": sorted(fields), "files": len(checked)},
        )
    return doc


def do_note_document_read(doc: Document, *, file_id: int | None = None, actor: Acting) -> None:
    """Audit an opening of a document the person may read, or a download of one of its files (pages
    and API alike): "who opened this document"."""
    details = {"file": file_id} if file_id is not None else {}
    record_access(
        "document.downloaded" if file_id is not None else "document.read",
        actor=actor.user,
        unit=actor.unit.code,
        target_type="document",
        target_id=doc.pk,
        **details,
    )


def do_record_received_type(name: str) -> DocumentType:
    """A document type named by an incoming message and in no list: kept by its name (received only,
    never offered when composing), with an abbreviation made from its initials."""
    from congvan.lib.text import clean_line
    from congvan.lib.vntext import folded_form

    name = clean_line(name, field="TypeName", max_length=100)
    if not name:
        raise InvalidDocument(_("Thiếu tên loại văn bản"), code="missing_field")
    with transaction.atomic():
        existing = DocumentType.objects.filter(name__iexact=name).first()
        if existing is not None:
            return existing
        stem = "".join(w[0] for w in folded_form(name).split()).upper()[:7] or "X"
        abbreviation, n = stem, 1
        while DocumentType.objects.filter(abbreviation=abbreviation).exists():
            n += 1
            abbreviation = f"{stem}{n}"
        kind = DocumentType.objects.create(abbreviation=abbreviation, name=name, rule_sets="received")
        record(
            "document_type.recorded",
            actor=None,
            target_type="document_type",
            target_id=kind.pk,
            details={"name": name, "abbreviation": abbreviation},
        )
    return kind
