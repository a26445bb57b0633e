"""Release documents to recipients, and register or return what arrives."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.capture.actions import access_intake
from congvan.capture.errors import IntakeRefused
from congvan.capture.models import Intake, IntakeState
from congvan.dispatch import rules
from congvan.dispatch.access import access_unit_receipt
from congvan.dispatch.errors import AlreadyReleased, BadRecipients, ReceiptWrongState
from congvan.dispatch.models import (
    Delivery,
    DeliveryState,
    Dispatch,
    PaperCopy,
    Receipt,
    ReceiptCount,
    ReceiptEvent,
    StatusEvent,
    Transport,
)
from congvan.dispatch.queries import duplicates_of
from congvan.documents.access import access_issued_document, issued_documents
from congvan.documents.errors import WrongState
from congvan.documents.files import replace_blob
from congvan.documents.guard import check_fields, refuse_unchecked
from congvan.documents.metadata import clean_codes, clean_metadata, refuse_classified
from congvan.documents.models import DocState, Document, DocumentFile, FileRole
from congvan.lib.dates import lenient_date, local_today
from congvan.lib.errors import InvalidInput
from congvan.lib.gather import Gathering
from congvan.lib.sql import ids_in
from congvan.lib.text import clean_line
from congvan.orgs.access import Acting, current_unit, usable_groups
from congvan.orgs.actions import EXTERNAL_PREFIX, do_record_external_unit
from congvan.orgs.models import Unit, UnitGroup, User
from congvan.registers.actions import (
    Sequence,
    outgoing_sequence,
    peek_number,
    take_incoming_number,
    take_number,
)
from congvan.registers.errors import NumberMoved
from congvan.signatures.actions import do_verify_blob, enforce_policy
from congvan.signatures.keys import KeyUnavailable
from congvan.signatures.signing import has_unit_key, sign_as_unit, write_number


def _current_units(codes: list[str]) -> tuple[dict[str, Unit], dict[int, Unit]]:
    """The units now standing for ``codes`` (a merged unit: its successor), and the merged ones named."""
    units: dict[str, Unit] = {}
    merged: dict[int, Unit] = {}
    for u in Unit.objects.filter(code__in=codes):
        now_unit = current_unit(u)
        if now_unit is not None:
            units[u.code] = now_unit
            if now_unit.pk != u.pk:
                merged[now_unit.pk] = u
    return units, merged


def resolve_recipients(
    acting: Acting, codes: list[str], group_slugs: list[str]
) -> tuple[list[Unit], dict[int, Unit]]:
    """Return the recipient units of named codes and groups, refusing unknown, duplicate or self, and
    the units merged since that were named (keyed by the successor that receives in their place)."""
    codes = clean_codes(codes, "recipients")
    slugs = clean_codes(group_slugs, "groups")
    units, merged = _current_units(codes)
    unknown = [c for c in codes if c not in units]
    if unknown:
        raise BadRecipients(_("Không có đơn vị nhận: %(items)s") % {"items": ", ".join(unknown[:20])})
    if slugs:
        # The unit's own group first, then the nearest unit above that shares one of that name.
        found = usable_groups(acting).filter(slug__in=slugs).select_related("owner")
        groups: dict[str, UnitGroup] = {}
        for g in sorted(found, key=lambda g: (g.owner_id != acting.unit.pk, -len(g.owner.path))):
            groups.setdefault(g.slug, g)
        missing = [s for s in slugs if s not in groups]
        if missing:
            raise BadRecipients(_("Không có nhóm nhận: %(items)s") % {"items": ", ".join(missing)})
        for u in Unit.objects.filter(in_groups__in=groups.values(), active=True).distinct():
            units.setdefault(u.code, u)
    by_pk = {u.pk: u for u in units.values()}
    if acting.unit.pk in by_pk:
        if acting.unit.code in codes:
            raise BadRecipients(_("Không gửi văn bản cho chính đơn vị mình"))
        del by_pk[acting.unit.pk]  # a group that contains the sender: skip it silently
    if not by_pk:
        raise BadRecipients(_("Cần ít nhất một đơn vị nhận"))
    return sorted(by_pk.values(), key=lambda u: u.code), merged


def do_release(
    document_id: int,
    *,
    recipients: list[str] | None = None,
    groups: list[str] | None = None,
    seal: bool | None = None,
    passphrase: str | None = None,
    paper_copy: str = "",
    actor: Acting,
) -> Dispatch:
    """Number, register and release an approved document to its recipients.

    ``paper_copy``: the reason it is also sent on paper (``PaperCopy``), counted by the inspection.

    The number and date are written into the main PDF (``signatures.numbering``); ``seal`` True
    requires the unit's signature (refused with the reason when its key is missing or expired), False
    releases without it, None seals when the unit has a key.

    The unit's signature (the slow part: a token, a timestamp) is made before the transaction, with
    the number the register will give; the transaction then takes that number under the register's
    lock. Should another release take it meanwhile, the seal is made again with the next one.
    """
    actor.require(*rules.CLERKS, what=_("ban hành văn bản"))
    if (paper_copy or "") not in PaperCopy.values:
        raise InvalidInput(
            _("Lý do gửi bản giấy không hợp lệ: %(value)s") % {"value": str(paper_copy)[:30]},
            code="bad_paper_copy",
        )
    keyed = has_unit_key(actor.unit.code)
    if seal and not keyed:
        raise KeyUnavailable(
            _("Đơn vị %(code)s chưa đăng ký khóa ký của đơn vị (con dấu): không thể đóng dấu số")
            % {"code": actor.unit.code}
        )
    keyed = keyed and seal is not False
    for _attempt in range(3):
        sealed = _seal_ahead(actor, document_id, keyed=keyed, passphrase=passphrase)
        try:
            return _release(actor, document_id, recipients, groups, sealed, paper_copy=paper_copy or "")
        except NumberMoved:
            continue
    return _release(
        actor,
        document_id,
        recipients,
        groups,
        None,
        seal_inside=keyed,
        passphrase=passphrase,
        paper_copy=paper_copy or "",
    )


@dataclass(frozen=True)
class _Sealed:
    """Files signed for the unit ahead of the transaction, for the number ``number``."""

    number: int
    files: list[tuple[int, str, str]]  # (file id, the blob it was made from, the signed blob)
    levels: list[str]


def _seal_ahead(actor: Acting, document_id: int, *, keyed: bool, passphrase: str | None) -> _Sealed | None:
    """Write the number the register would give now into the main file and, with ``keyed``, sign the
    files as the unit (None: the document is not releasable, the transaction says why)."""
    doc = access_issued_document(actor, document_id)
    if doc.state != DocState.APPROVED:
        return None
    refuse_classified(doc.confidentiality)
    now = timezone.now()
    number, symbol = peek_number(_sequence(actor, doc, local_today(now)))
    files, levels = _prepare_files(actor, doc, symbol, now, keyed=keyed, passphrase=passphrase)
    return _Sealed(number, files, levels)


def _prepare_files(
    actor: Acting, doc: Document, symbol: str, now: dt.datetime, *, keyed: bool, passphrase: str | None
) -> tuple[list[tuple[int, str, str]], list[str]]:
    """The files as released: (file id, source blob, new blob) and the signature levels."""
    files, levels = [], []
    for f in _sealable(doc):
        main = f.role == FileRole.MAIN
        if keyed:
            signed = sign_as_unit(
                actor.unit.code, f.blob_id, main=main, symbol=symbol, when=now, passphrase=passphrase
            )
            if signed is None:  # the key was removed meanwhile
                raise KeyUnavailable(_("Khóa ký của đơn vị không còn được cấu hình"))
            files.append((f.pk, f.blob_id, signed.sha256))
            levels.append(signed.level)
        elif main:
            written = write_number(f.blob_id, symbol=symbol, when=now)
            if written is not None:
                files.append((f.pk, f.blob_id, written))
    return files, levels


def _sequence(actor: Acting, doc: Document, day: dt.date) -> Sequence:
    return outgoing_sequence(
        actor.unit,
        type_abbr=doc.doc_type.abbreviation,
        is_letter=doc.doc_type.is_letter,
        department=doc.drafting_department,
        day=day,
    )


def _release(
    actor: Acting,
    document_id: int,
    recipients: list[str] | None,
    groups: list[str] | None,
    sealed: _Sealed | None,
    *,
    seal_inside: bool | None = None,
    passphrase: str | None = None,
    paper_copy: str = "",
) -> Dispatch:
    with transaction.atomic():
        doc = access_issued_document(actor, document_id, for_write=True)
        if doc.state == DocState.RELEASED:
            raise AlreadyReleased(_("Văn bản đã ban hành (%(symbol)s)") % {"symbol": doc.symbol})
        if doc.state != DocState.APPROVED:
            raise WrongState(_("Văn bản chưa được lãnh đạo duyệt"))
        refuse_classified(doc.confidentiality)
        refuse_unchecked(doc)
        if recipients is None and groups is None:  # as planned while drafting: units and groups
            recipients, groups = doc.planned_recipients, doc.planned_groups
        units, merged = resolve_recipients(actor, recipients or [], groups or [])
        by_pk = {u.pk: u.code for u in units}
        now = timezone.now()
        today = local_today(now)
        number, symbol = take_number(
            _sequence(actor, doc, today), ref=f"document:{doc.pk}", expect=sealed.number if sealed else None
        )
        if sealed is not None:
            _use_seal(actor, doc, sealed)
        elif seal_inside is not None:
            _seal_files(actor, doc, symbol, now, keyed=seal_inside, passphrase=passphrase)
        doc.number, doc.symbol, doc.issued_date = number, symbol, today
        doc.state, doc.released_at, doc.released_by = DocState.RELEASED, now, actor.user
        doc.planned_recipients = [u.code for u in units]
        doc.planned_groups = list(groups or [])
        doc.save(
            update_fields=[
                "number",
                "symbol",
                "issued_date",
                "state",
                "released_at",
                "released_by",
                "planned_recipients",
                "planned_groups",
                "updated_at",
            ]
        )
        replaced = _replaced(actor, doc)
        dispatch = Dispatch.objects.create(
            document=doc, released_by=actor.user, released_at=now, paper_copy=paper_copy
        )
        _insert_deliveries(dispatch, [u.pk for u in units], now)
        do_receive_document(
            doc, issuer=actor.unit, now=now, dispatch=dispatch, how="released", actor=actor.user
        )
        for successor_pk, old in merged.items():  # addressed to a unit merged since: its successor
            Receipt.objects.filter(document=doc, unit_id=successor_pk).update(addressed_to=old)
            Delivery.objects.filter(dispatch=dispatch, unit_id=successor_pk).update(
                transport_note=f"Gửi {old.name} ({old.code}): đơn vị đã sáp nhập, chuyển đơn vị kế thừa"
            )
        if replaced is not None:  # the recipients' copies of the earlier one leave their inboxes
            note = f"Được thay thế bởi văn bản {symbol}"
            for receipt in Receipt.objects.filter(
                document=replaced, unit__in=units, state__in=OPEN_STATES
            ).select_related("unit"):
                revoke_receipt(receipt, note, actor.user.username, now)
        record(
            "document.released",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="document",
            target_id=doc.pk,
            details={
                "symbol": symbol,
                "recipients": [u.code for u in units],
                **({"merged": {old.code: by_pk[pk] for pk, old in merged.items()}} if merged else {}),
                **({"replaces": replaced.symbol} if replaced is not None else {}),
            },
        )
    return dispatch


def _use_seal(actor: Acting, doc: Document, sealed: _Sealed) -> None:
    """Put the files signed ahead in place, unless a file changed since (then the number is prepared
    again, which makes the seal again too)."""
    current = {f.pk: f for f in DocumentFile.objects.filter(document=doc).select_related("blob")}
    for file_id, source, _signed in sealed.files:
        if file_id not in current or current[file_id].blob_id != source:
            raise NumberMoved("a file changed while it was being sealed")
    for file_id, _source, signed in sealed.files:
        replace_blob(current[file_id], signed)
    if sealed.levels:
        record(
            "document.sealed",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="document",
            target_id=doc.pk,
            details={"levels": sealed.levels},
        )


def _sealable(doc: Document) -> list[DocumentFile]:
    """The main file and the PDF attachments: what the unit's signature covers."""
    return [
        f
        for f in DocumentFile.objects.filter(document=doc).select_related("blob", "document").order_by("id")
        if f.blob.mime == "application/pdf" and f.role in (FileRole.MAIN, FileRole.ATTACHMENT)
    ]


