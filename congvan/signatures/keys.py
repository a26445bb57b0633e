"""Where each signer's key lives: registered by an administrator in the pages or the API (the
``SigningKey`` rows, see ``actions.do_register_signing_key``), or, for an operator who prefers files, a
JSON file named by ``CONGVAN_SIGNING_KEYS`` (configuration, no secrets). A registered key wins.

    {"user:hu.lanhdao": {"kind": "pkcs12", "path": "/etc/congvan/keys/lanhdao.p12",
                         "pin_env": "CONGVAN_PIN_LANHDAO", "image": "/etc/congvan/images/lanhdao.png",
                         "position": "Bí thư"},
     "unit:000.00.10.H58": {"kind": "pkcs11", "module": "/usr/lib/softhsm/libsofthsm2.so",
                            "token": "HU-SEAL", "key_label": "seal", "pin_file": "/run/secrets/hu_pin",
                            "image": "/etc/congvan/images/hu-seal.png"}}

PINs are read from the named environment variable or file when a signature is made; they are never
stored in the database or written to logs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from congvan.lib.errors import Conflict


class KeyUnavailable(Conflict):
    code = "signing_key_unavailable"


class PassphraseNeeded(Conflict):
    """The key's passphrase is typed by the signer for each signature (never stored)."""

    code = "passphrase_required"


def key_dir() -> Path:
    """Where registered PKCS#12 files and signature images are kept (owner-only permissions)."""
    path = Path(settings.DATA_DIR) / "keys"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class KeySpec:
    label: str
    kind: str
    config: dict[str, Any]

    @property
    def image(self) -> str | None:
        return self.config.get("image") or None

    @property
    def position(self) -> str:
        return str(self.config.get("position", ""))


def _entries() -> dict[str, Any]:
    path = getattr(settings, "SIGNING_KEYS", "")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeyUnavailable(f"Không đọc được cấu hình khóa ký ({path}): {exc}") from exc
    return data if isinstance(data, dict) else {}


def _registered(label: str) -> KeySpec | None:
    from congvan.signatures.models import SigningKey

    key = SigningKey.objects.filter(owner=label, active=True).first()
    if key is None:
        return None
    folder = key_dir()
    config: dict[str, Any] = {
        "path": str(folder / key.stored_file) if key.stored_file else "",
        "image": str(folder / key.image_file) if key.image_file else "",
        "position": key.position,
        "pin_env": key.pin_env,
        "pin_file": key.pin_file,
        "pin_ask": key.pin_ask,
        "module": key.module,
        "token": key.token,
        "key_label": key.key_label,
        "key_id": key.pk,
    }
    return KeySpec(label, key.kind, config)


def key_for(label: str) -> KeySpec | None:
    """Return the key for ``user:<username>`` or ``unit:<code>``: the registered one, else the file's."""
    registered = _registered(label)
    if registered is not None:
        return registered
    entry = _entries().get(label)
    if not isinstance(entry, dict):
        return None
    kind = entry.get("kind")
    if kind not in ("pkcs12", "pkcs11", "agent"):
        raise KeyUnavailable(f"{label}: kind phải là pkcs12 hoặc pkcs11")
    return KeySpec(label, kind, entry)


def _pin(spec: KeySpec, passphrase: str | None = None) -> bytes:
    if spec.config.get("pin_ask"):
        if not passphrase:
            raise PassphraseNeeded(f"{spec.label}: nhập mật khẩu của khóa ký để ký (không được lưu lại)")
        return passphrase.encode()
    if spec.config.get("pin_env"):
        value = os.environ.get(str(spec.config["pin_env"]))
        if value is None:
            raise KeyUnavailable(f"{spec.label}: chưa đặt mã PIN (biến môi trường {spec.config['pin_env']})")
        return value.encode()
    if spec.config.get("pin_file"):
        try:
            return Path(str(spec.config["pin_file"])).read_text(encoding="utf-8").strip().encode()
        except OSError as exc:
            raise KeyUnavailable(f"{spec.label}: không đọc được tệp mã PIN") from exc
    raise KeyUnavailable(f"{spec.label}: cần pin_env hoặc pin_file")


@contextmanager
def open_signer(spec: KeySpec, passphrase: str | None = None) -> Iterator[Any]:
    """Yield a pyHanko signer for the key (a PKCS#11 session is closed afterwards)."""
    from pyhanko.sign import signers

    if spec.kind == "agent":
        raise KeyUnavailable(f"{spec.label}: khóa nằm trên thiết bị ký của người ký, hãy ký từ máy của họ")
    if spec.kind == "pkcs12":
        signer = signers.SimpleSigner.load_pkcs12(spec.config["path"], passphrase=_pin(spec, passphrase))  # type: ignore[no-untyped-call]
        if signer is None:
            raise KeyUnavailable(f"{spec.label}: không mở được tệp PKCS#12 (sai mã PIN hoặc tệp hỏng)")
        yield signer
        return
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    pin = _pin(spec, passphrase).decode()
    try:
        criteria = TokenCriteria(label=spec.config["token"])
        session = open_pkcs11_session(spec.config["module"], token_criteria=criteria, user_pin=pin)
    except Exception as exc:
        raise KeyUnavailable(f"{spec.label}: không mở được thiết bị ký ({type(exc).__name__})") from exc
    try:
        yield PKCS11Signer(
            session,
            key_label=spec.config.get("key_label"),
            cert_label=spec.config.get("cert_label", spec.config.get("key_label")),
        )
    finally:
        session.close()
