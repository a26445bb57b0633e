"""Read and write edXML messages (QCVN 102:2016): documents (new, revoke, update, replace) and statuses.

Real peers vary: default and prefixed namespaces mixed, attachments base64 of a zip, RSA-SHA1
signatures with certificates cut short, empty optional fields. Reading never trusts the signature by
itself: whether it verifies is reported, checking it against configured peers is the exchange's job.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring
from xml.etree.ElementTree import fromstring as _fast_fromstring

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import ParseError, fromstring
from django.utils.translation import gettext as _

from congvan.lib import filetypes
from congvan.lib.dates import VN
from congvan.lib.errors import InvalidInput

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
# congvan's own transport fields, in their own namespace (other readers ignore them): the message id,
# the sending node, the answer to a message, and the digests of attachments sent beside the XML.
CV = "urn:congvan:exchange:1"
MAX_MESSAGE_BYTES = 200 * 1024 * 1024
# Written as the SDKs write it (``edXML:MessageHeader``): some receivers look the elements up by that
# prefixed name; congvan's own elements under ``cv:``.
register_namespace("edXML", NS)
register_namespace("cv", CV)


class MalformedMessage(InvalidInput):
    code = "malformed_edxml"


@dataclass
class Organ:
    organ_id: str = ""
    name: str = ""


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes
    content_id: str = ""


@dataclass
class ManifestEntry:
    """An attachment sent beside the XML (streamed), bound to the signed header by its digest."""

    content_id: str
    name: str
    content_type: str
    sha256: str
    size: int


@dataclass
class EdxmlMessage:
    kind: str  # document | status
    sender: Organ = field(default_factory=Organ)
    recipients: list[Organ] = field(default_factory=list)
    document_id: str = ""
    code_number: str = ""
    code_notation: str = ""
    place: str = ""
    promulgation_date: dt.date | None = None
    type_code: str = ""  # DocumentType/Type: 1 legal, 2 administrative
    type_detail: str = ""
    type_name: str = ""
    subject: str = ""
    content: str = ""
    signer_competence: str = ""
    signer_position: str = ""
    signer_name: str = ""
    due_date: dt.date | None = None
    priority: int = 0
    page_amount: int | None = None
    business_type: int = 0  # 0 new, 1 revoke, 2 update, 3 replace
    business_reason: str = ""
    business_document_id: str = ""  # update: the document updated (Bussiness/DocumentId)
    replaces: list[str] = field(default_factory=list)  # replace: ReplacementInfo/DocumentId
    status_code: str = ""
    status_description: str = ""
    status_time: str = ""
    status_staff: str = ""  # StaffInfo: the department and the person who reported it
    response_for: str = ""
    signature_algorithm: str = ""
    signature_subject: str = ""  # the common name of the certificate in the message's XML-DSig
    to_places: list[str] = field(default_factory=list)
    steering_type: str = ""
    sphere: str = ""  # OtherInfo/SphereOfPromulgation
    promulgation_amount: str = ""
    appendixes: list[str] = field(default_factory=list)
    trace: list[dict[str, str]] = field(default_factory=list)  # TraceHeader: OrganId, Timestamp
    attachments: list[Attachment] = field(default_factory=list)
    # congvan transport fields (namespace CV)
    message_id: str = ""
    node: str = ""
    confidentiality: str = ""
    ack_for: str = ""
    result: str = ""
    manifest: list[ManifestEntry] = field(default_factory=list)

    @property
    def symbol(self) -> str:
        """The document's number and notation written as at home: Party notations carry the "/"
        ("35" + "KH/HU" -> "35-KH/HU"), State ones the "-" ("15" + "QĐ-BNV" -> "15/QĐ-BNV")."""
        if self.code_number and self.code_notation:
            sep = "-" if "/" in self.code_notation else "/"
            return f"{self.code_number}{sep}{self.code_notation}"
        return self.code_notation or self.code_number


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(node: Element | None, *path: str) -> Element | None:
    for name in path:
        if node is None:
            return None
        end = "}" + name  # the local name, whatever the namespace (no split of every child's tag)
        node = next((c for c in node if c.tag.endswith(end) or c.tag == name), None)
    return node


def _text(node: Element | None, *path: str) -> str:
    found = _find(node, *path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _date(value: str) -> dt.date | None:
    """yyyy/MM/dd as the standard says; dd/MM/yyyy and ISO as some peers send."""
    for fmt in ("%Y/%m/%d", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value.strip()[:10], fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return None


def _int(value: str, default: int | None = None) -> int | None:
    try:
        return int(value.strip())
    except (ValueError, AttributeError):
        return default


def _organ(node: Element | None) -> Organ:
    inner = _find(node, "From")
    if inner is not None:  # a doubled <From> seen in the wild
        node = inner
    return Organ(_text(node, "OrganId"), _text(node, "OrganName") or _text(node, "OrganizationInCharge"))


def _read_xml(data: bytes) -> Element:
    """The element tree of a message, DTDs and entity declarations refused. A message in an encoding
    that keeps ASCII as it is (UTF-8, what congvan and the gateways write) is searched for them as
    bytes and read by the standard library's C parser (defusedxml's pure Python one was most of a
    message's reading); any other (UTF-16...) goes through defusedxml."""
    start = data[3:4] if data.startswith(b"\xef\xbb\xbf") else data.lstrip(b" \t\r\n")[:1]
    if start == b"<":
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise DTDForbidden(None, None, None)
        return _fast_fromstring(data)  # noqa: S314 - no DTD, no entity declaration: checked above
    found: Element = fromstring(data, forbid_dtd=True)
    return found


