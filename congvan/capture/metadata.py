"""Read the metadata a clerk would type from a document's text (Party and State forms, Decree 30).

The text comes from the PDF's own text or from OCR, laid out as on the page (``pdftotext -layout``):
the header's two columns share lines, separated by wide gaps.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from congvan.lib.vntext import folded_form

TYPE_NAMES = {
    "NGHỊ QUYẾT": "NQ",
    "QUYẾT ĐỊNH": "QĐ",
    "CHỈ THỊ": "CT",
    "QUY CHẾ": "QC",
    "QUY ĐỊNH": "QĐi",
    "THÔNG CÁO": "TC",
    "THÔNG BÁO": "TB",
    "THÔNG TRI": "TT",
    "HƯỚNG DẪN": "HD",
    "CHƯƠNG TRÌNH": "CTr",
    "KẾ HOẠCH": "KH",
    "KẾT LUẬN": "KL",
    "PHƯƠNG ÁN": "PA",
    "ĐỀ ÁN": "ĐA",
    "BÁO CÁO": "BC",
    "BIÊN BẢN": "BB",
    "TỜ TRÌNH": "TTr",
    "CÔNG ĐIỆN": "CĐ",
    "GIẤY MỜI": "GM",
    "GIẤY GIỚI THIỆU": "GGT",
}
# "V/v" (về việc) opening a letter's subject, and what OCR makes of it: "Vw", "V/V", "V/y", "Vív", "V|v",
# "V/w", "V/" (the v lost)
_ABOUT = re.compile(r"V\s?(?:/\s?[vVyw]?|[|lIí]\s?[vVyw]|w)(?=\s)")
MOTTOS = (
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
)
_NUMBER = re.compile(r"Số\s*:?\s*(\d{1,5})\s*([-/])\s*([A-Za-zĐđ]{1,6}(?:[-/][A-Za-zĐđ0-9]{1,12}){1,3})")
# "Tiền Giang, ngày 5 tháng 3 năm 2026", and the numeric forms "..., ngày 05/3/2026", "..., 05-03-2026";
# "tháng" and "năm" with the marks OCR gets wrong in italics ("thúng", "nằm").
_DATE = re.compile(
    r"([A-ZĐ][\wÀ-ỹ.\- ]{1,60}?),\s*(?:ngày\s*)?(\d{1,2})(?:\s*th[aáàảãạuúùủũụ]ng\s*|\s*[/.-]\s*)(\d{1,2})"
    r"(?:\s*n[aăâằắẳẵặầấẩẫậ]m\s*|\s*[/.-]\s*)(\d{4})"
)
# OCR reads the digits of a number as look-alike letters ("Số: l2-KH", "Số: O5/TB"): read them back.
_NUMBER_OCR = re.compile(r"(Số\s*:?\s*)([0-9OoIl|]{1,5})(?=\s*[-/])")
_DIGIT_OF = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})
_DATE_START = re.compile(r"(?<!\s)\s{3,}([A-ZĐ][\wÀ-ỹ.\- ]{1,60}?,\s*ngày)")
_GAP = re.compile(r"\s{3,}")
STATE_BODY_FIRST_LINES = ("ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN")
# the competence that opens a signer's block (Decree 30 art. 13): T/M, KT., TL., TUQ., Q., as typed
_COMPETENCE = re.compile(r"^(T/M|TM\.?|K/T|KT\.?|T/L|TL\.?|TUQ\.?|Q\.)\s*")
_POSITION = re.compile(r"^(T/M|K/T|TM\.|KT\.|Q\.|TL\.|TUQ\.)?\s*[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ /.\-]{2,60}$")


@dataclass
class Suggested:
    number: int | None = None
    symbol: str = ""
    type: str = ""
    issuer: str = ""
    place: str = ""
    date: str = ""
    subject: str = ""
    signer_position: str = ""
    signer_competence: str = ""
    signer_name: str = ""
    recipients: list[str] = field(default_factory=list)
    urgency: str = "normal"
    confidentiality: str = "none"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# The issuer's abbreviation ends a symbol (Decree 30 art. 8, HD 36): "UBND", "ĐU", "HU"...
_ISSUER_ABBREVIATIONS = (
    ("ỦY BAN NHÂN DÂN", "UBND"),
    ("HỘI ĐỒNG NHÂN DÂN", "HĐND"),
    ("ĐẢNG ỦY", "ĐU"),
    ("TỈNH ỦY", "TU"),
    ("THÀNH ỦY", "TU"),
    ("HUYỆN ỦY", "HU"),
    ("QUẬN ỦY", "QU"),
    ("THỊ ỦY", "TU"),
)


def _symbol_through_ocr(symbol: str, issuer: str) -> str:
    """A symbol as printed from what OCR made of it: the issuer's abbreviation that lost its last letter
    ("477-NQ/Đ" from ĐẢNG ỦY ..., "883/CT-UBN"), a type code with its T read as I ("TIr": "TTr")."""
    parts = re.split(r"([-/])", symbol)
    if len(parts) < 3:
        return symbol
    code = parts[2]
    if code not in TYPE_NAMES.values() and code != "CV":
        fixed = re.sub(r"[Il1|]", "T", code)
        parts[2] = fixed if fixed in TYPE_NAMES.values() else code
    expected = next((abbr for head, abbr in _ISSUER_ABBREVIATIONS if issuer.startswith(head)), "")
    if len(parts) >= 5 and len(parts[-1]) == len(expected) - 1 and expected.startswith(parts[-1]):
        parts[-1] = expected
    return "".join(parts)


def _cells(text: str) -> list[list[str]]:
    """Each line as its columns (split on wide gaps)."""
    return [[c.strip() for c in _GAP.split(line.strip()) if c.strip()] for line in text.splitlines()]


def extract(text: str) -> Suggested:
    text = unicodedata.normalize("NFC", text)
    rows = _cells(text)
    out = Suggested()
    m = _NUMBER.search(_NUMBER_OCR.sub(lambda n: n.group(1) + n.group(2).translate(_DIGIT_OF), text, count=1))
    if m:
        out.number = int(m.group(1))
        out.symbol = f"{m.group(1)}{m.group(2)}{m.group(3)}".replace(" ", "")
    d = next((m for cells in rows for cell in cells if (m := _DATE.search(cell))), None) or _split_date(rows)
    if d:
        out.place = " ".join(d.group(1).split()).strip(" ,")
        try:
            out.date = dt.date(int(d.group(4)), int(d.group(3)), int(d.group(2))).isoformat()
        except ValueError:
            out.date = ""
    out.issuer = _issuer(rows)
    out.symbol = _symbol_through_ocr(out.symbol, out.issuer)
    out.type, out.subject = _type_and_subject(rows, _left_of_right_column(text), out.symbol)
    # "2025 -2027" or "2025- 2027" as OCR may read "2025-2027" ("1930 - 2026", spaced both sides, stays)
    out.subject = re.sub(r"(?<=\d)(?: +-|- +)(?=\d)", "-", out.subject)
    out.urgency = _urgency(text)
    bottom = _bottom(text)
    if bottom is not None:
        out.recipients, position, out.signer_name = bottom
    else:
        out.recipients = _recipients(rows)
        position, out.signer_name = _signer(rows)
    out.signer_competence, out.signer_position = split_competence(position)
    return out


# "Lưu: VT" (kept by the clerks' office, Decree 30) with its T read as I, L, E, 1 or a marked I, or
# lost ("Lưu V."), V read as W, "ư" as "ử", the line in capitals, its dash read as a quote mark or "_".
_ARCHIVE_OCR = re.compile(
    r"^(?:[\W_]|[a-z](?=\s))*L[ưƯu][uUửư](:?\s*)(?:[VW][TILEỊÌÍĨ1|]?|T)[\u0300-\u036f]*(?=[\s,.;:]|$)"
)


def _archive_item(line: str) -> str | None:
    """The archive line as printed ("Lưu: VT", "Lưu VT, VP") from what OCR made of it, or None."""
    m = _ARCHIVE_OCR.match(line)
    if m is None:
        return None
    return ("Lưu" + (m.group(1) or " ") + "VT" + line[m.end() :]).rstrip(",;.: ")


# A recipient line's dash, and what OCR makes of it ("=", "~", a long dash, ":", "_").
_BULLETS = ("-", "+", "•", "=", "~", "–", "—", "*", ":", "_")
# what else a seal's strokes give at a line's start: a recipient after these must read as words
_WEAK_BULLETS = (":", "_")
# a recipient line without its dash: a name in words, ending the item with its comma or full stop
_UNDASHED = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹ]*(?:,? [\wÀ-ỹ]+){1,12}[,;.]$")
# the last word of a position ("PHÓ BÍ THƯ", "CHÁNH VĂN PHÒNG", "TỔNG BIÊN TẬP"...)
_POSITION_ENDS = frozenset(
    ["THƯ", "TỊCH", "ĐỐC", "PHÒNG", "TRƯỞNG", "VIÊN", "KÝ", "ÁN", "NHIỆM", "TẬP", "HUY", "TRA", "SÁT", "TRỰC"]
)
_NAME = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹ]+(?: [A-ZĐÀ-Ỹ][a-zà-ỹ]+){1,5}$")


def _halves(lines: list[str]) -> list[tuple[str, str]]:
    """Each line of the page's foot as (left column, right column): the right one starts past the middle
    of the widest line, after a wide gap; OCR's marks of a seal (stray strokes) stay on their side."""
    middle = max((len(line) for line in lines), default=0) * 0.42
    out = []
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if indent >= middle:
            out.append(("", " ".join(line.split())))
            continue
        right = ""
        for gap in _GAP.finditer(line):
            if gap.start() > indent and gap.end() >= middle:
                right, line = line[gap.end() :], line[: gap.start()]
                break
        out.append((" ".join(line.split()), " ".join(right.split())))
    return out


