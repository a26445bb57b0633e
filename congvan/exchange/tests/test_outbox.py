"""The exchange inside one process: node signatures, the outbox's back-off and giving up, and the
endpoint's answers to bad input. (The 3-node behaviour is in test_cluster.py.)"""

from __future__ import annotations

import datetime as dt
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvan.dispatch.models import Delivery, Receipt, ReceiptCount, Transport
from congvan.exchange import edxml, nodesig, outbox
from congvan.exchange.actions import do_add_peer
from congvan.exchange.models import InMessage, OutMessage, OutState, Peer
from congvan.orgs.models import Unit
from congvan.orgs.tests.support import Api, released
from congvan.workflow.models import Notification

REMOTE = "000.00.09.H99"


@pytest.fixture
def node(settings: Any, tmp_path: Path) -> nodesig.NodeIdentity:
    key, cert = nodesig.make_identity("GCT", tmp_path / "node")
    settings.NODE_CODE, settings.NODE_KEY, settings.NODE_CERT = "GCT", str(key), str(cert)
    settings.EXCHANGE_RETRY_SECONDS = 10
    return nodesig.identity()


@pytest.fixture
def remote(node: nodesig.NodeIdentity, org: Any, tmp_path: Path) -> Unit:
    """A peer node "XA" that is down (nothing listens at its port), hosting one unit."""
    _, cert = nodesig.make_identity("XA", tmp_path / "xa")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    do_add_peer("XA", url=f"http://127.0.0.1:{port}", certificate=cert.read_text())
    return Unit.objects.create(
        code=REMOTE, name="Huyện ủy ở máy chủ khác", abbreviation="HU", path=f"/{REMOTE}/", home_node="XA"
    )


def _message(**kw: Any) -> edxml.EdxmlMessage:
    m = edxml.EdxmlMessage(
        kind="document",
        sender=edxml.Organ("000.00.01.H57", "Huyện ủy"),
        recipients=[edxml.Organ("000.00.00.T58", "Tỉnh ủy")],
        document_id="000.00.01.H57,2026/11/26,5-CV/HU",
        code_number="5",
        code_notation="CV/HU",
        subject="V/v thử chữ ký",
        message_id=str(uuid.uuid4()),
    )
    for k, v in kw.items():
        setattr(m, k, v)
    return m


def test_node_signature_round_trip_and_tampering(node: nodesig.NodeIdentity, tmp_path: Path) -> None:
    signed = nodesig.sign(edxml.write(_message()), node)
    verified = nodesig.verify(signed, node.cert_pem.decode())
    assert verified.algorithm.endswith("rsa-sha256") and not verified.warning
    assert edxml.parse(verified.xml).subject == "V/v thử chữ ký"
    with pytest.raises(nodesig.BadSignature, match="không hợp lệ"):
        nodesig.verify(signed.replace("thử".encode(), b"thu"), node.cert_pem.decode())
    _, other = nodesig.make_identity("OTHER", tmp_path / "other")  # signed by someone else
    with pytest.raises(nodesig.BadSignature):
        nodesig.verify(signed, other.read_text())
    with pytest.raises(nodesig.BadSignature, match="không có chữ ký"):
        nodesig.verify(edxml.write(_message()), node.cert_pem.decode())
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><edXML>&a;</edXML>'
    with pytest.raises(edxml.MalformedMessage):
        nodesig.verify(hostile, node.cert_pem.decode())


