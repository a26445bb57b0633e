"""Keys on a PKCS#11 token (SoftHSM2 from Debian): generated on the token, never extractable."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from congvan.lib.pdfgen import simple_pdf
from congvan.signatures.keys import KeyUnavailable, key_for, open_signer
from congvan.signatures.sign import sign_pdf
from congvan.signatures.verify import verify_pdf

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "246810"

pytestmark = [
    pytest.mark.skipif(
        not Path(MODULE).exists() or not shutil.which("pkcs11-tool"),
        reason="SoftHSM2 and OpenSC are installed by scripts/setup --dev",
    ),
    pytest.mark.django_db,  # a key registered in the pages is looked up before the configuration file
]


def run(*cmd: str, env: dict[str, str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True, env=env)


@pytest.fixture
def token(trusted, tmp_path, monkeypatch):
    """A SoftHSM2 token holding the unit's seal key and a certificate for it issued by the test CA."""
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    env = {"SOFTHSM2_CONF": str(conf), "PATH": "/usr/bin:/bin"}
    run(
        "softhsm2-util",
        "--init-token",
        "--free",
        "--label",
        "HU-SEAL",
        "--pin",
        PIN,
        "--so-pin",
        "13579",
        env=env,
    )
    base = ["pkcs11-tool", "--module", MODULE, "--token-label", "HU-SEAL", "--login", "--pin", PIN]
    run(*base, "--keypairgen", "--key-type", "rsa:2048", "--id", "01", "--label", "seal", env=env)
    run(*base, "--read-object", "--type", "pubkey", "--id", "01", "-o", str(tmp_path / "pub.der"), env=env)
    public = serialization.load_der_public_key((tmp_path / "pub.der").read_bytes())
    issuer_key = serialization.load_pem_private_key((trusted.folder / "interm.key.pem").read_bytes(), None)
    issuer = x509.load_der_x509_certificate(trusted.cert("interm").dump())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Huyện ủy Gò Công Tây"),
                    x509.NameAttribute(NameOID.COMMON_NAME, "Huyện ủy Gò Công Tây (token)"),
                ]
            )
        )
        .issuer_name(issuer.subject)
        .public_key(public)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .sign(issuer_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    (tmp_path / "cert.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))
    run(
        *base,
        "--write-object",
        str(tmp_path / "cert.der"),
        "--type",
        "cert",
        "--id",
        "01",
        "--label",
        "seal",
        env=env,
    )
    import pkcs11

    pkcs11.lib(MODULE).reinitialize()  # SoftHSM2 reads SOFTHSM2_CONF when it initialises
    return tmp_path


def configure(settings, folder: Path, pin: str | None) -> None:
    entry = {"kind": "pkcs11", "module": MODULE, "token": "HU-SEAL", "key_label": "seal"}
    if pin is not None:
        (folder / "pin").write_text(pin)
        entry["pin_file"] = str(folder / "pin")
    else:
        entry["pin_env"] = "CONGVAN_TEST_NO_SUCH_PIN"
    (folder / "keys.json").write_text(json.dumps({"unit:000.00.01.H57": entry}))
    settings.SIGNING_KEYS = str(folder / "keys.json")


def test_signing_with_a_key_on_the_token(token, settings, trusted):
    configure(settings, token, PIN)
    spec = key_for("unit:000.00.01.H57")
    assert spec is not None
    with open_signer(spec) as signer:
        data = sign_pdf(simple_pdf(["Con dau"]), signer, field_name="DonVi", tsa_url=trusted.tsa_url).data
    report = verify_pdf(data, online=False)
    [sig] = report.signatures
    assert sig.signer == "Huyện ủy Gò Công Tây (token)" and sig.intact and sig.trusted
    assert report.verdict in ("valid", "valid_with_warnings")  # offline: revocation not checked


def test_wrong_or_missing_pin_is_a_clear_refusal(token, settings):
    configure(settings, token, "000000")
    spec = key_for("unit:000.00.01.H57")
    assert spec is not None
    with pytest.raises(KeyUnavailable, match="thiết bị ký"), open_signer(spec):
        pass
    configure(settings, token, None)
    spec = key_for("unit:000.00.01.H57")
    assert spec is not None
    with pytest.raises(KeyUnavailable, match="PIN"), open_signer(spec):
        pass
