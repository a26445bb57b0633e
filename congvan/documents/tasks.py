"""Background entry points of the documents app."""

from __future__ import annotations

from django_tasks import task

from congvan.documents.blobstore import sweep_temp


@task()
def sweep_temp_files() -> int:
    """Remove the temporary upload files a crash left behind (queued by each tick)."""
    files, _size = sweep_temp()
    return files