def _bottom(text: str) -> tuple[list[str], str, str] | None:
    """Recipients, the signer's position lines and name, read from "Nơi nhận:" down: the recipients in
    the left column (dash lines, a line broken in two joined), the signer's block in the right column
    (the competence and position in capitals, the name last); rows of a seal's strokes skipped."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("Nơi nhận")), None)
    if start is None:
        return None
    halves = _halves(lines[start : start + 30])
    recipients = _foot_recipients([left for left, _right in halves])
    rights = [_SLASH_OCR.sub(r"\1/\2", right) for _left, right in halves if right]
    names = [i for i, r in enumerate(rights) if _NAME.match(r)]
    if not names:
        return None
    name_at = names[-1]
    return recipients, _position_lines(rights[:name_at]), rights[name_at]


def _foot_recipients(lefts: list[str]) -> list[str]:
    """The recipients from the foot's left column (dash lines; a line broken in two joined; a dash OCR
    lost; the archive line as printed, last), up to a sentence (the signer's column goes on)."""
    recipients: list[str] = []
    open_line = False  # the last recipient line did not end with its comma or full stop
    for left in lefts:
        if not left or left.startswith("Nơi nhận"):
            continue
        archive = _archive_item(left)
        if archive is not None:
            recipients.append(archive)
            open_line = False
        elif (
            left.startswith(_BULLETS)
            and sum(c.isalpha() for c in left) >= 3
            and (not left.startswith(_WEAK_BULLETS) or sum(c.islower() for c in left) >= 4)
        ):
            recipients.append(left.lstrip("".join(_BULLETS) + " ").rstrip(",;."))
            open_line = not left.endswith((",", ";", "."))
        elif recipients and not open_line and not recipients[-1].startswith("Lưu") and _UNDASHED.match(left):
            recipients.append(left.rstrip(",;."))  # a recipient whose dash OCR lost
        elif open_line and left[:1].islower() and len(left.split()) <= 4:
            recipients[-1] = (recipients[-1] + " " + left).rstrip(",;.")
            open_line = not left.endswith((",", ";", "."))
        elif recipients and len(left.split()) > 6:
            break  # a sentence: past the list
    _archive_last(recipients)
    return recipients


def _position_lines(rights: list[str]) -> str:
    """The signer's competence and position from the right column's lines above the name: lines in
    capitals, up to the one that ends the position (its head word: "BÍ THƯ", "CHỦ TỊCH", "GIÁM ĐỐC"...);
    what a seal's strokes make below it ("TNNN", "TƯ NG") is left out."""
    lines: list[str] = []
    for r in rights:
        if not (_POSITION.match(r) and sum(c.isalpha() for c in r) >= 4):
            continue
        lines.append(r)
        if not _COMPETENCE.match(r) and r.split()[-1] in _POSITION_ENDS:
            break
    return " ".join(lines)


def _left_of_right_column(text: str) -> list[list[str]]:
    """The rows cut where the right column (the place-and-date line) starts: a letter's subject sits under
    the number on the left, and a skewed scan may put the end of the date line on the same rows."""
    lines = text.splitlines()
    col = next((line.index(m.group(1)) for line in lines if (m := _DATE_START.search(line))), None)
    if col is None or col < 20:
        return _cells(text)
    return _cells("\n".join(_cut_at_column(line, col) for line in lines))


def _cut_at_column(line: str, col: int) -> str:
    """The line's left part, cut at the first wide gap that ends near or past ``col`` (the right column);
    a line whose words run on past ``col`` without such a gap (a long "V/v" line) stays whole."""
    if not line[:col].strip():
        return line
    for gap in _GAP.finditer(line):
        if gap.end() >= col - 5 and gap.start() > 0:
            return line[: gap.start()]
    return line


def _split_date(rows: list[list[str]]) -> re.Match[str] | None:
    """A place-and-date line that a skewed scan broke: its end is the right column of the next rows."""
    for i, cells in enumerate(rows):
        for cell in cells:
            if ", ngày" in cell:
                joined = cell
                for nxt in rows[i + 1 : i + 4]:
                    if nxt:
                        # "... năm 202" and "5" below it: digits cut from a number join without a space
                        glue = "" if joined[-1:].isdigit() and nxt[-1].isdigit() else " "
                        joined += glue + nxt[-1]
                        if (m := _DATE.search(joined)) is not None:
                            return m
    return None


def _mostly_upper(text: str) -> bool:
    """Upper case, allowing for a letter or two that OCR got in lower case."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _motto_cut(cell: str) -> str:
    """A header cell without the motto a text layer ran into it with one space ("CỤC VĂN THƯ VÀ LƯU TRỮ
    NHÀ NƯỚC Độc lập - Tự do - Hạnh phúc")."""
    for motto in MOTTOS:
        at = cell.find(motto)
        if at > 0:
            return cell[:at].strip()
    return cell


def _issuer(rows: list[list[str]]) -> str:
    """The left header column above the number: the last line names the issuing body (with the line above
    it when that is the body's own first half, as in "ỦY BAN NHÂN DÂN / HUYỆN GÒ CÔNG TÂY")."""
    left: list[str] = []
    for cells in rows[:8]:
        if not cells:
            continue
        first = _motto_cut(cells[0])
        if first.startswith("Số") or _DATE.search(first):
            break
        if any(first.startswith(mt) or (len(first) >= 12 and mt.startswith(first)) for mt in MOTTOS):
            continue  # the right column alone on its row (a skewed scan), whole or cut at its end
        if first.strip("*- ") and _mostly_upper(first) and not any(first.startswith(mt) for mt in MOTTOS):
            left.append(first)
    if not left:
        return ""
    # A State body's name spans two lines ("ỦY BAN NHÂN DÂN" / "HUYỆN GÒ CÔNG TÂY"); a Party header's upper
    # line is the parent body ("ĐẢNG BỘ TỈNH ..."), not part of the issuer's name.
    if len(left) >= 2:
        folded = folded_form(left[-2])
        for known in STATE_BODY_FIRST_LINES:  # a standard phrase: keep its spelling, whatever OCR read
            if folded == folded_form(known):
                return f"{known} {left[-1]}"
    return left[-1]


def _type_and_subject(rows: list[list[str]], left_rows: list[list[str]], symbol: str) -> tuple[str, str]:
    """A letter: "V/v ..." under the number, in the left column. Other types: the centred title
    ("KẾ HOẠCH") and the subject lines under it."""
    letter = _letter_subject([c[0] if c else "" for c in left_rows])
    if letter:
        return "CV", letter
    lines = [" ".join(c).strip() for c in rows]
    by_letters = {name.replace(" ", ""): name for name in TYPE_NAMES}  # "KẾHOẠCH" as OCR may read it
    for i, line in enumerate(lines):
        line = by_letters.get(line.replace(" ", ""), line)
        if line in TYPE_NAMES:
            subject = []
            for nxt in lines[i + 1 : i + 4]:
                if not nxt or nxt.startswith(("-----", "Căn cứ", "Kính gửi")):
                    break
                subject.append(nxt)
            return TYPE_NAMES[line], " ".join(" ".join(subject).split())
    if symbol:
        code = re.split(r"[-/]", symbol)[1]
        if code in TYPE_NAMES.values() or code == "CV":
            return code, ""
    return "", ""


def _letter_subject(firsts: list[str]) -> str:
    """The "V/v ..." lines of a letter (công văn), under its number in the left column."""
    for i, first in enumerate(firsts):
        if (about := _ABOUT.match(first)) is not None:
            subject = ["V/v " + first[about.end() :].strip()]
            for nxt in firsts[i + 1 : i + 4]:
                if not nxt or nxt.startswith(("Kính gửi", "Số")) or _DATE.search(nxt) or _is_mark(nxt):
                    break
                subject.append(nxt)
            return " ".join(" ".join(subject).split())
    return ""


_MARK = re.compile(r"^[\[|(]?\s*(KHẨN|THƯỢNG KHẨN|HỎA TỐC|HOẢ TỐC|MẬT|TỐI MẬT|TUYỆT MẬT)\b")


def _is_mark(line: str) -> bool:
    """An urgency or classification mark on its own line (in a box or not), not a subject's words."""
    return _MARK.match(line.strip()) is not None and _mostly_upper(line)


def _urgency(text: str) -> str:
    head = "\n".join(text.splitlines()[:12])
    for mark, value in (("HỎA TỐC", "flash"), ("HOẢ TỐC", "flash"), ("THƯỢNG KHẨN", "very_urgent")):
        if mark in head:
            return value
    if re.search(r"(?<![\wÀ-ỹ])KHẨN(?![\wÀ-ỹ])", head):  # alone, in a box or beside MẬT
        return "urgent"
    return "normal"


def _recipients(rows: list[list[str]]) -> list[str]:
    """The dash lines after "Nơi nhận:"; the signer's column may share or interleave with those rows."""
    found: list[str] = []
    inside = False
    for cells in rows:
        if not cells:
            continue
        if not inside:
            inside = cells[0].startswith("Nơi nhận")
            continue
        if not any(ch.isalpha() for ch in " ".join(cells)):
            continue  # stray punctuation a skewed scan put on its own line
        dashed = [c for c in cells if c.startswith(("-", "+", "•"))]
        if dashed:
            found += [_archive_item(c) or c.lstrip("-+• ").rstrip(",;.") for c in dashed]
        elif found and cells[0][:1].islower() and len(cells[0].split()) <= 3:
            found[-1] = (found[-1] + " " + cells[0]).rstrip(",;.")  # the end of a line a skewed scan broke
        elif found and not _mostly_upper(cells[0]):
            break
    _archive_last(found)
    return found


def _archive_last(recipients: list[str]) -> None:
    """The archive line is the list's last (Decree 30): a seal beside the list may have had OCR put it
    earlier."""
    recipients.sort(key=lambda r: r.startswith("Lưu"))


# "T/M", "K/T", "T/L" with the slash read as I, l, 1 or | ("TIM ĐẢNG ỦY")
_SLASH_OCR = re.compile(r"^([TK])[Il1|]([MTL])(?=\s)")


def split_competence(position: str) -> tuple[str, str]:
    """("T/M BAN THƯỜNG VỤ PHÓ BÍ THƯ") -> ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"); "KT. BÍ THƯ PHÓ BÍ THƯ" ->
    ("KT. BÍ THƯ", "PHÓ BÍ THƯ"); a position without a competence stays whole. The competence is the
    first line of the signer's block when it starts with T/M, KT., TL., TUQ. or Q. (Decree 30 art. 13)."""
    text = _SLASH_OCR.sub(r"\1/\2", " ".join(position.split()))
    head = _COMPETENCE.match(text)
    if not head:
        return "", text
    rest = text[head.end() :]
    # The competence's own words: the body (T/M BAN THƯỜNG VỤ) or the head's title (KT. BÍ THƯ; TL. BÍ THƯ).
    for title in _TITLES:
        i = rest.find(" " + title) if not rest.startswith(title) else -1
        if rest.startswith(title):
            # KT. BÍ THƯ PHÓ BÍ THƯ: the competence names a title, the position follows
            after = rest[len(title) :].strip()
            if after:
                return f"{head.group(1)} {title}".replace("  ", " "), after
            return "", text  # "TL. BÍ THƯ" alone: keep it whole as the position
        if i > 0:
            return f"{head.group(1)} {rest[:i]}".strip(), rest[i + 1 :].strip()
    return text, ""


_TITLES = (
    "PHÓ BÍ THƯ",
    "BÍ THƯ",
    "PHÓ CHỦ TỊCH",
    "CHỦ TỊCH",
    "PHÓ CHÁNH VĂN PHÒNG",
    "CHÁNH VĂN PHÒNG",
    "PHÓ TRƯỞNG BAN",
    "TRƯỞNG BAN",
    "PHÓ GIÁM ĐỐC",
    "GIÁM ĐỐC",
    "PHÓ TRƯỞNG PHÒNG",
    "TRƯỞNG PHÒNG",
    "THỦ TRƯỞNG",
    "ỦY VIÊN",
    "UỶ VIÊN",
)


def _signer(rows: list[list[str]]) -> tuple[str, str]:
    """The last cells of the page: the position lines (upper case) and the name below them."""
    tail = [cells[-1] for cells in rows if cells][-10:]
    name = ""
    position: list[str] = []
    for cell in reversed(tail):
        if not name:
            looks_like_name = cell.istitle() or (
                cell[:1].isupper() and not cell.isupper() and len(cell.split()) <= 5
            )
            if looks_like_name and not cell.startswith(("-", "Nơi nhận", "Lưu")):
                name = cell
            continue
        if cell.startswith(("-", "+", "•")):
            continue  # a recipient line between the position lines
        if _POSITION.match(cell) and not cell.startswith("Nơi nhận"):
            position.insert(0, cell)
        elif position:
            break
    return " ".join(position), name
