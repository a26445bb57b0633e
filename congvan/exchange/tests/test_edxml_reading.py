"""Reading edXML as real gateways write it (issue "Interoperate with the national exchange"): prefixes
declared where a reader does not expect them, attachments zipped whatever their ContentType says, in
blocks of their own; never a crash, never a document silently without its files."""

from __future__ import annotations

import base64
import contextlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from congvan.exchange.edxml import MalformedMessage, parse, unzip_if_packed
from congvan.lib.pdfgen import simple_pdf

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns:xlink="http://www.w3.org/1999/xlink">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader><edXML:MessageHeader>
      <edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:OrganName>Văn phòng</edXML:OrganName></edXML:From>
      <edXML:To><edXML:OrganId>000.00.01.H57</edXML:OrganId><edXML:OrganName>Huyện ủy</edXML:OrganName></edXML:To>
      <edXML:DocumentId>000.00.00.G22,2026/11/30,12/VP-TH</edXML:DocumentId>
      <edXML:Code><edXML:CodeNumber>12</edXML:CodeNumber><edXML:CodeNotation>VP-TH</edXML:CodeNotation></edXML:Code>
      <edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place><edXML:PromulgationDate>2026/11/30</edXML:PromulgationDate></edXML:PromulgationInfo>
      <edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
      <edXML:Subject>V/v thử nghiệm liên thông</edXML:Subject>
    </edXML:MessageHeader></edXML:edXMLHeader>
    <edXML:edXMLBody><edXML:edXMLManifest version="1.0"><edXML:Reference xlink:href="cid:1"/></edXML:edXMLManifest></edXML:edXMLBody>
  </edXML:edXMLEnvelope>
