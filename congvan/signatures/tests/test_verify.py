"""Verification verdicts against a real test PKI (Certomancer: CRL, OCSP, TSA on 127.0.0.1)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from congvan.lib.pdfgen import simple_pdf
from congvan.signatures.sign import load_pkcs12_signer, sign_pdf
from congvan.signatures.tests.pki import PASS, TestPKI
from congvan.signatures.verify import INVALID, UNSIGNED, VALID, WARNINGS, verify_pdf

PDF = simple_pdf(["Ke hoach so 35-KH/HU"], pages=2)


def signed(pki: TestPKI, label: str, data: bytes = PDF, *, field: str = "Sig1", tsa: bool = True) -> bytes:
    signer = load_pkcs12_signer(str(pki.pkcs12(label)), PASS)
    return sign_pdf(data, signer, field_name=field, tsa_url=pki.tsa_url if tsa else None).data


def test_valid_signature(trusted):
    report = verify_pdf(signed(trusted, "leader"))
    assert report.verdict == VALID, report.reasons
    [s] = report.signatures
    assert (s.signer, s.organisation, s.level) == ("Võ Minh Tâm", "Huyện ủy Gò Công Tây", "B-T")
    assert s.intact and s.trusted and not s.revoked and s.timestamp and (s.signed_at or "").endswith("+07:00")


def test_leader_and_seal_both_valid(trusted):
    report = verify_pdf(signed(trusted, "seal", signed(trusted, "leader"), field="Seal"))
    assert report.verdict == VALID, report.reasons
    assert [s.signer for s in report.signatures] == ["Võ Minh Tâm", "Huyện ủy Gò Công Tây"]
    assert report.signatures[0].modification == "FORM_FILLING"  # a later signature is an allowed change


def test_one_tampered_byte_is_invalid(trusted):
    data = bytearray(signed(trusted, "leader"))
    at = data.find(b"Ke hoach")
    data[at] = ord("X")
    report = verify_pdf(bytes(data))
    assert report.verdict == INVALID and "thay đổi sau khi ký" in report.reasons[0]


def test_content_changed_after_signing_is_invalid(trusted):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(signed(trusted, "leader")))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = w.add_object(
        generic.StreamObject(stream_data=b"BT /F1 30 Tf 100 500 Td (GIA MAO) Tj ET")
    )
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    report = verify_pdf(out.getvalue())
    assert report.verdict == INVALID and any("sửa đổi sau khi ký" in r for r in report.reasons)


@pytest.mark.parametrize(
    ("label", "words"), [("revoked", "thu hồi"), ("expired", "hết hạn"), ("rogue", "không do tổ chức")]
)
def test_untrustworthy_certificates_are_invalid(trusted, label, words):
    report = verify_pdf(signed(trusted, label))
    assert report.verdict == INVALID and words in " ".join(report.reasons)


def test_without_configured_roots_nothing_is_trusted(pki, settings, tmp_path):
    settings.TRUST_DIR = str(tmp_path / "empty")
    assert verify_pdf(signed(pki, "leader")).verdict == INVALID


def test_unreachable_revocation_soft_and_hard_fail(settings, tmp_path):
    (tmp_path / "pki").mkdir()
    other = TestPKI(tmp_path / "pki")
    settings.TRUST_DIR = str(other.write_trust_dir(tmp_path / "trust"))
    data = signed(other, "leader")
    other.stop()  # the OCSP responder and CRLs are gone
    soft = verify_pdf(data, hard_fail=False)
    assert soft.verdict == WARNINGS and "thu hồi" in soft.reasons[0]
    assert verify_pdf(data, hard_fail=True).verdict == INVALID


def test_unsigned_and_empty_field(trusted):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    assert verify_pdf(PDF).verdict == UNSIGNED
    w = IncrementalPdfFileWriter(io.BytesIO(PDF))
    append_signature_field(w, SigFieldSpec("Sig1", box=(50, 50, 250, 120)))
    out = io.BytesIO()
    w.write(out)
    report = verify_pdf(out.getvalue())
    assert report.verdict == INVALID and "trống" in report.reasons[0]


@pytest.mark.parametrize("damage", ["contents", "byterange", "truncate", "garbage"])
def test_malformed_signatures_never_crash(trusted, damage):
    data = signed(trusted, "leader")
    if damage == "contents":
        at = data.find(b"/Contents <") + len(b"/Contents <")
        data = data[:at] + b"00" * 40 + data[at + 80 :]
    elif damage == "byterange":
        data = data.replace(b"/ByteRange [", b"/ByteRange [9 ", 1)
    elif damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data = b"%PDF-1.7\n" + bytes(range(256)) * 20
    report = verify_pdf(data)
    assert report.verdict == INVALID and report.reasons


def test_cli_prints_the_verdict_as_json(trusted, tmp_path, capsys):
    path = tmp_path / "v.pdf"
    path.write_bytes(signed(trusted, "leader"))
    call_command("verify", str(path), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "valid"
    assert set(out["signatures"][0]) >= {
        "signer",
        "organisation",
        "serial",
        "signed_at",
        "timestamp",
        "level",
        "intact",
        "trusted",
        "revoked",
        "modification",
    }


def test_cli_trust_root_option_and_exit_code(pki, settings, tmp_path, capsys):
    settings.TRUST_DIR = str(tmp_path / "none")
    path = tmp_path / "v.pdf"
    path.write_bytes(signed(pki, "leader"))
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify", str(path))
    assert exit_info.value.code == 1 and "Không hợp lệ" in capsys.readouterr().out
    roots = pki.write_trust_dir(tmp_path / "roots")
    call_command(
        "verify",
        str(path),
        "--trust-root",
        str(Path(roots) / "root.der"),
        "--trust-root",
        str(Path(roots) / "interm.der"),
    )
    assert capsys.readouterr().out.startswith("Hợp lệ (valid)")


def test_long_term_file_verifies_offline_from_its_embedded_data(trusted):
    from congvan.signatures.signing import _validation_context

    signer = load_pkcs12_signer(str(trusted.pkcs12("leader")), PASS)
    result = sign_pdf(
        PDF, signer, field_name="Sig1", tsa_url=trusted.tsa_url, validation_context=_validation_context()
    )
    assert result.level == "B-LT"
    report = verify_pdf(result.data, online=False)
    assert report.verdict == VALID, report.reasons
    assert report.signatures[0].level == "B-LT"
    # The same signature without embedded data cannot have its revocation checked offline.
    assert verify_pdf(signed(trusted, "leader"), online=False).verdict == WARNINGS


def test_signing_and_verifying_work_where_an_event_loop_already_runs(trusted):
    """pyHanko calls asyncio.run(): a caller inside a running loop (an async server, a browser-driving
    test session) still signs and verifies."""
    import asyncio

    async def inside_a_loop() -> str:
        pending = asyncio.sleep(0)
        with pytest.raises(RuntimeError):  # what pyHanko meets there by itself
            asyncio.run(pending)
        pending.close()
        return verify_pdf(signed(trusted, "leader")).verdict

    assert asyncio.run(inside_a_loop()) == VALID
