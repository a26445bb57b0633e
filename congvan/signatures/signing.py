"""Sign stored files with configured keys: the leader's approval, the unit's seal at release."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from congvan.documents import blobstore
from congvan.documents.models import Blob
from congvan.lib import filetypes
from congvan.signatures import appearance
from congvan.signatures.keys import KeySpec, key_for, open_signer
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


def _sign(spec: KeySpec, data: bytes, **kwargs: object) -> tuple[bytes, str]:
    tsa = settings.TSA_URL or None
    with open_signer(spec) as signer:
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


def sign_as_person(username: str, sha: str, *, position: str, name: str) -> Signed | None:
    """The person's visible signature on the last page, if a key is configured for them."""
    spec = key_for(f"user:{username}")
    if spec is None:
        return None
    data, level = _sign(
        spec,
        _read(sha),
        field_name="LanhDaoKy",
        box=appearance.SIGNER_BOX,
        style=appearance.signer_style(spec.image),
        text_params={"position": (spec.position or position).upper(), "name": name},
    )
    return _store(sha, data, spec, level)


def has_unit_key(unit_code: str) -> bool:
    """Whether a key is configured for the unit's signature (the seal)."""
    return key_for(f"unit:{unit_code}") is not None


def sign_as_unit(unit_code: str, sha: str, *, main: bool, symbol: str, when: dt.datetime) -> Signed | None:
    """The unit's signature: its seal over the signer's box on the main file; on an attachment, no image
    and the number line at the top right of page 1."""
    spec = key_for(f"unit:{unit_code}")
    if spec is None:
        return None
    if main and spec.image:
        data, level = _sign(
            spec,
            _read(sha),
            field_name="DonViKy",
            box=appearance.seal_box(),
            style=appearance.seal_style(spec.image),
        )
    else:
        line = appearance.number_line(symbol, when)
        data, level = _sign(
            spec,
            _read(sha),
            field_name="DonViKy",
            before=(None if main else lambda w: appearance.stamp_number_line(w, line)),
        )
    return _store(sha, data, spec, level)
