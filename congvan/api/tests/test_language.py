"""Messages are shown in one language at a time: Vietnamese by default, English when asked."""

from __future__ import annotations

import polib
from django.conf import settings


def test_an_error_is_in_vietnamese_by_default_and_in_english_when_asked(api):
    bob = api["bob"]  # a leader: may not release
    r = bob.client.post(
        "/api/v1/documents/999999/release", "{}", content_type="application/json", headers=bob.headers()
    )
    vi = r.json()["error"]["message"]
    r = bob.client.post(
        "/api/v1/documents/999999/release",
        "{}",
        content_type="application/json",
        headers={**bob.headers(), "Accept-Language": "en"},
    )
    en = r.json()["error"]["message"]
    assert vi == "Vai trò của bạn không được ban hành văn bản"
    assert en == "Your role may not release documents"


def test_the_english_catalogue_is_complete():
    po = polib.pofile(str(settings.BASE_DIR / "congvan" / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po if not e.msgstr and not e.msgid_plural and not e.obsolete]
    assert missing == []