def test_the_node_signature_is_plain_xml_dsig_both_ways(node: nodesig.NodeIdentity, tmp_path: Path) -> None:
    """congvan writes its signature itself and checks its own form itself: signxml (a general XML-DSig
    verifier, as the hubs use) verifies what congvan signs, and congvan verifies what signxml signs in
    the same form; a change anywhere (content, digest, SignedInfo, the certificate) is refused by both
    paths, and forms congvan does not write go to the general verifier."""
    from lxml import etree
    from signxml.algorithms import DigestAlgorithm, SignatureConstructionMethod, SignatureMethod
    from signxml.signer import XMLSigner
    from signxml.verifier import XMLVerifier

    cert = node.cert_pem.decode()
    signed = nodesig.sign(edxml.write(_message()), node)
    general = XMLVerifier().verify(etree.fromstring(signed), x509_cert=cert)
    assert not isinstance(general, list) and general.signed_xml is not None
    assert edxml.parse(etree.tostring(general.signed_xml)).subject == "V/v thử chữ ký"
    assert nodesig._verified_plainly(etree.fromstring(signed), cert) is not None

    root = etree.fromstring(edxml.write(_message(subject="V/v ký bằng signxml")))
    header = root.find(f"{{{edxml.NS}}}edXMLEnvelope/{{{edxml.NS}}}edXMLHeader")
    etree.SubElement(header, f"{{{nodesig.DS}}}Signature", Id="placeholder")
    by_signxml = etree.tostring(
        XMLSigner(
            method=SignatureConstructionMethod.enveloped,
            signature_algorithm=SignatureMethod.RSA_SHA256,
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
        ).sign(root, key=node.key, cert=cert)
    )
    plain = nodesig._verified_plainly(etree.fromstring(by_signxml), cert)
    assert plain is not None and edxml.parse(plain).subject == "V/v ký bằng signxml"
    assert edxml.parse(nodesig.verify(by_signxml, cert).xml).subject == "V/v ký bằng signxml"

    _, other = nodesig.make_identity("OTHER", tmp_path / "other")
    digest = etree.fromstring(signed).find(f".//{{{nodesig.DS}}}DigestValue").text.encode()
    changed = [
        signed.replace("thử".encode(), b"thu"),  # the content
        signed.replace(digest, digest[::-1]),  # the digest (SignedInfo's signature breaks)
        signed.replace(b'URI=""', b'URI="#x"'),  # another reference
        signed.replace(b"<ds:SignatureValue>", b"<ds:SignatureValue>AAAA"),  # the signature value
    ]
    for bad in changed:
        assert nodesig._verified_plainly(etree.fromstring(bad), cert) is None
        with pytest.raises((nodesig.BadSignature, edxml.MalformedMessage)):
            nodesig.verify(bad, cert)
    assert nodesig._verified_plainly(etree.fromstring(signed), other.read_text()) is None
    with pytest.raises(nodesig.BadSignature):
        nodesig.verify(signed, other.read_text())


def test_rsa_sha1_from_older_systems_is_read_with_a_warning(node: nodesig.NodeIdentity) -> None:
    from lxml import etree
    from signxml.algorithms import DigestAlgorithm, SignatureConstructionMethod, SignatureMethod
    from signxml.signer import XMLSigner

    root = etree.fromstring(edxml.write(_message()))
    header = root.find(f"{{{edxml.NS}}}edXMLEnvelope/{{{edxml.NS}}}edXMLHeader")
    etree.SubElement(header, f"{{{nodesig.DS}}}Signature", Id="placeholder")

    class OldSystemSigner(XMLSigner):  # what older peers still send: SHA1, refused by default
        def check_deprecated_methods(self) -> None:
            pass

    signer = OldSystemSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA1,
        digest_algorithm=DigestAlgorithm.SHA1,
    )
    signed = etree.tostring(signer.sign(root, key=node.key_pem, cert=node.cert_pem.decode()))
    verified = nodesig.verify(signed, node.cert_pem.decode())
    assert verified.algorithm == nodesig.RSA_SHA1
    assert "SHA1" in verified.warning


def test_release_to_a_unit_on_another_server_queues_a_message(api: dict[str, Api], remote: Unit) -> None:
    rel = released(api, [REMOTE, "000.01.01.H57"])
    d = Delivery.objects.get(dispatch__document_id=rel["id"], unit=remote)
    assert d.transport == Transport.QUEUED
    assert not Receipt.objects.filter(unit=remote).exists()  # no local copy for a remote unit
    assert not ReceiptCount.objects.filter(unit=remote).exists()
    local = Delivery.objects.get(dispatch__document_id=rel["id"], unit__code="000.01.01.H57")
    assert local.transport == Transport.LOCAL and Receipt.objects.filter(delivery=local).exists()
    assert outbox.prepare() == 1
    assert outbox.prepare() == 0  # once per delivery
    out = OutMessage.objects.get(delivery=d)
    sent = edxml.parse(nodesig.verify(out.header.encode(), nodesig.identity().cert_pem.decode()).xml)
    assert [r.organ_id for r in sent.recipients] == [REMOTE]
    assert sent.symbol == rel["symbol"] and sent.node == "GCT" and len(sent.manifest) == 1
    shown = api["alice"].get(f"/documents/{rel['id']}").json()["deliveries"]
    assert {x["unit"]: x["transport"] for x in shown} == {REMOTE: "queued", "000.01.01.H57": "local"}


def test_one_round_makes_each_release_s_messages_from_its_own_document(
    api: dict[str, Api], remote: Unit
) -> None:
    """Two releases waiting together: each delivery's message carries its own document (the round
    reads each dispatch's document once)."""
    first = released(api, [REMOTE], subject="V/v văn bản thứ nhất")
    second = released(api, [REMOTE], subject="V/v văn bản thứ hai")
    assert outbox.prepare() == 2
    me = nodesig.identity().cert_pem.decode()
    for rel, subject in ((first, "V/v văn bản thứ nhất"), (second, "V/v văn bản thứ hai")):
        out = OutMessage.objects.get(delivery__dispatch__document_id=rel["id"])
        sent = edxml.parse(nodesig.verify(out.header.encode(), me).xml)
        assert (sent.symbol, sent.subject) == (rel["symbol"], subject)
        assert [r.organ_id for r in sent.recipients] == [REMOTE]