OPEN_STATES = [s for s in DeliveryState.values if s not in (DeliveryState.REVOKED, DeliveryState.RETURNED)]


def _replaced(acting: Acting, doc: Document) -> Document | None:
    """The released document of the same unit that this one replaces (checked at release)."""
    if doc.replaces_id is None:
        return None
    old = issued_documents(acting).filter(pk=doc.replaces_id, state=DocState.RELEASED).first()
    if old is None or old.pk == doc.pk:
        raise WrongState(_("Văn bản bị thay thế phải là văn bản đã ban hành của đơn vị"))
    return old


def _seal_files(
    acting: Acting, doc: Document, symbol: str, now: dt.datetime, *, keyed: bool, passphrase: str | None
) -> None:
    """Write the number and add the unit's signature inside the transaction (the last attempt)."""
    files, levels = _prepare_files(acting, doc, symbol, now, keyed=keyed, passphrase=passphrase)
    current = {f.pk: f for f in DocumentFile.objects.filter(document=doc)}
    for file_id, _source, written in files:
        replace_blob(current[file_id], written)
    if levels:
        record(
            "document.sealed",
            actor=acting.user,
            unit=acting.unit.code,
            target_type="document",
            target_id=doc.pk,
            details={"levels": levels},
        )


def _insert_deliveries(dispatch: Dispatch, unit_ids: list[int], now: dt.datetime) -> None:
    """Insert a delivery per recipient with one statement, whatever their number.

    A unit on another server, or an organisation off the system reached by e-mail, gets a queued
    delivery (the exchange or the mail app sends it) and no local receipt."""
    d_table, u_table = Delivery._meta.db_table, Unit._meta.db_table
    where, params = ids_in(connection, "u.id", unit_ids)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {d_table} (dispatch_id, unit_id, state, state_changed_at, note, transport, "
            f"transport_note) SELECT %s, u.id, %s, %s, '', "
            f"CASE WHEN u.home_node = '' AND NOT (u.email <> '' AND u.code LIKE %s) THEN %s ELSE %s END, '' "
            f"FROM {u_table} u WHERE {where}",
            [
                dispatch.pk,
                DeliveryState.ARRIVED,
                now,
                EXTERNAL_PREFIX + "%",
                Transport.LOCAL,
                Transport.QUEUED,
                *params,
            ],
        )


