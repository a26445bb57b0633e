"""The mail reader on mails as real clients write them, byte for byte (Outlook, Thunderbird, Gmail,
Apple Mail, a webmail of a provincial mail server, a forward, a bounce) and on hostile ones: each
read for who sent it, its words and its documents, and none ever raises."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from congvan.lib import filetypes
from congvan.lib.pdfgen import simple_pdf
from congvan.mail.reading import MAX_PARTS, read_mail

PDF = simple_pdf(["UY BAN NHAN DAN", "So: 12/UBND-VP"])
B64 = base64.encodebytes(PDF).decode().replace("\n", "\r\n")


def crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


OUTLOOK = crlf(
    """From: =?utf-8?B?VsSDbiB0aMawIFVCTkQgcGjGsOG7nW5nIELDrG5oIFTDom4=?= <VanThu@BinhTan.gov.vn>
To: "vanthu@huyenuy.gov.vn" <vanthu@huyenuy.gov.vn>
Subject: =?utf-8?B?R+G7rWkgdsSDbiBi4bqjbiBz4buRIDEyL1VCTkQtVlA=?=
Date: Tue, 3 Nov 2026 09:15:02 +0700
Message-ID: <SG2PR01MB1234ABCD@SG2PR01MB1234.apcprd01.prod.exchangelabs.com>
Content-Type: multipart/mixed;
\tboundary="_004_SG2PR01MB1234ABCD_"
MIME-Version: 1.0

--_004_SG2PR01MB1234ABCD_
Content-Type: multipart/alternative;
\tboundary="_000_SG2PR01MB1234ABCD_"

--_000_SG2PR01MB1234ABCD_
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64

S8OtbmggZ+G7rWkgSHV54buHbiDhu6d5Lg0KVHLDom4gdHLhu41uZy4NCg==

--_000_SG2PR01MB1234ABCD_
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: base64

PGh0bWw+PGJvZHk+PHA+S8OtbmggZ+G7rWk8L3A+PC9ib2R5PjwvaHRtbD4=

--_000_SG2PR01MB1234ABCD_--

--_004_SG2PR01MB1234ABCD_
Content-Type: application/pdf; name="=?utf-8?B?VsSDbiBi4bqjbiAxMi5wZGY=?="
Content-Description: =?utf-8?B?VsSDbiBi4bqjbiAxMi5wZGY=?=
Content-Disposition: attachment; filename="=?utf-8?B?VsSDbiBi4bqjbiAxMi5wZGY=?=";
\tsize=1234; creation-date="Tue, 03 Nov 2026 02:14:00 GMT"
Content-Transfer-Encoding: base64

"""
    + B64
    + """
--_004_SG2PR01MB1234ABCD_--
"""
)

THUNDERBIRD = crlf(
    """Message-ID: <a1b2c3d4-0000-4000-8000-123456789abc@sotttt.gov.vn>
Date: Wed, 4 Nov 2026 14:02:11 +0700
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: vi
To: vanthu@huyenuy.gov.vn
From: =?UTF-8?Q?S=E1=BB=9F_Th=C3=B4ng_tin?= <vanthu@sotttt.gov.vn>
Subject: =?UTF-8?Q?C=C3=B4ng_v=C4=83n_h=C6=B0=E1=BB=9Bng_d=E1=BA=ABn?=
Content-Type: multipart/mixed; boundary="------------Xy7Zb3Q2"

This is a multi-part message in MIME format.
--------------Xy7Zb3Q2
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: quoted-printable

K=C3=ADnh g=E1=BB=ADi Huy=E1=BB=87n =E1=BB=A7y,
S=E1=BB=9F g=E1=BB=ADi c=C3=B4ng v=C4=83n h=C6=B0=E1=BB=9Bng d=E1=BA=ABn.

--------------Xy7Zb3Q2
Content-Type: application/pdf;
 name*0*=UTF-8''C%C3%B4ng%20v%C4%83n%20h%C6%B0%E1%BB%9Bng;
 name*1*=%20d%E1%BA%ABn.pdf
Content-Disposition: attachment;
 filename*0*=UTF-8''C%C3%B4ng%20v%C4%83n%20h%C6%B0%E1%BB%9Bng;
 filename*1*=%20d%E1%BA%ABn.pdf
Content-Transfer-Encoding: base64

"""
    + B64
    + """
--------------Xy7Zb3Q2--
"""
)

# Gmail: HTML only in the alternative's second part, attachment named in plain UTF-8 (RFC 6532 style)
GMAIL = (
    crlf(
        """MIME-Version: 1.0
Date: Thu, 5 Nov 2026 08:00:00 +0700
Message-ID: <CAF=abc+123@mail.gmail.com>
Subject: =?UTF-8?B?VGjDtG5nIGLDoW8=?=
From: Nguyen Van A <nguyenvana@gmail.com>
To: vanthu@huyenuy.gov.vn
Content-Type: multipart/mixed; boundary="000000000000abcdef0123456789"

--000000000000abcdef0123456789
Content-Type: multipart/alternative; boundary="000000000000fedcba9876543210"

--000000000000fedcba9876543210
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">Th=C3=B4ng b=C3=A1o<br><script>alert(1)</script>k=C3=A8m theo</div>

--000000000000fedcba9876543210--
--000000000000abcdef0123456789
Content-Type: application/pdf; name="Thông báo.pdf"
Content-Disposition: attachment; filename="Thông báo.pdf"
Content-Transfer-Encoding: base64
X-Attachment-Id: f_abc123

