"""A unit's mailbox on a real IMAP server (Dovecot on 127.0.0.1): documents come in once, never lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.utils import timezone

from congvan.capture.actions import process
from congvan.capture.models import Intake
from congvan.dispatch.models import Receipt
from congvan.documents import blobstore
from congvan.documents.models import DocumentFile
from congvan.lib.errors import InvalidInput
from congvan.mail.actions import do_configure_mailbox, do_dismiss_mail_arrival, do_register_mail_arrival
from congvan.mail.fetch import fetch_all
from congvan.mail.models import ArrivalState, MailArrival, Mailbox, MailFile, SeenMail
from congvan.mail.tests.mails import document_pdf, mail_with, pdf_mail
from congvan.orgs.access import acting_as
from congvan.orgs.tests.support import HU

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def box(dovecot, people):
    user, _password = dovecot.account()
    admin = acting_as(people["root"], HU)
    mb = do_configure_mailbox(
        HU, dovecot.settings(user, folders=["INBOX"], after="move", after_folder="Da nhan"), actor=admin
    )
    return mb, user


def read_all() -> None:
    for i in Intake.objects.filter(state="queued"):
        process(i.pk)  # what the worker does


def test_a_mail_with_a_document_is_registered_in_one_step(box, dovecot, people):
    _mb, user = box
    dovecot.deliver(
        user,
        mail_with(
            ("Văn bản 125.pdf", document_pdf(), "application/pdf"),
            ("Phụ lục.pdf", document_pdf("PL", "Phu luc"), "application/pdf"),
        ),
    )
    [result] = fetch_all()
    assert result.counts == {"taken": 1}, result
    assert dovecot.folder_uids(user) == []  # moved out of the inbox
    assert len(dovecot.folder_uids(user, "Da nhan")) == 1
    arrival = MailArrival.objects.get()
    assert arrival.sender == "vanthu@binhtan.gov.vn"
    assert arrival.sender_name == "Văn thư UBND phường Bình Tân"
    assert "UBND phường gửi văn bản" in arrival.body
    assert (
        Mailbox.objects.get().password != "mat-khau-thu" and "mat-khau" not in Mailbox.objects.get().password
    )
    read_all()
    alice = acting_as(people["alice"], HU)
    registered = do_register_mail_arrival(arrival.pk, {"subject": "V/v báo cáo chuyển đổi số"}, actor=alice)
    assert registered.receipt.incoming_number == 1
    arrival.refresh_from_db()
    assert arrival.state == ArrivalState.REGISTERED
    files = list(DocumentFile.objects.filter(document=arrival.document).order_by("position"))
    assert [f.role for f in files][:3] == ["main", "attachment", "attachment"]
    assert files[0].name == "Văn bản 125.pdf" and files[2].name == "Thư điện tử.pdf"
    receipt = Receipt.objects.get(document=arrival.document)
    assert receipt.state == "registered" and receipt.unit.code == HU
    assert receipt.document.issuing_unit.name == "Văn thư UBND phường Bình Tân"


def test_the_same_mail_is_taken_once(box, dovecot, people):
    mb, user = box
    raw = pdf_mail(message_id="<abc-1@binhtan.gov.vn>")
    dovecot.deliver(user, raw)
    dovecot.deliver(user, raw, folder="Lưu trữ")  # the same mail in a second folder
    dovecot.deliver(user, pdf_mail(message_id="<other@binhtan.gov.vn>"))  # sent again: same attachment
    mb.folders = ["INBOX", "Lưu trữ"]
    mb.save()
    [first] = fetch_all()
    assert first.counts == {"taken": 1, "again": 2}
    [second] = fetch_all()
    assert second.counts == {}
    arrival = MailArrival.objects.get()
    assert arrival.notes.count("nhận lại") == 2 and "Lưu trữ" in arrival.notes
    assert Intake.objects.count() == 1


def test_two_fetches_at_once_take_each_mail_once(box, dovecot):
    _mb, user = box
    for i in range(6):
        dovecot.deliver(user, pdf_mail(symbol=f"{i}/UBND-VP", message_id=f"<m{i}@binhtan.gov.vn>"))
    results = []

    def fetch() -> None:
        try:
            results.extend(fetch_all())
        finally:
            connections.close_all()  # the thread's own database connection

    threads = [threading.Thread(target=fetch) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.busy for r in results) == [False, True]
    assert MailArrival.objects.count() == 6
    assert SeenMail.objects.count() == 6


def test_a_fetch_stopped_half_way_resumes_without_loss_or_double(box, dovecot, monkeypatch):
    from congvan.mail import fetch as fetch_module

    _mb, user = box
    for i in range(5):
        dovecot.deliver(user, pdf_mail(symbol=f"{i}/UBND-VP", message_id=f"<c{i}@binhtan.gov.vn>"))
    real_take = fetch_module.take_many  # type: ignore[attr-defined]
    calls = {"n": 0}

    def crashing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second chunk of two mails: the first chunk is written, this one not
            raise KeyboardInterrupt("the worker is stopped")
        return real_take(*args, **kwargs)

    monkeypatch.setattr(fetch_module, "CHUNK", 2)
    monkeypatch.setattr(fetch_module, "take_many", crashing)
    with pytest.raises(KeyboardInterrupt):
        fetch_all()
    assert MailArrival.objects.count() == 2
    assert list(blobstore.temp_dir().iterdir()) == []  # the chunks read ahead left no staged file
    Mailbox.objects.update(lease_until=None)  # the stopped worker's lease runs out
    monkeypatch.setattr(fetch_module, "take_many", real_take)
    [again] = fetch_all()
    assert again.counts == {"taken": 3}
    assert MailArrival.objects.count() == 5
    assert dovecot.folder_uids(user) == []  # every one moved, the first two's step done late


def test_a_fault_while_reading_a_mail_is_reported_and_the_mail_read_again(box, dovecot, monkeypatch):
    """A fault of congvan's own while a mail is read (here made up): the fetch ends with the error named,
    no traceback, what came before is kept, nothing is staged; the next fetch takes the rest once."""
    from congvan.mail import fetch as fetch_module

    _mb, user = box
    for i in range(5):
        dovecot.deliver(user, pdf_mail(symbol=f"{i}/UBND-VP", message_id=f"<f{i}@binhtan.gov.vn>"))
    real_read = fetch_module.read_ahead  # type: ignore[attr-defined]

    def faulty(mailbox, raw, too_big=None):
        if b"<f3@binhtan.gov.vn>" in raw:
            raise RuntimeError("a fault of the reader")
        return real_read(mailbox, raw, too_big)

    monkeypatch.setattr(fetch_module, "CHUNK", 2)
    monkeypatch.setattr(fetch_module, "read_ahead", faulty)
    [result] = fetch_all()
    assert "RuntimeError" in result.error and result.counts == {"taken": 2}
    assert Mailbox.objects.get().last_error == result.error
    assert list(blobstore.temp_dir().iterdir()) == []
    monkeypatch.setattr(fetch_module, "read_ahead", real_read)
    [again] = fetch_all()
    assert not again.error and again.counts == {"taken": 3}
    assert sorted(MailArrival.objects.values_list("message_id", flat=True)) == [
        f"<f{i}@binhtan.gov.vn>" for i in range(5)
    ]


def test_a_uidvalidity_change_does_not_take_mails_twice(box, dovecot):
    import time

    from congvan.mail.imap import quote_folder

    mb, user = box
    mb.after, mb.folders = "flag", ["Công văn"]
    mb.save()
    raw = pdf_mail(message_id="<u1@binhtan.gov.vn>")
    dovecot.deliver(user, raw, folder="Công văn")
    assert fetch_all()[0].counts == {"taken": 1}
    client = dovecot.client(user)  # the folder is rebuilt: a new UIDVALIDITY, UIDs from 1 again
    client.delete(quote_folder("Công văn"))
    client.logout()
    time.sleep(1.1)  # Dovecot's UIDVALIDITY is a time in seconds
    dovecot.deliver(user, raw, folder="Công văn")
    dovecot.deliver(user, pdf_mail(symbol="2/UBND", message_id="<u2@binhtan.gov.vn>"), folder="Công văn")
    [result] = fetch_all()
    assert result.counts == {"again": 1, "taken": 1}
    assert MailArrival.objects.count() == 2


def test_rules_and_mails_without_documents_leave_the_mailbox_alone(box, dovecot):
    mb, user = box
    mb.senders = ["@binhtan.gov.vn"]
    mb.save()
    dovecot.deliver(user, mail_with(body="Chỉ là lời chào, không có tệp."))
    dovecot.deliver(user, pdf_mail(sender=("Quảng cáo", "ads@example.com")))
    dovecot.deliver(user, mail_with(("anh.gif", b"GIF89a....", "image/gif")))
    [result] = fetch_all()
    assert result.counts == {"skipped": 3}
    assert len(dovecot.folder_uids(user)) == 3  # still there, untouched
    assert MailArrival.objects.count() == 0


def test_a_mailbox_set_up_leaves_its_old_mail_alone_until_an_earlier_day_is_given(dovecot, people):
    """An office connects its real mailbox, years of mail in it: only what arrives from the day before the
    setup on becomes the clerks' work; the admin gives an earlier day, and the older mail is taken too."""
    import datetime as dt

    user, _password = dovecot.account()
    now = dt.datetime.now(dt.UTC)
    dovecot.deliver(
        user, pdf_mail(subject="Công văn năm ngoái", symbol="7/UBND-VP"), at=now - dt.timedelta(days=400)
    )
    dovecot.deliver(
        user, pdf_mail(subject="Công văn tháng trước", symbol="88/UBND-VP"), at=now - dt.timedelta(days=30)
    )
    admin = acting_as(people["root"], HU)
    settings = dovecot.settings(user, after="move", after_folder="Da nhan")
    mb = do_configure_mailbox(HU, settings, actor=admin)
    assert mb.since == (timezone.localdate() - dt.timedelta(days=1))
    dovecot.deliver(user, pdf_mail(subject="Công văn hôm nay", symbol="140/UBND-VP"))
    assert fetch_all()[0].counts == {"taken": 1}
    assert list(MailArrival.objects.values_list("subject", flat=True)) == ["Công văn hôm nay"]
    assert len(dovecot.folder_uids(user)) == 2  # the old ones still in the inbox, untouched
    # saved again from the page without a day: the day stays
    do_configure_mailbox(HU, {**settings, "password": "", "since": ""}, actor=admin)
    assert fetch_all()[0].counts == {}
    # an earlier day: last month's mail is taken, last year's stays
    since = (now - dt.timedelta(days=60)).date()
    assert do_configure_mailbox(HU, {**settings, "since": since.isoformat()}, actor=admin).since == since
    assert fetch_all()[0].counts == {"taken": 1}
    assert MailArrival.objects.filter(subject="Công văn tháng trước").exists()
    assert len(dovecot.folder_uids(user)) == 1
    with pytest.raises(InvalidInput):
        do_configure_mailbox(HU, {**settings, "since": "30/11/2026"}, actor=admin)