def do_receive_document(
    doc: Document,
    *,
    issuer: Unit,
    now: dt.datetime,
    how: str,
    actor: User | None,
    dispatch: Dispatch | None = None,
    unit: Unit | None = None,
    details: dict[str, Any] | None = None,
) -> Receipt | None:
    """Put a document into the inboxes of its recipients (state "arrived"), keeping the receipt counts.

    The one writer of receipts: a release on this server (``dispatch``: a receipt per local delivery,
    two statements whatever their number; the release's own audit event records it), or one unit's
    arrival from another server, by e-mail or on paper (``unit``: audited here, the receipt returned).
    """
    r_table, d_table, c_table = Receipt._meta.db_table, Delivery._meta.db_table, ReceiptCount._meta.db_table
    if dispatch is not None:
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {r_table} (unit_id, document_id, delivery_id, issuer_id, urgency, state, "
                f"arrived_at, returned_reason) SELECT d.unit_id, %s, d.id, %s, %s, %s, %s, '' "
                f"FROM {d_table} d WHERE d.dispatch_id = %s AND d.transport = %s",
                [doc.pk, issuer.pk, doc.urgency, DeliveryState.ARRIVED, now, dispatch.pk, Transport.LOCAL],
            )
            cur.execute(
                f"INSERT INTO {c_table} (unit_id, state, n) SELECT d.unit_id, %s, 1 FROM {d_table} d "
                f"WHERE d.dispatch_id = %s AND d.transport = %s "
                f"ON CONFLICT (unit_id, state) DO UPDATE SET n = {c_table}.n + 1",
                [DeliveryState.ARRIVED, dispatch.pk, Transport.LOCAL],
            )
        return None
    if unit is None:
        raise ValueError("a receipt needs its unit or the dispatch that delivers it")
    receipt = Receipt.objects.create(
        unit=unit, document=doc, issuer=issuer, urgency=doc.urgency, arrived_at=now
    )
    count_receipts(unit.pk, DeliveryState.ARRIVED, +1)
    record(
        "receipt.arrived",
        actor=actor,
        unit=unit.code,
        target_type="receipt",
        target_id=receipt.pk,
        details={"how": how, "issuer": issuer.code, **(details or {})},
    )
    return receipt


