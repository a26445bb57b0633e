"""The whole loop through the web pages in a real browser."""

from __future__ import annotations

import os

import pytest

from congvan.lib.pdfgen import simple_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CS1, CS2, CS3 = "000.01.01.H57", "000.01.02.H57", "000.01.03.H57"


def test_draft_approve_release_register_and_sender_sees_it(open_as, live_server, people, tmp_path):
    pdf = tmp_path / "Kế hoạch đại hội.pdf"
    pdf.write_bytes(simple_pdf(["Ke hoach to chuc dai hoi", "Chi bo"], pages=2))

    # A specialist drafts with three recipients and submits.
    carol = open_as("carol")
    carol.click("text=Soạn văn bản")
    carol.select_option("select[name=type]", "KH")
    carol.fill("textarea[name=subject]", "Kế hoạch tổ chức đại hội chi bộ <script>alert(1)</script>")
    carol.fill("input[name=signer_name]", "Lê Văn Bình")
    carol.set_input_files("input[name=file]", str(pdf))
    for code in (CS1, CS2, CS3):
        carol.check(f"input[name=recipients][value='{code}']")
    carol.click("text=Lưu dự thảo")
    assert carol.inner_text("#doc-state") == "Dự thảo"
    assert "<script>alert(1)</script>" in carol.inner_text(".subject")  # shown as text, not run
    carol.click("#submit")
    assert carol.inner_text("#doc-state") == "Chờ duyệt"
    doc_url = carol.url
    # The vendored viewer renders both pages of the PDF in the page.
    carol.wait_for_selector(".viewer[data-rendered='2']")

    # The leader approves.
    bob = open_as("bob")
    bob.goto(doc_url)
    bob.click("#approve")
    assert bob.inner_text("#doc-state") == "Đã duyệt"

    # The clerk numbers and releases to the three units chosen in the draft.
    alice = open_as("alice")
    alice.goto(doc_url)
    alice.click("#release")
    assert alice.inner_text("#doc-state") == "Đã ban hành"
    assert "01-KH/HU" in alice.inner_text("h1")
    assert alice.locator("#tracking tbody tr").count() == 3

    # A recipient clerk finds it in the inbox and registers it.
    dan = open_as("dan")
    dan.click("text=Văn bản đến")
    dan.click("text=01-KH/HU")
    dan.click("#register")
    assert dan.inner_text("#receipt-state") == "Đã vào sổ"
    assert dan.inner_text("#incoming-number") == "1"

    # The sender sees that recipient's progress.
    alice.reload()
    row = alice.locator(f"#tracking tr[data-unit='{CS1}']")
    assert "Đã vào sổ" in row.inner_text()
    other = alice.locator(f"#tracking tr[data-unit='{CS2}']")
    assert "Đã đến" in other.inner_text()

    if os.environ.get("CONGVAN_SCREENSHOTS"):
        alice.screenshot(path=os.path.join(os.environ["CONGVAN_SCREENSHOTS"], "tracking.png"), full_page=True)
        dan.set_viewport_size({"width": 390, "height": 844})
        dan.screenshot(path=os.path.join(os.environ["CONGVAN_SCREENSHOTS"], "phone.png"), full_page=True)
