"""The doors of an incoming document's and a release's later steps that someone must hear of: the
``dispatch`` change, then the notices (``dispatch`` sits below the notices, so they are sent here).

- registered: the receiving unit's leaders, who direct it;
- returned: the sender's clerks and the drafter (when the sender is on this server);
- recalled: the clerks of each recipient unit on this server.
"""

from __future__ import annotations

import datetime as dt

from congvan.dispatch import actions as dispatch
from congvan.dispatch.models import Dispatch, Receipt
from congvan.orgs.access import Acting
from congvan.orgs.models import Membership, Role
from congvan.workflow.actions.notices import notify, notify_many


def _members(unit_ids: set[int], role: str, *, but: int) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for unit_id, user_id in Membership.objects.filter(
        unit_id__in=unit_ids, role=role, active=True, user__is_active=True
    ).values_list("unit_id", "user_id"):
        if user_id != but:
            out.setdefault(unit_id, []).append(user_id)
    return out


def do_register_receipt(
    receipt_id: int, *, arrival_date: dt.date | None = None, actor: Acting
) -> dispatch.Registered:
    """Register an arrival (``dispatch.do_register_receipt``) and tell the unit's leaders."""
    done = dispatch.do_register_receipt(receipt_id, arrival_date=arrival_date, actor=actor)
    r = done.receipt
    leaders = _members({r.unit_id}, Role.LEADER, but=actor.user.pk).get(r.unit_id, [])
    doc = r.document
    notify(
        leaders,
        key=f"registered:{r.pk}",
        kind="registered",
        about=("document", doc.pk),
        subject=doc.symbol or doc.subject[:120],
        number=str(r.incoming_number or ""),
    )
    return done


def do_return_receipt(receipt_id: int, *, reason: str, actor: Acting) -> Receipt:
    """Return an arrival to its sender (``dispatch.do_return_receipt``) and tell the sender's clerks
    and the drafter, when they are on this server."""
    r = dispatch.do_return_receipt(receipt_id, reason=reason, actor=actor)
    doc = r.document
    clerks = _members({doc.issuing_unit_id}, Role.CLERK, but=actor.user.pk).get(doc.issuing_unit_id, [])
    notify(
        {*clerks, doc.created_by_id} - {actor.user.pk},
        key=f"returned:{r.pk}",
        kind="returned",
        about=("document", doc.pk),
        subject=doc.symbol or doc.subject[:120],
        unit=r.unit.name,
        reason=r.returned_reason[:300],
    )
    return r


def do_revoke_release(document_id: int, *, reason: str, actor: Acting) -> Dispatch:
    """Recall a release (``dispatch.do_revoke_release``) and tell each recipient unit's clerks."""
    d = dispatch.do_revoke_release(document_id, reason=reason, actor=actor)
    receipts = list(Receipt.objects.filter(delivery__dispatch=d).values_list("pk", "unit_id"))
    clerks = _members({u for _r, u in receipts}, Role.CLERK, but=actor.user.pk)
    doc = d.document
    notify_many(
        [(user, f"recalled:{pk}") for pk, unit in receipts for user in clerks.get(unit, [])],
        kind="recalled",
        about=("document", doc.pk),
        subject=doc.symbol or doc.subject[:120],
        reason=d.revoke_reason[:300],
    )
    return d