"""
    )
    .decode()
    .encode("utf-8")
    + B64.encode()
    + b"\r\n--000000000000abcdef0123456789--\r\n"
)

# a webmail that writes bare LF line ends, a Windows-1258 text and an attachment sent as octet-stream
WEBMAIL = (
    b"From: vanthu@xa.gov.vn\nTo: vanthu@huyenuy.gov.vn\nSubject: Bao cao\n"
    b"Date: 6 Nov 2026 10:00:00 +0700\nMIME-Version: 1.0\n"
    b'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
    b"Content-Type: text/plain; charset=windows-1258\n\n"
    + "Kính thưa".encode("cp1258")
    + b"\n--b1\nContent-Type: application/octet-stream; name=bao-cao.pdf\n"
    b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(PDF) + b"--b1--\n"
)

FORWARD = crlf(
    """From: vanthu@huyenuy.gov.vn
To: vanthu@huyenuy.gov.vn
Subject: Fwd: Van ban
Message-ID: <fwd-1@huyenuy.gov.vn>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: text/plain; charset=utf-8

Chuyển tiếp.
--outer
Content-Type: message/rfc822

From: a@b.vn
Subject: Van ban goc
Content-Type: multipart/mixed; boundary="inner"

--inner
Content-Type: text/plain

goc
--inner
Content-Type: application/pdf; name="goc.pdf"
Content-Transfer-Encoding: base64

"""
    + B64
    + """
--inner--
--outer--
"""
)


def test_outlook_names_and_text_in_rfc_2047():
    mail = read_mail(OUTLOOK)
    assert mail.sender == "vanthu@binhtan.gov.vn"
    assert mail.sender_name == "Văn thư UBND phường Bình Tân"
    assert mail.subject == "Gửi văn bản số 12/UBND-VP"
    assert mail.message_id == "<SG2PR01MB1234ABCD@SG2PR01MB1234.apcprd01.prod.exchangelabs.com>"
    assert mail.sent_at is not None and mail.sent_at.utcoffset() == dt.timedelta(hours=7)
    assert mail.body.startswith("Kính gửi Huyện ủy.")
    [doc] = mail.documents()
    assert doc.name == "Văn bản 12.pdf" and doc.data == PDF and doc.mime == filetypes.PDF


def test_thunderbird_quoted_printable_and_rfc_2231_continued_names():
    mail = read_mail(THUNDERBIRD)
    assert mail.sender_name == "Sở Thông tin" and mail.subject == "Công văn hướng dẫn"
    assert "Sở gửi công văn hướng dẫn." in mail.body
    [doc] = mail.documents()
    assert doc.name == "Công văn hướng dẫn.pdf" and doc.data == PDF


def test_gmail_html_only_and_raw_utf8_names():
    mail = read_mail(GMAIL)
    assert mail.subject == "Thông báo"
    assert "Thông báo" in mail.body and "kèm theo" in mail.body and "alert" not in mail.body
    [doc] = mail.documents()
    assert doc.name == "Thông báo.pdf" and doc.data == PDF


def test_bare_lf_a_vietnamese_code_page_and_a_document_sent_as_octet_stream():
    mail = read_mail(WEBMAIL)
    assert mail.body == "Kính thưa"
    [doc] = mail.documents()
    assert doc.name == "bao-cao.pdf" and doc.mime == filetypes.PDF and doc.data == PDF


def test_a_mail_forwarded_as_an_attachment_gives_its_documents_and_its_words_under_a_heading():
    mail = read_mail(FORWARD)
    [doc] = mail.documents()
    assert doc.name == "goc.pdf" and doc.data == PDF
    assert mail.sender == "vanthu@huyenuy.gov.vn"  # who forwarded it
    heading = "---------- Thư đính kèm ----------\nNgười gửi: a@b.vn\nTiêu đề thư: Van ban goc"
    assert mail.body == f"Chuyển tiếp.\n\n{heading}\ngoc"


def test_outlook_forwards_as_an_attachment_in_html_with_the_mail_in_base64():
    """Outlook's "Forward as Attachment": its own words in HTML only, the mail attached with a name and
    (against RFC 2046, but sent) in base64; inside, a Vietnamese subject, a text and an HTML alternative."""
    inner = crlf(
        """From: =?utf-8?B?U+G7nyBUaMO0bmcgdGluIHbDoCBUcnV54buBbiB0aMO0bmc=?= <vanthu@stttt.gov.vn>
Date: Tue, 01 Dec 2026 08:00:00 +0700
Subject: =?utf-8?B?Q8O0bmcgdsSDbiAzMi9TVFRUVC1WUA==?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="in"

--in
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8

Sở gửi công văn.
--alt
Content-Type: text/html; charset=utf-8

<p>Sở gửi công văn.</p>
--alt--
--in
Content-Type: application/pdf; name="32.pdf"
Content-Disposition: attachment; filename="32.pdf"
Content-Transfer-Encoding: base64

"""
        + B64
        + """
--in--
"""
    )
    outer = (
        crlf(
            """From: Nguyen Van A <a@huyenuy.gov.vn>
To: vanthu@huyenuy.gov.vn
Subject: FW: Cong van 32
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="out"

--out
Content-Type: text/html; charset=utf-8

<html><body><p>Chị đăng ký giúp em.</p></body></html>
--out
Content-Type: message/rfc822; name="Cong van 32.eml"
Content-Disposition: attachment; filename="Cong van 32.eml"
Content-Transfer-Encoding: base64

