"""edXML: every real sample reads with its fields; an exported document reads back the same; imports
land in a unit's inbox; hostile or broken XML is refused, never a crash."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from congvan.dispatch.models import Receipt
from congvan.documents.models import Document
from congvan.exchange.convert import export_document
from congvan.exchange.edxml import MalformedMessage, parse, write
from congvan.orgs.actions import do_create_membership, do_create_unit
from congvan.orgs.tests.support import Api, released

FIXTURES = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "edxml"
SAMPLES = sorted(FIXTURES.glob("*.edxml")) if FIXTURES.is_dir() else []
needs_fixtures = pytest.mark.skipif(
    not SAMPLES, reason="shared/fixtures/edxml is beside the repository in CI"
)


@needs_fixtures
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_reads(path):
    msg = parse(path.read_bytes())
    assert msg.sender.organ_id
    if "status" in path.name:
        assert msg.kind == "status" and msg.status_code.isdigit() and len(msg.status_code) == 2
        suffix = path.stem.rsplit("_", 1)[-1]
        if suffix.isdigit():  # the file name carries the code: status_finish_06
            assert msg.status_code == suffix
    else:
        assert msg.kind == "document" and msg.symbol and msg.subject and msg.promulgation_date
        assert msg.recipients
        assert msg.signature_algorithm.endswith(("rsa-sha1", "rsa-sha256")) or not msg.signature_algorithm


@needs_fixtures
def test_sample_fields_are_read_correctly():
    msg = parse((FIXTURES / "vnpt-sdk_edoc_new.edxml").read_bytes())
    assert (msg.sender.organ_id, msg.symbol, msg.promulgation_date) == (
        "000.00.00.A80",
        "74fass22/VPCP-TTĐT",
        dt.date(2019, 1, 16),
    )
    assert msg.subject == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert (msg.signer_name, msg.signer_competence) == ("Nguyen Thanh Phuc", "TL. BO TRUONG")
    assert [a.name for a in msg.attachments] == ["1896_QD-TTg_m_294779.doc"]
    assert {
        parse((FIXTURES / f"vnpt-sdk_edoc_{k}.edxml").read_bytes()).business_type
        for k in ("revocation", "update", "replacement")
    } == {1, 2, 3}
    replacement = parse((FIXTURES / "vnpt-sdk_edoc_replacement.edxml").read_bytes())
    assert replacement.replaces == ["000.00.00.G22,2014/01/30,7806/VPCP-TTĐT"]
    update = parse((FIXTURES / "vnpt-sdk_edoc_update.edxml").read_bytes())
    assert update.business_document_id == "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"
    again = parse(write(replacement))  # what congvan writes reads back the same
    assert (again.business_type, again.replaces) == (3, replacement.replaces)
    broken = parse((FIXTURES / "vnpt-sdk_edoc.edxml").read_bytes())  # a doubled <From> in the sample
    assert broken.symbol == "3232sss/PRO-TEST-CASE1" and broken.subject.startswith("Văn bản liên thông")


@needs_fixtures
@pytest.mark.parametrize("name", [p.name for p in SAMPLES if "edoc" in p.name])
def test_document_samples_import_into_an_inbox(api, name, org):
    """Each sample into the inbox of the unit it is addressed to (a revocation revokes, see below)."""
    msg = parse((FIXTURES / name).read_bytes())
    code = msg.recipients[0].organ_id
    do_create_unit(code=code, name="Nơi nhận", abbreviation="NN", parent_code="000.00.01.H57", actor=None)
    do_create_membership(username="alice", unit_code=code, role="clerk", actor=None)
    out = io.StringIO()
    call_command("edxml", "import", str(FIXTURES / name), "--unit", code, "--user", "alice", stdout=out)
    if msg.business_type == 1:
        assert (
            "không có văn bản này" in out.getvalue() and not Receipt.objects.filter(unit__code=code).exists()
        )
        return
    receipt = Receipt.objects.select_related("document", "issuer").get(unit__code=code)
    assert receipt.state == "arrived" and receipt.document.symbol == msg.symbol[:40]
    assert receipt.issuer.code == msg.sender.organ_id and not receipt.issuer.active
    assert receipt.document.files.count() >= len(msg.attachments)
    # every sample is signed, none verifiably (certificates cut short, a Signature outside XML-DSig's
    # namespace): reported, not trusted
    signature = receipt.document.received["signature"]
    assert signature["state"] in {"unverifiable", "invalid"} and signature["warning"]
    assert signature["verified_by"] == ""
    # SignerInfo's competence and position are kept apart, as the message has them.
    assert (receipt.document.signer_competence, receipt.document.signer_position) == (
        msg.signer_competence[:100],
        msg.signer_position[:100],
    )
    alice = Api(api["alice"].user, code)
    seen = alice.get("/inbox").json()["results"]
    assert seen[0]["document"]["subject"] == msg.subject
    again = io.StringIO()
    call_command("edxml", "import", str(FIXTURES / name), "--unit", code, "--user", "alice", stdout=again)
    assert (
        "đã được nhập trước đây" in again.getvalue() and Receipt.objects.filter(unit__code=code).count() == 1
    )
    with pytest.raises(CommandError, match="không phải nơi nhận"):
        call_command("edxml", "import", str(FIXTURES / name), "--unit", "000.00.01.H57", stdout=io.StringIO())


def test_export_reads_back_as_the_same_document(api):
    rel = released(
        api,
        ["000.01.01.H57", "000.01.02.H57"],
        subject="Kế hoạch tổ chức đại hội",
        signer_name="Võ Minh Tâm",
        signer_competence="T/M BAN THƯỜNG VỤ",
        signer_position="PHÓ BÍ THƯ",
        urgency="urgent",
    )
    doc = Document.objects.get(pk=rel["id"])
    msg = parse(write(export_document(doc)))
    assert (msg.signer_competence, msg.signer_position) == ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ")
    assert msg.symbol == doc.symbol == "01-KH/HU"
    assert (msg.subject, msg.signer_name, msg.promulgation_date) == (
        doc.subject,
        "Võ Minh Tâm",
        doc.issued_date,
    )
    assert [r.organ_id for r in msg.recipients] == ["000.01.01.H57", "000.01.02.H57"]
    assert msg.sender.organ_id == "000.00.01.H57" and msg.priority == 1
    assert [a.data[:5] for a in msg.attachments] == [b"%PDF-"]


def test_export_command(api, tmp_path):
    rel = released(api, ["000.01.01.H57"])
    out = tmp_path / "vb.edxml"
    call_command("edxml", "export", str(rel["id"]), "--out", str(out), stdout=io.StringIO())
    assert parse(out.read_bytes()).symbol == "01-KH/HU"
    with pytest.raises(CommandError):
        call_command("edxml", "export", "999999", stdout=io.StringIO())


def test_a_signed_export_verifies_with_the_node_certificate(api, tmp_path, settings):
    from lxml import etree

    from congvan.exchange import nodesig

    rel = released(api, ["000.01.01.H57"])
    with pytest.raises(CommandError, match="CONGVAN_NODE_CODE"):
        call_command("edxml", "export", str(rel["id"]), "--sign", stdout=io.StringIO())
    key, cert = nodesig.make_identity("GCT", tmp_path / "node")
    settings.NODE_CODE, settings.NODE_KEY, settings.NODE_CERT = "GCT", str(key), str(cert)
    out = tmp_path / "vb.edxml"
    call_command("edxml", "export", str(rel["id"]), "--sign", "--out", str(out), stdout=io.StringIO())
    data = out.read_bytes()
    verified = nodesig.verify(data, cert.read_text())  # enveloped, over the whole message
    assert parse(verified.xml).symbol == "01-KH/HU" and verified.warning == ""
    root = etree.fromstring(data)
    ds = "{http://www.w3.org/2000/09/xmldsig#}"
    signature = root.find(f".//{ds}Signature")
    assert signature is not None and etree.QName(signature.getparent()).localname == "edXMLHeader"
    c14n = root.find(f".//{ds}CanonicalizationMethod")
    assert c14n is not None and c14n.get("Algorithm") == "http://www.w3.org/2001/10/xml-exc-c14n#"
    assert nodesig.verdict(data, [("GCT", cert.read_text())]).state == "valid"
    changed = data.replace(b"01</edXML:CodeNumber>", b"02</edXML:CodeNumber>")
    assert changed != data and nodesig.verdict(changed, []).state == "invalid"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not xml at all",
        b"<edXML><edXMLEnvelope/></edXML>",
        b"<other/>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><edXML>&b;</edXML>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><edXML>&e;</edXML>',
    ],
)
def test_hostile_or_broken_messages_are_refused(data):
    with pytest.raises(MalformedMessage):
        parse(data)


def _plain(subject: str) -> bytes:
    """A small message, as congvan writes it."""
    from congvan.exchange.edxml import EdxmlMessage, Organ

    return write(
        EdxmlMessage(
            kind="document",
            sender=Organ("000.00.00.G22", "Văn phòng"),
            recipients=[Organ("000.00.01.H57", "Huyện ủy")],
            subject=subject,
            message_id="5d8f0c1e-1111-4222-8333-444455556666",
        )
    )


def test_an_encoding_python_does_not_know_is_read_as_utf8_or_refused():
    """A declaration naming an encoding Python does not know (a typing slip of a gateway): the standard
    library's parser raised LookupError out of ``parse``; the message is now read on as UTF-8, and what
    cannot be read is refused like any broken message."""
    data = _plain("Báo cáo tình hình").replace(b'encoding="UTF-8"', b'encoding="UTFF8"', 1)
    assert b"UTFF8" in data and parse(data).subject == "Báo cáo tình hình"
    with pytest.raises(MalformedMessage):
        parse(b'<?xml version="1.0" encoding="QTF-8"?><other/>')


def test_a_dtd_is_refused_wherever_it_stands():
    """A DOCTYPE is refused even far into the prolog (an earlier check looked at the first 2 KB only)."""
    good = _plain("Thử")
    assert parse(good).subject == "Thử"
    head, sep, body = good.partition(b"?>")
    padded = (
        head + sep + b"<!--" + b"x" * 8000 + b'--><!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/x.dtd">' + body
    )
    with pytest.raises(MalformedMessage):
        parse(padded)


def test_a_message_in_utf16_is_read_and_its_dtd_refused():
    """Bytes that do not keep ASCII as it is (UTF-16) cannot be searched for a DOCTYPE as bytes: they go
    through defusedxml's parser, which reads the message and refuses the DTD."""
    good = _plain("Thử mã UTF-16")
    text = good.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert parse(text.encode("utf-16")).subject == "Thử mã UTF-16"
    head, sep, body = text.partition("?>")
    hostile = head + sep + '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + body
    with pytest.raises(MalformedMessage):
        parse(hostile.encode("utf-16"))
    assert parse(b"\xef\xbb\xbf" + good).subject == "Thử mã UTF-16"  # UTF-8 with its byte order mark