def report_progress(receipt: Receipt, state: str, note: str, actor: Acting, now: dt.datetime) -> None:
    """Move a receipt to ``state`` and update the sender's tracking (same server: same transaction).

    Called by this app's actions and by the processing steps of ``workflow`` (directed, in progress,
    completed); a state the receipt already has is not reported again.
    """
    if receipt.state == state:
        return
    Receipt.objects.filter(pk=receipt.pk).update(state=state)
    count_receipts(receipt.unit_id, receipt.state, -1)
    count_receipts(receipt.unit_id, state, +1)
    receipt.state = state
    _report(receipt, state, note, actor, now)


def count_receipts(unit_id: int, state: str, delta: int) -> None:
    """Keep the per-unit, per-state receipt count (oversight reads it instead of scanning receipts).
    Inside ``counts_gathered()``, the changes are summed and written when it ends (``lib.gather``)."""
    kept = _COUNTS.current()
    if kept is not None:
        kept[(unit_id, state)] += delta
        return
    _write_counts({(unit_id, state): delta})


def _write_counts(deltas: Mapping[tuple[int, str], int]) -> None:
    table = ReceiptCount._meta.db_table
    rows = [(u, st, n) for (u, st), n in sorted(deltas.items()) if n]
    if not rows:
        return
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (unit_id, state, n) VALUES {', '.join(['(%s, %s, %s)'] * len(rows))} "
            f"ON CONFLICT (unit_id, state) DO UPDATE SET n = {table}.n + excluded.n",
            [v for row in rows for v in row],
        )


