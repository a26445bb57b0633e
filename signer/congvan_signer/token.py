"""The PKCS#11 token: read the certificate (a public object), sign with the private key after login."""

from __future__ import annotations

import threading

import pkcs11
from asn1crypto import core
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass


class TokenError(Exception):
    pass


def _ecdsa_der(raw: bytes) -> bytes:
    """PKCS#11 gives ECDSA as r||s; CMS wants the DER sequence."""
    half = len(raw) // 2

    class _Sig(core.Sequence):
        _fields = [("r", core.Integer), ("s", core.Integer)]

    r, s = int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
    return _Sig({"r": r, "s": s}).dump()


class Token:
    def __init__(self, module: str, label: str = "", key_label: str = "") -> None:
        self.module_path = module
        self.label = label
        self.key_label = key_label
        self._lib: pkcs11.lib | None = None
        self._lock = threading.Lock()

    def _token(self) -> pkcs11.Token:
        try:
            if self._lib is None:
                self._lib = pkcs11.lib(self.module_path)
            if self.label:
                return self._lib.get_token(token_label=self.label)
            tokens = list(self._lib.get_tokens())
        except (pkcs11.PKCS11Error, RuntimeError, OSError) as exc:
            raise TokenError(f"không mở được thiết bị ký ({type(exc).__name__})") from exc
        if not tokens:
            raise TokenError("không thấy thiết bị ký nào")
        return tokens[0]

    def _find(self, session: pkcs11.Session, cls: ObjectClass) -> object:
        attrs: dict[Attribute, object] = {Attribute.CLASS: cls}
        if self.key_label:
            attrs[Attribute.LABEL] = self.key_label
        found = list(session.get_objects(attrs))
        if not found:
            raise TokenError("không thấy khóa hoặc chứng thư số trên thiết bị")
        return found[0]

    def certificate(self) -> bytes:
        """The signer's certificate (DER)."""
        with self._lock:
            try:
                with self._token().open() as session:
                    cert = self._find(session, ObjectClass.CERTIFICATE)
                    return bytes(cert[Attribute.VALUE])  # type: ignore[index]
            except pkcs11.PKCS11Error as exc:
                raise TokenError(f"không đọc được chứng thư số ({type(exc).__name__})") from exc

    def sign(self, data: bytes, pin: str) -> bytes:
        """SHA-256 with the token's key over ``data`` (the hash is made on the token)."""
        with self._lock:
            try:
                with self._token().open(user_pin=pin) as session:
                    key = self._find(session, ObjectClass.PRIVATE_KEY)
                    if key.key_type == KeyType.EC:  # type: ignore[attr-defined]
                        return _ecdsa_der(key.sign(data, mechanism=Mechanism.ECDSA_SHA256))  # type: ignore[attr-defined]
                    return bytes(key.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS))  # type: ignore[attr-defined]
            except pkcs11.PinIncorrect as exc:
                raise TokenError("sai mã PIN") from exc
            except pkcs11.PinLocked as exc:
                raise TokenError("thiết bị ký đã bị khóa do nhập sai PIN nhiều lần") from exc
            except pkcs11.PKCS11Error as exc:
                raise TokenError(f"thiết bị ký từ chối ({type(exc).__name__})") from exc
