"""A signature made on the signer's own token, in two steps (pyHanko's interrupted signing).

1. ``prepare``: the server adds the empty number/date fields and the visible signature field, reserves
   the room for the signature, digests the file and builds the CMS signed attributes (PAdES). The
   signer's agent is given those attributes (DER) to sign: the private key never leaves the token, the
   PIN never leaves the signer's PC.
2. ``finish``: the agent's signature value is checked against the certificate, then pyHanko builds the
   CMS (with the timestamp token when a TSA is configured) and writes it into the reserved room.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import cms, x509
from django.conf import settings
from django.utils.translation import gettext as _

from congvan.lib import loops
from congvan.lib.errors import InvalidInput
from congvan.signatures import appearance, numbering
from congvan.signatures.sign import SigningFailed
from congvan.signatures.trust import trust_store

RESERVED = 32 * 1024  # bytes of hex for the CMS: the chain, the timestamp token and room to spare


@dataclass(frozen=True)
class Prepared:
    signed_attrs: bytes  # DER of the CMS signed attributes: what the token signs
    document_digest: bytes  # SHA-256 over the byte range: shown to the signer
    region_start: int
    region_end: int


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from DER or PEM, with a clear error otherwise."""
    from congvan.signatures.trust import load_certificates

    certs = load_certificates(data, source=_("Chứng thư số"))
    if len(certs) != 1:
        raise InvalidInput(_("Cần đúng một chứng thư số"), code="invalid_certificate")
    return certs[0]


def _signer(cert: x509.Certificate, value: bytes | None) -> Any:
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    store = trust_store()
    registry = SimpleCertificateStore.from_certs([cert, *store.intermediates, *store.roots])
    return signers.ExternalSigner(signing_cert=cert, cert_registry=registry, signature_value=value or 256)


def prepare(
    source: bytes, cert: x509.Certificate, out: Path, *, position: str, name: str, image: str | None
) -> Prepared:
    """Prepare ``source`` for the leader's signature with ``cert``; the file to finish goes to ``out``."""
    return loops.run(_prepare(source, cert, out, position=position, name=name, image=image))


async def _prepare(
    source: bytes, cert: x509.Certificate, out: Path, *, position: str, name: str, image: str | None
) -> Prepared:
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(source), strict=False)
        numbering.prepare(writer, source)
        last_page = int(writer.root["/Pages"]["/Count"]) - 1
    except Exception as exc:  # pyHanko on an odd file: said plainly
        raise SigningFailed(f"Không mở được tệp PDF để ký ({type(exc).__name__})") from exc
    box = tuple(round(v) for v in appearance.SIGNER_BOX)
    ext = _signer(cert, None)
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="LanhDaoKy", subfilter=fields.SigSeedSubFilter.PADES),
        signer=ext,
        stamp_style=appearance.signer_style(image),
        new_field_spec=fields.SigFieldSpec(sig_field_name="LanhDaoKy", on_page=last_page, box=box),  # type: ignore[arg-type]
    )
    with out.open("wb") as fh:
        digest, _tbs, _output = await pdf_signer.async_digest_doc_for_signing(
            writer,
            bytes_reserved=RESERVED,
            appearance_text_params={"position": position.upper(), "name": name},
            output=fh,
        )
    attrs = await ext.signed_attrs(digest.document_digest, "sha256", use_pades=True)
    return Prepared(
        attrs.dump(), digest.document_digest, digest.reserved_region_start, digest.reserved_region_end
    )


def check_value(cert: x509.Certificate, signed_attrs: bytes, value: bytes) -> None:
    """Refuse a signature value that the certificate's key did not make over these attributes."""
    from cryptography import x509 as cx509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    key = cx509.load_der_x509_certificate(cert.dump()).public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(value, signed_attrs, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(value, signed_attrs, ec.ECDSA(hashes.SHA256()))
        else:
            raise InvalidInput(_("Loại khóa của chứng thư số không được hỗ trợ"), code="invalid_certificate")
    except InvalidSignature:
        raise InvalidInput(
            _("Chữ ký trả về không khớp với chứng thư số và văn bản đã chuẩn bị"), code="bad_signature"
        ) from None


def finish(
    prepared_file: Path, cert: x509.Certificate, prepared: Prepared, value: bytes
) -> tuple[bytes, str]:
    """Embed the checked signature value with a timestamp when a TSA is configured, then the revocation
    data when it can be fetched; the signed PDF and its PAdES level."""
    check_value(cert, prepared.signed_attrs, value)
    data = loops.run(_finish(prepared_file, cert, prepared, value))
    if not settings.TSA_URL:
        return data, "B-B"
    if settings.SIGNATURE_ONLINE:
        try:
            return loops.run(_add_revocation_data(data)), "B-LT"
        except Exception as exc:  # noqa: BLE001 - OCSP/CRL out of reach: the signature stays B-T, still valid
            logging.getLogger(__name__).info("revocation data not added: %s", type(exc).__name__)
    return data, "B-T"


async def _add_revocation_data(data: bytes) -> bytes:
    """PAdES B-LT: the chain's OCSP responses and CRLs in the document's DSS (an allowed update)."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import async_add_validation_info
    from pyhanko_certvalidator import ValidationContext

    store = trust_store()
    reader = PdfFileReader(io.BytesIO(data))
    sig = reader.embedded_signatures[-1]
    vc = ValidationContext(
        trust_roots=list(store.roots), other_certs=list(store.intermediates), allow_fetching=True
    )
    out = await async_add_validation_info(sig, vc)
    return bytes(out.getvalue())


async def _finish(prepared_file: Path, cert: x509.Certificate, prepared: Prepared, value: bytes) -> bytes:
    import io

    from pyhanko.sign import timestamps
    from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
    from pyhanko.sign.signers.pdf_signer import PdfTBSDocument

    tsa = settings.TSA_URL or None
    ext = _signer(cert, value)
    attrs = cms.CMSAttributes.load(prepared.signed_attrs)
    try:
        sig_cms = await ext.async_sign_prescribed_attributes(
            "sha256", signed_attrs=attrs, timestamper=timestamps.HTTPTimeStamper(tsa) if tsa else None
        )
        output = io.BytesIO(prepared_file.read_bytes())
        digest = PreparedByteRangeDigest(prepared.document_digest, prepared.region_start, prepared.region_end)
        await PdfTBSDocument.async_finish_signing(output, digest, sig_cms)
    except Exception as exc:  # a TSA out of reach, a broken prepared file: said plainly
        raise SigningFailed(f"Không hoàn tất được chữ ký ({type(exc).__name__}: {exc})") from exc
    return output.getvalue()


def expiry_problem(cert: x509.Certificate, now: dt.datetime) -> str | None:
    if cert.not_valid_after < now:
        return _("Chứng thư số đã hết hạn ngày %(day)s") % {"day": cert.not_valid_after.strftime("%d/%m/%Y")}
    if cert.not_valid_before > now:
        return _("Chứng thư số chưa có hiệu lực")
    return None
