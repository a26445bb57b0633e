"""Several messages of one peer in one POST (``/exchange/v1/batch``): each file once, each message taken
as if posted alone (its own answer, once), hostile batches refused; a sender whose peer has no batch
endpoint sends one by one."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

import pytest
from django.test import Client

from congvan.dispatch.models import Receipt
from congvan.documents.models import Blob
from congvan.exchange import edxml, nodesig, outbox
from congvan.exchange.actions import do_add_peer
from congvan.exchange.routing import Body, batch_multipart, multipart
from congvan.lib.pdfgen import simple_pdf
from congvan.orgs.models import Unit

HU, CS1 = "000.00.01.H57", "000.01.01.H57"
SENDER = "000.00.00.G22"


def signed(peer: nodesig.NodeIdentity, number: str, to: str, pdf: bytes) -> bytes:
    msg = edxml.EdxmlMessage(
        kind="document",
        sender=edxml.Organ(SENDER, "Văn phòng Chính phủ"),
        recipients=[edxml.Organ(to, "Nơi nhận")],
        document_id=f"{SENDER},2026/11/20,{number}/VPCP-TTĐT",
        code_number=number,
        code_notation="VPCP-TTĐT",
        subject=f"V/v văn bản số {number}",
        message_id=str(uuid.uuid4()),
        node="XA",
        manifest=[
            edxml.ManifestEntry(
                "cid:0", "vb.pdf", "application/pdf", hashlib.sha256(pdf).hexdigest(), len(pdf)
            )
        ],
    )
    return nodesig.sign(edxml.write(msg), peer)


def stored_bytes(body: Body) -> bytes:
    """The streamed body, for the test client (its files are read from this server's store)."""
    return b"".join(body.chunks())


def post_batch(data: bytes, content_type: str, node: str = "XA") -> Any:
    return Client().generic(
        "POST", "/exchange/v1/batch", data, content_type, headers={"X-Congvan-Node": node}
    )


def answers(r: Any) -> list[edxml.EdxmlMessage]:
    assert r.status_code == 200, r.content
    me = nodesig.identity().cert_pem.decode()
    return [edxml.parse(nodesig.verify(base64.b64decode(a), me).xml) for a in r.json()["answers"]]


def test_a_batch_carries_each_file_once_and_answers_each_message(peer):
    from congvan.documents import blobstore

    one, other = simple_pdf(["Van ban chung"]), simple_pdf(["Van ban rieng"])
    for pdf in (one, other):
        blobstore.put_bytes(pdf)  # the store holds them (the body is streamed from it)
    messages = [signed(peer, "1", HU, one), signed(peer, "2", CS1, one), signed(peer, "3", HU, other)]
    body = batch_multipart(messages)
    assert body.length < 3 * len(one) + len(other) + 20_000  # the shared file travels once
    got = answers(post_batch(stored_bytes(body), body.content_type))
    assert [a.result for a in got] == ["accepted"] * 3
    assert [a.ack_for for a in got] == [edxml.parse(m).message_id for m in messages]
    assert (
        Receipt.objects.filter(document__symbol__in=["1/VPCP-TTĐT", "2/VPCP-TTĐT", "3/VPCP-TTĐT"]).count()
        == 3
    )
    assert Blob.objects.filter(sha256=hashlib.sha256(one).hexdigest()).count() == 1
    # the counts and the audit events, written once at the batch's end, are those of its receipts
    from congvan.audit.models import AuditEvent
    from congvan.audit.queries import verify_chain
    from congvan.dispatch.models import ReceiptCount

    counts = dict(ReceiptCount.objects.filter(state="arrived").values_list("unit__code", "n"))
    assert counts.get(HU) == 2 and counts.get(CS1) == 1
    assert AuditEvent.objects.filter(action="receipt.arrived").count() == 3
    assert verify_chain()[1] == []
    # the same batch again: the same answers, nothing new
    body = batch_multipart(messages)
    again = answers(post_batch(stored_bytes(body), body.content_type))
    assert [a.result for a in again] == ["accepted"] * 3
    assert Receipt.objects.filter(document__symbol__startswith="1/VPCP").count() == 1


def test_a_sender_that_asks_gets_the_answers_signed_together(peer):
    """One signature over a batch's answers (``X-Congvan-Answers: signed-together``): it verifies them
    all, in order, and nothing else; the batch again gives the same answers. Alone, a message's answer
    is signed on its own, the same bytes each time it is asked."""
    from congvan.documents import blobstore

    pdf = simple_pdf(["Van ban chung"])
    blobstore.put_bytes(pdf)
    messages = [signed(peer, "7", HU, pdf), signed(peer, "8", CS1, pdf)]
    me = nodesig.identity().cert_pem.decode()
    said = []
    for _ in range(2):
        body = batch_multipart(messages)
        r = Client().generic(
            "POST",
            "/exchange/v1/batch",
            stored_bytes(body),
            body.content_type,
            headers={"X-Congvan-Node": "XA", "X-Congvan-Answers": "signed-together"},
        )
        assert r.status_code == 200, r.content
        got = [base64.b64decode(a) for a in r.json()["answers"]]
        nodesig.verify_answers(got, r.json()["signature"], me)
        assert not any(nodesig.signed_already(a) for a in got)  # no XML-DSig of their own
        assert [edxml.parse(a).ack_for for a in got] == [edxml.parse(m).message_id for m in messages]
        said.append(got)
        for changed in (got[::-1], [got[0]], [got[0].replace(b"accepted", b"refused"), got[1]]):
            with pytest.raises(nodesig.BadSignature):
                nodesig.verify_answers(changed, r.json()["signature"], me)
    assert said[0] == said[1]
    alone = []
    for _ in range(2):
        one = multipart(messages[0], edxml.parse(messages[0]).manifest)
        r = Client().generic(
            "POST",
            "/exchange/v1/messages",
            stored_bytes(one),
            one.content_type,
            headers={"X-Congvan-Node": "XA"},
        )
        assert r.status_code == 200, r.content
        alone.append(r.content)
    assert alone[0] == alone[1]
    assert edxml.parse(nodesig.verify(alone[0], me).xml).ack_for == edxml.parse(messages[0]).message_id


def test_a_part_that_is_not_what_its_name_says_is_refused_for_retry(peer):
    from congvan.documents import blobstore

    pdf, forged = simple_pdf(["Van ban 7"]), simple_pdf(["Van ban khac"])
    blobstore.put_bytes(forged)
    message = signed(peer, "7", HU, pdf)
    body = batch_multipart([message])
    sha = hashlib.sha256(pdf).hexdigest()
    # the part is named by the content the message lists, but carries other bytes
    data = stored_bytes(Body(body.boundary, [(h, forged if c == sha else c) for h, c in body.parts], 0))
    [got] = answers(post_batch(data, body.content_type))
    assert (got.result, got.status_code) == ("refused", "02") and "Thiếu tệp" in got.status_description
    assert not Receipt.objects.filter(document__symbol="7/VPCP-TTĐT").exists()


@pytest.mark.parametrize(
    ("parts", "status"),
    [
        ([], 400),  # no message at all
        ([("blob-00", b"x")], 400),  # files only
        ([("message-0", b"<not xml")], 200),  # a message that cannot be read: its own signed refusal
    ],
)
def test_malformed_batches_get_a_clear_answer(peer, parts, status):
    boundary = "b0undary"
    data = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{n}"; filename="{n}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
            for n, content in parts
        )
        + f"--{boundary}--\r\n".encode()
    )
    r = post_batch(data, f"multipart/form-data; boundary={boundary}")
    assert r.status_code == status
    if status == 200:
        [got] = answers(r)
        assert got.result == "refused"
    else:
        assert r.json()["error"]["code"] == "malformed"
    assert post_batch(b"{}", "application/json").status_code == 400
    assert Client().get("/exchange/v1/batch").status_code == 405


