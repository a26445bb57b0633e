"""A SoftHSM2 token to try the agent without a real token, and for tests: a key pair generated on the
token (never extractable) and a certificate for it issued by a CA key the caller holds, written onto
the token, as an agency's token comes. Needs SoftHSM2 and OpenSC's pkcs11-tool, and ``cryptography``."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def available() -> bool:
    return Path(MODULE).exists() and shutil.which("pkcs11-tool") is not None


def name(common: str, org: str = "Huyện ủy Gò Công Tây") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def self_signed_ca() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("CA thử nghiệm", "Ban Cơ yếu (thử nghiệm)"))
        .issuer_name(name("CA thử nghiệm", "Ban Cơ yếu (thử nghiệm)"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def issue(public_key: object, issuer_key: object, issuer: x509.Certificate, common: str) -> bytes:
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(common))
        .issuer_name(issuer.subject)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .sign(issuer_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    return cert.public_bytes(serialization.Encoding.DER)


def make_token(
    folder: Path, label: str, pin: str, certify: Callable[[object], bytes], *, key_label: str = "signer"
) -> dict[str, str]:
    """Initialise a token in ``folder``; return the environment that points SoftHSM2 at it."""
    (folder / "tokens").mkdir(parents=True, exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    env = {"SOFTHSM2_CONF": str(conf), "PATH": "/usr/bin:/bin"}

    def run(*cmd: str) -> None:
        subprocess.run(cmd, check=True, capture_output=True, env=env)  # noqa: S603 - SoftHSM2, OpenSC

    run("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "13579")
    base = ["pkcs11-tool", "--module", MODULE, "--token-label", label, "--login", "--pin", pin]
    run(*base, "--keypairgen", "--key-type", "rsa:2048", "--id", "01", "--label", key_label)
    run(*base, "--read-object", "--type", "pubkey", "--id", "01", "-o", str(folder / "pub.der"))
    public = serialization.load_der_public_key((folder / "pub.der").read_bytes())
    (folder / "cert.der").write_bytes(certify(public))
    run(
        *base,
        "--write-object",
        str(folder / "cert.der"),
        "--type",
        "cert",
        "--id",
        "01",
        "--label",
        key_label,
    )
    return env


def activate() -> None:
    """SoftHSM2 reads ``SOFTHSM2_CONF`` when the library initialises: a process that loaded it before
    (another token, another test) initialises it again to see the token now configured."""
    import pkcs11

    pkcs11.lib(MODULE).reinitialize()
