"""A paper letter arrives: the clerk scans it in, registers it as incoming from the intake page with what
was read, finds it by a word written inside it; a document stamped MẬT is refused at compose."""

from __future__ import annotations

import pytest

from congvan.capture.actions import process
from congvan.capture.models import Intake
from congvan.capture.tests.corpus import Sample, render_pdf
from congvan.dispatch.models import Receipt
from congvan.search.indexer import index_pending

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LETTER = [
    ("SỞ NỘI VỤ TỈNH TIỀN GIANG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("Số: 214/SNV-VP", "Độc lập - Tự do - Hạnh phúc"),
    ("V/v rà soát biên chế năm 2026", "Tiền Giang, ngày 2 tháng 3 năm 2026"),
    ("Kính gửi: Huyện ủy Gò Công Tây", ""),
    ("Sở Nội vụ đề nghị các cơ quan rà soát vị trí việc làm và tinh giản biên chế.", ""),
    ("", "GIÁM ĐỐC"),
    ("", "Lê Văn Hòa"),
]


def test_a_paper_letter_registered_and_found_by_its_words(open_as, live_server, people, tmp_path):
    letter = tmp_path / "cong-van-so-noi-vu.pdf"
    letter.write_bytes(render_pdf(Sample(LETTER, {})))
    alice = open_as("alice")  # the district's clerk
    alice.click("text=Số hóa")
    alice.set_input_files("input[name=file]", str(letter))
    alice.click("form.filters button")
    alice.wait_for_url("**/intake/*/")
    process(Intake.objects.get().pk)  # the worker's job
    alice.reload()
    alice.wait_for_selector("#register-paper")
    assert alice.input_value("#register-paper input[name=symbol]") == "214/SNV-VP"
    alice.fill("#register-paper input[name=issuer]", "Sở Nội vụ tỉnh Tiền Giang")
    alice.click("#register-incoming")
    alice.wait_for_url("**/documents/*/")
    receipt = Receipt.objects.get(unit__code="000.00.01.H57")
    assert receipt.incoming_number == 1 and receipt.document.issuing_unit.name == "Sở Nội vụ tỉnh Tiền Giang"

    index_pending()  # search-follow's step
    alice.goto(live_server.url + "/search/")
    alice.fill("input[name=q]", "tinh gian bien che")
    alice.press("input[name=q]", "Enter")
    alice.wait_for_url("**q=tinh**")
    results = alice.inner_text("main")
    assert "rà soát biên chế" in results and "tinh giản" in results  # found by a word inside, shown

    # A draft whose PDF carries the MẬT stamp is refused with the reason.
    marked = tmp_path / "mat.pdf"
    marked.write_bytes(
        render_pdf(Sample([("HUYỆN ỦY GÒ CÔNG TÂY", ""), ("MẬT", ""), ("Số 5-KH/HU", "")], {}))
    )
    carol = open_as("carol")
    carol.click("text=Soạn văn bản")
    carol.select_option("select[name=type]", "KH")
    carol.fill("textarea[name=subject]", "Kế hoạch kiểm tra")
    carol.set_input_files("input[name=file]", str(marked))
    carol.click("text=Lưu dự thảo")
    carol.wait_for_selector(".error")
    assert "MẬT" in carol.inner_text(".error")
