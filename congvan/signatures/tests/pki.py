"""A complete test PKI made with Certomancer and served on 127.0.0.1: CRLs, OCSP and a time-stamping
authority. Keys are generated for each test session; nothing of this is in the product."""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path
from typing import Any

from certomancer.registry import ArchLabel, CertLabel
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEYS = ["root", "interm", "interm-ocsp", "tsa", "leader", "seal", "revoked", "expired", "rogue-root", "rogue"]
ARCH = "congvan-test"
PASS = b"pin-1234"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _write_keys(folder: Path) -> None:
    for name in KEYS:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (folder / f"{name}.key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )


def _ku(*usages: str) -> dict[str, Any]:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(usages)},
    }


def _signer(
    entity: str,
    *,
    valid_from: str = "2020-01-01T00:00:00+0000",
    valid_to: str = "2099-01-01T00:00:00+0000",
    issuer: str = "interm",
) -> dict[str, Any]:
    return {
        "subject": entity,
        "subject-key": entity,
        "issuer": issuer,
        "validity": {"valid-from": valid_from, "valid-to": valid_to},
        "extensions": [
            _ku("digital_signature", "non_repudiation"),
            {
                "id": "crl_distribution_points",
                "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": [issuer]}},
            },
            {
                "id": "authority_information_access",
                "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": [issuer]}},
            },
        ],
    }


def config(port: int, key_dir: Path) -> dict[str, Any]:
    ca = {"id": "basic_constraints", "critical": True, "value": {"ca": True}}
    forever = {"valid-from": "2000-01-01T00:00:00+0000", "valid-to": "2100-01-01T00:00:00+0000"}
    return {
        "external-url-prefix": f"http://127.0.0.1:{port}",
        "keysets": {"k": {"path-prefix": str(key_dir), "keys": {n: {"path": f"{n}.key.pem"} for n in KEYS}}},
        "pki-architectures": {
            ARCH: {
                "keyset": "k",
                "entity-defaults": {"country-name": "VN", "organization-name": "Ban Cơ yếu (thử nghiệm)"},
                "entities": {
                    "root": {"common-name": "Root CA thử nghiệm"},
                    "interm": {"common-name": "CA phục vụ các cơ quan Đảng (thử nghiệm)"},
                    "interm-ocsp": {"common-name": "OCSP thử nghiệm"},
                    "tsa": {"common-name": "Dịch vụ cấp dấu thời gian thử nghiệm"},
                    "leader": {"common-name": "Võ Minh Tâm", "organization-name": "Huyện ủy Gò Công Tây"},
                    "seal": {
                        "common-name": "Huyện ủy Gò Công Tây",
                        "organization-name": "Huyện ủy Gò Công Tây",
                    },
                    "revoked": {
                        "common-name": "Người bị thu hồi",
                        "organization-name": "Huyện ủy Gò Công Tây",
                    },
                    "expired": {"common-name": "Người hết hạn", "organization-name": "Huyện ủy Gò Công Tây"},
                    "rogue-root": {"common-name": "Root lạ"},
                    "rogue": {"common-name": "Người không rõ", "organization-name": "Không rõ"},
                },
                "certs": {
                    "root": {
                        "subject": "root",
                        "subject-key": "root",
                        "issuer": "root",
                        "authority-key": "root",
                        "validity": forever,
                        "extensions": [ca, _ku("digital_signature", "key_cert_sign", "crl_sign")],
                    },
                    "interm": {
                        "subject": "interm",
                        "subject-key": "interm",
                        "issuer": "root",
                        "validity": forever,
                        "extensions": [
                            ca,
                            _ku("digital_signature", "key_cert_sign", "crl_sign"),
                            {
                                "id": "crl_distribution_points",
                                "smart-value": {
                                    "schema": "crl-dist-url",
                                    "params": {"crl-repo-names": ["root"]},
                                },
                            },
                        ],
                    },
                    "interm-ocsp": {
                        "subject": "interm-ocsp",
                        "subject-key": "interm-ocsp",
                        "issuer": "interm",
                        "validity": forever,
                        "extensions": [
                            _ku("digital_signature"),
                            {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                            {"id": "ocsp_no_check"},
                        ],
                    },
                    "tsa": {
                        "subject": "tsa",
                        "subject-key": "tsa",
                        "issuer": "root",
                        "validity": forever,
                        "extensions": [
                            _ku("digital_signature"),
                            {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                        ],
                    },
                    "leader": _signer("leader"),
                    "seal": _signer("seal"),
                    "revoked": {
                        **_signer("revoked"),
                        "revocation": {
                            "revoked-since": "2021-01-01T00:00:00+0000",
                            "reason": "key_compromise",
                        },
                    },
                    "expired": _signer(
                        "expired", valid_from="2019-01-01T00:00:00+0000", valid_to="2020-01-01T00:00:00+0000"
                    ),
                    "rogue-root": {
                        "subject": "rogue-root",
                        "subject-key": "rogue-root",
                        "issuer": "rogue-root",
                        "authority-key": "rogue-root",
                        "validity": forever,
                        "extensions": [ca, _ku("digital_signature", "key_cert_sign", "crl_sign")],
                    },
                    "rogue": {
                        "subject": "rogue",
                        "subject-key": "rogue",
                        "issuer": "rogue-root",
                        "validity": forever,
                        "extensions": [_ku("digital_signature", "non_repudiation")],
                    },
                },
                "services": {
                    "ocsp": {
                        "interm": {
                            "for-issuer": "interm",
                            "responder-cert": "interm-ocsp",
                            "signing-key": "interm-ocsp",
                        }
                    },
                    "crl-repo": {
                        "root": {
                            "for-issuer": "root",
                            "signing-key": "root",
                            "simulated-update-schedule": "P90D",
                        },
                        "interm": {
                            "for-issuer": "interm",
                            "signing-key": "interm",
                            "simulated-update-schedule": "P30D",
                        },
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }


class TestPKI:
    """The PKI and its services on 127.0.0.1 (a WSGI server in a thread)."""

    __test__ = False  # not a test class

    def __init__(self, folder: Path) -> None:
        from certomancer.integrations.animator import Animator, AnimatorArchStore
        from certomancer.registry import CertomancerConfig
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.folder = folder
        _write_keys(folder)
        self.port = free_port()
        cfg = CertomancerConfig(config(self.port, folder), key_search_dir=str(folder))
        self.arch = cfg.get_pki_arch(ArchLabel(ARCH))
        app = Animator(AnimatorArchStore({ArchLabel(ARCH): self.arch}), with_web_ui=False)
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.tsa_url = f"http://127.0.0.1:{self.port}/{ARCH}/tsa/tsa"

    def stop(self) -> None:
        self.server.shutdown()

    def cert(self, label: str) -> Any:
        return self.arch.get_cert(CertLabel(label))

    def pkcs12(self, label: str) -> Path:
        path = self.folder / f"{label}.p12"
        if not path.exists():
            path.write_bytes(self.arch.package_pkcs12(CertLabel(label), password=PASS))
        return path

    def write_trust_dir(self, target: Path) -> Path:
        target.mkdir(parents=True, exist_ok=True)
        for label in ("root", "interm"):
            (target / f"{label}.der").write_bytes(self.arch.get_cert(CertLabel(label)).dump())
        return target