def test_a_document_forwarded_as_an_attachment_is_taken_and_known_again(box, dovecot):
    """A colleague forwards an agency's mail "as attachment" to the office mailbox: its document is taken
    with the forward's words and the original's heading; the same mail come in directly as well is one
    arrival with a note."""
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    _mb, user = box
    original = pdf_mail(symbol="41/UBND-VP", message_id="<goc-41@binhtan.gov.vn>")
    forward = EmailMessage()
    forward["From"] = "Nguyễn Văn A <a@huyenuy.gov.vn>"
    forward["To"] = "vanthu@huyenuy.gov.vn"
    forward["Subject"] = "Fwd: Gửi văn bản 41/UBND-VP"
    forward.set_content("Chị đăng ký giúp em văn bản này.")
    forward.add_attachment(message_from_bytes(original, policy=policy.default))
    dovecot.deliver(user, forward.as_bytes())
    dovecot.deliver(user, original)
    [result] = fetch_all()
    assert result.counts == {"taken": 1, "again": 1}, result
    arrival = MailArrival.objects.get()
    assert arrival.sender == "a@huyenuy.gov.vn" and arrival.subject == "Fwd: Gửi văn bản 41/UBND-VP"
    assert arrival.body.startswith("Chị đăng ký giúp em văn bản này.")
    assert "Người gửi: Văn thư UBND phường Bình Tân <vanthu@binhtan.gov.vn>" in arrival.body
    assert "UBND phường gửi văn bản đính kèm." in arrival.body
    assert [f.intake.name for f in arrival.files.select_related("intake")] == ["Văn bản 125.pdf"]
    assert "nhận lại" in arrival.notes


