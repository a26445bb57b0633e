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


def _messages_in_code() -> set[str]:
    """Every literal passed to gettext in the code and to {% translate %} in the templates."""
    import ast
    import re
    from pathlib import Path

    root = Path(settings.BASE_DIR) / "congvan"
    found: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "gettext", "gettext_lazy")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    tag = re.compile(r"""\{%\s*(?:translate|trans)\s+(?:"([^"]+)"|'([^']+)')\s*(?:as \w+\s*)?%\}""")
    for path in root.rglob("*.html"):
        found.update(double or single for double, single in tag.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_message_in_the_code_has_its_english():
    po = polib.pofile(str(settings.BASE_DIR / "congvan" / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    have = {e.msgid for e in po if e.msgstr or e.msgstr_plural}
    missing = sorted(_messages_in_code() - have)
    assert missing == []
