"""Between edXML messages and congvan's documents: import into a unit's inbox, export a document."""

from __future__ import annotations

import re

from congvan.documents import blobstore
from congvan.documents.actions import do_record_received_type
from congvan.documents.models import Blob, Document, DocumentType, Urgency
from congvan.documents.queries import files_of
from congvan.documents.uploads import BlobUpload, stage_bytes
from congvan.exchange.edxml import (
    Attachment,
    EdxmlMessage,
    ManifestEntry,
    Organ,
    unzip_if_packed,
)
from congvan.lib import filetypes
from congvan.lib.errors import InvalidInput
from congvan.lib.text import clean_file_name, clean_line
from congvan.orgs.actions import do_record_external_unit
from congvan.orgs.models import Unit, User

PRIORITIES = {0: Urgency.NORMAL, 1: Urgency.URGENT, 2: Urgency.VERY_URGENT, 3: Urgency.FLASH}


def issuer_unit(organ: Organ, *, home_node: str = "") -> Unit:
    """The sending organ: a known unit by its code, or an inactive directory entry."""
    code = clean_line(organ.organ_id or "KHONG-RO", field="OrganId", max_length=32)
    unit = Unit.objects.filter(code=code).first()
    if unit is not None:
        return unit
    name = clean_line(organ.name or code, field="OrganName", max_length=200) or code
    return do_record_external_unit(name=name, code=code, home_node=home_node[:32], actor=None)


# edXML DocumentType/Type: 1 a legal (normative) document, 2 an administrative one; TypeDetail: the
# administrative type's place in Decree 30/2020 Article 7's list (0 for a type that list lacks, such as
# the Party's own "Kết luận" or "Thông tri", and for legal documents).
LEGAL, ADMINISTRATIVE = "1", "2"
DECREE_30_TYPES = [
    "NQ", "QĐ", "CT", "QC", "QyĐ", "TC", "TB", "HD", "CTr", "KH", "PA", "ĐA", "DA", "BC", "BB", "TTr",
    "HĐ", "CV", "CĐ", "BGN", "BTT", "GUQ", "GM", "GGT", "GNP", "PG", "PC", "PB",
]  # fmt: skip


def edxml_type(doc_type: DocumentType) -> tuple[str, str]:
    """``(Type, TypeDetail)`` of a document type."""
    if doc_type.rule_sets.split() == ["received"]:
        return LEGAL, "0"
    if doc_type.abbreviation in DECREE_30_TYPES:
        return ADMINISTRATIVE, str(DECREE_30_TYPES.index(doc_type.abbreviation) + 1)
    return ADMINISTRATIVE, "0"


def doc_type_named(name: str) -> DocumentType:
    """The type an incoming message names (``TypeName``): by its name whatever the case, marks or
    "(Nhà nước)"/"(Đảng)" qualifier, or by its abbreviation ("QĐ"); a name in no list is recorded by
    that name, never taken for "Công văn". Only a message that names no type is a Công văn."""
    from congvan.lib.vntext import folded_form

    wanted = " ".join(name.split())
    if not wanted:
        return DocumentType.objects.get(abbreviation="CV")
    by_abbreviation = DocumentType.objects.filter(abbreviation=wanted).first()
    if by_abbreviation is not None:
        return by_abbreviation
    key = folded_form(wanted)
    candidates: dict[str, DocumentType] = {}
    for kind in DocumentType.objects.all():
        plain = folded_form(kind.name.split("(")[0])
        candidates.setdefault(plain, kind)  # "Quy định": the first by name, the State's
        candidates.setdefault(folded_form(kind.name), kind)
        candidates.setdefault(kind.abbreviation.lower(), kind)
    found = candidates.get(key)
    return found if found is not None else do_record_received_type(wanted)


def _safe_name(name: str, index: int) -> str:
    try:
        return clean_file_name(name)
    except InvalidInput:
        return f"tep-dinh-kem-{index}"


def stage_attachments(msg: EdxmlMessage) -> list[tuple[BlobUpload, str, str]]:
    """Stage the files carried inside a message (unzipping the zips peers send) like uploads."""
    files: list[Attachment] = [f for a in msg.attachments for f in unzip_if_packed(a)]
    staged = []
    for i, f in enumerate(files):
        upload = stage_bytes(_safe_name(f.name, i), f.data)
        staged.append(sniffed(upload, i))
    return staged


