"""Dossiers (hồ sơ công việc): a unit's files grouping the documents of one matter."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.lib.errors import Conflict, InvalidInput
from congvan.lib.text import clean_line
from congvan.orgs.access import Acting
from congvan.orgs.models import Role
from congvan.workflow.access import access_document, access_dossier
from congvan.workflow.errors import DossierClosed
from congvan.workflow.models import Dossier, Retention

CODE = re.compile(r"^[0-9A-Za-zÀ-ỹĐđ.\-/_]{1,50}$")


# Who keeps dossiers: the unit's document workers (auditors and administrators only read them).
KEEPERS = (Role.CLERK, Role.LEADER, Role.SPECIALIST)


def do_create_dossier(*, code: str, title: str, retention: str, actor: Acting) -> Dossier:
    actor.require(*KEEPERS, what=_("lập hồ sơ"))
    code = clean_line(code, field="code", max_length=50, required=True)
    if not CODE.match(code):
        raise InvalidInput(_("code: chữ, số và . -"))
    title = clean_line(title, field="title", max_length=300, required=True)
    if retention not in Retention.values:
        raise InvalidInput(f"retention: {' | '.join(Retention.values)}")
    with transaction.atomic():
        try:
            with transaction.atomic():
                d = Dossier.objects.create(
                    unit=actor.unit,
                    code=code,
                    title=title,
                    retention=retention,
                    created_by=actor.user,
                    created_at=timezone.now(),
                )
        except IntegrityError:
            raise Conflict(_("Mã hồ sơ đã có"), code="duplicate_dossier") from None
        record(
            "dossier.created",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="dossier",
            target_id=d.pk,
            details={"code": code},
        )
    return d


def do_add_to_dossier(dossier_id: int, document_id: int, *, remove: bool = False, actor: Acting) -> Dossier:
    """Put a document the person can see into (or take it out of) an open dossier of the unit."""
    actor.require(*KEEPERS, what=_("lập hồ sơ"))
    with transaction.atomic():
        d = access_dossier(actor, dossier_id, for_write=True)
        if d.closed_at is not None:
            raise DossierClosed(_("Hồ sơ đã đóng"))
        doc = access_document(actor, document_id)
        if remove:
            d.documents.remove(doc)
        else:
            d.documents.add(doc)
        record(
            "dossier.removed" if remove else "dossier.added",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="dossier",
            target_id=d.pk,
            details={"document": doc.pk},
        )
    return d


def do_close_dossier(dossier_id: int, *, actor: Acting) -> Dossier:
    actor.require(*KEEPERS, what=_("lập hồ sơ"))
    with transaction.atomic():
        d = access_dossier(actor, dossier_id, for_write=True)
        if d.closed_at is not None:
            raise DossierClosed(_("Hồ sơ đã đóng"))
        d.closed_at = timezone.now()
        d.save(update_fields=["closed_at"])
        record(
            "dossier.closed", actor=actor.user, unit=actor.unit.code, target_type="dossier", target_id=d.pk
        )
    return d
