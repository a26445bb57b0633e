"""At release the number and date are written into the PDF where the drafter left them blank; the
leader's signature stays intact (form filling is an allowed change) and the seal covers everything.
Checked with congvan's verifier, with pyHanko's own command line as an independent verifier and with
pdftotext, as a recipient would read the file."""

from __future__ import annotations

import os
import subprocess

import pytest

from congvan.signatures.tests import drafts
from congvan.signatures.tests.test_signing_flow import blob_bytes, keys  # noqa: F401 - the fixture
from congvan.signatures.verify import VALID, verify_pdf

CS1 = "000.01.01.H57"
# PDFs and signatures, nothing of the database: the SQLite pass is enough
pytestmark = pytest.mark.once("sqlite")


def pdftotext(data: bytes, tmp_path, *, layout: bool = False) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    args = ["pdftotext", *(["-layout"] if layout else []), "-l", "1", str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def independent_verdict(data: bytes, trusted, tmp_path) -> str:
    """``pyhanko sign validate`` with only the test root trusted; fails the test on any invalid one."""
    path, root = tmp_path / "check.pdf", tmp_path / "root.der"
    path.write_bytes(data)
    root.write_bytes(trusted.cert("root").dump())
    out = subprocess.run(
        ["pyhanko", "sign", "validate", "--trust", str(root), "--trust-replace", "--pretty-print", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def congvan_verify(data: bytes, trusted, tmp_path) -> str:
    """``congvan verify FILE.pdf --trust-root ROOT`` as an operator runs it, in its own process."""
    path, root = tmp_path / "verify.pdf", tmp_path / "root.der"
    path.write_bytes(data)
    root.write_bytes(trusted.cert("root").dump())
    out = subprocess.run(
        ["congvan", "verify", str(path), "--trust-root", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "CONGVAN_TRUST_DIR": str(tmp_path / "no-trust-dir")},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def release(api, file: bytes, **body) -> tuple[dict, bytes]:
    doc_id = api["carol"].create_draft(file=file, recipients=[CS1]).json()["id"]
    assert api["carol"].post(f"/documents/{doc_id}/submit").status_code == 200
    r = api["bob"].post(f"/documents/{doc_id}/approve", {"sign": True} if "sign" not in body else {})
    assert r.status_code == 200, r.content
    rel = api["alice"].post(f"/documents/{doc_id}/release", body)
    assert rel.status_code == 200, rel.content
    sha = api["dan"].get(f"/documents/{doc_id}").json()["files"][0]["sha256"]
    return rel.json(), blob_bytes(sha)


def test_number_and_date_written_where_left_blank_signatures_intact(api, keys, trusted, tmp_path):  # noqa: F811
    rel, data = release(api, drafts.party_blank(), seal=True)
    report = verify_pdf(data)
    assert report.verdict == VALID, report.reasons
    leader, seal = report.signatures
    assert (leader.signer, seal.signer) == ("Võ Minh Tâm", "Huyện ủy Gò Công Tây")
    assert leader.intact and leader.modification == "FORM_FILLING"  # the number went in as a filled field
    assert seal.modification in ("NONE", "LTA_UPDATES")  # the seal covers everything (B-LT: its DSS after)
    text = pdftotext(data, tmp_path)
    day = rel_day()
    assert f"Số {rel['symbol']}" in text, text
    assert f"ngày {day[0]} tháng {day[1]} năm {day[2]}" in text, text
    as_command = congvan_verify(data, trusted, tmp_path)
    assert as_command.startswith("Hợp lệ (valid)") and as_command.count("  * ") == 2, as_command
    summary = independent_verdict(data, trusted, tmp_path)
    assert summary.count("The signature is judged VALID.") == 2, summary
    assert "All modifications relate to signing and form filling operations" in summary


def rel_day() -> tuple[str, str, str]:
    from django.utils import timezone

    from congvan.lib.dates import local_today

    d = local_today(timezone.now())
    return (
        f"{d.day:02d}" if d.day < 10 else str(d.day),
        f"{d.month:02d}" if d.month < 3 else str(d.month),
        str(d.year),
    )


def test_another_suffix_and_dotted_blanks_get_the_whole_symbol(api, keys, trusted, tmp_path):  # noqa: F811
    rel, data = release(api, drafts.dotted_other_suffix())
    assert verify_pdf(data).verdict == VALID
    text = pdftotext(data, tmp_path, layout=True)
    assert rel["symbol"] in text and rel_day()[2] in text, text
    independent_verdict(data, trusted, tmp_path)


def test_no_blank_gets_the_line_at_the_top_right(api, keys, trusted, tmp_path):  # noqa: F811
    rel, data = release(api, drafts.no_blank())
    assert verify_pdf(data).verdict == VALID
    d = rel_day()
    first = pdftotext(data, tmp_path, layout=True).splitlines()[0]
    assert f"Số: {rel['symbol']}, ngày {int(d[0]):02d}/{int(d[1]):02d}/{d[2]}" in first, first


def test_without_keys_the_number_is_still_written(api, tmp_path):
    doc_id = api["carol"].create_draft(file=drafts.party_blank(), recipients=[CS1]).json()["id"]
    api["carol"].post(f"/documents/{doc_id}/submit")
    assert api["bob"].post(f"/documents/{doc_id}/approve").status_code == 200
    refused = api["alice"].post(f"/documents/{doc_id}/release", {"seal": True})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "signing_key_unavailable"
    assert "chưa đăng ký khóa ký" in refused.json()["error"]["message"]
    rel = api["alice"].post(f"/documents/{doc_id}/release", {}).json()
    sha = api["dan"].get(f"/documents/{doc_id}").json()["files"][0]["sha256"]
    assert f"Số {rel['symbol']}" in pdftotext(blob_bytes(sha), tmp_path)
    no_key = api["carol"].create_draft().json()["id"]
    api["carol"].post(f"/documents/{no_key}/submit")
    r = api["bob"].post(f"/documents/{no_key}/approve", {"sign": True})
    assert r.status_code == 409 and r.json()["error"]["code"] == "signing_key_unavailable"


def test_an_expired_seal_refuses_the_release_with_the_date(api, keys, trusted):  # noqa: F811
    import json

    config = json.loads((keys / "keys.json").read_text())
    config["unit:000.00.01.H57"]["path"] = str(trusted.pkcs12("expired"))
    (keys / "keys.json").write_text(json.dumps(config))
    doc_id = api["carol"].create_draft(recipients=[CS1]).json()["id"]
    api["carol"].post(f"/documents/{doc_id}/submit")
    api["bob"].post(f"/documents/{doc_id}/approve")
    r = api["alice"].post(f"/documents/{doc_id}/release", {"seal": True})
    assert r.status_code == 409, r.content
    assert "hết hạn ngày 01/01/2020" in r.json()["error"]["message"]
    assert api["alice"].get(f"/documents/{doc_id}").json()["state"] == "approved"


@pytest.mark.parametrize("make", [drafts.party_blank, drafts.dotted_other_suffix])
def test_blanks_are_found(make):
    from congvan.signatures.numbering import find_spots

    kinds = sorted(s.kind for s in find_spots(make()))
    assert kinds == (
        ["ngay", "so", "thang"] if make is drafts.party_blank else ["nam", "ngay", "so", "thang"]
    )