# A batch's receipt counts, summed and written together at its end (see lib.gather for when).
_COUNTS: Gathering[Counter[tuple[int, str]]] = Gathering(Counter, _write_counts)
counts_gathered, counts_not_gathered = _COUNTS.gathered, _COUNTS.not_gathered


def _report(receipt: Receipt, state: str, note: str, actor: Acting, now: dt.datetime) -> None:
    if receipt.delivery_id is not None:
        apply_delivery_status(receipt.delivery_id, state, note, now, actor.user.username)
    else:  # from another server or from paper: kept for the exchange to report
        ReceiptEvent.objects.create(
            receipt=receipt, **ReceiptEvent.fields(state, note, now, actor.user.username)
        )


def _wrong_state(receipt: Receipt) -> ReceiptWrongState:
    label = DeliveryState(receipt.state).label
    return ReceiptWrongState(_("Văn bản đến đã ở trạng thái %(label)s") % {"label": label})


@dataclass(frozen=True)
class Registered:
    receipt: Receipt
    duplicates: list[Receipt]


def do_register_receipt(receipt_id: int, *, arrival_date: dt.date | None = None, actor: Acting) -> Registered:
    """Give an arrived receipt its incoming number; warn about an earlier copy of the same document."""
    actor.require(*rules.CLERKS, what=_("vào sổ văn bản đến"))
    # The signature check of a large file is slow: done (and kept) before the transaction that locks
    # the incoming register; inside, the policy reads the kept report.
    ahead = access_unit_receipt(actor, receipt_id)
    main = DocumentFile.objects.filter(document_id=ahead.document_id, role=FileRole.MAIN).first()
    if main is not None:
        do_verify_blob(main.blob_id)
    with transaction.atomic():
        receipt = access_unit_receipt(actor, receipt_id, for_write=True)
        if receipt.state != DeliveryState.ARRIVED:
            raise _wrong_state(receipt)
        refuse_unchecked(receipt.document)
        if main is not None:  # refuses, with the reasons, what the unit does not accept
            enforce_policy(actor.unit, main.blob_id)
        now = timezone.now()
        day = arrival_date or local_today(now)
        receipt.incoming_number = take_incoming_number(
            actor.unit, day=local_today(now), ref=f"receipt:{receipt.pk}"
        )
        receipt.arrival_date = day
        receipt.registered_at, receipt.registered_by = now, actor.user
        receipt.save(update_fields=["incoming_number", "arrival_date", "registered_at", "registered_by"])
        report_progress(receipt, DeliveryState.REGISTERED, f"Số đến {receipt.incoming_number}", actor, now)
        record(
            "receipt.registered",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="receipt",
            target_id=receipt.pk,
            details={"incoming_number": receipt.incoming_number},
        )
        duplicates = duplicates_of(receipt)
    return Registered(receipt, duplicates)


