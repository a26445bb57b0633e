"""Fetch the units' mailboxes: each new mail taken once (``mail/intake.py``), then moved, flagged or
deleted as the mailbox says.

Once and never lost:
- one fetch per mailbox at a time (a lease on the mailbox row; a second fetch finds it busy);
- a mail's place (folder, UIDVALIDITY, UID) is written with what came of it, in the same transaction
  (one per chunk of mails): a fetch stopped half-way resumes after the last chunk it wrote, and the
  step done in the mailbox afterwards (move, flag, delete) is carried out on the next fetch if it was
  not done;
- a UIDVALIDITY change (the folder was rebuilt, its UIDs reused) starts the folder over: the mails read
  again are recognised by Message-ID and attachments, and noted, never taken twice;
- mails already taken carry the keyword ``$Congvan``: a folder read again skips them on the server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.lib.errors import CongvanError
from congvan.mail.imap import Imap, ServerSettings
from congvan.mail.intake import AGAIN, BOUNCE, REFUSED, SKIPPED, TAKEN, Place, Prepared, read_ahead, take_many
from congvan.mail.models import AfterFetch, FolderState, Mailbox, SeenMail
from congvan.mail.secrets import unseal

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=15)
CHUNK = 25  # mails fetched per round trip, at most
# ... and at most this many bytes (a bigger mail alone): the chunks read ahead are held in memory, three
# at a time, and a mailbox of 25 scans of 100 MB each must not take a small server's memory
CHUNK_BYTES = 64 * 1024 * 1024
KEYWORD = "$Congvan"


@dataclass
class Fetched:
    unit: str
    counts: dict[str, int] = field(default_factory=dict)
    busy: bool = False
    error: str = ""

    def add(self, outcome: str | None) -> None:
        if outcome is not None:
            self.counts[outcome] = self.counts.get(outcome, 0) + 1

    def as_dict(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            **{k: self.counts.get(k, 0) for k in (TAKEN, AGAIN, SKIPPED, BOUNCE, REFUSED)},
            "busy": self.busy,
            "error": self.error,
        }


def imap_settings(mailbox: Mailbox) -> ServerSettings:
    return ServerSettings(
        host=mailbox.host,
        port=mailbox.port,
        security=mailbox.security,
        username=mailbox.username,
        password=unseal(mailbox.password),
    )


def _claim(mailbox_id: int, now: dt.datetime) -> bool:
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return Mailbox.objects.filter(free, pk=mailbox_id, active=True).update(lease_until=now + LEASE) == 1


def fetch_mailbox(mailbox: Mailbox) -> Fetched:
    """Read every configured folder of one mailbox; never raises for what the server or a mail does."""
    result = Fetched(unit=mailbox.unit.code)
    now = timezone.now()
    if not _claim(mailbox.pk, now):
        result.busy = True
        return result
    try:
        with Imap(imap_settings(mailbox)) as imap:
            for folder in mailbox.folders or ["INBOX"]:
                _fetch_folder(imap, mailbox, folder, result)
    except CongvanError as exc:
        result.error = exc.message[:500]
        log.warning("mailbox of %s: %s", mailbox.unit.code, exc.message)
    except Exception as exc:  # a fault of congvan's own: logged whole, the other mailboxes go on
        log.exception("mailbox of %s", mailbox.unit.code)
        result.error = _("Lỗi khi đọc hộp thư (%(kind)s): thư chưa nhận sẽ được đọc lại lần sau") % {
            "kind": type(exc).__name__
        }
    finally:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            lease_until=None, last_fetch_at=timezone.now(), last_error=result.error
        )
    return result


def _fetch_folder(imap: Imap, mailbox: Mailbox, folder: str, result: Fetched) -> None:
    uidvalidity = imap.select(folder)
    state = _folder_state(mailbox, folder, uidvalidity)
    _finish_steps(imap, mailbox, folder, uidvalidity)
    uids = imap.uids_after(state.last_uid, skip_keyword=KEYWORD, since=mailbox.since)[
        : settings.MAIL_FETCH_LIMIT
    ]
    known: set[int] = set()
    for start in range(0, len(uids), 500):
        known.update(
            SeenMail.objects.filter(
                mailbox=mailbox, folder=folder, uidvalidity=uidvalidity, uid__in=uids[start : start + 500]
            ).values_list("uid", flat=True)
        )
    sizes: dict[int, int] = {}
    new = [u for u in uids if u not in known]
    for start in range(0, len(new), 500):
        sizes.update(imap.sizes(new[start : start + 500]))
    chunks = _chunks(uids, sizes)
    wanted = [[u for u in chunk if u not in known] for chunk in chunks]
    too_big = {u: size for u, size in sizes.items() if size > settings.MAIL_MAX_BYTES}
    with _Prefetch(imap, wanted, too_big, functools.partial(read_ahead, mailbox)) as mails:
        for chunk in chunks:
            fetched = [(Place(folder, uidvalidity, uid), mail) for uid, mail in mails.next()]
            for outcome in take_many(mailbox, fetched, timezone.now()):
                result.add(outcome)
            FolderState.objects.filter(pk=state.pk).update(last_uid=max(chunk))
    _finish_steps(imap, mailbox, folder, uidvalidity)


def _chunks(uids: list[int], sizes: dict[int, int]) -> list[list[int]]:
    """The UIDs in order, cut into chunks of at most CHUNK mails and CHUNK_BYTES (a mail the server gave
    no size for counts as nothing; a mail bigger than CHUNK_BYTES is a chunk of its own)."""
    chunks: list[list[int]] = []
    current: list[int] = []
    held = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if current and (len(current) >= CHUNK or held + size > CHUNK_BYTES):
            chunks.append(current)
            current, held = [], 0
        current.append(uid)
        held += size
    if current:
        chunks.append(current)
    return chunks


_Chunk = list[tuple[int, "Future[Prepared]"]]  # a chunk's mails, each being read


class _Prefetch:
    """The next chunks fetched from the server and read while this one is taken, in a pipeline: a
    thread of its own does the FETCHes (the socket waits outside the interpreter's lock), reading
    threads ``read`` the mails, each on its own (no database: parsing, decoding, hashing, writing the
    files to the store's staging folder; most of it leaves the lock, and the writing waits for the
    disk), the taking thread writes the rows. At most a chunk being taken, one waiting and one being
    read. The mailbox's steps (flag, move, delete) wait until the folder's last chunk is fetched: the
    connection is used by one thread at a time; a fetch stopped before them carries them out the next
    time."""

    READERS = 3

    def __init__(
        self,
        imap: Imap,
        chunks: list[list[int]],
        too_big: dict[int, int],
        read: Callable[[bytes, int | None], Prepared],
    ) -> None:
        """``too_big``: the mails over ``MAIL_MAX_BYTES`` and their sizes: only their headers are
        fetched, and ``read`` is given the size."""
        self.imap, self.chunks, self.too_big, self.read = imap, chunks, too_big, read
        self.ready: queue.Queue[_Chunk | BaseException] = queue.Queue(maxsize=1)
        # read and not yet taken (the chunk being taken stays until the next is asked for: a fetch
        # stopped while taking it drops its staged files too; dropping them twice is harmless)
        self.pending: list[_Chunk] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.reader = ThreadPoolExecutor(
            max_workers=self.READERS,
            thread_name_prefix="mail-read",
            initializer=translation.activate,  # a refusal's reason in the fetch's language
            initargs=(translation.get_language(),),
        )
        self.thread = threading.Thread(target=self._run, name="mail-prefetch", daemon=True)

    def __enter__(self) -> _Prefetch:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        while self.thread.is_alive():  # let it finish the FETCH under way (the connection stays sane)
            with contextlib.suppress(queue.Empty):
                self.ready.get_nowait()
            self.thread.join(0.05)
        self.reader.shutdown(wait=True, cancel_futures=True)
        for chunk in self.pending:  # mails read and never taken (the fetch stopped): their staged files
            for _uid, future in chunk:
                if not future.cancelled() and future.exception() is None:
                    future.result().discard()

    def _run(self) -> None:
        for uids in self.chunks:
            try:
                item: _Chunk | BaseException = self._fetch(uids)
            except BaseException as exc:  # noqa: BLE001 - handed to the taking thread, raised there
                item = exc
            while not self.stop.is_set():
                try:
                    self.ready.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if self.stop.is_set() or isinstance(item, BaseException):
                return

    def _fetch(self, uids: list[int]) -> _Chunk:
        """A chunk's mails fetched and handed to the reading threads. The mails are held by the readings
        alone (each let go once read, by the thread that read it): held here until the next chunk was
        fetched, their memory went back to the system and came again as new pages."""
        whole = [u for u in uids if u not in self.too_big]
        heads = [u for u in uids if u in self.too_big]
        fetched = [*self.imap.fetch(whole), *(self.imap.fetch(heads, headers_only=True) if heads else [])]
        chunk: _Chunk = []
        with self.lock:
            self.pending.append(chunk)  # before any reading starts: what is staged is dropped
        while fetched:
            uid, raw = fetched.pop(0)
            chunk.append((uid, self.reader.submit(self.read, raw, self.too_big.get(uid))))
            del raw
        return chunk

    def next(self) -> list[tuple[int, Prepared]]:
        item = self.ready.get()
        if isinstance(item, BaseException):
            raise item
        with self.lock:
            while self.pending and self.pending[0] is not item:
                self.pending.pop(0)  # the chunks taken before this one
        return [(uid, future.result()) for uid, future in item]  # a reading that failed: raised here


def _folder_state(mailbox: Mailbox, folder: str, uidvalidity: int) -> FolderState:
    with transaction.atomic():
        state, created = FolderState.objects.select_for_update().get_or_create(
            mailbox=mailbox, folder=folder, defaults={"uidvalidity": uidvalidity}
        )
        if not created and state.uidvalidity != uidvalidity:
            record(
                "mail.folder_reset",
                actor=None,
                unit=mailbox.unit.code,
                target_type="mailbox",
                target_id=mailbox.pk,
                details={"folder": folder, "was": state.uidvalidity, "now": uidvalidity},
            )
            state.uidvalidity, state.last_uid = uidvalidity, 0
            state.save(update_fields=["uidvalidity", "last_uid"])
    return state


def _finish_steps(imap: Imap, mailbox: Mailbox, folder: str, uidvalidity: int) -> None:
    """Carry out in the mailbox what is still to be done for the mails read from this folder."""
    pending = list(
        SeenMail.objects.filter(
            mailbox=mailbox, folder=folder, uidvalidity=uidvalidity, done=False
        ).values_list("pk", "uid", "outcome")
    )
    if not pending:
        return
    taken = [uid for _pk, uid, outcome in pending if outcome in (TAKEN, AGAIN)]
    reports = [uid for _pk, uid, outcome in pending if outcome == BOUNCE]
    imap.keyword(taken + reports, KEYWORD)
    if mailbox.after == AfterFetch.MOVE and mailbox.after_folder and mailbox.after_folder != folder:
        imap.ensure_folder(mailbox.after_folder)
        imap.move(taken, mailbox.after_folder)
    elif mailbox.after == AfterFetch.DELETE:
        imap.delete(taken)
    SeenMail.objects.filter(pk__in=[pk for pk, _uid, _o in pending]).update(done=True)


def fetch_all(unit_code: str | None = None) -> list[Fetched]:
    """Fetch every active mailbox (or one unit's)."""
    boxes = Mailbox.objects.filter(active=True).select_related("unit").order_by("unit__path")
    if unit_code:
        boxes = boxes.filter(unit__code=unit_code)
    return [fetch_mailbox(mb) for mb in boxes]
