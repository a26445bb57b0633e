"""Web pages: login, security headers, CSRF, escaping, language, and the same access rules as the API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from congvan.orgs.tests.support import released

CS1 = "000.01.01.H57"


def signed_in(username: str, **kwargs) -> Client:
    client = Client(**kwargs)
    r = client.post("/login/", {"username": username, "password": "correct horse 1"})
    assert r.status_code == 302, r.content
    return client


def test_pages_need_a_login(db):
    for url in ("/", "/inbox/", "/outbox/", "/compose/", "/documents/1/"):
        r = Client().get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_wrong_password_shows_an_error(people):
    r = Client().post("/login/", {"username": "alice", "password": "nope"})
    assert r.status_code == 400 and "Sai tên đăng nhập" in r.content.decode()


def test_security_headers_and_strict_csp(people):
    r = signed_in("alice").get("/")
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["Cache-Control"] == "no-store"


def test_no_asset_comes_from_outside_the_server(api):
    rel = released(api, [CS1])
    client = signed_in("alice")
    for url in ("/login/", "/", "/inbox/", "/outbox/", "/compose/", f"/documents/{rel['id']}/"):
        html = client.get(url).content.decode()
        for ref in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert ref.startswith(("/", "?", "#")), (url, ref)
        assert "<script>" not in html.replace('<script type="module"', "").replace("<script src", "")


def test_session_cookie_settings(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.PASSWORD_HASHERS  # Argon2 in production; tests use a fast hasher
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django.utils.module_loading import import_string

    from congvan import settings as product

    hasher = import_string(product.PASSWORD_HASHERS[0])
    # Argon2id, at a memory a small server can give eight sign-ins at once (Django's default is 100 MiB).
    assert issubclass(hasher, Argon2PasswordHasher) and hasher.memory_cost <= 32 * 1024


def test_forms_require_csrf(people):
    client = signed_in("alice")
    client.handler.enforce_csrf_checks = True
    r = client.post("/compose/", {"type": "KH", "subject": "x"})
    assert r.status_code == 403
    assert Client(enforce_csrf_checks=True).post("/login/", {"username": "alice"}).status_code == 403


def test_html_in_subject_is_rendered_inert(api):
    rel = released(api, [CS1], subject='<script>alert("x")</script><b>Kế hoạch</b>')
    html = signed_in("dan").get(f"/documents/{rel['id']}/").content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;" in html


def test_another_units_document_page_is_not_found(api):
    rel = released(api, [CS1])
    r = signed_in("erin").get(f"/documents/{rel['id']}/")
    assert r.status_code == 404
    r = signed_in("erin").get(f"/documents/{rel['id']}/files/1/")
    assert r.status_code == 404


def test_vietnamese_first_and_english_switch(people):
    client = signed_in("alice")
    assert "Văn bản đến" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "Incoming" in html and 'lang="en"' in html


def test_inbox_page_filters(api):
    released(api, [CS1], urgency="flash", subject="Công điện khẩn")
    released(api, [CS1], subject="Thông báo thường")
    client = signed_in("dan")
    html = client.get("/inbox/?urgency=flash").content.decode()
    assert "Công điện khẩn" in html and "Thông báo thường" not in html


@pytest.mark.parametrize("who", ["frank"])
def test_auditor_sees_but_has_no_action_buttons(api, who):
    doc_id = api["carol"].create_draft().json()["id"]
    html = signed_in(who).get(f"/documents/{doc_id}/").content.decode()
    assert 'id="submit"' not in html and 'id="approve"' not in html and 'id="release"' not in html


def test_drafter_edits_a_draft_in_the_web(api):
    doc_id = api["carol"].create_draft(subject="Bản đầu").json()["id"]
    client = signed_in("carol")
    page = client.get(f"/documents/{doc_id}/edit/").content.decode()
    assert "Bản đầu" in page
    r = client.post(
        f"/documents/{doc_id}/edit/",
        {
            "type": "KH",
            "subject": "Bản sửa",
            "urgency": "urgent",
            "confidentiality": "none",
            "recipients_present": "1",
            "recipients": [CS1],
        },
    )
    assert r.status_code == 302
    doc = api["carol"].get(f"/documents/{doc_id}").json()
    assert (doc["subject"], doc["urgency"], doc["recipients"]) == ("Bản sửa", "urgent", [CS1])
    # Another unit's person cannot even open the edit page.
    assert signed_in("dan").get(f"/documents/{doc_id}/edit/").status_code == 404


def test_a_group_ticked_in_compose_stays_chosen_through_edit_and_release(api):
    group = api["alice"].post("/groups", {"name": "Hai xã", "units": [CS1, "000.01.02.H57"]}).json()
    doc_id = api["carol"].create_draft(subject="Gửi nhóm").json()["id"]
    form = {"type": "KH", "subject": "Gửi nhóm", "recipients_present": "1", "groups": [group["slug"]]}
    client = signed_in("carol")
    assert client.post(f"/documents/{doc_id}/edit/", form).status_code == 302
    doc = api["carol"].get(f"/documents/{doc_id}").json()
    assert (doc["groups"], doc["recipients"]) == ([group["slug"]], [])
    # Edit again: the group's box is ticked, not its units one by one.
    page = client.get(f"/documents/{doc_id}/edit/").content.decode()
    assert re.search(rf'name="groups" value="{group["slug"]}"\s+checked', page)
    assert not re.search(rf'name="recipients" value="{CS1}"\s+checked', page)
    # A group no one offered is refused with its name, and nothing typed is lost.
    r = client.post(f"/documents/{doc_id}/edit/", {**form, "groups": [group["slug"], "khong-co"]})
    assert r.status_code == 400 and "khong-co" in r.content.decode() and "Gửi nhóm" in r.content.decode()
    # The approver sees the group by name with its size; the release form has it ticked.
    api["carol"].post(f"/documents/{doc_id}/submit")
    html = signed_in("bob").get(f"/documents/{doc_id}/").content.decode()
    assert "Hai xã (nhóm, 2 đơn vị)" in html
    api["bob"].post(f"/documents/{doc_id}/approve")
    html = signed_in("alice").get(f"/documents/{doc_id}/").content.decode()
    assert re.search(rf'name="groups" value="{group["slug"]}"\s+checked', html)
    # Released as planned (the API without recipients), the group's units receive it.
    assert api["alice"].post(f"/documents/{doc_id}/release", {}).status_code == 200
    doc = api["alice"].get(f"/documents/{doc_id}").json()
    assert sorted(d["unit"] for d in doc["deliveries"]) == sorted([CS1, "000.01.02.H57"])


def test_compose_errors_keep_what_was_typed(people):
    client = signed_in("carol")
    r = client.post(
        "/compose/", {"type": "KH", "subject": "Giữ nguyên nội dung", "confidentiality": "secret"}
    )
    html = r.content.decode()
    assert r.status_code == 400 and "Giữ nguyên nội dung" in html and "TỐI MẬT" in html


def test_every_text_field_is_rendered_inert(api):
    evil = "<img src=x onerror=alert(1)>"
    doc_id = (
        api["carol"]
        .create_draft(
            subject=f"S{evil}", signer_name=f"N{evil}"[:50], signer_position=f"P{evil}", recipients=[CS1]
        )
        .json()["id"]
    )
    api["carol"].post(f"/documents/{doc_id}/submit")
    api["bob"].post(f"/documents/{doc_id}/reject", {"comment": f"C{evil}"})
    api["carol"].post(f"/documents/{doc_id}/submit")
    api["bob"].post(f"/documents/{doc_id}/approve")
    api["alice"].post(f"/documents/{doc_id}/release", {})
    rid = api["dan"].get("/inbox").json()["results"][0]["id"]
    api["dan"].post(f"/receipts/{rid}/return", {"reason": f"R{evil}"})
    for who in ("alice", "dan"):
        client = signed_in(who)
        for url in (f"/documents/{doc_id}/", "/inbox/", "/outbox/"):
            html = client.get(url).content.decode()
            assert "<img src=x" not in html, (who, url)
    html = signed_in("alice").get(f"/documents/{doc_id}/").content.decode()
    assert "R&lt;img src=x onerror=alert(1)&gt;" in html  # the return reason, shown as text


def test_an_english_browser_still_opens_in_vietnamese(people):
    client = signed_in("alice")
    html = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert 'lang="vi"' in html and "Văn bản đến" in html


def test_oversight_shows_states_in_words(api):
    released(api, [CS1])
    html = signed_in("bob").get("/oversight/").content.decode()
    assert "Đã đến: 1" in html and "arrived" not in html


def test_search_box_on_every_page_and_results(api):
    from congvan.search.indexer import index_pending

    released(api, [CS1], subject="Kế hoạch chuyển đổi số <i>năm 2026</i>")
    index_pending()
    client = signed_in("dan")
    assert 'name="q"' in client.get("/").content.decode()
    html = client.get("/search/", {"q": "chuyen doi so"}).content.decode()
    assert "<mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark>" in html and "&lt;i&gt;" in html
    assert signed_in("gina").get("/search/", {"q": "chuyen doi so"}).content.decode().count("<li>") == 0
    assert client.get("/search/", {"q": "!!!"}).status_code == 400


def test_intake_pages_show_progress_and_make_a_draft(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from congvan.capture.actions import process
    from congvan.capture.models import Intake
    from congvan.capture.tests.corpus import make, render_pdf

    client = signed_in("alice")
    r = client.post("/intake/", {"file": SimpleUploadedFile("ke-hoach.pdf", render_pdf(make(4)))})
    assert r.status_code == 302
    intake = Intake.objects.get()
    page = client.get(r["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page  # refreshes itself while queued
    process(intake.pk)
    page = client.get(r["Location"]).content.decode()
    assert "Số, ký hiệu" in page and "every 2s" not in page  # done: it no longer refreshes itself
    suggested = page[page.index('id="suggested"') :]
    suggested = suggested[: suggested.index("</dl>")]
    assert "<dd>normal</dd>" not in suggested and "<dd>none</dd>" not in suggested  # labels, not codes
    assert not re.search(r"<dd>\d{4}-\d{2}-\d{2}</dd>", suggested)  # dates as people write them
    made = client.post(r["Location"])
    assert made.status_code == 302 and "/documents/" in made["Location"]
    bad = client.post("/intake/", {"file": SimpleUploadedFile("x.exe", b"MZ" * 100)})
    assert bad.status_code == 400
    assert signed_in("dan").get(r["Location"]).status_code == 404


def test_tracking_shows_the_transport_and_the_clerk_recalls(api):
    from congvan.orgs.models import Unit

    Unit.objects.create(
        code="000.00.09.X99", name="Huyện ủy ở máy chủ khác", abbreviation="HU", path="/X/", home_node="XA"
    )
    rel = released(api, [CS1, "000.00.09.X99"])
    client = signed_in("alice")
    html = client.get(f"/documents/{rel['id']}/").content.decode()
    row = _row(html, "000.00.09.X99")
    assert "Chờ gửi" in row  # queued for the other server, not "arrived"
    assert 'id="revoke"' in html
    r = client.post(f"/documents/{rel['id']}/revoke/", {"reason": "Ban hành nhầm"})
    assert r.status_code == 302
    html = client.get(f"/documents/{rel['id']}/").content.decode()
    row = _row(html, CS1)
    assert "Đã thu hồi" in row and 'id="revoke"' not in html
    assert "Ban hành nhầm" in row


def _row(html: str, unit: str) -> str:
    found = re.search(rf'<tr data-unit="{re.escape(unit)}">.*?</tr>', html, re.S)
    assert found is not None, unit
    return found.group(0)


def test_a_draft_names_the_document_it_replaces_in_the_web(api):
    first = released(api, [CS1], subject="Kế hoạch cũ")
    doc_id = api["carol"].create_draft(subject="Kế hoạch mới").json()["id"]
    client = signed_in("carol")
    page = client.get(f"/documents/{doc_id}/edit/").content.decode()
    assert f'<option value="{first["id"]}"' in page
    form = {"type": "KH", "subject": "Kế hoạch mới", "urgency": "normal", "confidentiality": "none"}
    r = client.post(f"/documents/{doc_id}/edit/", {**form, "replaces": "abc"})
    assert r.status_code == 400 and "replaces" in r.content.decode()
    r = client.post(f"/documents/{doc_id}/edit/", {**form, "replaces": str(first["id"])})
    assert r.status_code == 302
    assert api["carol"].get(f"/documents/{doc_id}").json()["replaces"] == first["id"]
    page = client.get(f"/documents/{doc_id}/edit/").content.decode()
    assert f'<option value="{first["id"]}" selected' in page


def test_an_anonymous_multipart_post_writes_nothing_to_disk(people, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from congvan.documents import blobstore

    spooled: list[int] = []
    real = blobstore.new_temp

    def counted() -> Any:
        spooled.append(1)
        return real()

    monkeypatch.setattr(blobstore, "new_temp", counted)

    def big() -> SimpleUploadedFile:
        return SimpleUploadedFile("x.pdf", b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024), "application/pdf")

    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32
    r = client.post("/login/", {"csrfmiddlewaretoken": "a" * 32, "file": big(), "username": "x"})
    assert r.status_code == 400  # a sign-in that failed, and the file never reached the disk
    assert spooled == []
    # Signed in, the same upload streams to a temporary file (the intake page takes files).
    signed_in("alice").post("/intake/", {"file": big()})
    assert spooled == [1]


def test_https_mode_sets_secure_cookies_hsts_and_trusts_the_proxys_scheme(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("CONGVAN_")}
    env.update(
        {
            "CONGVAN_HTTPS": "true",
            "CONGVAN_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "congvan.settings",
        }
    )
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_PROXY_SSL_HEADER)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split()[:3] == ["True", "True", "31536000"] and "HTTP_X_FORWARDED_PROTO" in out.stdout


def test_behind_a_tls_proxy_the_pages_send_hsts(db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    r = Client().get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert r["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in Client().get("/login/")


def test_a_paper_arrival_is_registered_as_incoming_in_the_pages(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from congvan.capture.actions import process
    from congvan.capture.models import Intake
    from congvan.capture.tests.corpus import make, render_pdf
    from congvan.dispatch.models import Receipt
    from congvan.documents.models import Document
    from congvan.orgs.tests.support import HU

    sample = make(7)
    client = signed_in("alice")
    r = client.post("/intake/", {"file": SimpleUploadedFile("cong-van-den.pdf", render_pdf(sample))})
    intake = Intake.objects.get()
    process(intake.pk)
    page = client.get(r["Location"]).content.decode()
    assert 'id="register-paper"' in page and 'id="make-draft"' in page
    assert sample.expected["symbol"] in page  # prefilled with what was read
    assert 'id="register-paper"' not in signed_in("carol").get(r["Location"]).content.decode()  # clerks only
    form = {
        "action": "register",
        "issuer": "Sở Nội vụ tỉnh Tiền Giang",
        "number": "214",
        "symbol": "214/SNV-VP",
        "date": "2026-03-02",
        "type": "CV",
        "subject": "V/v rà soát biên chế năm 2026",
        "signer_position": "GIÁM ĐỐC",
        "signer_name": "Lê Văn Hòa",
        "urgency": "normal",
    }
    done = client.post(r["Location"], form)
    assert done.status_code == 302, done.content
    receipt = Receipt.objects.get(unit__code=HU)
    assert receipt.incoming_number and receipt.document.symbol == "214/SNV-VP"
    doc = receipt.document
    assert doc.issuing_unit.name == "Sở Nội vụ tỉnh Tiền Giang" and doc.issuing_unit.code != HU
    assert not Document.objects.filter(issuing_unit__code=HU).exists()  # never among the outgoing
    assert doc.files.count() >= 1
    outbox = client.get("/outbox/").content.decode()
    assert "214/SNV-VP" not in outbox
    assert "214/SNV-VP" in client.get("/inbox/", {"state": "registered"}).content.decode()


def test_a_document_from_an_edxml_file_shows_what_its_message_carried(api, tmp_path, settings):
    import io

    from django.core.management import call_command

    from congvan.dispatch.models import Receipt
    from congvan.exchange import edxml, nodesig
    from congvan.exchange.actions import do_add_peer
    from congvan.lib.pdfgen import simple_pdf

    key, cert = nodesig.make_identity("XA", tmp_path / "xa")
    do_add_peer("XA", url="http://127.0.0.1:9", certificate=cert.read_text())
    msg = edxml.EdxmlMessage(
        kind="document",
        sender=edxml.Organ("000.00.00.G22", "Văn phòng Chính phủ"),
        recipients=[edxml.Organ("000.00.01.H57", "Huyện ủy")],
        document_id="000.00.00.G22,2026/11/20,90/VPCP-TTĐT",
        code_number="90",
        code_notation="VPCP-TTĐT",
        subject="V/v kết nối liên thông",
        content="Tóm tắt của nơi gửi",
        trace=[{"organ_id": "000.00.00.G22", "timestamp": "2026/11/20 08:00:00"}],
        attachments=[edxml.Attachment("vb.pdf", "application/pdf", simple_pdf(["Van ban 90"]))],
    )
    path = tmp_path / "vb.edxml"
    path.write_bytes(
        nodesig.sign(edxml.write(msg), nodesig.NodeIdentity("XA", key.read_bytes(), cert.read_bytes()))
    )
    call_command("edxml", "import", str(path), "--unit", "000.00.01.H57", stdout=io.StringIO())
    receipt = Receipt.objects.get(document__symbol="90/VPCP-TTĐT")
    html = signed_in("alice").get(f"/documents/{receipt.document_id}/").content.decode()
    panel = html[html.index('id="received-message"') :]
    panel = panel[: panel.index("</dl>")]
    assert "Hợp lệ, do máy chủ liên thông đã cấu hình xác nhận" in panel and "node:XA" in panel
    assert "Tóm tắt của nơi gửi" in panel and "000.00.00.G22,2026/11/20,90/VPCP-TTĐT" in panel
    english = signed_in("alice")
    english.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = english.get(f"/documents/{receipt.document_id}/").content.decode()
    assert "Hợp lệ, do máy chủ" not in html


def test_a_recalled_document_reads_recalled(api):
    rel = released(api, [CS1])
    client = signed_in("alice")
    assert ">Đã ban hành<" in client.get(f"/documents/{rel['id']}/").content.decode()
    assert client.post(f"/documents/{rel['id']}/revoke/", {"reason": "Ban hành nhầm"}).status_code == 302
    html = client.get(f"/documents/{rel['id']}/").content.decode()
    state = html[html.index('id="doc-state"') :]
    assert state[: state.index("</span>")].endswith(">Đã thu hồi")