def do_return_receipt(receipt_id: int, *, reason: str, actor: Acting) -> Receipt:
    """Return a receipt to its sender with a reason."""
    actor.require(*rules.CLERKS, what=_("trả lại văn bản đến"))
    reason = clean_line(reason, field="reason", max_length=500, required=True)
    with transaction.atomic():
        receipt = access_unit_receipt(actor, receipt_id, for_write=True)
        if receipt.state not in rules.RETURNABLE:
            raise _wrong_state(receipt)
        now = timezone.now()
        receipt.returned_reason = reason
        receipt.save(update_fields=["returned_reason"])
        report_progress(receipt, DeliveryState.RETURNED, reason, actor, now)
        record(
            "receipt.returned",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="receipt",
            target_id=receipt.pk,
            details={"reason": reason},
        )
    return receipt


def do_revoke_release(document_id: int, *, reason: str, actor: Acting) -> Dispatch:
    """Recall a released document from every recipient (thu hồi).

    Recipients on this server lose it from their inbox at once; for those on other servers the
    release is marked and the exchange sends the recall (or never sends a document still waiting).
    """
    actor.require(*rules.CLERKS, what=_("thu hồi văn bản"))
    reason = clean_line(reason, field="reason", max_length=500, required=True)
    with transaction.atomic():
        doc = access_issued_document(actor, document_id, for_write=True)
        dispatch = Dispatch.objects.select_for_update().filter(document=doc).first()
        if dispatch is None:
            raise WrongState(_("Văn bản chưa ban hành"))
        if dispatch.revoked_at is not None:
            raise WrongState(_("Văn bản đã được thu hồi"))
        now = timezone.now()
        dispatch.revoked_at, dispatch.revoke_reason = now, reason
        dispatch.save(update_fields=["revoked_at", "revoke_reason"])
        for receipt in Receipt.objects.filter(delivery__dispatch=dispatch).exclude(
            state=DeliveryState.REVOKED
        ):
            revoke_receipt(receipt, reason, actor.user.username, now)
        record(
            "document.revoked",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="document",
            target_id=doc.pk,
            details={"symbol": doc.symbol, "reason": reason},
        )
    return dispatch


