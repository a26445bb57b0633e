"""Small SQL helpers for the few statements the ORM cannot express in one query."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper


def ids_in(connection: BaseDatabaseWrapper, column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """Return ``column IN (ids)`` as one parameter, whatever the number of ids (no per-batch queries)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    if connection.vendor == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]
    raise NotImplementedError(connection.vendor)
