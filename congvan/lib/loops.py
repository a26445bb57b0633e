"""Run asyncio code from synchronous code wherever it is called.

pyHanko's synchronous API (signing, validation) calls ``asyncio.run()``, which refuses to start where an
event loop already runs in the calling thread (an async server, a worker using asyncio, a test session
driving a browser). There the work runs in a thread of its own; elsewhere it runs as called.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from functools import wraps
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def off_running_loop(fn: Callable[P, T]) -> Callable[P, T]:
    """Call ``fn`` in a thread of its own when an event loop runs in the calling thread."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        if not _loop_running():
            return fn(*args, **kwargs)
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(fn, *args, **kwargs).result()

    return wrapper


def run(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``, also where an event loop already runs in this thread."""
    return off_running_loop(asyncio.run)(coro)