def test_a_zipped_dossier_arrives_as_the_documents_inside(box, dovecot):
    import io
    import zipfile

    _mb, user = box
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Hồ sơ/Tờ trình 12.pdf", document_pdf("12/TTr-UBND"))
        archive.writestr("Hồ sơ/Quyết định 3.pdf", document_pdf("3/QĐ-UBND"))
        archive.writestr("Hồ sơ/đọc trước.txt", "Hồ sơ gồm hai văn bản.")
    dovecot.deliver(user, mail_with(("Ho so.zip", packed.getvalue(), "application/x-zip-compressed")))
    assert fetch_all()[0].counts == {"taken": 1}
    arrival = MailArrival.objects.get()
    names = list(arrival.files.order_by("position").values_list("intake__name", flat=True))
    assert names == ["Tờ trình 12.pdf", "Quyết định 3.pdf"]


def test_documents_whose_names_lie_are_taken_under_their_true_extension(box, dovecot):
    """A phone's PNG named .jpg, a PDF saved as "cong van.doc": the mail was refused whole for them."""
    import io

    from PIL import Image

    _mb, user = box
    png = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 90, 200)).save(png, "PNG")
    raw = mail_with(
        ("Ảnh chụp.jpg", png.getvalue(), "image/jpeg"),
        ("Công văn 12.doc", document_pdf("12/UBND-VP"), "application/msword"),
    )
    dovecot.deliver(user, raw)
    assert fetch_all()[0].counts == {"taken": 1}
    arrival = MailArrival.objects.get()
    assert arrival.state == ArrivalState.NEW and not arrival.reason
    files = list(arrival.files.order_by("position").values_list("intake__name", "intake__blob__mime"))
    assert files == [("Ảnh chụp.png", "image/png"), ("Công văn 12.pdf", "application/pdf")]


