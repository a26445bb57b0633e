"""The demo loads once, with the organisation and accounts the README promises."""

from __future__ import annotations

from django.core.management import call_command

from congvan.audit.queries import verify_chain
from congvan.dispatch.models import Receipt
from congvan.documents.doctypes import load_document_types
from congvan.documents.models import DocumentType
from congvan.orgs.models import Membership, Unit, User


def test_demo_loads_once_and_prints_accounts(db, capsys):
    # The document types come with a migration; a transactional test before this one flushed them.
    load_document_types(DocumentType)
    call_command("demo")
    call_command("demo")
    out = capsys.readouterr().out
    assert "Dữ liệu mẫu đã có sẵn" in out and "hu.vanthu" in out
    hu = Unit.objects.get(name="Huyện ủy Gò Công Tây")
    assert Unit.objects.get(name="Tỉnh ủy Tiền Giang").parent is None
    boards = set(hu.children.filter(kind="board").values_list("name", flat=True))
    assert {
        "Văn phòng Huyện ủy",
        "Ban Tổ chức Huyện ủy",
        "Ban Tuyên giáo Huyện ủy",
        "Ban Dân vận Huyện ủy",
        "Ủy ban Kiểm tra Huyện ủy",
    } <= boards
    assert hu.children.filter(kind="grassroots").count() >= 8
    for unit in ("Tỉnh ủy Tiền Giang", "Huyện ủy Gò Công Tây", "Đảng ủy xã Bình Tân", "Đảng ủy xã Long Bình"):
        roles = set(Membership.objects.filter(unit__name=unit).values_list("role", flat=True))
        assert {"clerk", "leader", "specialist"} <= roles, unit
    assert User.objects.filter(is_superuser=True).count() == 1
    assert Receipt.objects.filter(unit__name="Đảng ủy xã Bình Tân").exists()
    assert verify_chain()[1] == []