"""


def attachment(name: str, data: bytes, content_type: str = "application/pdf", *, tag: str = "edXML") -> str:
    payload = base64.b64encode(data).decode()
    return (
        f"<{tag}:Attachment><{tag}:ContentId>cid:1</{tag}:ContentId><{tag}:AttachmentName>{name}"
        f"</{tag}:AttachmentName><{tag}:ContentType>{content_type}</{tag}:ContentType>"
        f"<{tag}:ContentTransferEncoded>{payload[:60]}\n{payload[60:]}</{tag}:ContentTransferEncoded>"
        f"</{tag}:Attachment>"
    )


def message(files: str, block: str = "edXML:AttachmentEncoded") -> bytes:
    """The attachments after the envelope, where the prefix ``edXML`` is no longer declared (as one
    gateway writes it): strict XML parsers refuse it, congvan reads it."""
    return (HEAD + f"<{block}>{files}</{block}>\n</edXML>").encode()


def zipped(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, data)
    return buf.getvalue()


PDF = simple_pdf(["Cong van thu nghiem"])


def test_prefix_declared_elsewhere_is_read_not_a_crash():
    msg = parse(message(attachment("Công văn 12.pdf", PDF)))
    assert (msg.symbol, msg.subject, msg.sender.organ_id) == (
        "12/VP-TH",
        "V/v thử nghiệm liên thông",
        "000.00.00.G22",
    )
    assert [(a.name, a.data) for a in msg.attachments] == [("Công văn 12.pdf", PDF)]


def test_a_zip_is_known_by_its_content_and_keeps_the_attachments_name():
    msg = parse(message(attachment("Công văn 12.pdf", zipped("tmp-8812.pdf", PDF), "application/pdf")))
    [inside] = [f for a in msg.attachments for f in unzip_if_packed(a)]
    assert (inside.name, inside.data) == ("Công văn 12.pdf", PDF)
    two = io.BytesIO()
    with zipfile.ZipFile(two, "w") as z:
        z.writestr("a.pdf", PDF)
        z.writestr("phu-luc.pdf", PDF)
    msg = parse(message(attachment("ho-so.zip", two.getvalue(), "application/zip")))
    assert [f.name for a in msg.attachments for f in unzip_if_packed(a)] == ["a.pdf", "phu-luc.pdf"]


def test_a_word_file_is_not_unpacked():
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    msg = parse(message(attachment("to-trinh.docx", docx.getvalue(), "application/zip")))
    [kept] = [f for a in msg.attachments for f in unzip_if_packed(a)]
    assert kept.name == "to-trinh.docx" and kept.data == docx.getvalue()


def test_attachments_in_a_block_of_their_own_are_read():
    msg = parse(message(attachment("a.pdf", PDF), block="edXML:edXMLAttachments"))
    assert [a.name for a in msg.attachments] == ["a.pdf"]


def test_an_announced_attachment_that_cannot_be_read_refuses_the_message():
    empty = (
        "<edXML:Attachment><edXML:AttachmentName>a.pdf</edXML:AttachmentName><edXML:ContentTransferEncoded>"
        "</edXML:ContentTransferEncoded></edXML:Attachment>"
    )
    with pytest.raises(MalformedMessage, match="không đọc được tệp nào"):
        parse(message(empty))


@pytest.mark.parametrize(
    "data",
    [
        message(attachment("a.pdf", PDF)).replace(b"<edXML:From>", b"<edXML:From><x:y:z>", 1),
        message(attachment("a.pdf", PDF)).replace(b"edXML:AttachmentEncoded", b"1bad:AttachmentEncoded"),
        b"<edXML>" + b"<a>" * 5000 + b"</edXML>",
        message("<edXML:Attachment>" * 300),
    ],
)
def test_strange_structures_are_refused_or_read_never_a_crash(data):
    with contextlib.suppress(MalformedMessage):
        parse(data)


def test_import_command_and_exchange_endpoint_refuse_plainly(tmp_path, peer):
    bad = tmp_path / "bad.edxml"
    bad.write_bytes(b"<edXML><edXML:AttachmentEncoded><edXML:Attachment><q:x>" * 3)
    with pytest.raises(CommandError):
        call_command("edxml", "import", str(bad), "--unit", "000.00.01.H57", stdout=io.StringIO())
    # from a configured peer, unsigned and strange: a signed refusal (02), not an error page
    r = Client().post(
        "/exchange/v1/messages",
        {"message": SimpleUploadedFile("m.edxml", message(attachment("a.pdf", PDF)), "application/xml")},
        headers={"X-Congvan-Node": "XA"},
    )
    assert r.status_code == 200, r.content
    answer = parse(r.content)
    assert answer.kind == "status" and answer.status_code == "02"


@pytest.mark.parametrize(
    ("type_name", "abbreviation", "name"),
    [
        ("Công văn", "CV", "Công văn"),
        ("CÔNG VĂN", "CV", "Công văn"),
        ("Quyết định", "QĐ", "Quyết định"),
        ("Quyet dinh", "QĐ", "Quyết định"),
        ("QĐ", "QĐ", "Quyết định"),
        ("Thông tư", "TTư", "Thông tư"),
        ("Nghị định", "NĐ", "Nghị định"),
        ("Thông tri", "TT", "Thông tri"),
        ("Kết luận", "KL", "Kết luận"),
        ("Quy định", "QyĐ", "Quy định (Nhà nước)"),
        ("Hướng dẫn", "HD", "Hướng dẫn"),
        ("Văn bản hợp nhất", "VBHN", "Văn bản hợp nhất"),
    ],
)
def test_types_are_read_by_name_and_an_unknown_one_is_kept_by_its_name(org, type_name, abbreviation, name):
    from congvan.exchange.convert import doc_type_named

    kind = doc_type_named(type_name)
    assert (kind.abbreviation, kind.name) == (abbreviation, name)
    assert doc_type_named(type_name) == kind  # the same type the next time, not another


def _file(tmp_path, name: str, **fields) -> str:
    from congvan.exchange.edxml import EdxmlMessage, Organ, write

    base = {
        "kind": "document",
        "sender": Organ("000.00.00.G22", "Văn phòng Chính phủ"),
        "recipients": [Organ("000.00.01.H57", "Huyện ủy")],
        "code_number": "12",
        "code_notation": "VPCP-TH",
        "subject": "V/v liên thông",
        "attachments": [],
    }
    from congvan.exchange.edxml import Attachment

    base["attachments"] = [Attachment("cv.pdf", "application/pdf", PDF)]
    path = tmp_path / name
    path.write_bytes(write(EdxmlMessage(**{**base, **fields})))
    return str(path)


def test_update_replace_and_revoke_apply_to_what_came_before_once_each(tmp_path, people):
    from congvan.dispatch.models import Receipt

    def run(path: str) -> str:
        out = io.StringIO()
        call_command("edxml", "import", path, "--unit", "000.00.01.H57", "--user", "alice", stdout=out)
        return out.getvalue()

    first = _file(tmp_path, "a.edxml", document_id="000.00.00.G22,2026/11/30,12/VPCP-TH")
    run(first)
    assert "đã được nhập trước đây" in run(first)
    update = _file(
        tmp_path,
        "b.edxml",
        document_id="000.00.00.G22,2026/12/01,13/VPCP-TH",
        code_number="13",
        business_type=2,
        business_document_id="000.00.00.G22,2026/11/30,12/VPCP-TH",
        subject="V/v liên thông (sửa)",
    )
    assert "thay cho 1 văn bản đến trước" in run(update)
    old, new = Receipt.objects.filter(unit__code="000.00.01.H57").order_by("pk")
    assert old.state == "revoked" and "13/VPCP-TH" in old.returned_reason and new.state == "arrived"
    revoke = _file(
        tmp_path,
        "c.edxml",
        document_id="000.00.00.G22,2026/12/01,13/VPCP-TH",
        code_number="13",
        business_type=1,
        business_reason="Ban hành nhầm",
    )
    assert "Đã thu hồi" in run(revoke)
    new.refresh_from_db()
    assert new.state == "revoked" and Receipt.objects.filter(unit__code="000.00.01.H57").count() == 2
    # another sender cannot revoke what the first one sent
    foreign = _file(
        tmp_path,
        "d.edxml",
        document_id="000.00.00.G22,2026/11/30,12/VPCP-TH",
        business_type=1,
        sender=__import__("congvan.exchange.edxml", fromlist=["Organ"]).Organ("000.00.99.X99", "Khác"),
    )
    assert "không có văn bản này" in run(foreign)


def test_written_as_the_sdks_write_it(api):
    """Prefix edXML:, manifest version 1.0, DocumentId from the Code fields, the fields readers expect
    present (empty when unknown), a trace header; the DocumentId finds its document in both forms."""
    from defusedxml.ElementTree import fromstring

    from congvan.documents.models import Document
    from congvan.exchange.convert import export_document, find_document
    from congvan.exchange.edxml import NS, write
    from congvan.orgs.tests.support import released

    rel = released(api, ["000.01.01.H57"], page_count=3)
    doc = Document.objects.get(pk=rel["id"])
    xml = write(export_document(doc))
    assert b"<edXML:edXML" in xml and b"ns0:" not in xml and b'<edXML:edXMLManifest version="1.0">' in xml
    root = fromstring(xml)

    def text(path: str) -> str | None:
        node = root.find(path.replace("e:", f"{{{NS}}}"))
        return None if node is None else (node.text or "")

    assert doc.issued_date is not None
    day = doc.issued_date.strftime("%Y/%m/%d")
    assert text(".//e:MessageHeader/e:DocumentId") == f"000.00.01.H57,{day},01/KH/HU"
    assert (text(".//e:Code/e:CodeNumber"), text(".//e:Code/e:CodeNotation")) == ("01", "KH/HU")
    assert text(".//e:OtherInfo/e:PageAmount") == "3" and text(".//e:OtherInfo/e:PromulgationAmount") == "1"
    assert text(".//e:MessageHeader/e:SteeringType") == "0" and text(".//e:MessageHeader/e:ToPlaces") == ""
    assert text(".//e:From/e:OrganizationInCharge") == "" and text(".//e:To/e:Telephone") == ""
    assert text(".//e:TraceHeaderList/e:TraceHeader/e:OrganId") == "000.00.01.H57"
    # a plan (Kế hoạch) is an administrative document, 10th in Decree 30's list
    dtype = (text(".//e:DocumentType/e:Type"), text(".//e:DocumentType/e:TypeDetail"))
    assert dtype == ("2", "10") and text(".//e:DocumentType/e:TypeName") == "Kế hoạch"
    assert find_document(f"000.00.01.H57,{day},01/KH/HU") == doc
    assert find_document(f"000.00.01.H57,{day},01-KH/HU") == doc  # as earlier versions wrote it
    assert parse(xml).symbol == "01-KH/HU"


def test_what_arrives_is_kept_as_it_came(api, tmp_path):
    """Content, places, steering type, other info, the trace, DocumentId, ResponseFor and who signed
    the message (RSA-SHA1 with a warning) are kept with the imported document and shown by the API."""
    extra = (
        "<edXML:Content>Nội dung tóm tắt</edXML:Content>"
        "<edXML:ToPlaces><edXML:Place>Các sở, ngành</edXML:Place><edXML:Place>UBND các huyện</edXML:Place>"
        "</edXML:ToPlaces><edXML:SteeringType>1</edXML:SteeringType>"
        "<edXML:OtherInfo><edXML:Priority>0</edXML:Priority><edXML:SphereOfPromulgation>Toàn tỉnh"
        "</edXML:SphereOfPromulgation><edXML:PromulgationAmount>20</edXML:PromulgationAmount>"
        "<edXML:Appendixes><edXML:Appendix>Phụ lục I</edXML:Appendix></edXML:Appendixes></edXML:OtherInfo>"
        "<edXML:ResponseFor><edXML:DocumentId>000.00.01.H57,2026/11/01,05-KH/HU</edXML:DocumentId>"
        "</edXML:ResponseFor>"
    )
    xml = message(attachment("cv.pdf", PDF)).decode()
    xml = xml.replace("</edXML:Subject>", "</edXML:Subject>" + extra, 1)
    xml = xml.replace(
        "</edXML:MessageHeader>",
        "</edXML:MessageHeader><edXML:TraceHeaderList><edXML:TraceHeader><edXML:OrganId>000.00.00.G22"
        "</edXML:OrganId><edXML:Timestamp>2026/11/30 09:00:00</edXML:Timestamp></edXML:TraceHeader>"
        '</edXML:TraceHeaderList><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>'
        '<SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/></SignedInfo>'
        "<KeyInfo><X509Data><X509Certificate>MIIBcut</X509Certificate></X509Data></KeyInfo></Signature>",
        1,
    )
    path = tmp_path / "m.edxml"
    path.write_text(xml, encoding="utf-8")
    call_command(
        "edxml", "import", str(path), "--unit", "000.00.01.H57", "--user", "alice", stdout=io.StringIO()
    )
    doc_id = api["alice"].get("/inbox").json()["results"][0]["document"]["id"]
    kept = api["alice"].get(f"/documents/{doc_id}").json()["received"]
    assert (
        kept["document_id"] == "000.00.00.G22,2026/11/30,12/VP-TH" and kept["content"] == "Nội dung tóm tắt"
    )
    assert kept["to_places"] == ["Các sở, ngành", "UBND các huyện"] and kept["steering_type"] == "1"
    assert kept["other_info"] == {
        "sphere_of_promulgation": "Toàn tỉnh",
        "promulgation_amount": "20",
        "appendixes": ["Phụ lục I"],
    }
    assert kept["trace"] == [{"organ_id": "000.00.00.G22", "timestamp": "2026/11/30 09:00:00"}]
    assert kept["response_for"] == "000.00.01.H57,2026/11/01,05-KH/HU"
    signature = kept["signature"]
    assert signature["algorithm"] == "rsa-sha1" and "RSA-SHA1" in signature["warning"]
    assert signature["signer"] == "" and signature["verified_by"] == ""  # a cut certificate; a file


def test_document_type_and_detail_as_the_tables_give_them(db):
    from congvan.documents.doctypes import load_document_types
    from congvan.documents.models import DocumentType
    from congvan.exchange.convert import edxml_type

    load_document_types(DocumentType)  # migration data: gone if a transactional test flushed before

    def of(abbreviation: str) -> tuple[str, str]:
        return edxml_type(DocumentType.objects.get(abbreviation=abbreviation))

    assert of("NQ") == ("2", "1") and of("CV") == ("2", "18") and of("PB") == ("2", "28")
    assert of("NĐ") == ("1", "0") and of("TTư") == ("1", "0")  # legal documents
    assert of("KL") == ("2", "0")  # a Party type Decree 30 does not list