def test_a_garbled_sender_does_not_stop_the_fetch(box, dovecot):
    """A sender's name in an encoded word whose charset holds a byte outside ASCII (the standard library
    raises on it): that mail is taken like the others, its address kept, and the mails after it too."""
    _mb, user = box
    dovecot.deliver(user, pdf_mail(symbol="1/UBND", message_id="<g1@binhtan.gov.vn>"))
    garbled = pdf_mail(symbol="2/UBND", message_id="<g2@binhtan.gov.vn>")
    assert b"From: =?utf-8?" in garbled
    dovecot.deliver(user, garbled.replace(b"From: =?utf-8?", b"From: =?utf\xca8?", 1))
    dovecot.deliver(user, pdf_mail(symbol="3/UBND", message_id="<g3@binhtan.gov.vn>"))
    [result] = fetch_all()
    assert not result.error and result.counts == {"taken": 3}
    odd = MailArrival.objects.get(message_id="<g2@binhtan.gov.vn>")
    assert odd.sender == "vanthu@binhtan.gov.vn" and odd.files.count() == 1


def test_a_chunk_of_every_kind_of_mail_is_taken_in_one_go(box, dovecot, people):
    """One fetch's chunk holds mails taken, refused, not for congvan and taken before: each gets its
    outcome, its place, its audit event and (when taken) one notice per clerk, as one mail alone would."""
    from congvan.audit.models import AuditEvent
    from congvan.workflow.models import Notification

    _mb, user = box
    dovecot.deliver(user, pdf_mail(symbol="1/UBND", message_id="<k1@binhtan.gov.vn>"))
    assert fetch_all()[0].counts == {"taken": 1}
    dovecot.deliver(user, pdf_mail(symbol="1/UBND", message_id="<k1@binhtan.gov.vn>"))  # taken before
    dovecot.deliver(user, pdf_mail(symbol="2/UBND", message_id="<k2@binhtan.gov.vn>"))
    dovecot.deliver(user, pdf_mail(subject="TỐI MẬT - Gửi văn bản", message_id="<k3@binhtan.gov.vn>"))
    dovecot.deliver(user, mail_with(subject="Lời chào", message_id="<k4@binhtan.gov.vn>"))  # no document
    dovecot.deliver(user, pdf_mail(symbol="5/UBND", message_id="<k5@binhtan.gov.vn>"))
    [result] = fetch_all()
    assert result.counts == {"again": 1, "taken": 2, "refused": 1, "skipped": 1}
    assert SeenMail.objects.count() == 6
    taken = MailArrival.objects.exclude(state=ArrivalState.REFUSED).order_by("pk")
    assert [a.message_id for a in taken] == [
        "<k1@binhtan.gov.vn>",
        "<k2@binhtan.gov.vn>",
        "<k5@binhtan.gov.vn>",
    ]
    assert "nhận lại" in taken[0].notes
    assert [a.files.count() for a in taken] == [1, 1, 1]
    assert MailArrival.objects.get(state=ArrivalState.REFUSED).body == ""
    actions = list(
        AuditEvent.objects.filter(action__in=["mail.arrived", "mail.refused"]).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["mail.arrived"] * 3 + ["mail.refused"]
    told = Notification.objects.filter(user=people["alice"], kind="mail_arrived")
    assert told.count() == 3 and {n.about_id for n in told} == {
        f.intake_id for a in taken for f in a.files.all()
    }
    assert len(dovecot.folder_uids(user)) == 2  # the refused mail and the one not for congvan stay


def test_the_documents_of_a_fetch_are_read_by_the_worker(box, dovecot):
    """The intakes of a chunk of mails are queued as one task, and the worker reads them all."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    _mb, user = box
    for i in range(3):
        dovecot.deliver(user, pdf_mail(symbol=f"{i + 1}/UBND-VP", message_id=f"<w{i}@binhtan.gov.vn>"))
    assert fetch_all()[0].counts == {"taken": 3}
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("db_worker", batch=True, interval=0.05, verbosity=0)
    assert list(Intake.objects.values_list("state", flat=True)) == ["done"] * 3
    texts = sorted(" ".join(i.text.split()) for i in Intake.objects.all())
    assert [t.split("So: ")[1].split()[0] for t in texts] == ["1/UBND-VP", "2/UBND-VP", "3/UBND-VP"]


def test_a_classified_mail_is_refused_and_kept_in_the_mailbox(box, dovecot, people):
    _mb, user = box
    dovecot.deliver(user, pdf_mail(subject="MẬT - Gửi văn bản"))
    [result] = fetch_all()
    assert result.counts == {"refused": 1}
    arrival = MailArrival.objects.get()
    assert arrival.state == ArrivalState.REFUSED and "MẬT" in arrival.reason
    assert Intake.objects.count() == 0
    assert len(dovecot.folder_uids(user)) == 1


def test_a_classified_mail_forwarded_as_an_attachment_is_refused(box, dovecot):
    """The mark on the subject of the mail inside a forward (the forward's own subject is plain)."""
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    _mb, user = box
    forward = EmailMessage()
    forward["From"] = "a@huyenuy.gov.vn"
    forward["Subject"] = "Fwd: văn bản"
    forward.set_content("Chuyển tiếp.")
    forward.add_attachment(message_from_bytes(pdf_mail(subject="TỐI MẬT - Kế hoạch"), policy=policy.default))
    dovecot.deliver(user, forward.as_bytes())
    [result] = fetch_all()
    assert result.counts == {"refused": 1}
    arrival = MailArrival.objects.get()
    assert arrival.state == ArrivalState.REFUSED and "TỐI MẬT" in arrival.reason and arrival.body == ""
    assert Intake.objects.count() == 0 and len(dovecot.folder_uids(user)) == 1


def test_an_attachment_marked_secret_inside_is_refused_at_registration(box, dovecot, people):
    from congvan.lib.pdfgen import simple_pdf

    _mb, user = box
    secret = simple_pdf(["MAT", "UY BAN NHAN DAN", "So: 1/UBND"])
    dovecot.deliver(user, mail_with(("vb.pdf", secret, "application/pdf")))
    fetch_all()
    read_all()
    arrival = MailArrival.objects.get()
    from congvan.lib.errors import CongvanError

    with pytest.raises(CongvanError):
        do_register_mail_arrival(arrival.pk, {}, actor=acting_as(people["alice"], HU))


def test_a_clerk_dismisses_a_mail_with_a_reason(box, dovecot, people):
    _mb, user = box
    dovecot.deliver(user, pdf_mail())
    fetch_all()
    arrival = MailArrival.objects.get()
    alice = acting_as(people["alice"], HU)
    from congvan.lib.errors import CongvanError

    with pytest.raises(CongvanError):
        do_dismiss_mail_arrival(arrival.pk, reason="  ", actor=alice)
    do_dismiss_mail_arrival(arrival.pk, reason="Thư quảng cáo", actor=alice)
    arrival.refresh_from_db()
    assert arrival.state == ArrivalState.DISMISSED
    with pytest.raises(CongvanError):  # another unit's clerk does not see it
        do_dismiss_mail_arrival(arrival.pk, reason="x", actor=acting_as(people["dan"], "000.01.01.H57"))


def test_the_fetch_command_reads_one_units_mailbox(box, dovecot):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    _mb, user = box
    dovecot.deliver(user, pdf_mail())
    out = StringIO()
    call_command("mail", "fetch", "--unit", HU, stdout=out)
    assert '"taken": 1' in out.getvalue()
    Mailbox.objects.update(port=1)  # nothing listens there
    with pytest.raises(CommandError, match=r"127\.0\.0\.1:1"):
        call_command("mail", "fetch", stdout=StringIO())


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_a_mailbox_over_tls_is_read_when_its_certificate_is_trusted(dovecot, people, settings, security):
    from congvan.lib.errors import CongvanError
    from congvan.mail.actions import check_mailbox

    user, password = dovecot.account()
    admin = acting_as(people["root"], HU)
    port = dovecot.tls_port if security == "tls" else dovecot.port
    do_configure_mailbox(
        HU,
        {
            "address": "vanthu@huyenuy.gov.vn",
            "host": "127.0.0.1",
            "port": port,
            "security": security,
            "username": user,
            "password": password,
        },
        actor=admin,
    )
    settings.MAIL_CA_FILE = ""  # the system's authorities do not know this server: refused, said plainly
    with pytest.raises(CongvanError, match=r"127\.0\.0\.1"):
        check_mailbox(admin, HU)
    settings.MAIL_CA_FILE = dovecot.ca_file  # the office's own authority
    assert check_mailbox(admin, HU)["folders"]["INBOX"] > 0
    dovecot.deliver(user, pdf_mail())
    assert fetch_all()[0].counts == {"taken": 1}


def test_large_mails_are_fetched_a_few_at_a_time(box, dovecot, monkeypatch):
    """The chunks read ahead are held in memory: they are cut by size as well as by number (the server
    says each mail's size first), a mail bigger than the limit fetched alone; every mail is taken."""
    import os

    from congvan.mail import fetch as fetch_module
    from congvan.mail.imap import Imap

    _mb, user = box
    sizes = [300_000, 300_000, 1_500_000, 300_000, 300_000, 300_000]
    for i, size in enumerate(sizes):
        pdf = document_pdf(f"{i}/UBND-VP") + b"%" + os.urandom(size).hex().encode()[:size] + b"\n%%EOF\n"
        dovecot.deliver(user, mail_with((f"vb{i}.pdf", pdf, "application/pdf"), message_id=f"<big{i}@x.vn>"))
    fetched: list[int] = []
    real_fetch = Imap.fetch

    def counted(self, uids, **kwargs):
        fetched.append(len(uids))
        return real_fetch(self, uids, **kwargs)

    monkeypatch.setattr(Imap, "fetch", counted)
    monkeypatch.setattr(fetch_module, "CHUNK_BYTES", 1_000_000)  # base64 makes 300 KB about 410 KB
    [result] = fetch_all()
    assert result.counts == {"taken": 6}
    assert fetched == [2, 1, 2, 1]  # two and two, the big one alone, the last one alone
    assert MailArrival.objects.count() == 6


def test_chunks_are_cut_by_number_and_by_size():
    from congvan.mail import fetch as fetch_module

    cut = fetch_module._chunks
    limit = fetch_module.CHUNK_BYTES
    assert cut([], {}) == []
    assert cut(list(range(1, 61)), {}) == [list(range(1, 26)), list(range(26, 51)), list(range(51, 61))]
    half = limit // 2
    assert cut([1, 2, 3, 4], {1: half, 2: half, 3: half, 4: 10}) == [[1, 2], [3, 4]]
    assert cut([1, 2, 3], {1: 10, 2: limit * 3, 3: 10}) == [[1], [2], [3]]  # the big one alone
    assert cut([1, 2, 3], {2: limit, 3: 1}) == [[1, 2], [3]]  # no size known (1): counts as nothing


def test_a_mail_over_the_size_limit_is_refused_from_its_headers_without_being_downloaded(
    box, dovecot, monkeypatch, settings
):
    """A mail the server says is bigger than MAIL_MAX_BYTES: only its headers are fetched; it is refused
    with the reason (who sent it, its subject), left in the mailbox, and not taken again next time."""
    import os

    from congvan.mail.imap import Imap

    _mb, user = box
    settings.MAIL_MAX_BYTES = 500_000
    big = document_pdf("9/UBND-VP") + b"%" + os.urandom(300_000).hex().encode() + b"\n%%EOF\n"
    dovecot.deliver(user, pdf_mail(symbol="1/UBND-VP", message_id="<small@binhtan.gov.vn>"))
    dovecot.deliver(
        user,
        mail_with(
            ("Ban do.pdf", big, "application/pdf"), subject="Bản đồ quy hoạch", message_id="<big@x.vn>"
        ),
    )
    asked: list[tuple[list[int], bool]] = []
    real_fetch = Imap.fetch

    def spied(self, uids, *, headers_only=False):
        asked.append((list(uids), headers_only))
        return real_fetch(self, uids, headers_only=headers_only)

    monkeypatch.setattr(Imap, "fetch", spied)
    [result] = fetch_all()
    assert result.counts == {"taken": 1, "refused": 1}
    assert asked == [([1], False), ([2], True)]  # the big one's body never asked for
    refused = MailArrival.objects.get(state=ArrivalState.REFUSED)
    assert refused.subject == "Bản đồ quy hoạch" and refused.message_id == "<big@x.vn>"
    assert "quá lớn" in refused.reason and "1 MB" in refused.reason and refused.body == ""
    assert not MailFile.objects.filter(arrival=refused).exists()
    assert dovecot.folder_uids(user, "INBOX") == [2]  # the small one moved, the big one left
    Mailbox.objects.update(lease_until=None)
    [again] = fetch_all()
    assert again.counts == {} and MailArrival.objects.count() == 2
