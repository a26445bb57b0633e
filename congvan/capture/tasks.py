"""Background entry points of the capture app."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from congvan.capture.actions import process
from congvan.capture.models import Intake, IntakeState


@task()
def process_intake(intake_id: int) -> None:
    process(intake_id)


@task()
def process_intakes(intake_ids: list[int]) -> None:
    """Several intakes in one task (the documents of a chunk of mails: one queued row, not 25)."""
    for pk in intake_ids:
        process(pk)


@task()
def resume_intakes() -> int:
    """After a restart: intakes left queued, or processing for too long, are processed again."""
    stale = timezone.now() - dt.timedelta(minutes=30)
    ids = list(
        Intake.objects.filter(
            state=IntakeState.QUEUED, updated_at__lt=timezone.now() - dt.timedelta(minutes=2)
        ).values_list("pk", flat=True)[:100]
    )
    ids += list(
        Intake.objects.filter(state=IntakeState.PROCESSING, updated_at__lt=stale).values_list(
            "pk", flat=True
        )[:100]
    )
    for pk in ids:
        process(pk)
    return len(ids)


@task()
def check_pending_contents() -> int:
    """Read the scans the classification guard is waiting for (queued by each tick)."""
    from congvan.capture.actions import do_check_pending_contents

    return do_check_pending_contents()


@task()
def read_scanned_texts() -> int:
    """OCR the scans and images whose text search does not have yet (a few each tick: OCR is slow)."""
    from congvan.capture.actions import do_extract_texts

    return do_extract_texts(ocr=True, limit=3)
