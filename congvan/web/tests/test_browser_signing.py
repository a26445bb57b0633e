"""Signing through the pages, as each person does it: the administrator registers the leader's token
certificate and the unit's seal; the leader signs with their own token through congvan-signer on
their PC (SoftHSM2 here, the PIN typed in the agent's terminal); the clerk numbers, seals and releases.
The released PDF is then checked as a recipient would: congvan's verdict, pyHanko's and pdftotext."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading

import pytest
from cryptography.hazmat.primitives import serialization

from congvan.documents.blobstore import open_blob
from congvan.documents.models import Document
from congvan.orgs.tests.support import HU
from congvan.signatures.actions import verify_pending
from congvan.signatures.tests import drafts
from congvan.signatures.tests.pki import PASS
from congvan.signatures.tests.test_numbered_release import independent_verdict, pdftotext
from congvan.signatures.verify import VALID, verify_pdf

softhsm = pytest.importorskip("congvan_signer.softhsm")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not softhsm.available(), reason="SoftHSM2 and OpenSC: scripts/setup --dev"),
]

PIN = "135791"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def leader_token(trusted, tmp_path):
    """Bob's own token: a key made on it, a certificate from the test CA's intermediate written to it."""
    issuer_key = serialization.load_pem_private_key((trusted.folder / "interm.key.pem").read_bytes(), None)
    from cryptography import x509

    issuer = x509.load_der_x509_certificate(trusted.cert("interm").dump())
    env = softhsm.make_token(
        tmp_path / "hsm",
        "LE-VAN-BINH",
        PIN,
        lambda pub: softhsm.issue(pub, issuer_key, issuer, "Lê Văn Bình"),
    )
    return env, tmp_path / "hsm" / "cert.der"


@pytest.fixture
def agent(leader_token, live_server, settings, tmp_path):
    """congvan-signer running as on the leader's PC, its terminal held by the test (the PIN goes there)."""
    env, _cert = leader_token
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "congvan_signer.agent",
            "--module",
            softhsm.MODULE,
            "--token",
            "LE-VAN-BINH",
            "--origin",
            live_server.url,
            "--port",
            str(port),
            "--pairing-file",
            str(tmp_path / "pairing"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**env, "PYTHONPATH": ":".join(sys.path)},
    )
    lines = [proc.stdout.readline() for _ in range(2)]  # type: ignore[union-attr]
    assert "127.0.0.1" in lines[0], lines
    settings.SIGNER_AGENT_URL = f"http://127.0.0.1:{port}"
    yield proc, lines[1].rsplit(":", 1)[1].strip()
    proc.terminate()
    proc.wait(10)


def off_loop(fn):
    """Run ``fn`` in a thread of its own: pyHanko starts an event loop, Playwright holds this one's."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


def type_pin_when_asked(proc, pin: str) -> threading.Thread:
    """The leader reads what the agent shows and types the PIN in its window."""
    shown: list[str] = []

    def watch() -> None:
        while True:
            line = proc.stdout.readline()
            shown.append(line)
            if "PIN" in line or not line:
                break
        proc.stdin.write(pin + "\n")
        proc.stdin.flush()

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    t.shown = shown  # type: ignore[attr-defined]
    return t


def test_leader_signs_with_own_token_and_clerk_seals_from_the_pages(
    open_as, live_server, people, trusted, settings, agent, leader_token, tmp_path, monkeypatch
):
    proc, pairing = agent
    _env, cert_path = leader_token
    settings.TSA_URL = trusted.tsa_url
    monkeypatch.setenv("CONGVAN_PIN_HU_SEAL", PASS.decode())
    (tmp_path / "seal.p12").write_bytes(trusted.pkcs12("seal").read_bytes())

    # The administrator registers the leader's token certificate and the unit's seal.
    root = open_as("root")
    root.goto(live_server.url + "/admin/keys/")
    root.select_option("select[name=owner]", "user:bob")
    root.check("input[name=kind][value=agent]")
    root.set_input_files("input[name=certificate]", str(cert_path))
    root.click("#register-key-button")
    assert "Lê Văn Bình" in root.inner_text("#keys")
    root.select_option("select[name=owner]", f"unit:{HU}")
    root.check("input[name=kind][value=pkcs12]")
    root.set_input_files("input[name=pkcs12]", str(tmp_path / "seal.p12"))
    root.check("input[name=pin_source][value=env]")
    root.fill("input[name=pin_env]", "CONGVAN_PIN_HU_SEAL")
    root.fill("input[name=passphrase]", PASS.decode())
    root.click("#register-key-button")
    assert root.locator("#keys tbody tr").count() == 2, root.inner_text("main")

    # A specialist drafts with the number and date left blank, and submits.
    draft = tmp_path / "Kế hoạch.pdf"
    draft.write_bytes(drafts.party_blank("về việc chuyển đổi số năm 2027"))
    carol = open_as("carol")
    carol.click("text=Soạn văn bản")
    carol.select_option("select[name=type]", "KH")
    carol.fill("textarea[name=subject]", "Kế hoạch chuyển đổi số năm 2027")
    carol.fill("input[name=signer_name]", "Lê Văn Bình")
    carol.set_input_files("input[name=file]", str(draft))
    carol.check("input[name=recipients][value='000.01.01.H57']")
    carol.click("text=Lưu dự thảo")
    carol.click("#submit")
    doc_url = carol.url

    # The leader signs with the token on their own PC: the page asks once for the pairing code.
    bob = open_as("bob")
    bob.goto(doc_url)
    bob.click("#sign-approve")
    bob.wait_for_selector("#pairing-row:not([hidden])")
    bob.fill("#pairing", pairing)
    typing = type_pin_when_asked(proc, PIN)
    bob.click("#sign-approve")
    bob.wait_for_selector("#doc-state:has-text('Đã duyệt')", timeout=60000)
    typing.join(5)
    shown = "".join(typing.shown)  # type: ignore[attr-defined]
    assert "Kế hoạch chuyển đổi số năm 2027" in shown and "SHA-256" in shown

    # The clerk numbers, seals and releases.
    alice = open_as("alice")
    alice.goto(doc_url)
    assert alice.inner_text("#release") == "Cấp số, đóng dấu và ban hành"
    alice.click("#release")
    assert alice.inner_text("#doc-state") == "Đã ban hành"
    off_loop(verify_pending)  # the background worker's verification
    alice.reload()
    rows = alice.locator("table.signatures").first.locator("tr.signature")
    assert rows.count() == 2
    assert "Lê Văn Bình" in rows.nth(0).inner_text() and "Lãnh đạo ký duyệt" in rows.nth(0).inner_text()
    assert "Đơn vị ký (con dấu số)" in rows.nth(1).inner_text()
    assert all("Hợp lệ" in rows.nth(i).inner_text() for i in range(2))

    doc = Document.objects.get(pk=int(doc_url.rstrip("/").rsplit("/", 1)[1]))
    with open_blob(doc.files.get(role="main").blob_id) as fh:
        data = fh.read()
    report = off_loop(lambda: verify_pdf(data))
    assert report.verdict == VALID, report.reasons
    assert [s.signer for s in report.signatures] == ["Lê Văn Bình", "Huyện ủy Gò Công Tây"]
    assert f"Số {doc.symbol}" in pdftotext(data, tmp_path)
    independent_verdict(data, trusted, tmp_path)
