"""Composing as a specialist would: units found without diacritics, a letter by default, only
non-classified documents offered, a past reply date refused with everything typed kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from congvan.lib.dates import local_today
from congvan.lib.pdfgen import simple_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_compose_form_helps_and_keeps_what_was_typed(open_as, live_server, people, tmp_path):
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(simple_pdf(["Ke hoach"]))
    carol = open_as("carol")
    carol.goto(live_server.url + "/compose/")
    assert carol.eval_on_selector("select[name=type]", "s => s.value") == "CV"
    options = carol.eval_on_selector_all("select[name=confidentiality] option", "os => os.map(o => o.value)")
    assert options == ["none"]
    carol.fill(".unit-filter", "dang uy xa 1")  # no diacritics, as people type
    visible = [t.strip() for t in carol.locator(".unit-list label:visible").all_inner_texts()]
    assert len(visible) == 1 and visible[0].startswith("Đảng ủy xã 1")
    carol.check(".unit-list label:visible input")
    carol.fill("textarea[name=subject]", "Kế hoạch tổ chức hội nghị tổng kết")
    carol.fill("input[name=signer_name]", "Nguyễn Văn Bình")
    yesterday = (local_today(timezone.now()) - dt.timedelta(days=2)).isoformat()
    carol.eval_on_selector(
        "input[name=reply_due]", f"i => {{ i.removeAttribute('min'); i.value = '{yesterday}'; }}"
    )
    carol.set_input_files("input[name=file]", str(pdf))
    carol.click("form.card button[type=submit]")
    assert "hạn trả lời đã qua" in carol.inner_text("[role=alert]")
    assert carol.input_value("textarea[name=subject]") == "Kế hoạch tổ chức hội nghị tổng kết"
    assert carol.input_value("input[name=signer_name]") == "Nguyễn Văn Bình"
    assert carol.is_checked(".unit-list label:has-text('Đảng ủy xã 1') input")
