"""TOTP as authenticator apps compute it: the RFC 6238 test vectors, drift, replay."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

from congvan.lib import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


def test_rfc6238_sha1_vectors():
    for t, expected in [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ]:
        assert totp.code_at(RFC_SECRET, t // 30, digits=8) == expected


def test_a_code_is_taken_once_and_within_one_step_of_drift():
    now = 1_800_000_000.0
    step = totp.current_step(now)
    code = totp.code_at(RFC_SECRET, step)
    assert totp.match(RFC_SECRET, code, now=now) == step
    assert totp.match(RFC_SECRET, code, now=now + 30) == step  # the phone's clock 30 s behind
    assert totp.match(RFC_SECRET, code, now=now + 90) is None  # too old
    assert totp.match(RFC_SECRET, code, now=now, after=step) is None  # replayed
    assert (
        totp.match(RFC_SECRET, "12 34 5", now=now) is None
        and totp.match(RFC_SECRET, "abcdef", now=now) is None
    )


def test_provisioning_address_carries_the_secret_and_issuer():
    secret = totp.new_secret()
    assert len(secret) == 32 and totp.code_at(secret, 1).isdigit()
    uri = urlparse(totp.provisioning_uri(secret, account="hu.lanhdao", issuer="Huyện ủy"))
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    q = parse_qs(uri.query)
    assert q["secret"] == [secret] and q["issuer"] == ["Huyện ủy"] and q["digits"] == ["6"]
