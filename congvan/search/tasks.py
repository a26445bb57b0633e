"""Background entry points of the search app."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from congvan.search.indexer import index_recent

CATCH_UP = dt.timedelta(minutes=15)


@task()
def index_changed_documents() -> int:
    """The tick's safety net beside ``search-follow``: what changed in the last quarter hour, found through
    the indexed columns (a scan of every document's entry would cost seconds at a million)."""
    return index_recent(timezone.now() - CATCH_UP)
