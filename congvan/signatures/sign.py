"""Sign PDFs (PAdES) with a key from a PKCS#12 file; incremental updates never break earlier signatures.

An adapter over pyHanko. PINs come from the environment or ``*_FILE``, never from the database or logs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from congvan.lib.errors import Conflict


class SigningFailed(Conflict):
    code = "signing_failed"


@dataclass(frozen=True)
class SignResult:
    data: bytes
    level: str


def load_pkcs12_signer(path: str, passphrase: bytes | None) -> object:
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase)  # type: ignore[no-untyped-call]
    if signer is None:
        raise SigningFailed("Không mở được tệp khóa PKCS#12 (sai mật khẩu hoặc tệp hỏng)")
    return signer


def sign_pdf(
    data: bytes,
    signer: object,
    *,
    field_name: str,
    reason: str = "",
    location: str = "",
    tsa_url: str | None = None,
) -> SignResult:
    """Add one signature as an incremental update; B-T when a time-stamping authority is given."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason or None,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    timestamper = timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None
    out = io.BytesIO()
    try:
        signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper, output=out)  # type: ignore[arg-type]
    except Exception as exc:
        raise SigningFailed(f"Không ký được văn bản ({type(exc).__name__}: {exc})") from exc
    return SignResult(out.getvalue(), "B-T" if tsa_url else "B-B")
