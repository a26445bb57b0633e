"""Background entry points of the operations app (queued by each tick; each runs when it is due)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from congvan.ops.actions import do_check_files, do_scheduled_backup, due


@task()
def check_files_daily() -> bool:
    """Run the file check once a day; its result shows on the health page."""
    if not due("fsck", dt.timedelta(hours=23)):
        return True
    return do_check_files().ok


@task()
def backup_daily() -> bool:
    """Write the daily backup when ``CONGVAN_BACKUP_DIR`` is set."""
    return do_scheduled_backup() is not None