def test_a_sender_whose_peer_has_no_batch_sends_one_by_one(api, settings, tmp_path, monkeypatch):
    from congvan.exchange.models import OutMessage
    from congvan.orgs.tests.support import released

    key, cert = nodesig.make_identity("GCT", tmp_path / "me")
    settings.NODE_CODE, settings.NODE_KEY, settings.NODE_CERT = "GCT", str(key), str(cert)
    _xkey, xcert = nodesig.make_identity("XA", tmp_path / "xa")
    do_add_peer("XA", url="http://127.0.0.1:9", certificate=xcert.read_text())
    for i in range(3):
        Unit.objects.create(
            code=f"000.00.0{i}.X99", name=f"Ở XA {i}", abbreviation="X", path=f"/X{i}/", home_node="XA"
        )
    released(api, [f"000.00.0{i}.X99" for i in range(3)])
    asked: list[str] = []

    def post(url: str, path: str, body: Body, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
        asked.append(path)
        if path.endswith("/batch"):
            return 404, b"Not Found"  # an older congvan
        raise OSError("connection refused")

    monkeypatch.setattr(outbox, "post", post)
    outbox._NO_BATCH.clear()
    outbox.run_once()
    assert asked == ["/exchange/v1/batch"] + ["/exchange/v1/messages"] * 3
    assert "XA" in outbox._NO_BATCH
    assert all(m.attempts == 1 and m.state == "queued" for m in OutMessage.objects.all())
    outbox._NO_BATCH.clear()


@pytest.mark.parametrize("answering", ["each", "together", "forged"])
def test_the_sender_reads_answers_signed_each_or_together(api, settings, tmp_path, monkeypatch, answering):
    """A peer of this version signs a batch's answers together; one of an earlier version signs each.
    A signature over other answers than those received: nothing is taken as answered (all retried)."""
    import json

    from congvan.exchange.inbound import answer
    from congvan.exchange.models import OutMessage
    from congvan.orgs.tests.support import released

    key, cert = nodesig.make_identity("GCT", tmp_path / "me")
    settings.NODE_CODE, settings.NODE_KEY, settings.NODE_CERT = "GCT", str(key), str(cert)
    xkey, xcert = nodesig.make_identity("XA", tmp_path / "xa")
    xa = nodesig.NodeIdentity("XA", xkey.read_bytes(), xcert.read_bytes())
    do_add_peer("XA", url="http://127.0.0.1:9", certificate=xcert.read_text())
    for i in range(3):
        Unit.objects.create(
            code=f"000.00.0{i}.X99", name=f"Ở XA {i}", abbreviation="X", path=f"/X{i}/", home_node="XA"
        )
    released(api, [f"000.00.0{i}.X99" for i in range(3)])
    asked: list[dict[str, str]] = []

    def post(url: str, path: str, body: Body, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
        asked.append(headers)
        sent = b"".join(body.chunks())
        ids = [
            str(i) for i in OutMessage.objects.values_list("message_id", flat=True) if str(i).encode() in sent
        ]
        ids.sort(key=lambda i: sent.index(i.encode()))  # in the order the messages are in the body
        said = [answer(ack_for=i, result="accepted", code="01") for i in ids]
        if answering == "each":
            return 200, json.dumps(
                {"answers": [base64.b64encode(nodesig.sign(a, xa)).decode() for a in said]}
            ).encode()
        signature = nodesig.sign_answers(said if answering == "together" else said[:1], xa)
        return 200, json.dumps(
            {"answers": [base64.b64encode(a).decode() for a in said], "signature": signature}
        ).encode()

    monkeypatch.setattr(outbox, "post", post)
    outbox._NO_BATCH.clear()
    outbox.run_once()
    assert asked and all(h["X-Congvan-Answers"] == "signed-together" for h in asked)
    states = sorted(OutMessage.objects.values_list("state", flat=True))
    assert states == (["queued"] * 3 if answering == "forged" else ["done"] * 3)
    from congvan.dispatch.models import Delivery

    travel = sorted(Delivery.objects.filter(unit__home_node="XA").values_list("transport", flat=True))
    assert travel == (["queued"] * 3 if answering == "forged" else ["acknowledged"] * 3)
    assert all(m.result == ("" if answering == "forged" else "accepted") for m in OutMessage.objects.all())


def test_a_fault_in_one_message_neither_loses_nor_doubles_the_others(peer, monkeypatch):
    """A batch is taken in one transaction; an unforeseen fault in one message undoes it, and the batch is
    taken again one message at a time: those before the fault are kept, and the batch posted again after
    the fault is mended brings each document once."""
    from congvan.documents import blobstore
    from congvan.exchange.actions import do_import_document

    pdf = simple_pdf(["Van ban lo"])
    blobstore.put_bytes(pdf)
    messages = [signed(peer, str(n), HU, pdf) for n in (11, 12, 13)]
    real = do_import_document
    faults = {"12": 2}  # message 12 fails in the batch's transaction and once more on its own

    def flaky(unit, msg, **kw):
        if faults.get(msg.code_number, 0) > 0:
            faults[msg.code_number] -= 1
            raise RuntimeError("disk full")
        return real(unit, msg, **kw)

    monkeypatch.setattr("congvan.exchange.inbound.do_import_document", flaky)
    body = batch_multipart(messages)
    with pytest.raises(RuntimeError):
        post_batch(stored_bytes(body), body.content_type)
    taken = Receipt.objects.filter(document__symbol__in=["11/VPCP-TTĐT", "12/VPCP-TTĐT", "13/VPCP-TTĐT"])
    assert sorted(r.document.symbol for r in taken) == ["11/VPCP-TTĐT"]  # kept, not undone with the batch
    body = batch_multipart(messages)  # the sender posts it again
    assert [a.result for a in answers(post_batch(stored_bytes(body), body.content_type))] == ["accepted"] * 3
    assert sorted(r.document.symbol for r in taken.all()) == ["11/VPCP-TTĐT", "12/VPCP-TTĐT", "13/VPCP-TTĐT"]


def test_the_same_message_twice_in_a_batch_is_taken_once(peer):
    """The second copy gets the first one's answer, byte for byte (the batch looks the ids up at once,
    and what it takes itself counts as taken)."""
    from congvan.documents import blobstore

    pdf = simple_pdf(["Van ban hai lan"])
    blobstore.put_bytes(pdf)
    message = signed(peer, "21", CS1, pdf)
    body = batch_multipart([message, signed(peer, "22", CS1, pdf), message])
    r = post_batch(stored_bytes(body), body.content_type)
    got = answers(r)
    assert [a.result for a in got] == ["accepted"] * 3
    assert r.json()["answers"][0] == r.json()["answers"][2]
    assert Receipt.objects.filter(document__symbol="21/VPCP-TTĐT").count() == 1


def document_and_recall(peer: nodesig.NodeIdentity, number: str) -> tuple[bytes, bytes, bytes]:
    """A document's file (kept in the store), its signed message to HU and the signed recall of it."""
    from congvan.documents import blobstore

    pdf = simple_pdf([f"Van ban {number}"])
    blobstore.put_bytes(pdf)
    document = signed(peer, number, HU, pdf)
    recall = edxml.parse(document)
    recall.business_type, recall.manifest, recall.message_id = 1, [], str(uuid.uuid4())
    recall.business_reason = "Gửi nhầm"
    return pdf, document, nodesig.sign(edxml.write(recall), peer)


def test_a_recall_ahead_of_its_document_in_the_same_batch_refuses_it(peer):
    """A recall taken earlier in a batch counts for the batch's later messages (the batch looks the
    recalls of its documents up once, and adds those it takes)."""
    _pdf, document, recall = document_and_recall(peer, "31")
    body = batch_multipart([recall, document])
    first, second = answers(post_batch(stored_bytes(body), body.content_type))
    assert (first.result, first.status_code) == ("accepted", "15")
    assert second.result == "refused" and "thu hồi" in second.status_description
    assert not Receipt.objects.filter(document__symbol="31/VPCP-TTĐT").exists()


def test_a_batch_writes_its_file_lists_and_records_in_one_statement_each(peer):
    """What nothing reads before a batch ends is inserted together at its end: three documents, one
    INSERT of file lists and one of message records (not one of each a message)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from congvan.documents import blobstore

    pdf = simple_pdf(["Van ban 51"])
    blobstore.put_bytes(pdf)
    body = batch_multipart([signed(peer, str(n), HU, pdf) for n in (51, 52, 53)])
    with CaptureQueriesContext(connection) as ctx:
        got = answers(post_batch(stored_bytes(body), body.content_type))
    assert [a.result for a in got] == ["accepted"] * 3
    inserts = [q["sql"].split("(")[0] for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert inserts.count('INSERT INTO "documents_documentfile" ') == 1
    assert inserts.count('INSERT INTO "exchange_inmessage" ') == 1
    assert inserts.count('INSERT INTO "documents_document" ') == 3
    assert Receipt.objects.filter(document__files__name="vb.pdf").count() == 3


def test_a_recall_behind_its_document_in_the_same_batch_takes_it_back(peer):
    """A batch writes its documents' records and file lists at its end; a recall later in the batch
    reads them first (it finds the document the batch brought, and takes it out of the inbox)."""
    from congvan.dispatch.models import DeliveryState
    from congvan.documents.models import DocumentFile
    from congvan.exchange.models import InMessage

    pdf, document, recall = document_and_recall(peer, "36")
    body = batch_multipart([document, recall, signed(peer, "37", HU, pdf)])
    got = answers(post_batch(stored_bytes(body), body.content_type))
    assert [(a.result, a.status_code) for a in got] == [("accepted", c) for c in ("01", "15", "01")]
    taken = Receipt.objects.get(document__symbol="36/VPCP-TTĐT")
    assert taken.state == DeliveryState.REVOKED
    assert Receipt.objects.get(document__symbol="37/VPCP-TTĐT").state != DeliveryState.REVOKED
    assert InMessage.objects.filter(from_node="XA").count() == 3
    files = DocumentFile.objects.filter(document__symbol__in=["36/VPCP-TTĐT", "37/VPCP-TTĐT"])
    assert sorted((f.document.symbol, f.name, f.blob_id) for f in files) == [
        ("36/VPCP-TTĐT", "vb.pdf", hashlib.sha256(pdf).hexdigest()),
        ("37/VPCP-TTĐT", "vb.pdf", hashlib.sha256(pdf).hexdigest()),
    ]


def test_a_message_id_that_is_no_id_is_refused_and_the_batch_goes_on(peer, caplog):
    """The batch's lookups read the ids from the XML before it is verified: one that is not an id (36
    dashes) is left out of them, and its message gets its own refusal."""
    from congvan.documents import blobstore

    pdf = simple_pdf(["Van ban 41"])
    blobstore.put_bytes(pdf)
    odd = edxml.parse(signed(peer, "42", HU, pdf))
    odd.message_id = "-" * 36
    body = batch_multipart([signed(peer, "41", HU, pdf), nodesig.sign(edxml.write(odd), peer)])
    with caplog.at_level("ERROR"):
        good, bad = answers(post_batch(stored_bytes(body), body.content_type))
    assert good.result == "accepted" and bad.result == "refused"
    assert "one message at a time" not in caplog.text
