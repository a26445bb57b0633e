"""Keys on a PKCS#11 token (SoftHSM2 from Debian): generated on the token, never extractable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

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


@pytest.fixture
def token(trusted, tmp_path, monkeypatch):
    """A SoftHSM2 token holding the unit's seal key and a certificate for it issued by the test CA."""
    softhsm = pytest.importorskip("congvan_signer.softhsm")

    issuer_key = serialization.load_pem_private_key((trusted.folder / "interm.key.pem").read_bytes(), None)
    issuer = x509.load_der_x509_certificate(trusted.cert("interm").dump())
    env = softhsm.make_token(
        tmp_path,
        "HU-SEAL",
        PIN,
        lambda pub: softhsm.issue(pub, issuer_key, issuer, "Huyện ủy Gò Công Tây (token)"),
        key_label="seal",
    )
    monkeypatch.setenv("SOFTHSM2_CONF", env["SOFTHSM2_CONF"])
    softhsm.activate()  # SoftHSM2 reads SOFTHSM2_CONF when it initialises
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
