"""Read what is being signed: a CMS signed-attributes set (PAdES), whose message digest is the hash of
the document's signed byte ranges, the hash the agent shows the signer."""

from __future__ import annotations

from asn1crypto import cms


class AttrsError(ValueError):
    pass


def message_digest(signed_attrs: bytes) -> bytes:
    """The messageDigest attribute of DER signed attributes (refuses anything else)."""
    try:
        attrs = cms.CMSAttributes.load(signed_attrs, strict=True)
        found = [a["values"][0].native for a in attrs if a["type"].native == "message_digest"]
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise AttrsError("không phải thuộc tính ký CMS") from exc
    if len(found) != 1 or not isinstance(found[0], bytes):
        raise AttrsError("thiếu mã băm của văn bản")
    return found[0]
