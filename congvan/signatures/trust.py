"""The trust store: root and intermediate certificates loaded from a folder (configuration, never code)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem, x509
from django.conf import settings
from django.utils.translation import gettext as _

from congvan.lib.errors import InvalidInput


@dataclass(frozen=True)
class TrustStore:
    roots: tuple[x509.Certificate, ...]
    intermediates: tuple[x509.Certificate, ...]


def load_certificates(data: bytes, *, source: str) -> list[x509.Certificate]:
    """Read one or more certificates from PEM or DER bytes."""
    try:
        if pem.detect(data):
            return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
        cert = x509.Certificate.load(data)
        cert.native  # noqa: B018 - parse now, so a broken file fails here with its name
        return [cert]
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            _("%(source)s: không phải chứng thư số: %(exc)s") % {"source": source, "exc": exc}
        ) from None


def load_folder(folder: Path) -> list[x509.Certificate]:
    certs: list[x509.Certificate] = []
    if not folder.is_dir():
        return certs
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".pem", ".crt", ".cer", ".der"):
            certs += load_certificates(path.read_bytes(), source=str(path))
    return certs


def trust_store(extra: list[x509.Certificate] | None = None) -> TrustStore:
    """Split the configured folder (and any extra certificates) into self-signed roots and the rest."""
    certs = load_folder(Path(settings.TRUST_DIR)) + list(extra or [])
    roots = tuple(c for c in certs if c.self_signed)
    return TrustStore(roots=roots, intermediates=tuple(c for c in certs if not c.self_signed))
