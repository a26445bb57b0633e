"""Time-based one-time passwords (RFC 6238 over RFC 4226), as authenticator apps compute them:
HMAC-SHA-1, 30-second steps, six digits. The caller keeps the last step used so a code is taken once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP = 30
DIGITS = 6


def new_secret() -> str:
    """A random 160-bit secret in base32 without padding (what apps accept typed or scanned)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    s = secret.strip().replace(" ", "").upper()
    return base64.b32decode(s + "=" * (-len(s) % 8))


def code_at(secret: str, step: int, digits: int = DIGITS) -> str:
    """The code of one time step (RFC 4226 dynamic truncation)."""
    mac = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP)


def match(
    secret: str, code: str, *, now: float | None = None, after: int = -1, window: int = 1
) -> int | None:
    """Return the step whose code equals ``code`` within ``window`` steps of now (clocks drift), only if it
    is later than ``after`` (the last step used: a replayed code is refused); None otherwise."""
    code = "".join(ch for ch in str(code) if not ch.isspace())
    if len(code) != DIGITS or not code.isdigit():
        return None
    here = current_step(now)
    for step in range(here - window, here + window + 1):
        if step > after and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from a QR code."""
    label = quote(f"{issuer}:{account}")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP}
    )
    return f"otpauth://totp/{label}?{query}"
