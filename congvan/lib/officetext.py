"""The text of a DOCX or ODT file, read from its XML (no office program needed)."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from congvan.lib import filetypes
from congvan.lib.errors import InvalidInput

MAX_XML = 50 * 1024 * 1024  # a document's XML larger than this unpacked is refused (a zip bomb)


def office_text(path: Path, mime: str) -> str:
    """Paragraphs as lines; refuses a broken file or one that unpacks too large."""
    member = "word/document.xml" if mime == filetypes.DOCX else "content.xml"
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo(member)
            if info.file_size > MAX_XML:
                raise InvalidInput(_("Tệp quá lớn khi giải nén"))
            xml = z.read(member).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InvalidInput(_("Tệp văn bản hỏng: %(name)s") % {"name": type(exc).__name__}) from None
    xml = re.sub(r"</w:p>|</text:p>|<text:line-break/>|<w:br/>", "\n", xml)
    return html.unescape(re.sub(r"<[^>]+>", "", xml))
