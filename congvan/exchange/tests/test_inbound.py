"""Receiving from a peer, in process: replace, update and recall of documents that came before, a
recall that arrives before its document, and the status messages that go back."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from congvan.dispatch.models import Receipt, ReceiptEvent
from congvan.exchange import edxml, nodesig, outbox
from congvan.exchange.actions import do_add_peer
from congvan.exchange.models import OutKind, OutMessage
from congvan.lib.pdfgen import simple_pdf
from congvan.orgs.models import Unit
from congvan.orgs.tests.support import Api

HU = "000.00.01.H57"
SENDER = "000.00.00.G22"


def _doc(number: str, *, kind: int = 0, **kw: Any) -> edxml.EdxmlMessage:
    m = edxml.EdxmlMessage(
        kind="document",
        sender=edxml.Organ(SENDER, "Văn phòng Chính phủ"),
        recipients=[edxml.Organ(HU, "Huyện ủy")],
        document_id=f"{SENDER},2026/11/20,{number}/VPCP-TTĐT",
        code_number=number,
        code_notation="VPCP-TTĐT",
        subject=f"V/v văn bản số {number}",
        business_type=kind,
        message_id=str(uuid.uuid4()),
        node="XA",
        attachments=[
            edxml.Attachment(f"vb-{number}.pdf", "application/pdf", simple_pdf([f"Van ban {number}"]))
        ],
    )
    for k, v in kw.items():
        setattr(m, k, v)
    return m


def _send(peer: nodesig.NodeIdentity, msg: edxml.EdxmlMessage) -> edxml.EdxmlMessage:
    signed = nodesig.sign(edxml.write(msg), peer)
    r = Client().post(
        "/exchange/v1/messages",
        {"message": SimpleUploadedFile("m.edxml", signed, "application/xml")},
        headers={"X-Congvan-Node": "XA"},
    )
    assert r.status_code == 200, r.content
    answer = edxml.parse(nodesig.verify(r.content, nodesig.identity().cert_pem.decode()).xml)
    assert answer.ack_for == msg.message_id
    return answer


def _receipt(number: str) -> Receipt:
    return Receipt.objects.get(unit__code=HU, document__symbol=f"{number}/VPCP-TTĐT")


def test_replace_update_and_recall(peer: nodesig.NodeIdentity, api: dict[str, Api]) -> None:
    first = _doc("10")
    assert _send(peer, first).result == "accepted"
    assert _receipt("10").state == "arrived" and _receipt("10").document.files.count() == 1
    # A replacement names the document it replaces: the new one arrives, the old one leaves the inbox.
    answer = _send(peer, _doc("11", kind=3, replaces=[first.document_id]))
    assert (answer.result, answer.status_code) == ("accepted", "01")
    old, new = _receipt("10"), _receipt("11")
    assert old.state == "revoked" and "11/VPCP-TTĐT" in old.returned_reason and new.state == "arrived"
    inbox = [r["document"]["symbol"] for r in api["alice"].get("/inbox").json()["results"]]
    assert "11/VPCP-TTĐT" in inbox and "10/VPCP-TTĐT" not in inbox
    # An update names the document updated: same effect, another note.
    second = _doc("11", kind=2, business_document_id=_doc("11").document_id, subject="V/v văn bản 11 (sửa)")
    second.document_id = f"{SENDER},2026/11/21,11/VPCP-TTĐT"
    assert _send(peer, second).result == "accepted"
    assert Receipt.objects.get(document__subject="V/v văn bản số 11").state == "revoked"
    # A recall removes the document and is confirmed (15).
    recall = _doc("11", kind=1, attachments=[])
    recall.document_id = second.document_id
    answer = _send(peer, recall)
    assert (answer.result, answer.status_code) == ("accepted", "15")
    assert Receipt.objects.get(document__subject="V/v văn bản 11 (sửa)").state == "revoked"


def test_a_recall_before_its_document_refuses_the_document(peer: nodesig.NodeIdentity) -> None:
    early = _doc("20", kind=1, attachments=[])
    assert _send(peer, early).status_code == "15"
    answer = _send(peer, _doc("20"))
    assert (answer.result, answer.status_code) == ("refused", "02")
    assert "thu hồi" in answer.status_description
    assert not Receipt.objects.filter(document__symbol="20/VPCP-TTĐT").exists()


def test_changes_at_the_recipient_go_back_as_status_messages(
    peer: nodesig.NodeIdentity, api: dict[str, Api]
) -> None:
    msg = _doc("30")
    _send(peer, msg)
    receipt = _receipt("30")
    kept = receipt.document.received  # who vouched for it: the peer whose certificate verified it
    assert kept["signature"]["verified_by"] == "node:XA" and kept["document_id"] == msg.document_id
    assert api["alice"].post(f"/receipts/{receipt.pk}/register").status_code == 200
    assert ReceiptEvent.objects.filter(receipt=receipt, code="03").exists()
    assert outbox.prepare() == 1
    status = OutMessage.objects.get(kind=OutKind.STATUS)
    assert status.destination == "XA"
    sent = edxml.parse(nodesig.verify(status.header.encode(), nodesig.identity().cert_pem.decode()).xml)
    assert (sent.kind, sent.status_code, sent.response_for) == ("status", "03", msg.document_id)
    # as real peers expect it: no To; ResponseFor names the document's organ, its code and date
    assert sent.sender.organ_id == HU and sent.recipients == []
    from defusedxml.ElementTree import fromstring

    response = fromstring(status.header.encode()).find(
        ".//{http://www.mic.gov.vn/TBT/QCVN_102_2016}ResponseFor"
    )
    assert response is not None
    fields = {child.tag.rsplit("}", 1)[-1]: child.text for child in response}
    organ, day, code = msg.document_id.split(",", 2)
    assert fields == {"OrganId": organ, "Code": code, "PromulgationDate": day, "DocumentId": msg.document_id}
    assert organ == SENDER
    assert b"<edXML:StatusCode>03</edXML:StatusCode>" in status.header.encode()
    assert outbox.prepare() == 0  # one message per change


def test_a_unit_that_refuses_unsigned_pdfs_refuses_them_on_arrival(peer: nodesig.NodeIdentity) -> None:
    from congvan.signatures.models import SignaturePolicy

    SignaturePolicy.objects.create(unit=Unit.objects.get(code=HU), on_unsigned="refuse")
    answer = _send(peer, _doc("40"))
    assert (answer.result, answer.status_code) == ("refused", "02")
    assert "Chữ ký số" in answer.status_description
    assert not Receipt.objects.filter(document__symbol="40/VPCP-TTĐT").exists()


def test_only_the_recipients_node_reports_its_progress(
    peer: nodesig.NodeIdentity, api: dict[str, Api], tmp_path: Path
) -> None:
    from congvan.dispatch.models import Delivery
    from congvan.documents.models import Document
    from congvan.exchange.convert import edxml_document_id
    from congvan.orgs.tests.support import released

    Unit.objects.create(
        code="000.00.09.X99", name="Đơn vị ở XA", abbreviation="X", path="/X/", home_node="XA"
    )
    rel = released(api, ["000.00.09.X99"])
    bkey, bcert = nodesig.make_identity("XB", tmp_path / "xb")
    do_add_peer("XB", url="http://127.0.0.1:9", certificate=bcert.read_text())
    intruder = nodesig.NodeIdentity("XB", bkey.read_bytes(), bcert.read_bytes())
    status = edxml.EdxmlMessage(
        kind="status",
        sender=edxml.Organ("000.00.09.X99", "Đơn vị ở XA"),
        document_id=edxml_document_id(Document.objects.get(pk=rel["id"])),
        status_code="03",
        status_description="Đã vào sổ",
        message_id=str(uuid.uuid4()),
    )

    def post(who: nodesig.NodeIdentity) -> edxml.EdxmlMessage:
        signed = nodesig.sign(edxml.write_status(status), who)
        r = Client().post(
            "/exchange/v1/messages",
            {"message": SimpleUploadedFile("m.edxml", signed, "application/xml")},
            headers={"X-Congvan-Node": who.code},
        )
        return edxml.parse(nodesig.verify(r.content, nodesig.identity().cert_pem.decode()).xml)

    assert post(intruder).result == "refused"
    assert Delivery.objects.get(dispatch__document_id=rel["id"]).state == "arrived"
    status.message_id = str(uuid.uuid4())
    assert post(peer).result == "accepted"
    d = Delivery.objects.get(dispatch__document_id=rel["id"])
    assert (d.state, d.transport) == ("registered", "acknowledged")


@pytest.fixture
def second_peer(peer: nodesig.NodeIdentity, tmp_path: Path) -> nodesig.NodeIdentity:
    """Another configured peer, YB, beside XA."""
    ykey, ycert = nodesig.make_identity("YB", tmp_path / "yb")
    do_add_peer("YB", url="http://127.0.0.1:9", certificate=ycert.read_text())
    return nodesig.NodeIdentity("YB", ykey.read_bytes(), ycert.read_bytes())


def _send_as(node: nodesig.NodeIdentity, msg: edxml.EdxmlMessage) -> edxml.EdxmlMessage:
    msg.node = node.code
    signed = nodesig.sign(edxml.write(msg), node)
    r = Client().post(
        "/exchange/v1/messages",
        {"message": SimpleUploadedFile("m.edxml", signed, "application/xml")},
        headers={"X-Congvan-Node": node.code},
    )
    assert r.status_code == 200, r.content
    return edxml.parse(nodesig.verify(r.content, nodesig.identity().cert_pem.decode()).xml)


def test_a_peer_may_not_speak_for_a_unit_hosted_here_or_behind_another_node(
    peer: nodesig.NodeIdentity, second_peer: nodesig.NodeIdentity
) -> None:
    from congvan.orgs.actions import do_record_external_unit

    # "From" the province this server hosts: refused, nothing lands in the province's outbox.
    forged = _doc("30", sender=edxml.Organ("000.00.00.T58", "Tỉnh ủy Tiền Giang"))
    forged.document_id = "000.00.00.T58,2026/11/20,30-CT/TU"
    answer = _send(peer, forged)
    assert (answer.result, answer.status_code) == ("refused", "02")
    assert not Receipt.objects.filter(document__issuing_unit__code="000.00.00.T58").exists()
    # "From" a unit the directory places behind YB, sent by XA: refused; by YB itself: accepted.
    do_record_external_unit(
        name="Sở Tài chính", code="000.00.00.Y01", home_node="YB", update=True, actor=None
    )
    theirs = _doc("31", sender=edxml.Organ("000.00.00.Y01", "Sở Tài chính"))
    theirs.document_id = "000.00.00.Y01,2026/11/20,31/STC"
    assert _send(peer, theirs).result == "refused"
    theirs.message_id = str(uuid.uuid4())
    assert _send_as(second_peer, theirs).result == "accepted"
    # A body nobody knows yet: accepted, and recorded as behind the sending node.
    assert _send(peer, _doc("32")).result == "accepted"
    assert Unit.objects.get(code=SENDER).home_node == "XA"


def test_one_peer_cannot_change_or_preempt_anothers_documents(
    peer: nodesig.NodeIdentity, second_peer: nodesig.NodeIdentity
) -> None:
    first = _doc("40")
    assert _send(peer, first).result == "accepted"
    # YB recalls, replaces and updates XA's document: none of it touches XA's receipt.
    recall = _doc("40", kind=1, attachments=[])
    assert _send_as(second_peer, recall).result == "refused"
    replace = _doc("41", kind=3, replaces=[first.document_id], sender=edxml.Organ("000.00.00.G99", "Khác"))
    replace.document_id = "000.00.00.G99,2026/11/20,41/K"
    assert _send_as(second_peer, replace).result == "accepted"
    assert _receipt("40").state == "arrived"
    # YB recalls a document XA will send later: XA's document still arrives when it comes.
    early = _doc("42", kind=1, attachments=[], sender=edxml.Organ("000.00.00.G98", "Khác nữa"))
    early.document_id = _doc("42").document_id
    assert _send_as(second_peer, early).status_code == "15"
    assert _send(peer, _doc("42")).result == "accepted"
    assert _receipt("42").state == "arrived"


def test_a_strangers_large_post_is_refused_before_its_body_is_read(
    peer: nodesig.NodeIdentity, monkeypatch: pytest.MonkeyPatch
) -> None:
    from congvan.documents import blobstore

    spooled: list[int] = []
    real = blobstore.new_temp

    def counted() -> Any:
        spooled.append(1)
        return real()

    monkeypatch.setattr(blobstore, "new_temp", counted)
    big = b"x" * (3 * 1024 * 1024)
    r = Client().post(
        "/exchange/v1/messages",
        {"message": SimpleUploadedFile("m.edxml", big, "application/xml")},
        headers={"X-Congvan-Node": "NOBODY"},
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "unknown_node"
    assert spooled == []  # nothing read, nothing spooled
    # A configured peer's message of the same size is read (and answered for what it is).
    r = Client().post(
        "/exchange/v1/messages",
        {"message": SimpleUploadedFile("m.edxml", big, "application/xml")},
        headers={"X-Congvan-Node": "XA"},
    )
    assert r.status_code == 200 and spooled == [1]


def test_a_copy_damaged_in_transit_does_not_block_the_genuine_one(peer: nodesig.NodeIdentity) -> None:
    """The same signed message twice: first with its file cut on the way, then whole. The first is
    refused (02) and not recorded, so the second, under the same id, is taken."""
    import hashlib

    pdf = simple_pdf(["Van ban 50"])
    msg = _doc("50", attachments=[])
    msg.manifest = [
        edxml.ManifestEntry(
            "cid:0", "vb-50.pdf", "application/pdf", hashlib.sha256(pdf).hexdigest(), len(pdf)
        )
    ]
    signed = nodesig.sign(edxml.write(msg), peer)

    def post(content: bytes) -> edxml.EdxmlMessage:
        r = Client().post(
            "/exchange/v1/messages",
            {
                "message": SimpleUploadedFile("m.edxml", signed, "application/xml"),
                "cid:0": SimpleUploadedFile("vb-50.pdf", content, "application/pdf"),
            },
            headers={"X-Congvan-Node": "XA"},
        )
        assert r.status_code == 200, r.content
        return edxml.parse(nodesig.verify(r.content, nodesig.identity().cert_pem.decode()).xml)

    damaged = post(pdf[: len(pdf) // 2])
    assert (damaged.result, damaged.status_code) == ("refused", "02")
    genuine = post(pdf)
    assert (genuine.result, genuine.status_code) == ("accepted", "01")
    assert _receipt("50").state == "arrived"


def test_a_mark_in_the_files_own_text_is_refused_with_02(peer: nodesig.NodeIdentity) -> None:
    """The subject says nothing; page 1 of the PDF carries the stamp (simple_pdf writes ASCII: "MAT" alone
    on its line, in the mark's place, is a mark)."""
    marked = simple_pdf(["TINH UY TIEN GIANG", "MAT", "So 12-CV/TU", "V/v trien khai"])
    answer = _send(peer, _doc("60", attachments=[edxml.Attachment("vb-60.pdf", "application/pdf", marked)]))
    assert (answer.result, answer.status_code) == ("refused", "02")
    assert not Receipt.objects.filter(document__symbol="60/VPCP-TTĐT").exists()
    plain = simple_pdf(["TINH UY TIEN GIANG", "So 12-CV/TU", "V/v bao mat thong tin"])
    answer = _send(peer, _doc("61", attachments=[edxml.Attachment("vb-61.pdf", "application/pdf", plain)]))
    assert (answer.result, answer.status_code) == ("accepted", "01")
    answer = _send(peer, _doc("62", subject="(MẬT) V/v kiểm tra"))
    assert (answer.result, answer.status_code) == ("refused", "02")
