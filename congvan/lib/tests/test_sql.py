"""``one_writer``: on SQLite, the write transactions that threads of one process run side by side take
turns on a lock that hands over at once; a thread already inside a transaction never waits on it."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from congvan.lib.sql import one_writer

pytestmark = pytest.mark.django_db(transaction=True)


def test_writers_take_turns_and_one_inside_a_transaction_passes():
    if connection.vendor != "sqlite":
        with one_writer(), one_writer():  # nothing to wait for: PostgreSQL's transactions overlap
            return
    order: list[str] = []
    held = threading.Event()

    def first() -> None:
        with one_writer():
            held.set()
            time.sleep(0.3)
            order.append("first done")

    t = threading.Thread(target=first)
    t.start()
    held.wait(5)
    with one_writer():  # waits for the first thread
        order.append("second in")
    t.join()
    assert order == ["first done", "second in"]

    held.clear()
    t = threading.Thread(target=first)
    t.start()
    held.wait(5)
    with transaction.atomic(), one_writer():  # inside a transaction already: no wait on the lock
        order.append("inside")
    t.join()
    assert order[-2:] == ["inside", "first done"]
