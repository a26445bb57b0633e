"""HTTP helpers shared by the web and the API."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

from django.utils.translation import gettext as _

from congvan.lib.errors import InvalidInput


def content_disposition(name: str, *, inline: bool = False) -> str:
    """Return an RFC 6266 header with an ASCII fallback and the UTF-8 name (RFC 5987)."""
    kind = "inline" if inline else "attachment"
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else "_" for c in ascii_name)
    return f"{kind}; filename=\"{ascii_name or 'file'}\"; filename*=UTF-8''{quote(name, safe='')}"


def client_address(meta: dict[str, str]) -> str:
    """The address a request came from: REMOTE_ADDR, or, when that is a trusted reverse proxy
    (CONGVAN_TRUSTED_PROXIES), the last address the proxy added to X-Forwarded-For."""
    from django.conf import settings

    remote = meta.get("REMOTE_ADDR", "")
    if remote and remote in settings.TRUSTED_PROXIES:
        forwarded = [a.strip() for a in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1][:64]
    return remote[:64]


def refuse_replaced_text(fields: Any) -> None:
    """Refuse text fields that were not UTF-8: Django's form parser puts U+FFFD where bytes were invalid
    (a character nobody types), and what was sent must be refused, never stored changed."""
    for key, values in fields.lists():
        if "\ufffd" in key or any("\ufffd" in v for v in values):
            raise InvalidInput(_("Dữ liệu không phải UTF-8"), code="bad_encoding")