"""
        )
        + base64.encodebytes(inner).replace(b"\n", b"\r\n")
        + b"\r\n--out--\r\n"
    )
    mail = read_mail(outer)
    assert mail.subject == "FW: Cong van 32" and mail.sender == "a@huyenuy.gov.vn"
    [doc] = mail.documents()
    assert doc.name == "32.pdf" and doc.data == PDF and doc.mime == filetypes.PDF
    assert mail.body.startswith("Chị đăng ký giúp em.")
    assert "Người gửi: Sở Thông tin và Truyền thông <vanthu@stttt.gov.vn>" in mail.body
    assert "Tiêu đề thư: Công văn 32/STTTT-VP" in mail.body
    assert mail.body.endswith("Sở gửi công văn.")  # the text alternative, once


def test_the_copy_of_a_sent_mail_inside_a_delivery_report_is_not_opened():
    """A bounce that carries the whole mail this server sent (with its signed PDF) is a report about
    it: its document is ours, not an arrival."""
    raw = crlf(
        """From: MAILER-DAEMON@mail.huyenuy.gov.vn
To: vanthu@huyenuy.gov.vn
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="R"

--R
Content-Type: text/plain

Not delivered.
--R
Content-Type: message/delivery-status

Final-Recipient: rfc822; x@xa.gov.vn
Action: failed
Status: 5.1.1

--R
Content-Type: message/rfc822

From: vanthu@huyenuy.gov.vn
Message-ID: <out-9@huyenuy.gov.vn>
Subject: 12/UBND-VP
Content-Type: multipart/mixed; boundary="S"

--S
Content-Type: application/pdf; name="12.pdf"
Content-Transfer-Encoding: base64

"""
        + B64
        + """