def _recover(data: bytes) -> Element | None:
    """Some peers send slightly broken XML (a doubled tag): read what can be read, with no entities,
    no network and no huge trees. Hostile constructs (DTDs, entities) are still refused."""
    from lxml import etree

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # anywhere: recovery would read a late one
        return None
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        tree = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, LookupError, ValueError):
        return None
    if tree is None or tree.getroottree().docinfo.doctype:  # a DTD in bytes not searched above (UTF-16)
        return None

    def local(name: str) -> str:  # "{ns}Tag", "edXML:Tag" with its prefix never declared, or "Tag"
        return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]

    def convert(node: Any) -> Element:  # to the standard element type, names without namespaces
        out = Element(local(node.tag), {local(k): v for k, v in node.attrib.items() if isinstance(k, str)})
        out.text = node.text
        for child in node:
            if isinstance(child.tag, str):  # skip comments and processing instructions
                out.append(convert(child))
        return out

    return convert(tree)


def _repair_doubled_from(mh: Element) -> None:
    """A doubled, unclosed <From> swallows the rest of the header: put those fields back."""
    outer = _find(mh, "From")
    inner = _find(outer, "From")
    if outer is None or inner is None:
        return
    for child in list(outer):
        if child is not inner:
            outer.remove(child)
            mh.append(child)


def parse(data: bytes) -> EdxmlMessage:
    """Read an edXML message; malformed input is refused with the reason (never a crash: whatever a
    parser raises on a strange file becomes the refusal)."""
    try:
        return _parse(data)
    except MalformedMessage:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, LookupError) as exc:
        raise MalformedMessage(_("edXML không đọc được: %(name)s") % {"name": type(exc).__name__}) from None


