"""Background entry points of the search app."""

from __future__ import annotations

from django_tasks import task

from congvan.search.indexer import index_pending


@task()
def index_changed_documents() -> int:
    return index_pending()
