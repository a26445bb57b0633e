"""The classification guard: a MẬT / TỐI MẬT / TUYỆT MẬT mark refuses a file; the same letters in prose
("bí mật", "mật khẩu", "mật độ", "thân mật") do not."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A mark stands alone on its line (a stamp), upper case, perhaps framed by punctuation.
_STAMP = re.compile(r"^[\W_]*(TUYỆT MẬT|TỐI MẬT|MẬT)[\W_]*$")
# Or it is given as the field "Độ mật: ...".
_FIELD = re.compile(r"\bđộ\s+mật\s*[:：]\s*(tuyệt mật|tối mật|mật)\b", re.IGNORECASE)
LEVELS = {"MẬT": "confidential", "TỐI MẬT": "secret", "TUYỆT MẬT": "top_secret"}


@dataclass(frozen=True)
class Classification:
    level: str  # confidential | secret | top_secret
    mark: str
    line: int


def find_classification(text: str) -> Classification | None:
    """Return the classification mark of a document's text, if it has one."""
    text = unicodedata.normalize("NFC", text)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = " ".join(raw.split())
        m = _STAMP.match(line)
        if m:
            return Classification(LEVELS[m.group(1)], m.group(1), number)
        m = _FIELD.search(line)
        if m:
            mark = m.group(1).upper()
            return Classification(LEVELS[mark], mark, number)
    return None