def _parse(data: bytes) -> EdxmlMessage:
    if len(data) > MAX_MESSAGE_BYTES:
        raise MalformedMessage(_("Thông điệp quá lớn"))
    root: Element | None
    try:
        root = _read_xml(data)
    except (ParseError, DefusedXmlException, ValueError, LookupError) as exc:  # the same to the sender
        # (LookupError: an encoding the declaration names that Python does not know; lxml reads on)
        root = _recover(data)
        if root is None:
            raise MalformedMessage(
                _("edXML không đọc được: %(name)s") % {"name": type(exc).__name__}
            ) from None
    if _local(root.tag) != "edXML":
        raise MalformedMessage(_("Không phải thông điệp edXML"))
    header = _find(root, "edXMLEnvelope", "edXMLHeader")
    mh = _find(header, "MessageHeader")
    if mh is None:
        raise MalformedMessage(_("Thiếu MessageHeader"))
    _repair_doubled_from(mh)
    msg = EdxmlMessage(kind="status" if _find(mh, "StatusCode") is not None else "document")
    msg.sender = _organ(_find(mh, "From"))
    msg.recipients = [_organ(c) for c in mh if _local(c.tag) == "To"]
    signature = _find(header, "Signature")
    method = _find(signature, "SignedInfo", "SignatureMethod")
    msg.signature_algorithm = (method.get("Algorithm") or "") if method is not None else ""
    msg.signature_subject = _signer_of(signature)
    _read_transport(header, msg)
    if msg.kind == "status":
        code = _text(mh, "StatusCode")
        msg.status_code = code.zfill(2) if code.isdigit() and len(code) < 2 else code
        msg.status_description = _text(mh, "Description")
        msg.status_time = _text(mh, "Timestamp")
        msg.response_for = _text(mh, "ResponseFor", "DocumentId")
        if not msg.response_for and _text(mh, "ResponseFor", "Code"):
            # a peer that names the document by its parts: OrganId, PromulgationDate, Code
            msg.response_for = ",".join(
                _text(mh, "ResponseFor", part) for part in ("OrganId", "PromulgationDate", "Code")
            )
        msg.status_staff = ", ".join(
            t for part in ("Department", "Staff") if (t := _text(mh, "StaffInfo", part))
        )
        return msg
    msg.document_id = _text(mh, "DocumentId")
    msg.code_number = _text(mh, "Code", "CodeNumber")
    msg.code_notation = _text(mh, "Code", "CodeNotation")
    msg.place = _text(mh, "PromulgationInfo", "Place")
    msg.promulgation_date = _date(_text(mh, "PromulgationInfo", "PromulgationDate"))
    msg.type_code = _text(mh, "DocumentType", "Type")
    msg.type_detail = _text(mh, "DocumentType", "TypeDetail")
    msg.type_name = _text(mh, "DocumentType", "TypeName")
    msg.subject = _text(mh, "Subject")
    msg.content = _text(mh, "Content")
    msg.signer_competence = _text(mh, "SignerInfo", "Competence")
    msg.signer_position = _text(mh, "SignerInfo", "Position")
    msg.signer_name = _text(mh, "SignerInfo", "FullName")
    msg.due_date = _date(_text(mh, "DueDate"))
    msg.priority = _int(_text(mh, "OtherInfo", "Priority"), 0) or 0
    msg.page_amount = _int(_text(mh, "OtherInfo", "PageAmount"))
    _read_kept(mh, header, msg)
    business = _find(header, "TraceHeaderList", "Bussiness")
    msg.business_type = _int(_text(business, "BussinessDocType"), 0) or 0
    msg.business_reason = _text(business, "BussinessDocReason")
    msg.business_document_id = _text(business, "DocumentId")
    replacements = _find(business, "ReplacementInfoList")
    for info in replacements if replacements is not None else []:
        replaced = _text(info, "DocumentId")
        if replaced and replaced not in msg.replaces:
            msg.replaces.append(replaced)
    msg.attachments = _attachments(root)
    return msg


def _texts(node: Element | None, name: str) -> list[str]:
    return [
        " ".join((c.text or "").split()) for c in (node if node is not None else []) if _local(c.tag) == name
    ]


def _read_kept(mh: Element, header: Element | None, msg: EdxmlMessage) -> None:
    """The fields congvan keeps as they came (``Document.received``)."""
    msg.to_places = [p for p in _texts(_find(mh, "ToPlaces"), "Place") if p][:200]
    msg.steering_type = _text(mh, "SteeringType")
    msg.sphere = _text(mh, "OtherInfo", "SphereOfPromulgation")
    msg.promulgation_amount = _text(mh, "OtherInfo", "PromulgationAmount")
    msg.appendixes = [a for a in _texts(_find(mh, "OtherInfo", "Appendixes"), "Appendix") if a][:200]
    msg.response_for = _text(mh, "ResponseFor", "DocumentId")
    hops = _find(header, "TraceHeaderList")
    for hop in hops if hops is not None else []:
        if _local(hop.tag) == "TraceHeader":
            msg.trace.append({"organ_id": _text(hop, "OrganId"), "timestamp": _text(hop, "Timestamp")})
    msg.trace = msg.trace[:100]


