"""The migration that makes the files' texts one line and folds them beside it, on rows an earlier version
wrote (layout blanks and line breaks, no folded form): the rows it leaves are those extraction writes now."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from congvan.capture.convert import folded_line, one_line
from congvan.capture.models import FileText
from congvan.documents.models import Blob


@pytest.mark.django_db
def test_earlier_texts_are_made_one_line_and_folded_again_and_again():
    layout = "HUYỆN ỦY GÒ CÔNG TÂY" + " " * 40 + "ĐẢNG CỘNG SẢN\n\n   Số 12-KH/HU\nV/v   thuỷ lợi"
    rows = []
    for i, text in enumerate([layout, "", "đã một dòng"]):
        sha = f"{i:064x}"
        Blob.objects.create(sha256=sha, size=1, mime="application/pdf")
        rows.append(
            FileText.objects.create(blob_id=sha, text=text, source="layer", extracted_at=timezone.now())
        )
    step = importlib.import_module("congvan.capture.migrations.0005_file_text_folded").one_line
    for _ in range(2):  # a run taken up again gives the same rows
        step(apps, connection.schema_editor())
        for row, text in zip(rows, [layout, "", "đã một dòng"], strict=True):
            row.refresh_from_db()
            assert row.text == one_line(text) and row.folded == folded_line(row.text)
    assert rows[0].text == "HUYỆN ỦY GÒ CÔNG TÂY ĐẢNG CỘNG SẢN Số 12-KH/HU V/v thuỷ lợi"
    assert " thuy loi " in rows[0].folded
