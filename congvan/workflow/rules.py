"""The rules of incoming work, in one place: when work is overdue, who may direct, decide, reassign.

Actions enforce them, queries filter by them, and the API, the pages, the templates and the reminders
ask them; nothing re-derives them from raw states or role strings.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from congvan.dispatch.models import DeliveryState, Receipt
from congvan.documents.models import DocState, Document
from congvan.orgs.access import DRAFTERS, Acting
from congvan.orgs.models import Role
from congvan.workflow.deadlines import settings_of
from congvan.workflow.models import Assignment, AssignmentState

# Work still to be done by its assignee. A delegated assignment's work is its child's: counting both
# would count one late task twice.
WORKING_STATES = (AssignmentState.OPEN, AssignmentState.IN_PROGRESS)
DIRECTABLE = (DeliveryState.REGISTERED, DeliveryState.DIRECTED, DeliveryState.IN_PROGRESS)


def is_overdue(a: Assignment, today: dt.date) -> bool:
    """An assignment still being worked on after its deadline."""
    return a.state in WORKING_STATES and a.deadline < today


def overdue(today: dt.date, prefix: str = "") -> Q:
    """The same rule as a condition on assignments (``prefix``: the path to them, e.g. "assignments__")."""
    return Q(**{f"{prefix}state__in": WORKING_STATES, f"{prefix}deadline__lt": today})


def role_may_direct(acting: Acting) -> bool:
    """A leader directs; a clerk routes to one handler when the unit allows it."""
    return acting.role == Role.LEADER or (
        acting.role == Role.CLERK and settings_of(acting.unit).clerk_may_route
    )


def may_direct(acting: Acting, receipt: Receipt) -> bool:
    """The receiving unit's leader (or routing clerk), once the document is registered."""
    return receipt.unit_id == acting.unit.pk and receipt.state in DIRECTABLE and role_may_direct(acting)


def is_own_open(acting: Acting, a: Assignment) -> bool:
    """The person's own assignment, still to be worked on (progress, completion, extension, hand-back)."""
    return a.assignee_user_id == acting.user.pk and a.state in WORKING_STATES


def may_decide_extension(acting: Acting, a: Assignment) -> bool:
    """Who assigned the work, or a leader of the unit that owns it."""
    return a.assigned_by_id == acting.user.pk or (
        acting.role == Role.LEADER and acting.unit.pk == a.owner_unit_id
    )


def may_reassign(acting: Acting, a: Assignment) -> bool:
    """The leader of the sub-unit the work was given to hands it to one of its people."""
    return (
        a.assignee_unit_id == acting.unit.pk
        and acting.role == Role.LEADER
        and a.state in (AssignmentState.OPEN, AssignmentState.DELEGATED)
    )


def may_edit_draft(acting: Acting, doc: Document) -> bool:
    """A drafter of the issuing unit changes (or submits) a draft."""
    return doc.issuing_unit_id == acting.unit.pk and doc.state == DocState.DRAFT and acting.role in DRAFTERS


def may_review(acting: Acting, doc: Document) -> bool:
    """A leader of the issuing unit approves or rejects a submitted document."""
    return (
        doc.issuing_unit_id == acting.unit.pk
        and doc.state == DocState.SUBMITTED
        and acting.role == Role.LEADER
    )


def may_start_reply(acting: Acting, receipt: Receipt) -> bool:
    """Someone who drafts in the receiving unit answers its copy, unless sent back or recalled."""
    return (
        acting.role in DRAFTERS
        and receipt.unit_id == acting.unit.pk
        and receipt.state not in (DeliveryState.RETURNED, DeliveryState.REVOKED)
    )