def _signer_of(signature: Element | None) -> str:
    """Who signed the message: the certificate's common name, when the certificate can be read (real
    peers send some cut short)."""
    node = (
        next((n for n in signature.iter() if _local(n.tag) == "X509Certificate"), None) if signature else None
    )
    if node is None or not node.text:
        return ""
    return _common_name("".join(node.text.split()))


@functools.lru_cache(maxsize=64)
def _common_name(b64: str) -> str:
    """A certificate's common name (a peer sends the same certificate with every message: read once)."""
    from asn1crypto import x509

    try:
        cert = x509.Certificate.load(base64.b64decode(b64))
        return str(cert.subject.native.get("common_name", ""))[:200]
    except (ValueError, TypeError, KeyError):
        return ""


def _cv(node: Element | None, name: str) -> str:
    found = node.find(f"{{{CV}}}{name}") if node is not None else None
    return (found.text or "").strip() if found is not None else ""


def _read_transport(header: Element | None, msg: EdxmlMessage) -> None:
    msg.message_id = _cv(header, "MessageId")
    msg.node = _cv(header, "Node")
    msg.confidentiality = _cv(header, "Confidentiality")
    msg.ack_for = _cv(header, "AckFor")
    msg.result = _cv(header, "Result")
    msg.manifest = _manifest(header)


def _manifest(header: Element | None) -> list[ManifestEntry]:
    manifest = header.find(f"{{{CV}}}Manifest") if header is not None else None
    entries = []
    for entry in manifest if manifest is not None else []:
        size = _int(entry.get("size") or "", -1)
        entries.append(
            ManifestEntry(
                content_id=entry.get("cid") or "",
                name=entry.get("name") or "",
                content_type=entry.get("type") or "",
                sha256=(entry.get("sha256") or "").lower(),
                size=size if size is not None else -1,
            )
        )
    return entries


def manifest_of(signed: bytes) -> list[ManifestEntry]:
    """The files a message this server made lists (its own XML, already trusted): read without the rest
    of the message, for the body that carries them (the whole reading cost a sender 15% of its time)."""
    root = _read_xml(signed)
    return _manifest(_find(root, "edXMLEnvelope", "edXMLHeader"))


def _write_transport(header: Element, msg: EdxmlMessage) -> None:
    for name, value in (
        ("MessageId", msg.message_id),
        ("Node", msg.node),
        ("Confidentiality", msg.confidentiality),
        ("AckFor", msg.ack_for),
        ("Result", msg.result),
    ):
        if value:
            SubElement(header, f"{{{CV}}}{name}").text = value
    if msg.manifest:
        manifest = SubElement(header, f"{{{CV}}}Manifest")
        for m in msg.manifest:
            SubElement(
                manifest,
                f"{{{CV}}}File",
                {"cid": m.content_id, "name": m.name, "type": m.content_type, "sha256": m.sha256},
            ).set("size", str(m.size))


def _attachments(root: Element) -> list[Attachment]:
    """Every attachment in the message, wherever a peer put it: in ``AttachmentEncoded`` after the
    envelope as the standard has it, inside the envelope, or in a block of its own
    (``edXMLAttachments``). An attachment that is announced but cannot be read refuses the message:
    a document is never imported silently without its files."""
    found = []
    announced = 0
    for node in root.iter():
        if _local(node.tag) != "Attachment":
            continue
        announced += 1
        payload = _find(node, "ContentTransferEncoded")
        raw = "".join((payload.text or "").split()) if payload is not None else ""
        if not raw:
            continue
        data = _lenient_base64(raw)
        if not data:
            raise MalformedMessage(_("Tệp đính kèm không giải mã được")) from None
        name = _text(node, "AttachmentName") or _text(node, "Description") or "tep-dinh-kem"
        found.append(
            Attachment(
                name=name,
                content_type=_text(node, "ContentType"),
                data=data,
                content_id=_text(node, "ContentId"),
            )
        )
    if announced and not found:
        raise MalformedMessage(
            _("Thông điệp có %(n)s tệp đính kèm nhưng không đọc được tệp nào") % {"n": announced}
        )
    return found


