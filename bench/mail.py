"""Mails taken from a unit's mailbox into arrivals, beside a plain IMAP fetch of the same mails.

Puts N mails, each with its own text PDF of about 1 MB, into a real IMAP server (Debian's Dovecot, on
127.0.0.1), then, in the same run: a plain fetch of every mail (``imaplib``, the same chunks, nothing
kept: the baseline), and congvan's fetch (each mail read, its document stored, the arrival, its intake
and the mail's place written, the mail marked in the mailbox). OCR and the intake's reading are the
worker's later work and are not counted (the issue: "OCR excluded"). Target (issue "Official e-mail"):
congvan at least 0.5x the plain fetch's throughput.

    .venv/bin/python -m bench.mail [--quick | --smoke] [--db postgres]
"""

from __future__ import annotations

import imaplib
import time

from bench.common import parse_args, setup_django, size, verdict


def base_pdf(target_bytes: int) -> bytes:
    """A text PDF of about ``target_bytes`` (pages of text), with a 12-digit mark to make each copy unique."""
    from congvan.lib.pdfgen import simple_pdf

    line = "Noi dung van ban bao cao tinh hinh chuyen doi so cua don vi trong thang nay."
    head = ["UY BAN NHAN DAN PHUONG BINH TAN", "So: MARK000000000000/UBND-VP", "V/v bao cao"]
    pages = max(1, target_bytes // 4000)
    return simple_pdf(head + [line] * 50, pages=pages)


def main() -> None:
    args = parse_args(__doc__ or "")
    setup_django(args)
    from congvan.mail.actions import do_configure_mailbox
    from congvan.mail.fetch import fetch_all
    from congvan.mail.models import MailArrival
    from congvan.mail.tests.mails import mail_with
    from congvan.mail.tests.servers import Dovecot
    from congvan.orgs.access import acting_as
    from congvan.orgs.actions import do_create_unit
    from congvan.orgs.models import User

    n = size(args, 1000, 200, 6)
    mb = 1 if not args.smoke else 0.1
    server = Dovecot()
    server.start()
    try:
        user, password = server.account()
        template = base_pdf(int(mb * 1024 * 1024))
        box = server.client(user)
        start = time.perf_counter()
        for i in range(n):
            pdf = template.replace(b"MARK000000000000", f"MARK{i:012d}".encode())
            raw = mail_with((f"van-ban-{i}.pdf", pdf, "application/pdf"), subject=f"Gửi văn bản số {i}")
            box.append("INBOX", None, None, raw)  # type: ignore[arg-type]
        box.logout()
        print(
            f"Mailbox: {n} mails with a {len(template) / 1e6:.1f} MB PDF each, put in {time.perf_counter() - start:.1f} s"
        )

        # the baseline: a plain IMAP fetch of the same mails, in the same chunks, nothing kept
        plain = imaplib.IMAP4("127.0.0.1", server.port)
        plain.login(user, password)
        plain.select("INBOX", readonly=True)
        start, cpu = time.perf_counter(), time.process_time()
        _s, found = plain.uid("SEARCH", None, "ALL")  # type: ignore[arg-type]
        uids = found[0].split()
        fetched = 0
        for i in range(0, len(uids), 25):
            _s, data = plain.uid("FETCH", b",".join(uids[i : i + 25]).decode(), "(UID BODY.PEEK[])")
            fetched += sum(1 for item in data if isinstance(item, tuple))
        plain_s, plain_cpu = time.perf_counter() - start, time.process_time() - cpu
        plain.logout()
        assert fetched == n, fetched

        admin = User.objects.create_superuser(username="root", password="x-bench-x", full_name="Quản trị")
        do_create_unit(code="000.00.01.H57", name="Huyện ủy", abbreviation="HU", parent_code=None, actor=None)
        settings = {"address": "vt@hu.vn", "host": "127.0.0.1", "port": server.port, "security": "plain"}
        do_configure_mailbox(
            "000.00.01.H57",
            {**settings, "username": user, "password": password, "after": "flag"},
            actor=acting_as(admin, "000.00.01.H57"),
        )
        start, cpu = time.perf_counter(), time.process_time()
        [result] = fetch_all()
        ours_s, ours_cpu = time.perf_counter() - start, time.process_time() - cpu
        assert result.counts.get("taken") == n and not result.error, result
        assert MailArrival.objects.count() == n
    finally:
        server.stop()
    ratio = plain_s / ours_s
    # the CPU of this process a mail (all its threads), beside the wall clock: Dovecot shares the two
    # cores, and its speed, which varies from run to run, sets the baseline
    print(
        f"  plain IMAP fetch (baseline)   {n / plain_s:8.1f} mails/s  ({plain_s:.2f} s,"
        f" client CPU {plain_cpu / n * 1000:.2f} ms a mail)"
    )
    print(
        f"  congvan fetch into arrivals   {n / ours_s:8.1f} mails/s  ({ours_s:.2f} s, {ours_s / n * 1000:.1f} ms a mail,"
        f" CPU {ours_cpu / n * 1000:.2f} ms a mail)"
    )
    print(f"  ratio {ratio:.2f}x   target >= 0.5x: {verdict(ratio >= 0.5)}")


if __name__ == "__main__":
    main()