--S--
--R--
"""
    )
    mail = read_mail(raw)
    assert mail.report is not None and mail.report.original_id == "<out-9@huyenuy.gov.vn>"
    assert mail.documents() == [] and mail.body == "Not delivered."


def test_mails_attached_inside_mails_are_opened_only_so_deep():
    """A bomb of mails attached inside mails: read to MAX_DEPTH levels, quickly, without an error."""
    import time

    from congvan.mail.reading import MAX_DEPTH

    raw = b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + B64.encode()
    for i in range(200):
        raw = f"Subject: lop {i}\r\nContent-Type: message/rfc822\r\n\r\n".encode() + raw
    started = time.monotonic()
    mail = read_mail(raw)
    assert time.monotonic() - started < 2
    assert mail.subject == "lop 199" and mail.documents() == [] and mail.problems == []
    assert mail.body.count("Thư đính kèm") == MAX_DEPTH


def test_a_cut_base64_is_read_as_far_as_it_goes():
    raw = OUTLOOK.replace(B64.encode(), B64.encode()[:-7])
    mail = read_mail(raw)
    assert mail.subject == "Gửi văn bản số 12/UBND-VP"
    [doc] = mail.attachments
    assert 0 < len(doc.data) <= len(PDF) and PDF.startswith(doc.data[:100])


HOSTILE = {
    "empty": b"",
    "no blank line": b"From: a@b.vn\r\nSubject: x",
    "binary": bytes(range(256)) * 64,
    "NUL in headers": b"From: a\x00@b.vn\r\nSubject: \x00\x01\r\n\r\nbody",
    "unknown charset": b'Content-Type: text/plain; charset="x-unknown-99"\r\nSubject: x\r\n\r\nabc',
    "broken encoded word": b"Subject: =?utf-8?B?!!!?= =?x?Q?a?=\r\nFrom: =?utf-8?Q?=ZZ?= <a@b>\r\n\r\nx",
    "bad date": b"Date: 99 Foo 2026 25:61:00 +9999\r\nSubject: x\r\n\r\nx",
    "boundary never closed": b'Content-Type: multipart/mixed; boundary="z"\r\n\r\n'
    b"--z\r\nContent-Type: text/plain\r\n\r\nhi",
    "empty boundary": b'Content-Type: multipart/mixed; boundary=""\r\n\r\n--\r\nx',
    "many parts": b'Content-Type: multipart/mixed; boundary="p"\r\n\r\n'
    + b"--p\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n" * 5000
    + b"--p--\r\n",
    "deep nesting": b"".join(
        f'Content-Type: multipart/mixed; boundary="d{i}"\r\n\r\n--d{i}\r\n'.encode() for i in range(500)
    ),
    "delimiter look-alikes": b'Content-Type: multipart/mixed; boundary="p"\r\n\r\n--p\r\n\r\n'
    + b"--px\r\n" * 200_000,
    "huge header": b"Subject: " + b"a" * 2_000_000 + b"\r\n\r\nx",
    "header without colon": b"Subject x\r\n: y\r\n\tz\r\n\r\nbody",
    "8-bit name not UTF-8": b'Subject: b\xe1o c\xe1o\r\nContent-Type: application/pdf; name="b\xe1o.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=",
    "8-bit charset of an encoded word": b"From: =?utf\xca8?B?VsSDbg==?= <a@b.vn>\r\n"
    b"Subject: =?\xe2TF-8?Q?x?=\r\n\r\nx",
}


@pytest.mark.parametrize("raw", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_mails_are_read_without_raising(raw):
    mail = read_mail(raw)
    assert len(mail.attachments) <= MAX_PARTS
    assert len(mail.subject) <= 500 and len(mail.body) <= 200_000 and len(mail.headers) <= 64_000


def test_an_encoded_word_whose_charset_is_not_ascii_keeps_the_sender():
    """A byte outside ASCII in an encoded word's charset (the standard library raises CharsetError, which
    had stopped the whole fetch at that mail): the word is shown as written, the rest read as usual."""
    raw = OUTLOOK.replace(b"From: =?utf-8?B?", b"From: =?utf\xca8?B?", 1)
    mail = read_mail(raw)
    assert mail.sender == "vanthu@binhtan.gov.vn" and "=?utf" in mail.sender_name
    assert mail.subject == "Gửi văn bản số 12/UBND-VP" and [d.data for d in mail.documents()] == [PDF]


def test_mails_of_real_clients_cut_and_garbled_are_read_without_raising():
    """A bounded fuzz run: the clients' mails above with delimiters, encoded words, line ends and bytes
    inserted, cut out or changed (a fixed seed: the same 1,500 mails every run)."""
    import random

    rnd = random.Random(2026)
    pieces = [b"--", b"\r\n", b"\n", b"=?utf-8?B?", b"?=", b"\x00", b"\xff", b"filename*0*=", b"%", b'"']
    pieces += [b"boundary=", b"base64", b"=\r\n", b"\t", b";", b"message/rfc822", b"multipart/report", b"<"]
    for _ in range(1500):
        raw = bytearray(rnd.choice([OUTLOOK, THUNDERBIRD, GMAIL, WEBMAIL, FORWARD]))
        for _ in range(rnd.randint(1, 6)):
            at, how = rnd.randrange(len(raw) + 1), rnd.random()
            if how < 0.4:
                raw[at:at] = rnd.choice(pieces)
            elif how < 0.6:
                del raw[at : at + rnd.randint(1, 200)]
            elif how < 0.85 and raw:
                raw[min(at, len(raw) - 1)] = rnd.randrange(256)
            else:
                del raw[at:]
        mail = read_mail(bytes(raw))
        assert len(mail.subject) <= 500 and all(isinstance(a.data, bytes) for a in mail.attachments)


def test_a_text_full_of_dashes_before_the_delimiter_does_not_hide_the_document():
    """The delimiter is looked for by its first byte: a text of dashes, and lines that begin like the
    delimiter, are passed over to the real one."""
    dashes = "\n".join(["- Lưu VT.", "-----", "--b1x", "--b", "a - b - c"] * 40)
    raw = crlf(
        'Subject: x\nContent-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
        'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n'
        + dashes
        + '\n--b1\nContent-Type: application/pdf; name="bao-cao.pdf"\nContent-Transfer-Encoding: base64\n\n'
        + B64
        + "\n--b1--\n"
    )
    mail = read_mail(raw)
    assert mail.body.startswith("- Lưu VT.") and mail.body.count("-----") == 40
    [doc] = mail.documents()
    assert doc.data == PDF and doc.name == "bao-cao.pdf"


def test_a_bare_lf_mail_and_one_with_a_long_header_block_are_read_whole():
    bare = read_mail(OUTLOOK.replace(b"\r\n", b"\n"))
    assert bare.subject == "Gửi văn bản số 12/UBND-VP" and [d.data for d in bare.documents()] == [PDF]
    # a blank line past the length headers may have: the headers are cut, the documents still found
    trace = b"X-Trace: " + b"t" * 70_000 + b"\r\n"
    long = OUTLOOK.replace(b"MIME-Version: 1.0\r\n", trace + b"MIME-Version: 1.0\r\n", 1)
    mail = read_mail(long)
    assert [d.data for d in mail.documents()] == [PDF] and len(mail.headers) <= 64_000


def test_a_delivery_report_of_several_recipients_and_of_an_smtputf8_mail():
    """RFC 6533's global delivery status (Postfix, for a mail sent with SMTPUTF8), two recipients, the
    first delivered and the second failed, its diagnostic folded over two lines: the failure is the
    report's news, whole."""
    raw = crlf(
        """From: MAILER-DAEMON@mail.huyenuy.gov.vn (Mail Delivery System)
To: vanthu@huyenuy.gov.vn
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-2@mail.huyenuy.gov.vn>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=global-delivery-status; boundary="B"

--B
Content-Type: text/plain; charset=utf-8

Thư không gửi được.
--B
Content-Type: message/global-delivery-status

Reporting-MTA: dns; mail.huyenuy.gov.vn

Final-Recipient: rfc822; vanthu@xa.gov.vn
Action: delivered
Status: 2.0.0

Final-Recipient: utf-8; vănthư@phường.vn
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <vănthư@phường.vn>:
    Recipient address rejected: User unknown

--B
Content-Type: message/global-headers

From: vanthu@huyenuy.gov.vn
Message-ID: <out-7@huyenuy.gov.vn>
Subject: x

--B--
"""
    )
    mail = read_mail(raw)
    assert mail.report is not None and mail.report.original_id == "<out-7@huyenuy.gov.vn>"
    assert (mail.report.action, mail.report.status) == ("failed", "5.1.1")
    assert mail.report.diagnostic.endswith("Recipient address rejected: User unknown")
    assert mail.attachments == []


def test_an_html_body_of_unclosed_tags_is_read_in_linear_time():
    """A mail whose HTML holds "<script" or "<a " never closed (the patterns that looked for their ends
    took 10 s for 140 KB, hours for a few MB): read in well under a second; scripts and styles dropped."""
    import time

    for junk in ("<script", "<style>", "<a "):
        raw = crlf(
            "Subject: x\nContent-Type: text/html; charset=utf-8\n\n<p>Kính gửi</p>" + junk * 100_000 + "\n"
        )
        started = time.perf_counter()
        mail = read_mail(raw)
        assert time.perf_counter() - started < 2.0, junk
        assert mail.body.startswith("Kính gửi") and "script" not in mail.body
    mail = read_mail(crlf("Content-Type: text/html\n\n<b>A</b><SCRIPT>x()</Script >B<style>p{}</style>C"))
    assert mail.body.split() == ["A", "B", "C"]


