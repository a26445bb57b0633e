"""An office from nothing, in a real browser: `congvan init`, then the administrator builds a district
with two communes, five people, a committee term and a recipient group in the pages; a document goes
from the district to the group and each commune registers it. No demo, no shell, no fixture."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from congvan.documents.doctypes import load_document_types
from congvan.documents.models import DocumentType
from congvan.lib.pdfgen import simple_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT, DISTRICT, COMMUNE1, COMMUNE2 = "000.00.00.T77", "000.00.01.H77", "000.01.01.H77", "000.01.02.H77"
ADMIN_PASSWORD = "Quan-tri-tinh-2026!"
TEMPORARY = "Mat-khau-tam-2026!"
PEOPLE = [  # username, name, unit, role
    ("vt.huyen", "Nguyễn Thị Văn", DISTRICT, "clerk"),
    ("ld.huyen", "Trần Văn Lãnh", DISTRICT, "leader"),
    ("cv.huyen", "Lê Thị Chuyên", DISTRICT, "specialist"),
    ("vt.xa1", "Phạm Văn Một", COMMUNE1, "clerk"),
    ("vt.xa2", "Võ Thị Hai", COMMUNE2, "clerk"),
]


@pytest.fixture
def sign_in(browser, live_server):
    contexts = []

    def _open(username: str, password: str, *, new_password: str = "") -> object:
        ctx = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15000)
        page.on("dialog", lambda d: d.accept())  # the confirmations of merges, locks, deletions
        page.goto(live_server.url + "/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        if new_password:  # a temporary password: the page asks for a new one
            page.wait_for_selector("input[name=new_password]")
            page.fill("input[name=password]", password)
            page.fill("input[name=new_password]", new_password)
            page.fill("input[name=new_password2]", new_password)
            page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    yield _open
    for ctx in contexts:
        ctx.close()


def add_unit(page, *, name: str, code: str, abbreviation: str, parent: str, kind: str) -> None:
    page.click("#admin-menu")
    page.fill("#new-unit input[name=name]", name)
    page.fill("#new-unit input[name=code]", code)
    page.fill("#new-unit input[name=abbreviation]", abbreviation)
    page.select_option("#new-unit select[name=parent]", parent)
    page.select_option("#new-unit select[name=kind]", kind)
    page.click("#new-unit button[type=submit]")
    page.wait_for_url(f"**/admin/units/{code}/")


def test_an_office_from_nothing_through_its_pages(sign_in, live_server, tmp_path):
    load_document_types(DocumentType)  # a transactional test before this one may have flushed them
    secret = tmp_path / "admin-password"
    secret.write_text(ADMIN_PASSWORD, encoding="utf-8")
    call_command(
        "init",
        "--no-input",
        f"--code={ROOT}",
        "--name=Tỉnh ủy Mẫu",
        "--abbreviation=TU",
        "--term-name=2025-2030",
        "--term-start=2025-10-01",
        "--admin=quantri",
        f"--admin-password-file={secret}",
        stdout=io.StringIO(),
    )

    # The system administrator, who belongs to no unit, lands on the administration.
    admin = sign_in("quantri", ADMIN_PASSWORD)
    assert "/admin/units/" in admin.url
    add_unit(admin, name="Huyện ủy Mẫu Đông", code=DISTRICT, abbreviation="HU", parent=ROOT, kind="district")
    admin.fill("#new-term input[name=name]", "2025-2030")
    admin.fill("#new-term input[name=starts_on]", "2025-09-15")
    admin.click("#new-term button")
    assert "2025-2030" in admin.inner_text("#terms")
    for name, code in (("Đảng ủy xã Bình An", COMMUNE1), ("Đảng ủy xã Tân Hòa", COMMUNE2)):
        add_unit(admin, name=name, code=code, abbreviation="ĐU", parent=DISTRICT, kind="grassroots")
    # The tree, searched without diacritics.
    admin.click("#admin-menu")
    admin.fill("#unit-search", "tan hoa")
    admin.press("#unit-search", "Enter")
    admin.wait_for_url("**q=tan+hoa**")
    assert admin.locator("#unit-tree tbody tr").count() == 1

    # Five people with their roles, each with a temporary password.
    for username, full_name, unit, role in PEOPLE:
        admin.goto(live_server.url + "/admin/people/")
        admin.fill("#new-person input[name=full_name]", full_name)
        admin.fill("#new-person input[name=username]", username)
        admin.select_option("#new-person select[name=unit]", unit)
        admin.select_option("#new-person select[name=role]", role)
        admin.fill("#new-person input[name=password]", TEMPORARY)
        admin.click("#new-person button[type=submit]")
        admin.wait_for_url(f"**/admin/people/{username}/")
        assert "mật khẩu tạm" in admin.inner_text("#person-state").lower()

    # A recipient group of the two communes, shared with the units below the province.
    admin.goto(live_server.url + "/groups/")
    admin.fill("#group-form input[name=name]", "Các xã của huyện Mẫu Đông")
    admin.check("#group-form input[name=shared]")
    admin.fill("#group-form .unit-filter", "xa")
    admin.check(f"#group-form input[name=units][value='{COMMUNE1}']")
    admin.check(f"#group-form input[name=units][value='{COMMUNE2}']")
    admin.click("#group-form button[type=submit]")
    assert "Các xã của huyện Mẫu Đông" in admin.inner_text("#groups")

    # The district's specialist drafts, the leader approves, the clerk releases to the group.
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(simple_pdf(["Ke hoach trien khai", "Huyen uy Mau Dong"]))
    cv = sign_in("cv.huyen", TEMPORARY, new_password="Chuyen-vien-huyen-1")
    cv.click("text=Soạn văn bản")
    cv.select_option("select[name=type]", "KH")
    cv.fill("textarea[name=subject]", "Kế hoạch triển khai nghị quyết năm 2027")
    cv.fill("input[name=signer_name]", "Trần Văn Lãnh")
    cv.set_input_files("input[name=file]", str(pdf))
    cv.click("text=Lưu dự thảo")
    cv.click("#submit")
    assert cv.inner_text("#doc-state") == "Chờ duyệt"
    doc_url = cv.url

    ld = sign_in("ld.huyen", TEMPORARY, new_password="Lanh-dao-huyen-1")
    ld.goto(doc_url)
    ld.click("#approve")
    assert ld.inner_text("#doc-state") == "Đã duyệt"

    vt = sign_in("vt.huyen", TEMPORARY, new_password="Van-thu-huyen-1")
    vt.goto(doc_url)
    vt.check("input[name=groups]")
    vt.click("#release")
    assert vt.inner_text("#doc-state") == "Đã ban hành"
    assert "01-KH/HU" in vt.inner_text("h1")
    assert vt.locator("#tracking tbody tr").count() == 2

    # Each commune's clerk finds it and registers it.
    for username in ("vt.xa1", "vt.xa2"):
        clerk = sign_in(username, TEMPORARY, new_password=f"Van-thu-{username}-1")
        clerk.click("text=Văn bản đến")
        clerk.click("text=01-KH/HU")
        clerk.click("#register")
        assert clerk.inner_text("#receipt-state") == "Đã vào sổ"
        assert clerk.inner_text("#incoming-number") == "1"
    vt.reload()
    assert vt.locator("#tracking tbody tr", has_text="Đã vào sổ").count() == 2