def revoke_receipt(receipt: Receipt, reason: str, by: str, now: dt.datetime) -> None:
    """Take a recalled document out of a recipient's inbox and confirm it to the sender."""
    old = receipt.state
    Receipt.objects.filter(pk=receipt.pk).update(state=DeliveryState.REVOKED, returned_reason=reason[:500])
    count_receipts(receipt.unit_id, old, -1)
    count_receipts(receipt.unit_id, DeliveryState.REVOKED, +1)
    receipt.state = DeliveryState.REVOKED
    if receipt.delivery_id is not None:
        apply_delivery_status(receipt.delivery_id, DeliveryState.REVOKED, reason, now, by)
    record(
        "receipt.revoked",
        actor=None,
        unit=receipt.unit.code if receipt.unit_id else "",
        target_type="receipt",
        target_id=receipt.pk,
        details={"reason": reason[:500], "by": by},
    )


def apply_delivery_status(delivery_id: int, state: str, note: str, at: dt.datetime, by: str) -> None:
    """Record a recipient's new state on the sender's delivery (from this server or a status message)."""
    Delivery.objects.filter(pk=delivery_id).update(state=state, state_changed_at=at, note=note[:500])
    StatusEvent.objects.create(delivery_id=delivery_id, **StatusEvent.fields(state, note, at, by))


def do_record_remote_status(delivery_id: int, state: str, note: str, at: dt.datetime, *, by: str) -> None:
    """A recipient on another server reported a new state (a status message, an answer, a recall
    not sent): the sender's delivery and its history change, with an audit event."""
    with transaction.atomic():
        apply_delivery_status(delivery_id, state, note, at, by)
        record(
            "delivery.status_reported",
            actor=None,
            target_type="delivery",
            target_id=delivery_id,
            details={"state": state, "by": by[:150], "note": note[:300]},
        )


def do_note_remote_answer(delivery_id: int, code: str, note: str, at: dt.datetime, *, by: str) -> None:
    """A recipient on another server answered a recall or update request in a way that changes no
    state (received it, refused it, took the update): kept in the delivery's history under its code."""
    with transaction.atomic():
        state = Delivery.objects.filter(pk=delivery_id).values_list("state", flat=True).first()
        if state is None:
            return
        StatusEvent.objects.create(
            delivery_id=delivery_id, state=state, code=code[:2], at=at, note=note[:500], by=by[:150]
        )
        record(
            "delivery.answer_reported",
            actor=None,
            target_type="delivery",
            target_id=delivery_id,
            details={"code": code[:2], "by": by[:150], "note": note[:300]},
        )


def set_transport(delivery_id: int, transport: str, note: str = "") -> None:
    """The exchange's report of how a delivery to another server travels."""
    set_transports([delivery_id], transport, note)


def set_transports(delivery_ids: list[int], transport: str, note: str = "") -> None:
    """``set_transport`` for several deliveries at once (a batch's answers)."""
    Delivery.objects.filter(pk__in=delivery_ids).update(transport=transport, transport_note=note[:500])


# -- documents that arrive on paper (or any way but the exchange), from their intake --


def external_issuer(name: str, acting: Acting) -> Unit:
    """The issuing body of a paper document: a directory entry of that name (for a unit of this server
    too: a paper arrival is the registering unit's incoming document, its issuer only a reference)."""
    name = clean_line(name, field="issuer", max_length=200, required=True)
    return do_record_external_unit(name=name, actor=acting)


def do_register_paper_arrival(intake_id: int, overrides: dict[str, Any], *, actor: Acting) -> Registered:
    """Make an incoming document of a finished intake and give it its incoming number, in one go."""
    actor.require(*rules.CLERKS, what=_("vào sổ văn bản đến"))
    with transaction.atomic():
        intake: Intake = access_intake(actor, intake_id, for_write=True)
        return register_arrival(intake, overrides, actor=actor, how="paper")