@pytest.mark.parametrize("unicode_names", [True, False], ids=["names in UTF-16", "names in Windows-1258"])
def test_outlook_rich_text_through_exchange_gives_the_documents_inside_winmail_dat(unicode_names, tmp_path):
    """Outlook in rich text, through Exchange: the documents travel inside winmail.dat (TNEF). They are
    the mail's documents, with their long Vietnamese names; Debian's `tnef`, another reader of the
    format, finds the same files in the same stream."""
    import shutil
    import subprocess
    import unicodedata

    from congvan.mail.tests.mails import document_pdf, outlook_rich_text_mail, winmail_dat

    files = [("Công văn số 12 về việc hướng dẫn.pdf", document_pdf("12/SNV-VP")), ("Phụ lục.pdf", PDF)]
    mail = read_mail(outlook_rich_text_mail(files, unicode_names=unicode_names))
    assert mail.body == "Sở Nội vụ gửi văn bản đính kèm."
    assert [(d.name, d.data, d.mime) for d in mail.documents()] == [(n, d, filetypes.PDF) for n, d in files]
    if shutil.which("tnef") is None:
        pytest.skip("Debian's tnef is not installed (scripts/setup --dev installs it)")
    (tmp_path / "winmail.dat").write_bytes(winmail_dat(files, unicode_names=unicode_names))
    listed = subprocess.run(["tnef", "-t", str(tmp_path / "winmail.dat")], capture_output=True, check=True)
    text = listed.stdout.decode("utf-8" if unicode_names else "cp1258")
    assert [unicodedata.normalize("NFC", line.split("\t")[0]) for line in text.splitlines()] == [
        n for n, _ in files
    ]


def test_winmail_dat_sent_as_octet_stream_and_cut_or_garbled_winmail_dat():
    """A winmail.dat without its type is read too; one cut or garbled anywhere gives the files read
    before the fault and never an error; a stream of a thousand files gives at most MAX_FILES."""
    import random
    import time

    from congvan.mail import tnef
    from congvan.mail.tests.mails import outlook_rich_text_mail, winmail_dat

    raw = outlook_rich_text_mail([("Văn bản.pdf", PDF)]).replace(
        b"application/ms-tnef", b"application/octet-stream"
    )
    assert [d.name for d in read_mail(raw).documents()] == ["Văn bản.pdf"]
    stream = winmail_dat([("a.pdf", PDF), ("b.pdf", PDF)])
    for cut in range(0, len(stream), 7):
        assert len(tnef.attachments(stream[:cut])) <= 2
    rnd = random.Random(3)
    started = time.monotonic()
    for _ in range(2000):
        garbled = bytearray(stream)
        for _ in range(rnd.randint(1, 5)):
            garbled[rnd.randrange(len(garbled))] = rnd.randrange(256)
        assert all(isinstance(d, bytes) for _n, d in tnef.attachments(bytes(garbled)))
    many = winmail_dat([(f"{i}.pdf", b"%PDF-1.4 x") for i in range(1000)])
    assert len(tnef.attachments(many)) == tnef.MAX_FILES
    from email import message_from_bytes, policy

    twice = message_from_bytes(
        outlook_rich_text_mail([(f"{i}.pdf", PDF) for i in range(150)]), policy=policy.default
    )
    twice.add_attachment(winmail_dat([(f"b{i}.pdf", PDF) for i in range(150)]), "application", "ms-tnef")
    assert len(read_mail(twice.as_bytes()).attachments) == MAX_PARTS  # as many files as parts, at most
    assert time.monotonic() - started < 10
    assert tnef.attachments(b"not tnef at all") == [] and tnef.attachments(b"") == []


