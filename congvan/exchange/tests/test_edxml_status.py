"""Status messages as real peers write them (no congvan message id, the SDKs' layout), applied by
``edxml import`` and over HTTP: the code table, the signature rules, once; and the XML-DSig verdict of
an imported document file."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from congvan.dispatch.models import Delivery, Receipt, StatusEvent
from congvan.documents.models import Document
from congvan.exchange import edxml, nodesig
from congvan.exchange.actions import do_add_peer
from congvan.exchange.convert import edxml_document_id
from congvan.lib.pdfgen import simple_pdf
from congvan.orgs.actions import do_record_external_unit
from congvan.orgs.tests.support import Api, released

HU = "000.00.01.H57"
HUB_UNIT = "000.00.09.X99"


@pytest.fixture
def hub(peer: nodesig.NodeIdentity, people: Any) -> nodesig.NodeIdentity:
    """This server is node GCT (hosting HU); XA is a hub gateway peer hosting the unit X99."""
    do_record_external_unit(
        name="Sở Nội vụ", code=HUB_UNIT, home_node="XA", active=True, update=True, actor=None
    )
    return peer


def status_xml(document_id: str, code: str, description: str = "", *, sender: str = HUB_UNIT) -> bytes:
    """A status as VNPT's SDK writes it: default namespace on the root, the edXML: prefix declared on the
    envelope, ResponseFor by its parts, StaffInfo, a Timestamp, no To and no message id."""
    organ, day, number = document_id.split(",", 2)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From><edXML:OrganId>{sender}</edXML:OrganId><edXML:OrganName>Sở Nội vụ</edXML:OrganName>
          <edXML:OrganAdd>Số 1</edXML:OrganAdd><edXML:Email>snv@example.vn</edXML:Email></edXML:From>
        <edXML:ResponseFor><edXML:OrganId>{organ}</edXML:OrganId><edXML:Code>{number}</edXML:Code>
          <edXML:PromulgationDate>{day}</edXML:PromulgationDate></edXML:ResponseFor>
        <edXML:StaffInfo><edXML:Department>Văn thư</edXML:Department>
          <edXML:Staff>Nguyễn Thị Trâm</edXML:Staff><edXML:Mobile>0912000001</edXML:Mobile></edXML:StaffInfo>
        <edXML:StatusCode>{code}</edXML:StatusCode>
        <edXML:Description>{description}</edXML:Description>
        <edXML:Timestamp>2026/12/04 09:{code}:00</edXML:Timestamp>
      </edXML:MessageHeader>
    </edXML:edXMLHeader>
  </edXML:edXMLEnvelope>
</edXML>""".encode()


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("edxml", *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / f"{uuid.uuid4().hex}.edxml"
    path.write_bytes(data)
    return str(path)


@pytest.fixture
def sent(hub: nodesig.NodeIdentity, api: dict[str, Api]) -> tuple[int, str]:
    """A document HU released to the unit behind the hub: its id and edXML DocumentId."""
    rel = released(api, [HUB_UNIT])
    return rel["id"], edxml_document_id(Document.objects.get(pk=rel["id"]))


def delivery(doc: int) -> Delivery:
    return Delivery.objects.get(dispatch__document_id=doc, unit__code=HUB_UNIT)


def test_a_signed_status_file_is_applied_once(hub, sent, tmp_path):
    doc, document_id = sent
    signed = nodesig.sign(status_xml(document_id, "03", "Đã vào sổ"), hub)
    said = run("import", write(tmp_path, signed), "--unit", HU)
    assert "Đã cập nhật trạng thái 03" in said
    d = delivery(doc)
    assert d.state == "registered"
    event = StatusEvent.objects.filter(delivery=d).last()
    assert event is not None and "Nguyễn Thị Trâm" in event.by  # StaffInfo kept as who reported it
    again = run("import", write(tmp_path, signed), "--unit", HU)
    assert "đã được nhập trước đây" in again
    assert StatusEvent.objects.filter(delivery=d, code="03").count() == 1
    # the short code some peers write ("6") is read as 06
    run("import", write(tmp_path, nodesig.sign(status_xml(document_id, "6"), hub)), "--unit", HU)
    assert delivery(doc).state == "completed"


def test_unsigned_strangers_and_changed_statuses_are_refused(hub, sent, tmp_path, settings):
    doc, document_id = sent
    plain = status_xml(document_id, "05", "Đang xử lý")
    with pytest.raises(CommandError, match="không có chữ ký"):
        run("import", write(tmp_path, plain), "--unit", HU)
    key, cert = nodesig.make_identity("ZZ", tmp_path / "zz")
    stranger = nodesig.NodeIdentity("ZZ", key.read_bytes(), cert.read_bytes())
    with pytest.raises(CommandError, match="không phải máy chủ đã cấu hình"):
        run("import", write(tmp_path, nodesig.sign(plain, stranger)), "--unit", HU)
    changed = nodesig.sign(plain, hub).replace(b"05</edXML:StatusCode>", b"06</edXML:StatusCode>")
    with pytest.raises(CommandError, match="không hợp lệ"):
        run("import", write(tmp_path, changed), "--unit", HU)
    assert delivery(doc).state == "arrived"
    # over a trusted transport, by the flag or the setting
    assert "Đã cập nhật" in run("import", write(tmp_path, plain), "--unit", HU, "--trust-unsigned")
    assert delivery(doc).state == "in_progress"
    settings.EDXML_TRUST_UNSIGNED_STATUS = True
    run("import", write(tmp_path, status_xml(document_id, "06")), "--unit", HU)
    assert delivery(doc).state == "completed"


def test_15_tells_a_recall_from_an_update_and_16_is_kept(hub, sent, api, tmp_path):
    doc, document_id = sent
    # No recall was asked: 15 is an update taken, 16 a refusal; neither changes the state.
    run("import", write(tmp_path, nodesig.sign(status_xml(document_id, "15"), hub)), "--unit", HU)
    refused = status_xml(document_id, "16", "Không đồng ý")
    run("import", write(tmp_path, nodesig.sign(refused, hub)), "--unit", HU)
    d = delivery(doc)
    assert d.state == "arrived"
    notes = {e.code: e.note for e in StatusEvent.objects.filter(delivery=d)}
    assert notes["15"] == "Nơi nhận đã cập nhật theo yêu cầu" and notes["16"] == "Không đồng ý"
    # After the sender recalls the document, 15 is the recall agreed.
    assert api["alice"].post(f"/documents/{doc}/revoke", {"reason": "Ban hành nhầm"}).status_code == 200
    later = status_xml(document_id, "15", "Đồng ý lấy lại").replace(b"09:15:00", b"10:15:00")
    run("import", write(tmp_path, nodesig.sign(later, hub)), "--unit", HU)
    assert delivery(doc).state == "revoked"


def test_the_code_table_is_configurable(hub, sent, tmp_path, settings):
    doc, document_id = sent
    settings.EDXML_STATUS_CODES = ["05=ignored"]
    said = run("import", write(tmp_path, nodesig.sign(status_xml(document_id, "05"), hub)), "--unit", HU)
    assert "mã không dùng ở đây" in said and delivery(doc).state == "arrived"
    settings.EDXML_STATUS_CODES = ["05=arrived_somewhere"]
    with pytest.raises(ImproperlyConfigured):
        run("import", write(tmp_path, nodesig.sign(status_xml(document_id, "04"), hub)), "--unit", HU)


def _document_file(number: str) -> edxml.EdxmlMessage:
    return edxml.EdxmlMessage(
        kind="document",
        sender=edxml.Organ(HUB_UNIT, "Sở Nội vụ"),
        recipients=[edxml.Organ(HU, "Huyện ủy")],
        document_id=f"{HUB_UNIT},2026/11/20,{number}/SNV-VP",
        code_number=number,
        code_notation="SNV-VP",
        subject=f"V/v văn bản số {number}",
        attachments=[
            edxml.Attachment(f"vb-{number}.pdf", "application/pdf", simple_pdf([f"Van ban {number}"]))
        ],
    )


def test_a_recall_request_from_the_issuer_13_recalls_what_it_sent(hub, tmp_path):
    msg = _document_file("70")
    run("import", write(tmp_path, nodesig.sign(edxml.write(msg), hub)), "--unit", HU)
    receipt = Receipt.objects.get(unit__code=HU, document__symbol="70/SNV-VP")
    assert receipt.state == "arrived"
    ask = status_xml(msg.document_id, "13", "Văn thư yêu cầu lấy lại văn bản điện tử")
    assert "Đã cập nhật" in run("import", write(tmp_path, nodesig.sign(ask, hub)), "--unit", HU)
    receipt.refresh_from_db()
    assert receipt.state == "revoked" and "lấy lại" in receipt.returned_reason
    # someone else's 13 for that document changes nothing
    other = _document_file("71")
    run("import", write(tmp_path, nodesig.sign(edxml.write(other), hub)), "--unit", HU)
    forged = status_xml(other.document_id, "13", sender="000.00.00.G99")
    said = run("import", write(tmp_path, nodesig.sign(forged, hub)), "--unit", HU)
    assert "không có văn bản" in said
    assert Receipt.objects.get(document__symbol="71/SNV-VP").state == "arrived"


def test_a_hubs_status_over_http_without_a_congvan_id(hub, sent):
    doc, document_id = sent

    def post(data: bytes) -> edxml.EdxmlMessage:
        r = Client().post(
            "/exchange/v1/messages",
            {"message": SimpleUploadedFile("s.edxml", data, "application/xml")},
            headers={"X-Congvan-Node": "XA"},
        )
        assert r.status_code == 200
        return edxml.parse(nodesig.verify(r.content, nodesig.identity().cert_pem.decode()).xml)

    unsigned = status_xml(document_id, "04", "Đã phân công")
    assert post(unsigned).result == "refused"  # unsigned, and XA's transport is not trusted
    assert post(nodesig.sign(unsigned, hub)).result == "accepted"
    assert delivery(doc).state == "directed"
    assert post(nodesig.sign(unsigned, hub)).result == "accepted"  # the same status again: once
    assert StatusEvent.objects.filter(delivery__dispatch__document_id=doc, code="04").count() == 1
    do_add_peer("XA", url="http://127.0.0.1:9", certificate=hub.cert_pem.decode(), trust_unsigned_status=True)
    assert post(status_xml(document_id, "05")).result == "accepted"
    assert delivery(doc).state == "in_progress"
    # a trusted transport carries statuses only: an unsigned document is still refused
    document = edxml.write(_document_file("72"))
    assert post(document).result == "refused"


def test_an_imported_documents_signature_verdict_is_kept(hub, tmp_path):
    msg = _document_file("80")
    run("import", write(tmp_path, nodesig.sign(edxml.write(msg), hub)), "--unit", HU)
    kept = Receipt.objects.get(document__symbol="80/SNV-VP").document.received["signature"]
    assert (kept["state"], kept["verified_by"]) == ("valid", "node:XA")
    from congvan.workflow.models import Notification

    told = Notification.objects.filter(user__username="alice", kind="arrived").values_list(
        "params", flat=True
    )
    assert [p["subject"] for p in told] == ["80/SNV-VP"]  # the district's clerk is told of the arrival
    key, cert = nodesig.make_identity("ZZ", tmp_path / "zz")
    stranger = nodesig.NodeIdentity("ZZ", key.read_bytes(), cert.read_bytes())
    run("import", write(tmp_path, nodesig.sign(edxml.write(_document_file("81")), stranger)), "--unit", HU)
    kept = Receipt.objects.get(document__symbol="81/SNV-VP").document.received["signature"]
    assert (kept["state"], kept["verified_by"], kept["signer"]) == ("untrusted", "", "congvan node ZZ")
    changed = nodesig.sign(edxml.write(_document_file("82")), hub).replace("số 82".encode(), "số 83".encode())
    run("import", write(tmp_path, changed), "--unit", HU)
    kept = Receipt.objects.get(document__symbol="82/SNV-VP").document.received["signature"]
    assert kept["state"] == "invalid" and kept["warning"]
    run("import", write(tmp_path, edxml.write(_document_file("84"))), "--unit", HU)
    kept = Receipt.objects.get(document__symbol="84/SNV-VP").document.received["signature"]
    assert kept["state"] == "unsigned"
