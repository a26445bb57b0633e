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


def test_the_demo_goes_through_the_2025_reorganisation(db):
    """Two grassroots committees merge, then the district level goes: documents and open work survive,
    and the old names stay in the registers."""
    from congvan.dispatch.models import DeliveryState
    from congvan.orgs.tests.support import Api
    from congvan.registers.models import Register

    load_document_types(DocumentType)
    call_command("demo")
    admin = Api(User.objects.get(username="admin"))
    old = Unit.objects.get(name="Đảng ủy xã Bình Tân")
    new = Unit.objects.get(name="Đảng ủy xã Long Bình")
    hu = Unit.objects.get(name="Huyện ủy Gò Công Tây")
    # One more district document, to Bình Tân only: open work the successor has no copy of.
    cv, ld, vt = (Api(User.objects.get(username=f"hu.{n}")) for n in ("chuyenvien", "lanhdao", "vanthu"))
    doc = cv.create_draft(subject="Kế hoạch riêng cho xã Bình Tân").json()["id"]
    assert cv.post(f"/documents/{doc}/submit").status_code == 200
    assert ld.post(f"/documents/{doc}/approve").status_code == 200
    assert vt.post(f"/documents/{doc}/release", {"recipients": [old.code]}).status_code == 200
    open_work = set(
        Receipt.objects.filter(unit=old)
        .exclude(state__in=[DeliveryState.COMPLETED, DeliveryState.RETURNED, DeliveryState.REVOKED])
        .values_list("document_id", flat=True)
    )
    held = set(Receipt.objects.filter(unit=new).values_list("document_id", flat=True))
    assert doc in open_work - held
    registers = set(Register.objects.filter(unit=old).values_list("label", flat=True))
    r = admin.post(f"/units/{old.code}/merge", {"into": new.code, "people": "move"})
    assert r.status_code == 200, r.content
    moved = Receipt.objects.filter(unit=new, addressed_to=old)
    # What the successor already holds a copy of stays with the old commune as history.
    assert set(moved.values_list("document_id", flat=True)) == open_work - held
    assert r.json()["receipts_moved"] == len(open_work - held)
    assert r.json()["receipts_kept"] == len(open_work & held)
    assert Receipt.objects.filter(unit=old, document_id__in=open_work & held).count() == len(open_work & held)
    # The old commune's clerk now works for the successor and sees that work in its inbox.
    clerk = Membership.objects.filter(unit=new, role="clerk", user__memberships__unit=old).first()
    assert clerk is not None
    inbox = Api(clerk.user, new.code).get("/inbox").json()["results"]
    assert open_work <= {x["document"]["id"] for x in inbox} | held

    r = admin.post(f"/units/{hu.code}/dissolve")
    assert r.status_code == 200, r.content
    tu = Unit.objects.get(name="Tỉnh ủy Tiền Giang")
    assert Unit.objects.get(pk=new.pk).parent_id == tu.pk
    assert Unit.objects.filter(parent=hu, active=True).count() == 0
    # History: the registers keep their units and names; documents keep their issuer.
    assert set(Register.objects.filter(unit=old).values_list("label", flat=True)) == registers
    assert Receipt.objects.filter(unit=new, issuer=hu).exists()
    assert verify_chain()[1] == []
