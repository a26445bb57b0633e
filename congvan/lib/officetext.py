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
# an ODF page header's start, in styles.xml's master pages (not <style:header-style>)
_ODF_HEADER = re.compile(r"<style:header(?:-first|-left)?(?:\s[^<>]*)?>")


def office_text(path: Path, mime: str) -> str:
    """Paragraphs as lines, the page headers first (where a MẬT mark may stand); refuses a broken file
    or one that unpacks too large."""
    try:
        with zipfile.ZipFile(path) as z:
            if mime == filetypes.DOCX:
                headers = sorted(n for n in z.namelist() if re.fullmatch(r"word/header\d*\.xml", n))
                parts = [_member(z, n) for n in headers] + [_member(z, "word/document.xml")]
            else:
                styles = _member(z, "styles.xml") if "styles.xml" in z.namelist() else ""
                heads = _odf_headers(styles)
                parts = [*heads, _member(z, "content.xml")]
    except filetypes.ZIP_ERRORS as exc:
        raise InvalidInput(_("Tệp văn bản hỏng: %(name)s") % {"name": type(exc).__name__}) from None
    return "\n".join(_text(xml) for xml in parts)


def _odf_headers(styles: str) -> list[str]:
    """The page headers' XML (each start to its end: found by plain search, in time linear in the
    file, whatever a hostile one holds)."""
    found, at = [], 0
    while (m := _ODF_HEADER.search(styles, at)) is not None:
        end = styles.find("</style:header", m.end())
        if end < 0:
            break
        found.append(styles[m.end() : end])
        at = end + 1
    return found


def _member(z: zipfile.ZipFile, name: str) -> str:
    info = z.getinfo(name)
    if info.file_size > MAX_XML:
        raise InvalidInput(_("Tệp quá lớn khi giải nén"))
    return z.read(name).decode("utf-8", "replace")


def _text(xml: str) -> str:
    """The words of a WordprocessingML or ODF part: a paragraph or a break a line, a tab or an ODF
    space a blank (the issuer and a mark on one line stay two words). A tag ends at its ">" or at the
    next "<" (linear time on a file of unclosed tags)."""
    xml = re.sub(r"</w:p>|</text:p>|</text:h>|<text:line-break/>|<w:br\b[^<>]*/>|<w:cr/>", "\n", xml)
    xml = re.sub(r"<w:tab/>|<text:tab/>|<text:s\b[^<>]*/>|<w:ptab\b[^<>]*/>", " ", xml)
    return html.unescape(re.sub(r"<[^<>]*>", "", xml))