def test_a_vietnamese_windows_client_in_windows_1258_is_read_composed():
    """Vietnamese Windows writes its code page with the tone marks apart from their letters: subject,
    sender, text and file name are read composed (NFC), as typed and as searched, and the mark found."""
    import unicodedata

    from congvan.lib.classification import subject_mark
    from congvan.lib.tests.vietnamese import windows_1258

    def word(text: str) -> str:
        return "=?windows-1258?B?" + base64.b64encode(windows_1258(text)).decode() + "?="

    raw = (
        f"From: {word('Văn thư Sở Tư pháp')} <vanthu@stp.gov.vn>\r\n"
        f"Subject: {word('MẬT - Số 12 về việc')}\r\n"
        'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
        "Content-Type: text/plain; charset=windows-1258\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode()
    raw += (
        windows_1258("Kính gửi Huyện ủy, Sở gửi công văn.")
        + (
            f'\r\n--B\r\nContent-Type: application/pdf; name="{word("Công văn số 12.pdf")}"\r\n'
            f"Content-Transfer-Encoding: base64\r\n\r\n{B64}\r\n--B--\r\n"
        ).encode()
    )
    assert "ố".encode("cp1258", "replace") == b"?" and b"\xf4\xec" in windows_1258("Số")  # as Windows writes
    mail = read_mail(raw)
    assert (mail.subject, mail.sender_name) == ("MẬT - Số 12 về việc", "Văn thư Sở Tư pháp")
    assert mail.body == "Kính gửi Huyện ủy, Sở gửi công văn."
    [doc] = mail.documents()
    assert doc.name == "Công văn số 12.pdf" and doc.data == PDF
    assert all(
        unicodedata.is_normalized("NFC", t) for t in (mail.subject, mail.sender_name, mail.body, doc.name)
    )
    assert subject_mark(mail.subject) is not None


def test_an_attachment_in_uuencode_as_eudora_sends_it():
    import binascii

    lines = b"".join(binascii.b2a_uu(PDF[i : i + 45]) for i in range(0, len(PDF), 45))
    raw = (
        b'From: a@b.vn\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary="=_B"\r\n\r\n'
        b"--=_B\r\nContent-Type: text/plain\r\n\r\nAttached.\r\n--=_B\r\n"
        b'Content-Type: application/pdf; name="Cong van.pdf"\r\n ; x-mac-type="50444620"\r\n'
        b'Content-Disposition: attachment; filename="Cong van.pdf"\r\n'
        b"Content-Transfer-Encoding: x-uuencode\r\n\r\n"
        b"begin 644 Cong van.pdf\r\n" + lines.replace(b"\n", b"\r\n") + b"`\r\nend\r\n--=_B--\r\n"
    )
    [doc] = read_mail(raw).documents()
    assert doc.name == "Cong van.pdf" and doc.data == PDF and doc.mime == filetypes.PDF
    for garbled in (raw.replace(b"begin 644", b"begin"), raw.replace(b"\r\nend", b""), raw[: len(raw) // 2]):
        assert all(isinstance(a.data, bytes) for a in read_mail(garbled).attachments)


def test_a_transfer_encoding_written_loosely_is_understood():
    """ "quoted-printable;" (Outlook's mailers, spam filters' rewrites) and " Base64 " are what they say."""
    raw = (
        b'Subject: x\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable;\r\n\r\n"
        b"K=C3=ADnh g=E1=BB=ADi\r\n--B\r\nContent-Type: application/pdf; name=a.pdf\r\n"
        b"Content-Transfer-Encoding:  Base64 \r\n\r\n" + B64.encode() + b"\r\n--B--\r\n"
    )
    mail = read_mail(raw)
    assert mail.body == "Kính gửi" and [d.data for d in mail.documents()] == [PDF]


def _zip(members: list[tuple[str, bytes]], *, stored: bool = False) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def _zip_mail(archive: bytes, ctype: str = "application/zip", name: str = "Ho so.zip") -> bytes:
    body = base64.encodebytes(archive).decode().replace("\n", "\r\n")
    return crlf(
        'From: vanthu@stp.gov.vn\nSubject: Hồ sơ\nContent-Type: multipart/mixed; boundary="Z"\n\n'
        "--Z\nContent-Type: text/plain; charset=utf-8\n\nGửi hồ sơ nén.\n"
        f'--Z\nContent-Type: {ctype}; name="{name}"\nContent-Disposition: attachment; filename="{name}"\n'
        f"Content-Transfer-Encoding: base64\n\n{body}\n--Z--\n"
    )


DOCX = _zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")])


@pytest.mark.parametrize(
    "ctype", ["application/zip", "application/x-zip-compressed", "application/octet-stream"]
)
def test_a_zipped_dossier_gives_the_documents_inside(ctype):
    """A dossier zipped by Windows (names in its code page, no UTF-8 flag), by 7-Zip or macOS (UTF-8, with
    or without the flag, folders, resource forks), with a text file, a zip inside and a name that climbs
    out of its folder: the documents, named as the sender named them, without their folders."""
    import unicodedata

    from congvan.lib.tests.vietnamese import windows_1258

    windows_name = windows_1258("Công văn số 7.pdf")  # Windows' own zip: the code page, no flag
    utf8_name = "Quyết định 3.pdf".encode()  # a tool that writes UTF-8 without saying so
    pdfs = [simple_pdf([f"So: {n}/UBND-VP"]) for n in (12, 7, 3)]
    archive = _zip(
        [
            ("Hồ sơ/Tờ trình số 12.pdf", pdfs[0]),
            ("W" * (len(windows_name) - 4) + ".pdf", pdfs[1]),
            ("U" * (len(utf8_name) - 4) + ".pdf", pdfs[2]),
            ("../../etc/Báo cáo.docx", DOCX),
            ("ghi chú.txt", "Nội dung".encode()),
            ("__MACOSX/Hồ sơ/._Tờ trình số 12.pdf", b"\x00\x05\x16\x07" + bytes(80)),
            ("trong.zip", _zip([("an.pdf", PDF)])),
            ("Hồ sơ/", b""),
        ]
    )
    archive = archive.replace(b"W" * (len(windows_name) - 4), windows_name[:-4])
    archive = archive.replace(b"U" * (len(utf8_name) - 4), utf8_name[:-4])
    mail = read_mail(_zip_mail(archive, ctype))
    docs = mail.documents()
    assert [(d.name, d.mime) for d in docs] == [
        ("Tờ trình số 12.pdf", filetypes.PDF),
        ("Công văn số 7.pdf", filetypes.PDF),
        ("Quyết định 3.pdf", filetypes.PDF),
        ("Báo cáo.docx", filetypes.DOCX),
    ]
    assert [d.data for d in docs] == [*pdfs, DOCX]
    assert all(unicodedata.is_normalized("NFC", d.name) for d in docs)
    assert mail.body == "Gửi hồ sơ nén." and not mail.problems
    assert [d.name for d in read_mail(_zip_mail(archive, ctype)).documents(["docx"])] == ["Báo cáo.docx"]


def test_a_zip_bomb_a_lying_size_an_encrypted_file_and_a_broken_zip_are_left_out(settings):
    import struct

    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    big = PDF + bytes(3 * 1024 * 1024)  # 3 MB of zeros: 3 KB deflated
    half = [PDF + bytes(600 * 1024 + k) for k in range(2)]
    archive = _zip([("bom.pdf", big), ("mot.pdf", half[0]), ("hai.pdf", half[1])])
    mail = read_mail(_zip_mail(archive))
    assert [d.name for d in mail.documents()] == ["mot.pdf"]  # the second would pass the limit in all
    assert len(mail.problems) == 2 and "bom.pdf" in mail.problems[0] and "hai.pdf" in mail.problems[1]

    # a size that lies (the central directory says 10 bytes), an encrypted file: left out, the rest read
    crafted = bytearray(_zip([("noi-dung.pdf", PDF), ("mat-khau.pdf", PDF), ("ok.pdf", PDF)], stored=True))
    entries = [i for i in range(len(crafted)) if crafted[i : i + 4] == b"PK\x01\x02"]
    struct.pack_into("<I", crafted, entries[0] + 24, 10)  # the uncompressed size of the first
    for at in (entries[1] + 8, crafted.find(b"PK\x03\x04", 1) + 6):  # the second's flags, both headers
        crafted[at] |= 1
    mail = read_mail(_zip_mail(bytes(crafted)))
    assert [d.name for d in mail.documents()] == ["ok.pdf"] and "noi-dung.pdf" in mail.problems[0]

    # twenty thousand empty files before the document: only the first thousand looked at, quickly
    import time

    many = _zip([(f"{k}.txt", b"") for k in range(20_000)] + [("cuoi.pdf", PDF)], stored=True)
    start = time.perf_counter()
    mail = read_mail(_zip_mail(many))
    assert mail.documents() == [] and "more than 1000 entries" in mail.problems[0]
    assert time.perf_counter() - start < 5

    # cut, or garbage that starts as a zip: nothing, and said so
    whole = _zip([("a.pdf", PDF)])
    for broken in (whole[: len(whole) // 2], b"PK\x03\x04" + bytes(range(256)) * 40):
        mail = read_mail(_zip_mail(broken))
        assert mail.documents() == [] and "unreadable" in mail.problems[0]


def test_a_mail_signed_in_one_piece_gives_its_documents_and_words():
    """S/MIME signed "opaque" (application/pkcs7-mime, smime-type=signed-data: the content inside the
    signature): its text and documents read as a mail's own; an encrypted one or a broken one: nothing."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    from congvan.mail.tests.servers import self_signed

    key, cert = self_signed("Văn thư Sở Tư pháp")
    content = (
        crlf(
            'Content-Type: multipart/mixed; boundary="S"\n\n--S\nContent-Type: text/plain; charset=utf-8\n'
            "Content-Transfer-Encoding: 8bit\n\nSở gửi công văn có chữ ký số.\n--S\n"
            'Content-Type: application/pdf; name="Công văn 12.pdf"\nContent-Transfer-Encoding: base64\n\n'
        )
        + B64.encode()
        + b"\r\n--S--\r\n"
    )
    der = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(cert, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])  # the content inside: opaque
    )
    raw = crlf(  # as Outlook writes it
        "From: vanthu@stp.gov.vn\nSubject: Công văn 12\nMessage-ID: <s1@stp.gov.vn>\nMIME-Version: 1.0\n"
        'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"\n'
        'Content-Disposition: attachment; filename="smime.p7m"\nContent-Transfer-Encoding: base64\n\n'
        + base64.encodebytes(der).decode()
    )
    mail = read_mail(raw)
    assert mail.subject == "Công văn 12" and mail.body == "Sở gửi công văn có chữ ký số."
    [doc] = mail.documents()
    assert (doc.name, doc.data) == ("Công văn 12.pdf", PDF)

    # encrypted for someone's key, or a signature cut short: no document, no error
    for broken in (
        raw.replace(b"smime-type=signed-data", b"smime-type=enveloped-data"),
        raw[: len(raw) // 2],
    ):
        assert read_mail(broken).documents() == []


def _image(kind: str, size: tuple[int, int], *, noise: bool = False) -> bytes:
    """A PNG logo or a JPEG photo (noise: a photo's grain, which keeps it large)."""
    import io
    import os

    from PIL import Image

    if noise:
        picture = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        picture = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    picture.save(out, kind)
    return out.getvalue()


def _b64(data: bytes) -> str:
    return base64.encodebytes(data).decode()


LOGO = _image("PNG", (120, 40))
PHOTO = _image("JPEG", (640, 480), noise=True)


def _outlook_signed(*, with_pdf: bool = True) -> bytes:
    """Outlook's HTML mail with the logo of its signature (multipart/related, image001.png drawn by
    "cid:"), and a document attached."""
    attached = (
        f"""--_006_SG2PR01MB77_
Content-Type: application/pdf; name="Cong van 15.pdf"
Content-Disposition: attachment; filename="Cong van 15.pdf"; size={len(PDF)}
Content-Transfer-Encoding: base64

{_b64(PDF)}
"""
        if with_pdf
        else ""
    )
    return crlf(
        f"""From: Van thu So Noi vu <vanthu@sonv.gov.vn>
Subject: Cong van 15
Date: Tue, 3 Nov 2026 10:00:00 +0700
Message-ID: <SG2PR01MB77@prod.outlook.com>
Content-Type: multipart/mixed; boundary="_006_SG2PR01MB77_"
MIME-Version: 1.0

--_006_SG2PR01MB77_
Content-Type: multipart/related; boundary="_005_SG2PR01MB77_"; type="multipart/alternative"

--_005_SG2PR01MB77_
Content-Type: multipart/alternative; boundary="_000_SG2PR01MB77_"

--_000_SG2PR01MB77_
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

K=C3=ADnh g=E1=BB=ADi.
[cid:image001.png@01DA0E1C.5A6B7C80]

--_000_SG2PR01MB77_
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

<html><body><p>K=C3=ADnh g=E1=BB=ADi.</p><p><img width=3D"120" height=3D"40" id=3D"Picture_x0020_1" s=
rc=3D"cid:image001.png@01DA0E1C.5A6B7C80"></p></body></html>

--_000_SG2PR01MB77_--

--_005_SG2PR01MB77_
Content-Type: image/png; name="image001.png"
Content-Description: image001.png
Content-Disposition: inline; filename="image001.png"; size={len(LOGO)}
Content-ID: <image001.png@01DA0E1C.5A6B7C80>
Content-Transfer-Encoding: base64

{_b64(LOGO)}
--_005_SG2PR01MB77_--

{attached}--_006_SG2PR01MB77_--
"""
    )


def test_the_logo_an_outlook_signature_draws_is_not_a_document():
    mail = read_mail(_outlook_signed())
    [doc] = mail.documents()
    assert doc.name == "Cong van 15.pdf" and doc.data == PDF
    assert mail.body.startswith("Kính gửi.")
    # without the document, the mail carries none: the mailbox's rules leave it where it is
    assert read_mail(_outlook_signed(with_pdf=False)).documents() == []


def _drawn_mail(image: bytes, ctype: str, name: str, cid: str, src: str) -> bytes:
    """Gmail's HTML mail (multipart/related) drawing one image from its part."""
    return crlf(
        f"""From: Nguyen Van A <nva@gmail.com>
Subject: Anh van ban
Message-ID: <CAH+x=1@mail.gmail.com>
MIME-Version: 1.0
Content-Type: multipart/related; boundary="000000000000a1b2c3"

--000000000000a1b2c3
Content-Type: multipart/alternative; boundary="000000000000a1b2c2"

--000000000000a1b2c2
Content-Type: text/plain; charset="UTF-8"

[image: {name}]

--000000000000a1b2c2
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr"><img src=3D"{src}" alt=3D"{name}"><br></div>

--000000000000a1b2c2--
--000000000000a1b2c3
Content-Type: {ctype}; name="{name}"
Content-Disposition: inline; filename="{name}"
Content-Transfer-Encoding: base64
Content-ID: <{cid}>
X-Attachment-Id: {cid}

{_b64(image)}
--000000000000a1b2c3--
"""
    )


def test_a_photo_of_a_paper_drawn_in_the_body_is_a_document_and_a_small_image_escaped_is_not():
    # a phone's photo, pasted into the body: large, kept as a document
    photo = read_mail(_drawn_mail(PHOTO, "image/jpeg", "IMG_0412.jpeg", "ii_lq3x8k2s0", "cid:ii_lq3x8k2s0"))
    assert len(PHOTO) >= 100 * 1024
    [doc] = photo.documents()
    assert doc.name == "IMG_0412.jpeg" and doc.mime == filetypes.JPEG and doc.data == PHOTO
    # a logo whose reference is %-escaped (RFC 2392): the body's, not a document
    logo = read_mail(_drawn_mail(LOGO, "image/png", "logo 1.png", "logo%1@so.vn", "cid:logo%251@so.vn"))
    assert logo.documents() == []


def test_an_image_with_a_content_id_the_body_does_not_draw_stays_a_document():
    """Apple Mail gives every attachment a Content-Id; an image that no HTML draws is a file sent."""
    raw = _drawn_mail(LOGO, "image/png", "so-do.png", "5E1C7A2B-11@apple.com", "cid:other@apple.com")
    [doc] = read_mail(raw).documents()
    assert doc.name == "so-do.png" and doc.data == LOGO


@pytest.mark.parametrize(
    "style, action, status, diagnostic",
    [
        ("qmail", "failed", "5.1.1", "<a@sokhac.gov.vn>: Sorry, no mailbox here by that name. (#5.1.1)"),
        (
            "yahoo",
            "failed",
            "5.1.1",
            "<a@sokhac.gov.vn>: Remote host said: 550 5.1.1 <a@sokhac.gov.vn>: Recipient address rejected:"
            " User unknown [RCPT_TO]",
        ),
        (
            "exim",
            "failed",
            "5.1.1",
            "a@sokhac.gov.vn host mx.sokhac.gov.vn [10.4.2.50] SMTP error from remote mail server after RCPT"
            " TO:<a@sokhac.gov.vn>: 550 5.1.1 <a@sokhac.gov.vn>: Recipient address rejected: User unknown in"
            " virtual mailbox table",
        ),
        ("exim-delay", "delayed", "4.3.0", None),
    ],
)
def test_a_plain_text_bounce_names_the_mail_it_returns(style, action, status, diagnostic):
    from congvan.mail.tests.mails import plain_bounce

    sent = crlf("From: vanthu@huyenuy.gov.vn\nTo: a@sokhac.gov.vn\nMessage-ID: <cv.42@huyenuy.gov.vn>\n\nx\n")
    report = read_mail(plain_bounce(sent, to="a@sokhac.gov.vn", style=style)).report
    assert report is not None and report.original_id == "<cv.42@huyenuy.gov.vn>"
    assert (report.action, report.status) == (action, status)
    if diagnostic is not None:
        assert report.diagnostic == diagnostic


def test_other_daemon_texts_and_a_bounce_forwarded_by_a_person_are_not_reports():
    from congvan.mail.tests.mails import plain_bounce

    sent = crlf("From: vanthu@huyenuy.gov.vn\nTo: a@sokhac.gov.vn\nMessage-ID: <cv.42@huyenuy.gov.vn>\n\nx\n")
    note = crlf("From: postmaster@sokhac.gov.vn\nSubject: Bao tri\n\nMay chu bao tri luc 22h.\n")
    assert read_mail(note).report is None
    person = plain_bounce(sent, to="a@sokhac.gov.vn").replace(b"MAILER-DAEMON@", b"nguyenvana@")
    assert read_mail(person).report is None
    # a daemon's text with a copy but no words of failure or delay (a "message received" notice)
    copy = plain_bounce(sent, to="a@sokhac.gov.vn").replace(b"wasn't able to deliver", b"have received")
    copy = copy.replace(b"permanent error", b"notice")
    assert read_mail(copy).report is None
    # the copy of a mail without a Message-ID: nothing to name
    nameless = plain_bounce(crlf("From: a@b.vn\n\nx\n"), to="a@sokhac.gov.vn", style="exim")
    assert read_mail(nameless).report is None