def _lenient_base64(raw: str) -> bytes:
    """Base64 as peers send it: line breaks, stray characters, missing padding (kept as sent: what
    cannot be decoded at all is an empty result)."""
    clean = re.sub(r"[^A-Za-z0-9+/]", "", raw)
    clean = clean[: len(clean) - (len(clean) % 4 == 1)]
    try:
        return base64.b64decode(clean + "=" * (-len(clean) % 4))
    except (ValueError, TypeError):
        return b""


OFFICE_MARKERS = ("[Content_Types].xml", "mimetype", "META-INF/manifest.xml")


def unzip_if_packed(a: Attachment) -> list[Attachment]:
    """Peers often send each file zipped (VNPT's SDK zips every file), whatever ``ContentType`` says:
    a zip is known by its content. One file inside keeps the attachment's own name (``AttachmentName``,
    unless that names the zip); several keep theirs. A Word or OpenDocument file is a zip too, and is
    kept as it is."""
    if not a.data.startswith(b"PK\x03\x04"):
        return [a]
    try:
        with zipfile.ZipFile(io.BytesIO(a.data)) as z:
            names = set(z.namelist())
            if any(marker in names for marker in OFFICE_MARKERS):
                return [a]
            files = [i for i in z.infolist() if not i.is_dir()]
            if not files or sum(i.file_size for i in files) > MAX_MESSAGE_BYTES:
                return [a]
            if len(files) == 1:
                inner = files[0].filename.rsplit("/", 1)[-1]
                name = a.name if a.name and not a.name.lower().endswith(".zip") else inner
                return [Attachment(name=name, content_type="", data=z.read(files[0]))]
            return [
                Attachment(name=i.filename.rsplit("/", 1)[-1], content_type="", data=z.read(i)) for i in files
            ]
    except (*filetypes.ZIP_ERRORS, zipfile.LargeZipFile):  # encrypted, broken: kept as it came
        return [a]


def _sub(parent: Element, name: str, text: str | None = None) -> Element:
    node = SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        node.text = text
    return node


ORGAN_FIELDS = ("OrganizationInCharge", "OrganAdd", "Email", "Telephone", "Fax", "Website")


def _organ_node(mh: Element, tag: str, organ: Organ) -> None:
    """An organ as the standard lists it: the id, the name and its contact fields (empty when unknown,
    present because readers expect them)."""
    node = _sub(mh, tag)
    _sub(node, "OrganId", organ.organ_id)
    _sub(node, "OrganName", organ.name)
    for name in ORGAN_FIELDS:
        _sub(node, name, "")


def _addresses(mh: Element, msg: EdxmlMessage, *, to: bool = True) -> None:
    _organ_node(mh, "From", msg.sender)
    for organ in msg.recipients if to else []:
        _organ_node(mh, "To", organ)