def test_messages_made_together_are_saved_together_or_each_alone_on_a_conflict(
    api: dict[str, Api], remote: Unit
) -> None:
    """A round's messages go in one statement; when another sender made one of them first, each is
    saved alone and that one is left out (nothing doubled, nothing else lost)."""
    from congvan.exchange.models import OutKind

    rel = released(api, [REMOTE])
    d = Delivery.objects.get(dispatch__document_id=rel["id"], unit=remote)
    now = timezone.now()

    def row(kind: str) -> OutMessage:
        return OutMessage(
            message_id=str(uuid.uuid4()),
            hop=remote.home_node,
            destination=remote.home_node,
            kind=kind,
            header="<x/>",
            size=4,
            next_attempt_at=now,
            created_at=now,
            delivery=d,
        )

    first = outbox._save([row(OutKind.DOCUMENT), row(OutKind.REVOKE)])
    assert all(r is not None and r.pk for r in first)
    assert OutMessage.objects.filter(delivery=d).count() == 2
    OutMessage.objects.filter(delivery=d, kind=OutKind.REVOKE).delete()
    again = outbox._save([row(OutKind.DOCUMENT), row(OutKind.REVOKE)])  # the document's made already
    assert again[0] is None and again[1] is not None and again[1].pk
    assert sorted(OutMessage.objects.filter(delivery=d).values_list("kind", flat=True)) == sorted(
        [OutKind.DOCUMENT, OutKind.REVOKE]
    )


def test_unreachable_peer_backs_off_then_gives_up_and_tells_the_clerks(
    api: dict[str, Api], remote: Unit, settings: Any
) -> None:
    rel = released(api, [REMOTE])
    outbox.prepare()
    out = OutMessage.objects.get()
    assert outbox.send_one(out.pk) == "retry"
    out.refresh_from_db()
    assert out.state == OutState.QUEUED and out.attempts == 1 and "refused" in out.last_error.lower()
    wait = (out.next_attempt_at - timezone.now()).total_seconds()
    assert 5 < wait <= 10
    assert outbox.due() == []  # not before its time
    OutMessage.objects.filter(pk=out.pk).update(next_attempt_at=timezone.now())
    assert outbox.send_one(out.pk) == "retry"
    out.refresh_from_db()
    assert 15 < (out.next_attempt_at - timezone.now()).total_seconds() <= 20  # doubled
    # After the configured period (7 days) it fails, the delivery says so, the clerks are told.
    OutMessage.objects.filter(pk=out.pk).update(
        next_attempt_at=timezone.now(), created_at=timezone.now() - dt.timedelta(days=7, minutes=1)
    )
    outbox.send_one(out.pk)
    out.refresh_from_db()
    assert out.state == OutState.FAILED
    d = Delivery.objects.get(pk=out.delivery_id or 0)
    assert d.transport == Transport.FAILED and "7" in d.transport_note
    notice = Notification.objects.get(user__username="alice", kind="exchange_failed")
    assert rel["symbol"] in notice.text


def test_endpoint_refuses_bad_requests(node: nodesig.NodeIdentity, db: None) -> None:
    c = Client()
    assert c.get("/exchange/v1/messages").status_code == 405
    r = c.post("/exchange/v1/messages", b"not multipart", content_type="text/plain")
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed"
    r = c.post("/exchange/v1/messages", {"other": "x"})
    assert r.status_code == 400
    assert not InMessage.objects.exists()


def test_directory_is_signed(node: nodesig.NodeIdentity, org: Any) -> None:
    r = Client().get("/exchange/v1/directory")
    assert r.status_code == 200
    nodesig.verify_bytes(r.content, r["X-Congvan-Signature"], node.cert_pem.decode())
    codes = {u["code"] for u in r.json()["units"]}
    assert "000.00.01.H57" in codes
    with pytest.raises(nodesig.BadSignature):
        nodesig.verify_bytes(
            r.content.replace(b"H57", b"H58"), r["X-Congvan-Signature"], node.cert_pem.decode()
        )


def test_peer_needs_an_address_and_a_certificate(node: nodesig.NodeIdentity, db: None) -> None:
    from congvan.lib.errors import InvalidInput

    with pytest.raises(InvalidInput):
        do_add_peer("XB")
    with pytest.raises(InvalidInput, match="PEM"):
        do_add_peer("XB", url="http://127.0.0.1:9", certificate="not a certificate")
    with pytest.raises(InvalidInput, match="http"):
        do_add_peer("XB", url="ftp://x", certificate=node.cert_pem.decode())
    assert not Peer.objects.filter(code="XB").exists()
