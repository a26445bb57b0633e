"""Sign PDFs (PAdES) as incremental updates, so earlier signatures (a person's own token) stay valid.

An adapter over pyHanko. Level: B-LT when the revocation data can be embedded, B-T with a
time-stamping authority, otherwise B-B; the level is returned so it can be recorded.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from congvan.lib.errors import Conflict
from congvan.lib.loops import off_running_loop


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


@off_running_loop
def sign_pdf(
    data: bytes,
    signer: object,
    *,
    field_name: str,
    reason: str = "",
    location: str = "",
    tsa_url: str | None = None,
    box: tuple[float, float, float, float] | None = None,
    style: Any = None,
    text_params: dict[str, str] | None = None,
    before: Callable[[Any], None] | None = None,
    validation_context: Any = None,
    page: int | None = None,
) -> SignResult:
    """Add one signature (visible when ``box`` is given, on ``page``, by default the last); ``before``
    may add content that the signature then covers (the number written at release)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        last_page = int(writer.root["/Pages"]["/Count"]) - 1
        if before is not None:
            before(writer)
    except Exception as exc:
        raise SigningFailed(f"Không mở được tệp PDF để ký ({type(exc).__name__})") from exc
    embed = validation_context is not None
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason or None,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=embed,
        validation_context=validation_context,
    )
    rect = (round(box[0]), round(box[1]), round(box[2]), round(box[3])) if box else None
    on_page = last_page if page is None else page
    spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=on_page, box=rect) if rect else None
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,  # type: ignore[arg-type]
        timestamper=timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None,
        stamp_style=style,
        new_field_spec=spec,
    )
    out = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=out, appearance_text_params=text_params or None)
    except Exception as exc:
        raise SigningFailed(f"Không ký được văn bản ({type(exc).__name__}: {exc})") from exc
    level = "B-LT" if embed and tsa_url else ("B-T" if tsa_url else "B-B")
    return SignResult(out.getvalue(), level)