def write(msg: EdxmlMessage) -> bytes:
    """Write a document message (unsigned: the exchange signs the bytes it sends)."""
    root = Element(f"{{{NS}}}edXML")
    envelope = _sub(root, "edXMLEnvelope")
    header = _sub(envelope, "edXMLHeader")
    mh = _sub(header, "MessageHeader")
    _addresses(mh, msg)
    _sub(mh, "DocumentId", msg.document_id)
    code = _sub(mh, "Code")
    _sub(code, "CodeNumber", msg.code_number)
    _sub(code, "CodeNotation", msg.code_notation)
    info = _sub(mh, "PromulgationInfo")
    _sub(info, "Place", msg.place)
    _sub(
        info, "PromulgationDate", msg.promulgation_date.strftime("%Y/%m/%d") if msg.promulgation_date else ""
    )
    dtype = _sub(mh, "DocumentType")
    _sub(dtype, "Type", msg.type_code)
    _sub(dtype, "TypeDetail", msg.type_detail)
    _sub(dtype, "TypeName", msg.type_name)
    _sub(mh, "Subject", msg.subject)
    _sub(mh, "Content", msg.content)
    signer = _sub(mh, "SignerInfo")
    _sub(signer, "Competence", msg.signer_competence)
    _sub(signer, "Position", msg.signer_position)
    _sub(signer, "FullName", msg.signer_name)
    _sub(mh, "DueDate", msg.due_date.strftime("%Y/%m/%d") if msg.due_date else "")
    _sub(mh, "ToPlaces")
    other = _sub(mh, "OtherInfo")
    _sub(other, "Priority", str(msg.priority))
    _sub(other, "SphereOfPromulgation", "")
    _sub(other, "TyperNotation", "")
    _sub(other, "PromulgationAmount", "1")
    _sub(other, "PageAmount", str(msg.page_amount or 0))
    _sub(mh, "SteeringType", "0")
    trace = _sub(header, "TraceHeaderList")
    hop = _sub(trace, "TraceHeader")
    _sub(hop, "OrganId", msg.sender.organ_id)
    _sub(hop, "Timestamp", dt.datetime.now(dt.UTC).astimezone(VN).strftime("%Y/%m/%d %H:%M:%S"))
    business = _sub(trace, "Bussiness")  # spelled so by the standard
    _sub(business, "DocumentId", msg.business_document_id or msg.document_id)
    _sub(business, "BussinessDocType", str(msg.business_type))
    _sub(business, "BussinessDocReason", msg.business_reason)
    if msg.replaces:
        replacements = _sub(business, "ReplacementInfoList")
        for replaced in msg.replaces:
            _sub(_sub(replacements, "ReplacementInfo"), "DocumentId", replaced)
    _write_transport(header, msg)
    body = _sub(envelope, "edXMLBody")
    manifest = _sub(body, "edXMLManifest")
    manifest.set("version", "1.0")
    for m in msg.manifest:
        ref = _sub(manifest, "Reference")
        _sub(ref, "ContentId", m.content_id)
        _sub(ref, "ContentType", m.content_type)
        _sub(ref, "AttachmentName", m.name)
    encoded = _sub(root, "AttachmentEncoded")
    for i, a in enumerate(msg.attachments, start=1):
        cid = a.content_id or f"cid:{i}"
        ref = _sub(manifest, "Reference")
        _sub(ref, "ContentId", cid)
        _sub(ref, "ContentType", a.content_type)
        _sub(ref, "AttachmentName", a.name)
        att = _sub(encoded, "Attachment")
        _sub(att, "ContentId", cid)
        _sub(att, "AttachmentName", a.name)
        _sub(att, "ContentType", a.content_type)
        _sub(att, "ContentTransferEncoded", base64.b64encode(a.data).decode("ascii"))
    return _serialize(root)


def _serialize(root: Element) -> bytes:
    serialized: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + serialized


def write_status(msg: EdxmlMessage) -> bytes:
    """Write a status message (StatusCode 01-16) answering ``msg.document_id``."""
    root = Element(f"{{{NS}}}edXML")
    envelope = _sub(root, "edXMLEnvelope")
    header = _sub(envelope, "edXMLHeader")
    mh = _sub(header, "MessageHeader")
    _addresses(mh, msg, to=False)  # a status names the document it answers, not a recipient
    response = _sub(mh, "ResponseFor")
    answered = msg.document_id or msg.response_for
    organ, day, code = [*answered.split(",", 2), "", "", ""][:3]
    _sub(response, "OrganId", organ)
    _sub(response, "Code", code)
    _sub(response, "PromulgationDate", day)
    _sub(response, "DocumentId", answered)
    staff = _sub(mh, "StaffInfo")
    for name in ("Department", "Staff", "Mobile", "Email"):
        _sub(staff, name, "")
    _sub(mh, "StatusCode", msg.status_code)
    _sub(mh, "Description", msg.status_description)
    _sub(mh, "Timestamp", msg.status_time)
    _write_transport(header, msg)
    _sub(envelope, "edXMLBody")
    return _serialize(root)