def register_arrival(
    intake: Intake,
    overrides: dict[str, Any],
    *,
    actor: Acting,
    how: str,
    more: list[Intake] | None = None,
    extra: list[tuple[str, str]] | None = None,
    details: dict[str, Any] | None = None,
) -> Registered:
    """The incoming document of a document that arrived outside the exchange (on paper: ``how`` paper; by
    e-mail: the mail app), registered with its incoming number. ``intake`` is the main file (read: its
    text and suggested metadata), ``more`` the other files read with it, ``extra`` further files
    (blob, name) kept with it (the mail itself). Runs in the caller's transaction, the intakes locked."""
    for i in [intake, *(more or [])]:
        if i.state != IntakeState.DONE or i.document_id is not None:
            raise IntakeRefused(_("Tệp chưa xử lý xong hoặc đã dùng"), code="wrong_state")
    s = {**intake.suggested, **overrides}
    meta = clean_metadata(
        {
            "type": s.get("type") or "CV",
            "subject": s.get("subject") or intake.name,
            "signer_name": str(s.get("signer_name", ""))[:50],
            "signer_position": str(s.get("signer_position", ""))[:100],
            "signer_competence": str(s.get("signer_competence", ""))[:100],
            "urgency": s.get("urgency") or "normal",
        }
    )
    check_fields(**meta)  # a mark typed into the subject; the scan's own text was read at intake
    issuer = external_issuer(str(s.get("issuer") or "Không rõ nơi gửi"), actor)
    issued = lenient_date(str(s.get("date") or ""))
    now = timezone.now()
    doc = Document.objects.create(
        issuing_unit=issuer,
        created_by=actor.user,
        state="released",
        number=s.get("number") or None,
        symbol=str(s.get("symbol") or "")[:40],
        issued_date=issued,
        released_at=now,
        place=str(s.get("place") or "")[:150],
        **{k: v for k, v in meta.items() if k != "planned_recipients"},
    )
    files = [DocumentFile(document=doc, role=FileRole.MAIN, blob_id=intake.blob_id, name=intake.name)]
    for i in more or []:
        files.append(DocumentFile(document=doc, role=FileRole.ATTACHMENT, blob_id=i.blob_id, name=i.name))
    files += [DocumentFile(document=doc, role=FileRole.ATTACHMENT, blob_id=b, name=n) for b, n in extra or []]
    if intake.rendition_id:
        name = intake.name.rsplit(".", 1)[0] + " (OCR).pdf"
        files.append(
            DocumentFile(document=doc, role=FileRole.RENDITION, blob_id=intake.rendition_id, name=name)
        )
    for position, f in enumerate(files):
        f.position = position
    DocumentFile.objects.bulk_create(files)
    receipt = do_receive_document(
        doc,
        issuer=issuer,
        now=now,
        how=how,
        actor=actor.user,
        unit=actor.unit,
        details={"intake": intake.pk, "issuer_name": issuer.name, **(details or {})},
    )
    Intake.objects.filter(pk__in=[intake.pk, *(i.pk for i in more or [])]).update(document=doc)
    assert receipt is not None
    return do_register_receipt(receipt.pk, actor=actor)


def move_receipt(receipt: Receipt, to: Unit, *, actor: Acting, now: dt.datetime) -> bool:
    """Hand an open receipt of a merged unit to its successor (one audit event each). A registered one
    is entered in the successor's incoming register with a new number (the old number stays in the
    audit). Returns False when the successor already holds the same document (the receipt stays as
    history)."""
    if Receipt.objects.filter(unit=to, document_id=receipt.document_id).exists():
        return False
    old_unit, old_number = receipt.unit, receipt.incoming_number
    number = None
    if old_number is not None:
        number = take_incoming_number(to, day=local_today(now), ref=f"receipt:{receipt.pk}")
    Receipt.objects.filter(pk=receipt.pk).update(
        unit=to, addressed_to=receipt.addressed_to or old_unit, incoming_number=number
    )
    count_receipts(old_unit.pk, receipt.state, -1)
    count_receipts(to.pk, receipt.state, +1)
    record(
        "receipt.moved",
        actor=actor.user,
        unit=to.code,
        target_type="receipt",
        target_id=receipt.pk,
        details={
            "from": old_unit.code,
            "to": to.code,
            **({"old_number": old_number, "incoming_number": number} if old_number else {}),
        },
    )
    return True
