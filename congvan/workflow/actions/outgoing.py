"""The outgoing approval steps: submit to a leader, approve, or send back with a comment."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.dispatch.actions import do_release
from congvan.dispatch.models import DeliveryState, Dispatch, Receipt
from congvan.documents.access import access_issued_document
from congvan.documents.errors import InvalidDocument, WrongState
from congvan.documents.files import replace_blob
from congvan.documents.guard import refuse_unchecked
from congvan.documents.models import DocState, Document, FileRole, Urgency
from congvan.lib.text import clean_text
from congvan.orgs.access import DRAFTERS, Acting, role_holders
from congvan.orgs.models import Membership, Role
from congvan.signatures.actions import do_finish_remote_signature, do_prepare_remote_signature
from congvan.signatures.keys import KeyUnavailable
from congvan.signatures.models import SigningSession
from congvan.signatures.signing import has_person_key, sign_as_person
from congvan.workflow.actions.notices import notify, notify_many


def _step(
    acting: Acting, document_id: int, *, expect: str, to: str, action: str, comment: str = ""
) -> Document:
    with transaction.atomic():
        doc = access_issued_document(acting, document_id, for_write=True)
        if doc.state != expect:
            raise WrongState(
                _("Văn bản đang ở trạng thái %(label)s, không thể thực hiện")
                % {"label": DocState(doc.state).label}
            )
        doc.state = to
        fields = ["state", "updated_at"]
        if action == "approved":
            doc.approved_by = acting.user
            doc.approved_at = timezone.now()
            fields += ["approved_by", "approved_at"]
        if action in {"rejected", "submitted"}:
            doc.review_comment = comment
            fields.append("review_comment")
        doc.save(update_fields=fields)
        record(
            f"document.{action}",
            actor=acting.user,
            unit=acting.unit.code,
            target_type="document",
            target_id=doc.pk,
            details={"comment": comment} if comment else {},
        )
        _tell(doc, action, comment, by=acting.user.pk)
    return doc


def _tell(doc: Document, action: str, comment: str, *, by: int) -> None:
    """Who learns of a step, once per step (the key carries the step's time): a submission the unit's
    leaders who may approve; an approval the drafter and the clerks who release; a rejection the
    drafter, with the leader's comment."""

    def members(role: str) -> list[int]:
        return list(
            Membership.objects.filter(
                unit_id=doc.issuing_unit_id, role=role, active=True, user__is_active=True
            )
            .exclude(user_id=by)
            .values_list("user_id", flat=True)
        )

    about, what = ("document", doc.pk), doc.symbol or doc.subject[:120]
    step = f"{doc.pk}:{doc.updated_at.timestamp():.6f}"
    drafter = [doc.created_by_id] if doc.created_by_id != by else []
    if action == "submitted":
        notify(members(Role.LEADER), key=f"submitted:{step}", kind="submitted", about=about, subject=what)
    elif action == "approved":
        notify(drafter, key=f"approved:{step}", kind="approved", about=about, subject=what)
        notify(members(Role.CLERK), key=f"to_release:{step}", kind="to_release", about=about, subject=what)
    elif action == "rejected":
        notify(
            drafter, key=f"rejected:{step}", kind="rejected", about=about, subject=what, comment=comment[:300]
        )


def do_submit_document(document_id: int, *, actor_note: str = "", actor: Acting) -> Document:
    """Send a draft to the unit's leaders for approval."""
    actor.require(*DRAFTERS, what=_("trình duyệt"))
    note = clean_text(actor_note, field="note", max_length=2000)
    return _step(
        actor, document_id, expect=DocState.DRAFT, to=DocState.SUBMITTED, action="submitted", comment=note
    )


@dataclass(frozen=True)
class RemoteSignature:
    """The signature value the leader's agent returned for a prepared session."""

    session: str
    value: bytes


def _reviewable_main(actor: Acting, document_id: int) -> tuple[Document, str]:
    actor.require(Role.LEADER, what=_("duyệt văn bản"))
    doc = access_issued_document(actor, document_id)
    refuse_unchecked(doc)
    if doc.state != DocState.SUBMITTED:
        raise WrongState(
            _("Văn bản đang ở trạng thái %(label)s, không thể thực hiện")
            % {"label": DocState(doc.state).label}
        )
    main = doc.files.filter(role=FileRole.MAIN).first()
    if main is None:
        raise InvalidDocument(_("Văn bản chưa có tệp chính để ký"), code="missing_file")
    return doc, main.blob_id


@dataclass(frozen=True)
class PreparedSignature:
    """What the leader's agent is given: the session, what the token signs, and what it shows."""

    session: SigningSession
    symbol: str
    subject: str

    def payload(self) -> dict[str, Any]:
        return {
            "session": self.session.token,
            "to_sign": base64.b64encode(bytes(self.session.signed_attrs)).decode(),
            "digest": bytes(self.session.document_digest).hex(),
            "symbol": self.symbol,
            "subject": self.subject,
            "expires_at": self.session.expires_at,
        }


def do_prepare_approval_signature(
    document_id: int, *, certificate: bytes, actor: Acting
) -> PreparedSignature:
    """Prepare a submitted document for the leader's signature on their own token: the server returns
    what the token signs (see ``signatures.remote``); ``do_approve_document`` then takes the value."""
    doc, source = _reviewable_main(actor, document_id)
    session = do_prepare_remote_signature(
        actor.user,
        doc.pk,
        source,
        certificate,
        position=doc.signer_position or actor.membership.title,
        name=actor.user.full_name or actor.user.username,
    )
    return PreparedSignature(session, doc.symbol, doc.subject)


def do_approve_document(
    document_id: int,
    *,
    sign: bool | None = None,
    passphrase: str | None = None,
    remote: RemoteSignature | None = None,
    actor: Acting,
) -> Document:
    """Approve a submitted document (a leader of the issuing unit). ``sign`` True signs with the
    leader's key on the server (refused when there is none), False approves without a signature, None
    signs when a key is configured. Empty fields for the number and date go in under the signature.

    The signature (the slow part) is made first, outside any transaction; the approval then checks,
    under the document's lock, that the state and the main file are still those that were signed.
    """
    actor.require(Role.LEADER, what=_("duyệt văn bản"))
    doc = access_issued_document(actor, document_id)
    refuse_unchecked(doc)
    signed, source = None, ""
    main = doc.files.filter(role=FileRole.MAIN).first() if doc.state == DocState.SUBMITTED else None
    if sign and remote is None and not has_person_key(actor.user.username):
        raise KeyUnavailable(
            _("Chưa đăng ký khóa ký số trên máy chủ cho %(name)s: hãy ký bằng thiết bị ký của mình")
            % {"name": actor.user.username}
        )
    if remote is not None:
        doc, source = _reviewable_main(actor, document_id)
        signed = do_finish_remote_signature(actor.user, doc.pk, remote.session, remote.value, source=source)
    elif main is not None and sign is not False:
        source = main.blob_id
        signed = sign_as_person(
            actor.user.username,
            source,
            position=doc.signer_position or actor.membership.title,
            name=actor.user.full_name or actor.user.username,
            passphrase=passphrase,
        )
    with transaction.atomic():
        doc = _step(actor, document_id, expect=DocState.SUBMITTED, to=DocState.APPROVED, action="approved")
        if signed is None:
            return doc
        current = doc.files.filter(role=FileRole.MAIN).first()
        if current is None or current.blob_id != source:
            raise WrongState(_("Tệp văn bản đã thay đổi trong khi ký: hãy duyệt lại"))
        replace_blob(current, signed.sha256)
        record(
            "document.signed",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="document",
            target_id=doc.pk,
            details={"level": signed.level, "file": signed.sha256[:16]},
        )
    return doc


def do_reject_document(document_id: int, *, comment: str, actor: Acting) -> Document:
    """Send a submitted document back to draft with the leader's comment."""
    actor.require(Role.LEADER, what=_("trả lại dự thảo"))
    comment = clean_text(comment, field="comment", max_length=2000)
    if not comment:
        raise InvalidDocument(_("comment: cần nêu lý do trả lại"), code="missing_field")
    return _step(
        actor, document_id, expect=DocState.SUBMITTED, to=DocState.DRAFT, action="rejected", comment=comment
    )


def do_release_document(
    document_id: int,
    *,
    recipients: list[str] | None = None,
    groups: list[str] | None = None,
    seal: bool | None = None,
    passphrase: str | None = None,
    paper_copy: str = "",
    actor: Acting,
) -> Dispatch:
    """Release a document (``dispatch.do_release``: number, seal, deliver) and tell the clerks of each
    recipient unit on this server that it arrived (an urgent one marked so), once per arrival."""
    dispatch = do_release(
        document_id,
        recipients=recipients,
        groups=groups,
        seal=seal,
        passphrase=passphrase,
        paper_copy=paper_copy,
        actor=actor,
    )
    tell_arrivals(dispatch.document, by=actor.user.pk)
    if dispatch.document.replaces_id is not None:
        tell_replaced(dispatch.document, by=actor.user.pk)
    return dispatch


def tell_replaced(doc: Document, *, by: int | None = None) -> int:
    """Notices to the clerks of each unit whose copy of the replaced document left its inbox."""
    old = doc.replaces
    if old is None:
        return 0
    receipts = list(
        Receipt.objects.filter(document=old, state=DeliveryState.REVOKED).values_list("pk", "unit_id")
    )
    clerks = role_holders({u for _r, u in receipts}, Role.CLERK)
    return notify_many(
        [(user, f"replaced:{pk}") for pk, unit in receipts for user in clerks.get(unit, []) if user != by],
        kind="replaced",
        about=("document", doc.pk),
        old=old.symbol or old.subject[:80],
        new=doc.symbol or doc.subject[:80],
    )


def tell_arrivals(
    doc: Document,
    *,
    by: int | None = None,
    receipts: list[tuple[int, int]] | None = None,
    clerks: dict[int, list[int]] | None = None,
) -> int:
    """Notices to the clerks of each unit the document arrived in (its receipts not yet told).
    ``receipts`` (id, unit) and ``clerks`` (by unit), when the caller has them already (a batch of
    messages from another server looks the clerks of all its units up at once)."""
    if receipts is None:
        receipts = list(Receipt.objects.filter(document=doc).values_list("pk", "unit_id"))
    units = {u for _r, u in receipts}
    if clerks is None or not units <= clerks.keys():
        clerks = role_holders(units, Role.CLERK)
    pairs = [(user, f"arrived:{pk}") for pk, unit in receipts for user in clerks.get(unit, []) if user != by]
    urgent = doc.urgency != Urgency.NORMAL
    return notify_many(
        pairs,
        kind="arrived_urgent" if urgent else "arrived",
        about=("document", doc.pk),
        subject=doc.symbol or doc.subject[:120],
        issuer=doc.issuing_unit.name,
    )
