"""Reorganisation (the 2025 merges): a unit merged into its successor hands over its open work."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from congvan.audit.actions import record
from congvan.dispatch.actions import move_receipt
from congvan.dispatch.models import DeliveryState, Receipt
from congvan.orgs.access import Acting
from congvan.orgs.actions import Merged, merge_unit_into
from congvan.workflow.models import OPEN_STATES, Assignment

# Receipts still being worked on (arrived, registered, directed, in progress) move to the successor;
# completed, returned and revoked ones stay as the merged unit's history.
OPEN_RECEIPTS = (
    DeliveryState.ARRIVED,
    DeliveryState.REGISTERED,
    DeliveryState.DIRECTED,
    DeliveryState.IN_PROGRESS,
)


@dataclass(frozen=True)
class MergeResult:
    merged: Merged
    receipts_moved: int
    receipts_kept: int
    assignments_moved: int


def do_merge_unit(code: str, *, into: str, move_people: bool, actor: Acting) -> MergeResult:
    """Merge a unit into a successor in one transaction: the unit closes and points to the successor
    (later documents addressed to it go there), the units below it move under the successor, its open
    receipts and the open assignments held by the unit move to the successor (each move audited), its
    people's roles end or move (``move_people``). Its registers and documents stay as its history,
    which the successor's people read and search."""
    with transaction.atomic():
        merged = merge_unit_into(code, into=into, move_people=move_people, actor=actor)
        old, new = merged.unit, merged.successor
        now = timezone.now()
        moved = kept = 0
        receipts = Receipt.objects.select_for_update().filter(unit=old, state__in=OPEN_RECEIPTS)
        for receipt in receipts.select_related("unit").order_by("id"):
            if move_receipt(receipt, new, actor=actor, now=now):
                moved += 1
                Assignment.objects.filter(receipt=receipt, owner_unit=old).update(owner_unit=new)
            else:
                kept += 1
        work = Assignment.objects.filter(assignee_unit=old, state__in=OPEN_STATES)
        ids = list(work.values_list("pk", flat=True))
        for pk in ids:
            Assignment.objects.filter(pk=pk).update(assignee_unit=new)
            record(
                "assignment.moved",
                actor=actor.user,
                unit=new.code,
                target_type="assignment",
                target_id=pk,
                details={"from": old.code, "to": new.code},
            )
    return MergeResult(merged, moved, kept, len(ids))
