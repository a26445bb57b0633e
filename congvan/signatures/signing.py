"""Sign stored files with configured keys: the leader's approval, the unit's seal at release."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.documents import blobstore
from congvan.documents.models import Blob
from congvan.lib import filetypes
from congvan.lib.dates import VN, local_today
from congvan.signatures import appearance, numbering
from congvan.signatures.keys import KeySpec, KeyUnavailable, key_for, open_signer
from congvan.signatures.models import SigningRecord
from congvan.signatures.sign import SigningFailed, sign_pdf
from congvan.signatures.trust import trust_store


@dataclass(frozen=True)
class Signed:
    sha256: str
    level: str


def _validation_context() -> object | None:
    """For B-LT: a context that fetches and embeds revocation data (only when online)."""
    if not settings.SIGNATURE_ONLINE:
        return None
    from pyhanko_certvalidator import ValidationContext

    store = trust_store()
    return ValidationContext(
        trust_roots=list(store.roots), other_certs=list(store.intermediates), allow_fetching=True
    )


def _refuse_expired(spec: KeySpec, signer: object) -> None:
    """A certificate out of its validity makes a signature every verifier rejects: refuse, saying when."""
    cert = getattr(signer, "signing_cert", None)
    if cert is None:
        return
    now = timezone.now()
    if cert.not_valid_after < now:
        raise KeyUnavailable(
            _("%(label)s: chứng thư số đã hết hạn ngày %(day)s")
            % {"label": spec.label, "day": cert.not_valid_after.astimezone(VN).strftime("%d/%m/%Y")}
        )
    if cert.not_valid_before > now:
        raise KeyUnavailable(_("%(label)s: chứng thư số chưa có hiệu lực") % {"label": spec.label})


def _sign(
    spec: KeySpec, data: bytes, *, passphrase: str | None = None, **kwargs: object
) -> tuple[bytes, str]:
    tsa = settings.TSA_URL or None
    with open_signer(spec, passphrase) as signer:
        _refuse_expired(spec, signer)
        vc = _validation_context() if tsa else None
        if vc is not None:
            try:
                r = sign_pdf(data, signer, tsa_url=tsa, validation_context=vc, **kwargs)  # type: ignore[arg-type]
                return r.data, r.level
            except SigningFailed:
                pass  # revocation data not reachable: fall back to B-T
        r = sign_pdf(data, signer, tsa_url=tsa, **kwargs)  # type: ignore[arg-type]
        return r.data, r.level


def _store(source: str, data: bytes, spec: KeySpec, level: str) -> Signed:
    sha, size = blobstore.put_bytes(data)
    Blob.objects.get_or_create(sha256=sha, defaults={"size": size, "mime": filetypes.PDF})
    SigningRecord.objects.create(
        blob_id=sha, source_id=source, key_label=spec.label, level=level, at=timezone.now()
    )
    return Signed(sha, level)


def _read(sha: str) -> bytes:
    with blobstore.open_blob(sha) as fh:
        return fh.read()


def sign_as_person(
    username: str, sha: str, *, position: str, name: str, passphrase: str | None = None
) -> Signed | None:
    """The person's visible signature on the last page, if a key on the server is configured for them."""
    spec = key_for(f"user:{username}")
    if spec is None or spec.kind == "agent":
        return None
    source = _read(sha)
    data, level = _sign(
        spec,
        source,
        passphrase=passphrase,
        before=lambda w: numbering.prepare(w, source),  # empty fields for the number and date
        field_name="LanhDaoKy",
        box=appearance.SIGNER_BOX,
        style=appearance.signer_style(spec.image),
        text_params={"position": (spec.position or position).upper(), "name": name},
    )
    return _store(sha, data, spec, level)


def has_person_key(username: str) -> bool:
    """Whether a key on the server is configured for the person's signature (not one on their PC)."""
    spec = key_for(f"user:{username}")
    return spec is not None and spec.kind != "agent"


def has_unit_key(unit_code: str) -> bool:
    """Whether a key is configured for the unit's signature (the seal)."""
    return key_for(f"unit:{unit_code}") is not None


def sign_as_unit(
    unit_code: str, sha: str, *, main: bool, symbol: str, when: dt.datetime, passphrase: str | None = None
) -> Signed | None:
    """The unit's signature. On the main file the number and date are written first (see
    ``numbering``) and the seal is drawn over the signer's box; on an attachment, no image and the
    number line at the top right of page 1."""
    spec = key_for(f"unit:{unit_code}")
    if spec is None:
        return None
    source = _read(sha)
    if not main:
        line = appearance.number_line(symbol, when)
        data, level = _sign(
            spec,
            source,
            passphrase=passphrase,
            field_name="DonViKy",
            before=lambda w: appearance.stamp_number_line(w, line),
        )
        return _store(sha, data, spec, level)
    values = numbering.Values(symbol, local_today(when))
    if numbering.how_to_write(source) == "signed":
        # signed outside congvan, no fields to fill: the seal's own appearance shows the number line
        spot = numbering.line_spot(numbering.page_box(source))
        data, level = _sign(
            spec,
            source,
            passphrase=passphrase,
            field_name="DonViKy",
            box=spot.rect,
            page=0,
            style=appearance.line_style(),
            text_params={"line": values.for_spot(spot)},
        )
    else:
        data, level = _sign(
            spec,
            source,
            passphrase=passphrase,
            field_name="DonViKy",
            before=lambda w: numbering.fill(w, source, values),
            box=appearance.seal_box() if spec.image else None,
            style=appearance.seal_style(spec.image) if spec.image else None,
        )
    return _store(sha, data, spec, level)


def write_number(sha: str, *, symbol: str, when: dt.datetime) -> str | None:
    """Without a seal: the number and date written into the main file (a new blob), or None when the
    file was signed outside congvan without fields to fill (its content is then left as it is). The
    file is read from disk and the new one written to a temporary file: a 100 MB document is not held
    in memory."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    values = numbering.Values(symbol, local_today(when))
    with blobstore.open_blob(sha) as fh, blobstore.open_blob(sha) as look, tempfile.TemporaryFile() as out:
        if numbering.how_to_write(look) == "signed":
            return None
        try:
            writer = IncrementalPdfFileWriter(fh, strict=False)
            numbering.fill(writer, look, values)
            writer.write(out)
        except Exception as exc:  # pyHanko on an odd file: said plainly, nothing changed
            raise SigningFailed(f"Không ghi được số văn bản vào tệp PDF ({type(exc).__name__})") from exc
        out.seek(0)
        written, size = blobstore.put_chunks(iter(lambda: out.read(1024 * 1024), b""))
    Blob.objects.get_or_create(sha256=written, defaults={"size": size, "mime": filetypes.PDF})
    return written


@dataclass(frozen=True)
class KeyChoice:
    """What the pages offer a signer: where the key is, whether a passphrase is typed, its expiry."""

    kind: str  # pkcs12 | pkcs11 | agent
    ask: bool
    not_after: dt.datetime | None

    @property
    def on_server(self) -> bool:
        return self.kind != "agent"

    @property
    def expired(self) -> bool:
        return self.not_after is not None and self.not_after < timezone.now()


def key_choice(label: str) -> KeyChoice | None:
    """The key of ``user:<username>`` or ``unit:<code>`` as the pages describe it (None: no key)."""
    from congvan.signatures.models import SigningKey

    spec = key_for(label)
    if spec is None:
        return None
    key_id = spec.config.get("key_id")
    row = SigningKey.objects.filter(pk=key_id).only("not_after").first() if key_id else None
    return KeyChoice(spec.kind, bool(spec.config.get("pin_ask")), row.not_after if row else None)
