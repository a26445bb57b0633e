"""What is written inside the files is searchable (text layers, office files, scans after OCR), the way
people type it; the snippet comes from where the match is; the index follows new documents in seconds."""

from __future__ import annotations

import io
import threading
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from congvan.capture.actions import do_extract_texts
from congvan.capture.tests.corpus import Sample, render_pdf, render_scan
from congvan.orgs.tests.support import released
from congvan.search.indexer import follow, index_pending

CS1, CS2 = "000.01.01.H57", "000.01.02.H57"
BODY = [
    ("HUYỆN ỦY GÒ CÔNG TÂY", ""),
    ("Số 12-KH/HU", ""),
    ("Thực hiện Nghị quyết 57-NQ/TW về đột phá phát triển khoa học, công nghệ,", ""),
    ("Huyện ủy tổ chức hội thảo; các chi bộ chuẩn bị bài tham luận về chuyển đổi số.", ""),
]


def body_pdf() -> bytes:
    return render_pdf(Sample(BODY, {}))


def subjects(api, who, q):
    r = api[who].get("/search", q=q)
    assert r.status_code == 200, r.content
    return r.json()["results"]


def test_text_inside_a_pdf_is_found_as_people_type_it(api):
    released(api, [CS1], subject="Kế hoạch năm 2026", file=body_pdf())
    released(api, [CS2], subject="Thông báo lịch họp")
    index_pending()
    for q in ("tham luan", "tham luận", "nghi quyet 57", '"chuyển đổi số"'):
        hits = subjects(api, "alice", q)
        assert [h["subject"] for h in hits] == ["Kế hoạch năm 2026"], q
    [hit] = subjects(api, "alice", "tham luan")
    assert (
        "<mark>tham luận</mark>" in hit["snippet"] or "<mark>tham</mark> <mark>luận</mark>" in hit["snippet"]
    )
    assert [h["subject"] for h in subjects(api, "dan", "tham luan")] == ["Kế hoạch năm 2026"]  # the recipient
    assert subjects(api, "erin", "tham luan") == []  # CS2 did not receive it


def test_a_snippet_shows_the_words_where_the_text_has_them(api):
    """A word far into the text: the snippet starts a little before it ("…"), one line, the word marked as
    written; two words: the place that shows both; a prefix marks the whole word."""
    released(api, [CS1], subject="Kế hoạch năm 2026", file=body_pdf())
    index_pending()
    [hit] = subjects(api, "alice", "THAO")
    assert hit["snippet"].startswith("…") and "<mark>thảo</mark>; các chi bộ" in hit["snippet"]
    assert "\n" not in hit["snippet"] and "  " not in hit["snippet"]
    [hit] = subjects(api, "alice", "chuan bi")
    assert "<mark>chuẩn</mark> <mark>bị</mark> bài tham luận" in hit["snippet"]
    [hit] = subjects(api, "alice", "chuy*")
    assert "về <mark>chuyển</mark> đổi số." in hit["snippet"]


def _docx(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>',
        )
    return buf.getvalue()


def test_text_of_an_office_attachment_is_found(api):
    import json

    meta = {"type": "KH", "subject": "Kế hoạch có phụ lục", "urgency": "normal", "confidentiality": "none"}
    r = api["carol"].multipart(
        "/documents",
        {
            "metadata": json.dumps(meta),
            "file": SimpleUploadedFile("kh.pdf", render_pdf(Sample([("Kế hoạch", "")], {}))),
            "attachments": [
                SimpleUploadedFile("phu-luc.docx", _docx("Danh sách đại biểu dự hội nghị tổng kết"))
            ],
        },
    )
    assert r.status_code == 201, r.content
    index_pending()
    assert [h["subject"] for h in subjects(api, "carol", "dai bieu tong ket")] == ["Kế hoạch có phụ lục"]


@pytest.mark.django_db(transaction=True)
def test_a_new_document_is_searchable_within_seconds(api):
    stop = threading.Event()
    follower = threading.Thread(target=follow, kwargs={"interval": 0.2, "stop": stop.is_set})
    follower.start()
    try:
        started = time.monotonic()
        released(api, [CS1], subject="Kế hoạch năm 2026", file=body_pdf())
        committed = time.monotonic()
        while not subjects(api, "alice", "tham luan"):
            assert time.monotonic() - committed < 5, "not searchable 5 s after the commit"
            time.sleep(0.1)
        lag = time.monotonic() - committed
    finally:
        stop.set()
        follower.join()
    assert lag < 5, (lag, committed - started)


@pytest.mark.once("sqlite")
def test_a_scans_text_is_found_after_its_ocr(api):
    from PIL import Image

    png = render_scan(Sample(BODY, {}), 3, dpi=200)
    pdf = io.BytesIO()
    Image.open(io.BytesIO(png)).save(pdf, "PDF", resolution=200)
    api["carol"].create_draft(subject="Bản quét kế hoạch", file=pdf.getvalue())
    index_pending()
    assert subjects(api, "carol", "tham luan") == []  # the scan's words are not read yet
    assert do_extract_texts(ocr=True) == 1
    assert index_pending() == 1  # its text was read since it was indexed
    assert [h["subject"] for h in subjects(api, "carol", "tham luan")] == ["Bản quét kế hoạch"]


def test_the_ticks_safety_net_indexes_the_last_quarter_hour(api):
    from congvan.search.tasks import index_changed_documents

    released(api, [CS1], subject="Kế hoạch năm 2026", file=body_pdf())
    assert subjects(api, "alice", "tham luan") == []  # nothing indexed it yet
    assert index_changed_documents.call() == 1
    assert [h["subject"] for h in subjects(api, "alice", "tham luan")] == ["Kế hoạch năm 2026"]


def test_the_text_read_for_snippets_is_cut_at_its_limit_in_characters(api):
    """Vietnamese letters take two or three bytes: a text is cut at the limit's character, never inside a
    letter, and a text within the limit in characters (though longer in bytes) is read whole."""
    from django.db import connection

    from congvan.capture.convert import folded_line
    from congvan.lib.sql import DriverCursor
    from congvan.search.indexer import bodies, folded_bodies

    doc_id = released(api, [CS1], subject="Kế hoạch năm 2026", file=body_pdf())["id"]
    do_extract_texts()
    with DriverCursor(connection) as cur:
        whole = bodies(cur, [doc_id])[doc_id]
        assert "tham luận về chuyển đổi số" in whole and len(whole.encode()) > len(whole)
        for limit in (len(whole), len(whole) - 1, len(whole.encode()) - 1, 40, 1):
            assert bodies(cur, [doc_id], limit=limit)[doc_id] == whole[:limit], limit
            text, folded = folded_bodies(cur, [doc_id], limit=limit)[doc_id]  # beside it, folded in place
            assert text == whole[:limit] and folded == folded_line(text), limit