def sniffed(upload: BlobUpload, index: int, name: str = "") -> tuple[BlobUpload, str, str]:
    """An upload with its clean name (``name``: the one the signed message gives it) and the type read
    from its content."""
    mime = filetypes.sniff(upload.head, upload.temp) or "application/octet-stream"
    return upload, _safe_name(name or upload.name or "", index), mime


def exchange_user() -> User:
    """The account that messages from other servers are recorded under (it cannot log in)."""
    user, created = User.objects.get_or_create(
        username="exchange", defaults={"is_active": False, "first_name": "Trục liên thông"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def code_of(symbol: str) -> tuple[str, str]:
    """edXML's Code: the number and the notation of a symbol ("01-KH/TU" -> "01", "KH/TU")."""
    m = re.match(r"^(\d+)[-/](.+)$", symbol)
    return (m.group(1), m.group(2)) if m else ("", symbol)


def edxml_document_id(doc: Document) -> str:
    """edXML's DocumentId, exactly ``<OrganId>,<yyyy/MM/dd>,<CodeNumber>/<CodeNotation>`` from the Code
    fields (a Party symbol "01-KH/TU" is "01/KH/TU" there)."""
    date = doc.issued_date
    number, notation = code_of(doc.symbol)
    code = f"{number}/{notation}" if number else notation
    return f"{doc.issuing_unit.code},{date:%Y/%m/%d},{code}" if date else code


def find_document(document_id: str) -> Document | None:
    """The released document an edXML DocumentId names (as this server wrote it)."""
    parts = document_id.split(",", 2)
    if len(parts) != 3:
        return None
    code, _date, written = parts
    symbols = {written}  # as earlier versions wrote it: the symbol itself
    number, _sep, notation = written.partition("/")
    if number.isdigit() and "/" in notation:  # Code fields of a Party symbol: 01/KH/TU -> 01-KH/TU
        symbols.add(f"{number}-{notation}")
    return (
        Document.objects.filter(issuing_unit__code=code, symbol__in=symbols, state="released")
        .order_by("-released_at")
        .first()
    )


def export_document(
    doc: Document, *, recipients: list[Unit] | None = None, embed: bool = True
) -> EdxmlMessage:
    """The edXML message of a released document (attachments as files, not zipped).

    ``embed``: the files inside the XML (an .edxml file); otherwise only listed with their digests,
    to be streamed beside the signed XML (between congvan servers).
    """
    number, notation = code_of(doc.symbol)
    if recipients is None:
        recipients = list(Unit.objects.filter(code__in=doc.planned_recipients).order_by("code"))
    attachments, manifest = [], []
    for i, f in enumerate(files_of(doc), start=1):
        blob: Blob = f.blob
        if embed:
            with blobstore.open_blob(blob.sha256) as fh:
                attachments.append(Attachment(name=f.name, content_type=blob.mime, data=fh.read()))
        else:
            manifest.append(ManifestEntry(f"cid:{i}", f.name, blob.mime, blob.sha256, blob.size))
    date = doc.issued_date
    kind, detail = edxml_type(doc.doc_type)
    return EdxmlMessage(
        kind="document",
        sender=Organ(doc.issuing_unit.code, doc.issuing_unit.name),
        recipients=[Organ(u.code, u.name) for u in recipients],
        document_id=edxml_document_id(doc),
        code_number=number,
        code_notation=notation,
        place=doc.place,
        promulgation_date=date,
        type_code=kind,
        type_detail=detail,
        type_name=doc.doc_type.name.split(" (")[0],  # "Quy định (Đảng)" is a Quy định to a peer
        subject=doc.subject,
        signer_position=doc.signer_position,
        signer_competence=doc.signer_competence,
        signer_name=doc.signer_name,
        due_date=doc.reply_due,
        priority={v: k for k, v in PRIORITIES.items()}.get(Urgency(doc.urgency), 0),
        page_amount=doc.page_count,
        business_type=0,
        business_reason="Văn bản điện tử mới",
        attachments=attachments,
        manifest=manifest,
        confidentiality=doc.confidentiality,
    )
