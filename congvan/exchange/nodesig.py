"""The node's XML-DSig: sign what this server sends, verify what a peer sends.

Enveloped signatures (RSA-SHA256, SHA-256 digests, exclusive C14N) placed in ``edXMLHeader``, where
edXML puts its ``Signature``. Older systems sign with RSA-SHA1: read, accepted, and reported with a
warning. The certificate that verifies is always the configured peer's, never the one a message
carries (a message can carry any certificate).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from congvan.exchange.edxml import NS, MalformedMessage
from congvan.lib.errors import Conflict, InvalidInput

log = logging.getLogger(__name__)
DS = "http://www.w3.org/2000/09/xmldsig#"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"


class NodeNotConfigured(Conflict):
    code = "node_not_configured"


class BadSignature(InvalidInput):
    code = "bad_signature"


@dataclass(frozen=True)
class NodeIdentity:
    code: str
    key_pem: bytes
    cert_pem: bytes

    @property
    def key(self) -> rsa.RSAPrivateKey:
        """The loaded key: loading (and checking) an RSA key costs ~35 ms, so it is done once."""
        return _private_key(self.key_pem)


@cache
def _private_key(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise NodeNotConfigured(_("Khoá của máy chủ phải là RSA"))
    return key


@dataclass(frozen=True)
class Verified:
    xml: bytes  # the signed content only (what the signature covers)
    algorithm: str
    warning: str


def make_identity(code: str, directory: Path, *, days: int = 3650) -> tuple[Path, Path]:
    """Write a new RSA key and a self-signed certificate for node ``code``; refuse to overwrite."""
    key_path, cert_path = directory / "key.pem", directory / "cert.pem"
    if key_path.exists() or cert_path.exists():
        raise Conflict(_("Đã có khoá của máy chủ: %(directory)s") % {"directory": directory})
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"congvan node {code}")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@cache
def _load(code: str, key_path: str, cert_path: str) -> NodeIdentity:
    try:
        key_pem, cert_pem = Path(key_path).read_bytes(), Path(cert_path).read_bytes()
    except OSError as exc:
        raise NodeNotConfigured(_("Không đọc được khoá của máy chủ: %(exc)s") % {"exc": exc}) from None
    return NodeIdentity(code, key_pem, cert_pem)


def identity() -> NodeIdentity:
    """This server's node identity; a clear error when exchange is not set up."""
    if not settings.NODE_CODE:
        raise NodeNotConfigured(_("Máy chủ chưa có mã nút trao đổi (CONGVAN_NODE_CODE)"))
    return _load(settings.NODE_CODE, settings.NODE_KEY, settings.NODE_CERT)


def check_certificate(pem: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        raise InvalidInput(_("Chứng thư số không hợp lệ (PEM)")) from None


_EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


def _parse(xml: bytes) -> etree._Element:
    return etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))


def _c14n(node: etree._Element) -> bytes:
    """Exclusive canonical XML without comments, as the signature's methods name it."""
    out: bytes = etree.tostring(node, method="c14n", exclusive=True, with_comments=False)
    return out


@cache
def _certificate_text(cert_pem: bytes) -> str:
    return base64.b64encode(
        x509.load_pem_x509_certificate(cert_pem).public_bytes(serialization.Encoding.DER)
    ).decode()


def sign(xml: bytes, me: NodeIdentity | None = None) -> bytes:
    """Sign an edXML document (enveloped, in its edXMLHeader) with the node key: RSA-SHA256 over the
    exclusive canonical form of SignedInfo, whose one reference (URI="", the whole document less the
    signature: enveloped-signature then exclusive C14N) carries the SHA-256 digest; the node's
    certificate in KeyInfo. The form every XML-DSig verifier reads (signxml's, the hubs'); written
    here, in a few calls to lxml, because signxml's general signer cost more than the RSA signature."""
    me = me or identity()
    root = _parse(xml)
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    if header is None:
        raise MalformedMessage(_("Thiếu edXMLHeader"))
    digest = base64.b64encode(hashlib.sha256(_c14n(root)).digest()).decode()  # before the signature is in
    signature = etree.SubElement(header, f"{{{DS}}}Signature", nsmap={"ds": DS})
    info = etree.SubElement(signature, f"{{{DS}}}SignedInfo")
    etree.SubElement(info, f"{{{DS}}}CanonicalizationMethod", Algorithm=_EXC_C14N)
    etree.SubElement(info, f"{{{DS}}}SignatureMethod", Algorithm=_RSA_SHA256)
    reference = etree.SubElement(info, f"{{{DS}}}Reference", URI="")
    transforms = etree.SubElement(reference, f"{{{DS}}}Transforms")
    etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=_ENVELOPED)
    etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=_EXC_C14N)
    etree.SubElement(reference, f"{{{DS}}}DigestMethod", Algorithm=_SHA256)
    etree.SubElement(reference, f"{{{DS}}}DigestValue").text = digest
    value = me.key.sign(_c14n(info), padding.PKCS1v15(), hashes.SHA256())
    etree.SubElement(signature, f"{{{DS}}}SignatureValue").text = base64.b64encode(value).decode()
    data = etree.SubElement(etree.SubElement(signature, f"{{{DS}}}KeyInfo"), f"{{{DS}}}X509Data")
    etree.SubElement(data, f"{{{DS}}}X509Certificate").text = _certificate_text(me.cert_pem)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out


