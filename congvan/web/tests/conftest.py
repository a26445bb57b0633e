"""A real headless Chromium (Debian's) driven by Playwright, against the live test server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    for candidate in ("/usr/lib/chromium/chromium", "/usr/bin/chromium"):
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        pytest.fail("Chromium is not installed: scripts/setup --dev installs Debian's chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def open_as(browser: Any, live_server: Any) -> Iterator[Any]:
    """Return a function that opens a new browser context signed in as a person."""
    contexts = []

    def _open(username: str, password: str = "correct horse 1") -> Any:
        ctx = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15000)
        page.confirmed = []  # the confirmations the person accepted (irreversible actions ask first)

        def accept(dialog: Any, page: Any = page) -> None:
            page.confirmed.append(dialog.message)
            dialog.accept()

        page.on("dialog", accept)
        page.goto(live_server.url + "/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)  # the dashboard, or an admin's landing page
        return page

    yield _open
    for ctx in contexts:
        ctx.close()