@cache
def _public_key(cert_pem: str) -> rsa.RSAPublicKey | None:
    try:
        key = x509.load_pem_x509_certificate(cert_pem.encode()).public_key()
    except ValueError:
        return None
    return key if isinstance(key, rsa.RSAPublicKey) else None


def _verified_plainly(root: etree._Element, cert_pem: str) -> bytes | None:
    """The content of a signature in the one form congvan writes (see ``sign``), checked in a few
    calls: the RSA-SHA256 signature of SignedInfo by the peer's key, then the SHA-256 digest of the
    whole document less the signature. None for anything else, or anything that does not check: then
    the general verifier decides (this only spares it the messages it would accept)."""
    found = list(root.iter(f"{{{DS}}}Signature"))
    key = _public_key(cert_pem)
    if len(found) != 1 or key is None:
        return None
    signature = found[0]
    parts = [etree.QName(e).localname for e in signature]
    if parts not in (["SignedInfo", "SignatureValue", "KeyInfo"], ["SignedInfo", "SignatureValue"]):
        return None
    info, value = signature[0], signature[1]
    expected = [
        ("CanonicalizationMethod", _EXC_C14N),
        ("SignatureMethod", _RSA_SHA256),
    ]
    if len(info) != 3 or any(
        etree.QName(e).localname != name or e.get("Algorithm") != algorithm or len(e)
        for e, (name, algorithm) in zip(info, expected, strict=False)
    ):
        return None
    reference = info[2]
    if (
        etree.QName(reference).localname != "Reference"
        or reference.attrib != {"URI": ""}
        or len(reference) != 3
    ):
        return None
    transforms, method, digest = reference
    if (
        [(etree.QName(t).localname, t.get("Algorithm"), len(t)) for t in transforms]
        != [("Transform", _ENVELOPED, 0), ("Transform", _EXC_C14N, 0)]
        or etree.QName(method).localname != "DigestMethod"
        or method.get("Algorithm") != _SHA256
        or etree.QName(digest).localname != "DigestValue"
    ):
        return None
    from cryptography.exceptions import InvalidSignature

    try:
        key.verify(
            base64.b64decode(value.text or "", validate=False),
            _c14n(info),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
        told = base64.b64decode(digest.text or "", validate=False)
    except (InvalidSignature, ValueError):
        return None
    parent = signature.getparent()
    if parent is None or signature.tail:
        return None
    parent.remove(signature)  # the enveloped-signature transform
    if hashlib.sha256(_c14n(root)).digest() != told:
        return None
    out: bytes = etree.tostring(root, encoding="UTF-8")
    return out


def verify(xml: bytes, cert_pem: str) -> Verified:
    """Verify a message's node signature against a peer's certificate; return what it covers."""
    from signxml.algorithms import DigestAlgorithm, SignatureMethod
    from signxml.exceptions import InvalidInput as SxInvalidInput
    from signxml.exceptions import InvalidSignature
    from signxml.verifier import SignatureConfiguration, XMLVerifier

    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml:
        raise MalformedMessage(_("edXML có DTD/thực thể: bị từ chối"))
    try:
        root = _parse(xml)
    except etree.XMLSyntaxError:
        raise MalformedMessage(_("edXML không đọc được")) from None
    plain = _verified_plainly(root, cert_pem)  # (DTDs were refused above)
    if plain is not None:
        return Verified(plain, _RSA_SHA256, "")
    root = _parse(xml)  # the plain check may have taken the signature out
    method = root.find(f".//{{{DS}}}SignatureMethod")
    if method is None:
        raise BadSignature(_("Thông điệp không có chữ ký của máy chủ gửi"))
    algorithm = method.get("Algorithm") or ""
    config = SignatureConfiguration(
        require_x509=True,
        signature_methods=frozenset(
            [SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA1, SignatureMethod.RSA_SHA512]
        ),
        digest_algorithms=frozenset([DigestAlgorithm.SHA256, DigestAlgorithm.SHA1, DigestAlgorithm.SHA512]),
    )
    try:
        result = XMLVerifier().verify(
            root, x509_cert=cert_pem, expect_config=config, ignore_ambiguous_key_info=True
        )
    except (InvalidSignature, SxInvalidInput, etree.LxmlError, ValueError) as exc:
        # (a signature whose parts break XML-DSig's schema, a digest that is not base64, reaches signxml's
        # schema check as lxml's DocumentInvalid: a refusal too, never an error of the server)
        raise BadSignature(_("Chữ ký của máy chủ gửi không hợp lệ: %(exc)s") % {"exc": exc}) from None
    results = result if isinstance(result, list) else [result]
    signed = results[0].signed_xml
    if signed is None or signed.tag != root.tag:
        raise BadSignature(_("Chữ ký không phủ toàn bộ thông điệp"))
    warning = ""
    if algorithm == RSA_SHA1:
        warning = _("Chữ ký RSA-SHA1 (cũ, yếu)")
        log.warning("accepted an RSA-SHA1 node signature")
    return Verified(etree.tostring(signed, encoding="UTF-8"), algorithm, warning)


def sign_bytes(data: bytes, me: NodeIdentity | None = None) -> str:
    """A detached RSA-SHA256 signature (base64) of a JSON answer such as the unit directory."""
    me = me or identity()
    return base64.b64encode(me.key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def signed_already(xml: bytes) -> bool:
    """Whether an edXML document carries a node signature in its edXMLHeader."""
    try:
        root = _parse(xml)
    except etree.XMLSyntaxError:
        return False
    return root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader/{{{DS}}}Signature") is not None


def _answers_digest(answers: list[bytes]) -> bytes:
    """What one signature over a batch's answers covers: their SHA-256 digests, in order."""
    return b"congvan-answers-v1" + b"".join(hashlib.sha256(a).digest() for a in answers)


def sign_answers(answers: list[bytes], me: NodeIdentity | None = None) -> str:
    """One signature over all the answers to a batch (instead of an XML-DSig on each: signing was a
    sixth of the receiver's time a message, verifying a tenth of the sender's)."""
    return sign_bytes(_answers_digest(answers), me)


def verify_answers(answers: list[bytes], signature: str, cert_pem: str) -> None:
    try:
        verify_bytes(_answers_digest(answers), signature, cert_pem)
    except BadSignature:
        raise BadSignature(_("Chữ ký của các câu trả lời không hợp lệ")) from None


def verify_bytes(data: bytes, signature: str, cert_pem: str) -> None:
    from cryptography.exceptions import InvalidSignature

    public = check_certificate(cert_pem).public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    try:
        public.verify(base64.b64decode(signature), data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        raise BadSignature(_("Chữ ký của danh bạ không hợp lệ")) from None


@dataclass(frozen=True)
class Verdict:
    """What a file's XML-DSig says: ``valid`` (a configured peer's certificate verifies it),
    ``untrusted`` (the certificate it carries verifies it, but that certificate is no peer's),
    ``invalid`` (nothing verifies it: changed after signing, or signed otherwise than it says),
    ``unverifiable`` (the XML is too broken to check, or the certificate it carries cannot be read, as
    in real messages whose certificates are cut short), ``unsigned``."""

    state: str
    peer: str = ""
    signer: str = ""
    warning: str = ""


def _carried_certificate(root: etree._Element) -> str:
    """The PEM of the first certificate in the message's own KeyInfo ("" when none is readable)."""
    node = root.find(f".//{{{DS}}}X509Certificate")
    if node is None or not (node.text or "").strip():
        return ""
    body = "".join((node.text or "").split())
    try:
        x509.load_der_x509_certificate(base64.b64decode(body))
    except ValueError:
        return ""
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n"


def verdict(xml: bytes, peers: list[tuple[str, str]]) -> Verdict:
    """Check a message that came as a file (``edxml import``) against the peers' certificates
    (``(code, PEM)``), then against the certificate it carries."""
    if b"SignatureValue" not in xml:
        return Verdict("unsigned")
    try:
        root = _parse(xml)
    except etree.XMLSyntaxError:
        return Verdict("unverifiable", warning=_("XML hỏng: chữ ký không kiểm tra được"))
    if root.find(f".//{{{DS}}}SignatureValue") is None:
        if any(etree.QName(e).localname == "SignatureValue" for e in root.iter("{*}SignatureValue")):
            # as some gateways write it: a Signature in the edXML namespace, which no verifier reads
            return Verdict("unverifiable", warning=_("Chữ ký không theo chuẩn XML-DSig (sai không gian tên)"))
        return Verdict("unsigned")
    for code, pem in peers:
        try:
            done = verify(xml, pem)
        except (BadSignature, MalformedMessage):
            continue
        return Verdict("valid", peer=code, signer=_subject(pem), warning=done.warning)
    carried = _carried_certificate(root)
    if not carried:
        return Verdict("unverifiable", warning=_("Chứng thư kèm chữ ký không đọc được"))
    try:
        done = verify(xml, carried)
    except (BadSignature, MalformedMessage) as exc:
        return Verdict("invalid", signer=_subject(carried), warning=str(exc))
    return Verdict("untrusted", signer=_subject(carried), warning=done.warning)


def _subject(pem: str) -> str:
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        return ""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value)[:200] if names else ""
