"""Write the issued number and date into a document's PDF, where the drafter left them blank.

A drafter leaves "Số      -KH/HU" (Party) or "Số:      /QĐ-UBND" (State) and "ngày    tháng    năm 2026";
the number and the date are known only at release, after the leader has signed. Writing them into the
page's content would break that signature (PAdES counts any change of content as "modified"), so:

- When congvan makes the leader's signature (a key on the server, or the agent on the leader's PC), it
  first adds empty, read-only text fields over the blanks (``prepare``); the signature covers the empty
  fields. At release the clerk's system fills them (``fill``): filling a form field is an allowed change
  under every PAdES level and DocMDP permission except "no changes", so the leader's signature stays
  "intact, allowed changes" (pyHanko: FORM_FILLING). The unit's seal then covers everything.
- A file with no signature yet gets the same fields, created already filled.
- A file signed elsewhere without these fields (signed outside congvan): a new text field or an
  annotation would count as a disallowed change (pyHanko's policy accepts no new annotation but a
  signature's), so its content is left as it is and the unit's signature itself shows the number line
  at the top right of page 1 as its visible appearance (adding a signature is allowed).
- Where no blank is found, one line at the top right of page 1 (Decree 30's line for signed copies:
  number/symbol and the date).

The fields' appearance is drawn here (Noto Serif, the size of the template's letters, the number flush
against the suffix), so that ``pdftotext`` reads "Số 05-KH/HU" on one line.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings

PREFIX = "congvan_"
BLANK = r"[\s._…·]*"
_NUMBER = re.compile(r"\bSố\s*:?(?P<gap>" + BLANK + r")(?P<suffix>[-/][^\s,;]*[A-ZĐa-zđ][^\s,;]*)")
_DATE = re.compile(
    r"ngày(?P<day>" + BLANK + r")tháng(?P<month>" + BLANK + r")năm(?P<year>" + BLANK + r")(?P<digits>\d{4})?"
)
LINE_SIZE = 10.0
# pdfminer and fontTools (the font subset of the written number) log every step at INFO and DEBUG.
for _name in ("pdfminer", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@dataclass(frozen=True)
class Spot:
    """Where one value goes: ``kind`` so, ngay, thang, nam or dong; the rectangle on page 1 in points;
    ``gap_end`` where the template's suffix starts (the number is written flush against it)."""

    kind: str
    rect: tuple[float, float, float, float]
    size: float
    suffix: str = ""
    gap_end: float = 0.0
    dotted: bool = False  # the blank is drawn with dots or underscores: a white ground hides them


@dataclass(frozen=True)
class Values:
    """The values written at release."""

    symbol: str
    day: dt.date

    def for_spot(self, spot: Spot) -> str:
        if spot.kind == "so":
            return self.symbol
        if spot.kind == "ngay":
            return f"{self.day.day:02d}" if self.day.day < 10 else str(self.day.day)
        if spot.kind == "thang":
            return f"{self.day.month:02d}" if self.day.month < 3 else str(self.day.month)
        if spot.kind == "nam":
            return str(self.day.year)
        return f"Số: {self.symbol}, ngày {self.day.strftime('%d/%m/%Y')}"


Source = bytes | BinaryIO


def _open(src: Source) -> BinaryIO:
    """A seekable stream over the file (a stored blob is read from disk, not copied into memory)."""
    if isinstance(src, bytes | bytearray):
        return io.BytesIO(src)
    src.seek(0)
    return src


# -- finding the blanks ---------------------------------------------------------------------------


def _chars(item: Any) -> list[Any]:
    from pdfminer.layout import LTChar

    if isinstance(item, LTChar):
        return [item]
    try:
        return [c for child in item for c in _chars(child)]
    except TypeError:  # a leaf that is not a letter
        return []


def _lines(data: Source) -> tuple[list[list[Any]], tuple[float, float, float, float]]:
    """Page 1's text lines as lists of pdfminer characters (None for a space), and its box.

    Lines are made here from the letters' baselines, not taken from pdfminer's grouping: an office
    suite that draws "Ệ" from a fallback font puts it in a text line of its own, which would cut
    "HUYỆN" or "Số" apart."""
    from pdfminer.high_level import extract_pages

    page = next(iter(extract_pages(_open(data), page_numbers=[0])), None)  # type: ignore[arg-type]
    if page is None:
        return [], (0.0, 0.0, 595.0, 842.0)
    chars = sorted(_chars(page), key=lambda c: (-_baseline(c), c.x0))
    rows: list[list[Any]] = []
    for c in chars:
        if rows and abs(_baseline(rows[-1][0]) - _baseline(c)) <= 0.35 * max(float(rows[-1][0].size), 1.0):
            rows[-1].append(c)
        else:
            rows.append([c])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c.x0)
        line: list[Any] = []
        for c in row:
            if line and line[-1] is not None and c.x0 - line[-1].x1 > 0.2 * float(c.size):
                line.append(None)
            line.extend(c for _ in c.get_text())
        lines.append(line)
    return lines, tuple(page.bbox)  # type: ignore[return-value]


def _text(chars: list[Any]) -> str:
    out = []
    for c in chars:
        out.append(" " if c is None else (c.get_text() or " ")[:1])
    return "".join(out)


def _real(chars: list[Any], start: int, end: int) -> list[Any]:
    return [c for c in chars[start:end] if c is not None and c.get_text().strip()]


def _baseline(c: Any) -> float:
    return float(c.matrix[5])


def _rect(x0: float, x1: float, base: float, size: float) -> tuple[float, float, float, float]:
    return (x0, base - 0.3 * size, x1, base + 1.0 * size)


def _content_size(data: Source) -> int:
    """The declared length of page 1's content streams (pdfminer reads them in pure Python: a page of
    tens of megabytes is not a drafted letter, and is not read)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        contents = PdfFileReader(_open(data), strict=False).root["/Pages"]["/Kids"][0]["/Contents"]
        streams = contents if isinstance(contents, list) else [contents]
        total = 0
        for stream in streams:
            length = stream.get_object().get("/Length", 0)
            total += int(length.get_object() if hasattr(length, "get_object") else length)
        return total
    except Exception:  # noqa: BLE001 - an odd page tree: treated as too big to read
        return MAX_CONTENT + 1


MAX_CONTENT = 512 * 1024


def find_spots(data: Source) -> list[Spot]:
    """The blanks on page 1 (number, day, month, year), or the top-right line when there is none."""
    lines: list[list[Any]] = []
    box = page_box(data)
    if _content_size(data) <= MAX_CONTENT:
        try:
            lines, box = _lines(data)
        except Exception:  # noqa: BLE001 - pdfminer on a hostile file: no blanks found, the line is used
            lines = []
    top = box[1] + (box[3] - box[1]) * 0.55  # the header: the upper part of the page
    spots: list[Spot] = []
    for chars in lines:
        text = _text(chars)
        if not any(c is not None and c.y0 >= top for c in chars):
            continue
        if not any(s.kind == "so" for s in spots):
            spots += _number_spot(chars, text)
        if not any(s.kind == "ngay" for s in spots):
            spots += _date_spots(chars, text)
    if not any(s.kind == "so" for s in spots):
        spots = [line_spot(box)]  # a date blank without a number blank: the line says both
    return spots


def _number_spot(chars: list[Any], text: str) -> list[Spot]:
    m = _NUMBER.search(text)
    if m is None:
        return []
    label = _real(chars, m.start(), m.start("gap"))
    suffix = _real(chars, m.start("suffix"), m.end("suffix"))
    if not label or not suffix:
        return []
    # the suffix starts at its first character that is not a dot or underscore
    first = next((c for c in suffix if c.get_text() not in "._…·"), suffix[0])
    size = float(label[0].size)
    base = _baseline(label[0])
    clean = "".join(c.get_text() for c in suffix).lstrip("._…·")
    dotted = bool(_real(chars, m.start("gap"), m.end("gap"))) or first is not suffix[0]
    return [
        Spot(
            "so",
            _rect(label[-1].x1 + 0.5, suffix[-1].x1 + 0.5, base, size),
            size,
            suffix=clean,
            gap_end=float(first.x0),
            dotted=dotted,
        )
    ]


def _date_spots(chars: list[Any], text: str) -> list[Spot]:
    m = _DATE.search(text)
    if m is None:
        return []

    spots = []
    words = {
        "ngay": (m.start(), m.start("day")),
        "thang": (m.end("day"), m.start("month")),
        "nam": (m.end("month"), m.start("year")),
    }
    label = _real(chars, *words["ngay"])
    if not label:
        return []
    size, base = float(label[0].size), _baseline(label[0])
    for kind, nxt, blank in (("ngay", "thang", "day"), ("thang", "nam", "month")):
        before = _real(chars, *words[kind])
        after = _real(chars, *words[nxt])
        dotted = bool(_real(chars, m.start(blank), m.end(blank)))
        if before and after:
            rect = _rect(before[-1].x1 + 0.5, after[0].x0 - 0.5, base, size)
            spots.append(Spot(kind, rect, size, dotted=dotted))
    if m.group("digits") is None:
        nam = _real(chars, *words["nam"])
        dots = _real(chars, m.start("year"), m.end("year"))
        if nam:
            x0 = nam[-1].x1 + 0.5
            x1 = max(x0 + size * 2.6, dots[-1].x1 + 0.5 if dots else 0.0)
            spots.append(Spot("nam", _rect(x0, x1, base, size), size, dotted=bool(dots)))
    return spots if len(spots) >= 2 else []


# -- drawing ----------------------------------------------------------------------------------------


VIETNAMESE = "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư" + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))


def _font_path() -> str:
    """Noto Serif cut down once to the letters a number line needs, without its layout tables: pyHanko
    subsets the embedded font at every write, and the full font's tables cost ~0.2 s each time."""
    source = Path(settings.FONT_DIR) / "NotoSerif-Regular.ttf"
    folder = Path(settings.DATA_DIR) / "cache"
    target = folder / f"number-font-{source.stat().st_mtime_ns}.ttf"
    if not target.exists():
        from fontTools import subset  # type: ignore[import-untyped]
        from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

        options = subset.Options()
        options.layout_features = []
        options.drop_tables += ["GSUB", "GPOS", "GDEF"]
        font = TTFont(str(source))
        cutter = subset.Subsetter(options)
        cutter.populate(text="".join(chr(c) for c in range(0x20, 0x7F)) + VIETNAMESE + "…·")
        cutter.subset(font)
        folder.mkdir(parents=True, exist_ok=True)
        # a temporary name of its own: two threads of one server process may cut it at the same time
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.")
        with os.fdopen(fd, "wb") as fh:
            font.save(fh)
        os.replace(temp, target)
    return str(target)


def _engine(writer: Any, size: float) -> Any:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    factory: Any = GlyphAccumulatorFactory(_font_path(), font_size=size)  # type: ignore[arg-type]
    return factory.create_font_engine(writer)


def _appearance(writer: Any, spot: Spot, value: str) -> Any:
    """A form XObject showing ``value`` in the spot (the number flush against the template's suffix, or
    the whole symbol over a white ground when the suffix differs)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name

    x0, y0, x1, y1 = spot.rect
    w, h = x1 - x0, y1 - y0
    size = spot.size
    engine = _engine(writer, size)
    text, ground = value, False
    if spot.kind == "so":
        if spot.suffix and value.endswith(spot.suffix) and len(value) > len(spot.suffix):
            text = value[: -len(spot.suffix)]
        else:
            ground = True  # the template's suffix is wrong for the issued symbol: cover it
    shaped = engine.shape(text)
    width = shaped.x_advance * size
    while width > w and size > 5 and (ground or spot.kind in ("dong", "ngay", "thang", "nam")):
        size *= 0.9
        engine = _engine(writer, size)
        shaped = engine.shape(text)
        width = shaped.x_advance * size
    if spot.kind == "so" and not ground:
        tx = (spot.gap_end - x0) - width  # flush against "-KH/HU"
    elif spot.kind == "so" or spot.kind == "dong":
        tx = w - width if spot.kind == "dong" else 0.0
    else:
        tx = max(0.0, (w - width) / 2)
    ops = [b"q"]
    if ground:
        ops.append(b"1 1 1 rg 0 0 %.2f %.2f re f" % (w, h))
    elif spot.dotted:  # hide the dots of the blank (only the blank: the suffix stays as drafted)
        cover = (spot.gap_end - x0) if spot.kind == "so" else w
        ops.append(b"1 1 1 rg 0 0 %.2f %.2f re f" % (cover, h))
    ops.append(b"0 0 0 rg BT /F1 %.2f Tf %.2f %.2f Td " % (size, tx, 0.3 * spot.size) + shaped.graphics_ops)
    ops.append(b"ET Q")
    stream = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, w, h)]),
            pdf_name("/Resources"): generic.DictionaryObject(
                {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): engine.as_resource()})}
            ),
        },
        stream_data=b"\n".join(ops),
    )
    return writer.add_object(stream)


# -- fields -----------------------------------------------------------------------------------------


def _spot_dict(spot: Spot) -> dict[str, Any]:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name, pdf_string

    return {
        pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(round(v, 2)) for v in spot.rect]),
        pdf_name("/DA"): pdf_string(f"/F1 {spot.size:.2f} Tf 0 g"),
        pdf_name("/CongvanSuffix"): pdf_string(spot.suffix),
        pdf_name("/CongvanGapEnd"): generic.FloatObject(round(spot.gap_end, 2)),
        pdf_name("/CongvanDots"): generic.BooleanObject(spot.dotted),
    }


def _attach(writer: Any, page: Any, refs: list[Any]) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name

    annots = page.get("/Annots")
    if annots is None:
        page["/Annots"] = generic.ArrayObject(refs)
    else:
        annots = annots.get_object()
        annots.extend(refs)
        if isinstance(page.raw_get("/Annots"), generic.IndirectObject):
            writer.mark_update(page.raw_get("/Annots"))
    writer.update_container(page)
    form_dict = writer.root.get("/AcroForm")
    if form_dict is None:
        writer.root["/AcroForm"] = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject(refs)})
        writer.update_root()
        return
    form_dict = form_dict.get_object()
    if "/Fields" not in form_dict:
        form_dict["/Fields"] = generic.ArrayObject()
    form_dict["/Fields"].get_object().extend(refs)
    if isinstance(writer.root.raw_get("/AcroForm"), generic.IndirectObject):
        writer.mark_update(writer.root.raw_get("/AcroForm"))
    else:
        writer.update_root()
    if isinstance(form_dict.raw_get("/Fields"), generic.IndirectObject):
        writer.mark_update(form_dict.raw_get("/Fields"))


def add_fields(writer: Any, spots: list[Spot], values: Values | None = None) -> None:
    """Add a read-only text field per spot to page 1 (empty, or showing ``values``)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name, pdf_string

    page = writer.root["/Pages"]["/Kids"][0].get_object()
    refs = []
    for spot in spots:
        field = generic.DictionaryObject(
            {
                pdf_name("/FT"): pdf_name("/Tx"),
                pdf_name("/T"): pdf_string(PREFIX + spot.kind),
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/F"): generic.NumberObject(4),  # printed
                pdf_name("/Ff"): generic.NumberObject(1),  # read-only in viewers
                **_spot_dict(spot),
            }
        )
        if values is not None:
            value = values.for_spot(spot)
            field["/V"] = pdf_string(value)
            field["/AP"] = generic.DictionaryObject({pdf_name("/N"): _appearance(writer, spot, value)})
        refs.append(writer.add_object(field))
    _attach(writer, page, refs)


def _spot_of(field: Any) -> Spot | None:
    name = str(field.get("/T", ""))
    if not name.startswith(PREFIX):
        return None
    try:
        rect = tuple(float(v) for v in field["/Rect"])
        da = str(field.get("/DA", ""))
        found = re.search(r"([\d.]+)\s+Tf", da)
        size = float(found.group(1)) if found else 12.0
        return Spot(
            name[len(PREFIX) :],
            (rect[0], rect[1], rect[2], rect[3]),
            size,
            suffix=str(field.get("/CongvanSuffix", "")),
            gap_end=float(field.get("/CongvanGapEnd", 0)),
            dotted=bool(field.get("/CongvanDots", False)),
        )
    except (KeyError, ValueError, TypeError, IndexError):
        return None


def prepared_fields(writer: Any) -> list[tuple[Any, Spot]]:
    """The empty congvan fields of a file (reference, spot)."""
    form = writer.root.get("/AcroForm")
    if form is None:
        return []
    found = []
    for ref in form.get_object().get("/Fields", []):
        field = ref.get_object()
        spot = _spot_of(field)
        if spot is not None and "/V" not in field:
            found.append((ref, spot))
    return found


def prepare(writer: Any, data: Source) -> list[Spot]:
    """Before the leader signs: empty fields over the blanks (nothing when the file has them already)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    if prepared_fields(writer):
        return []
    if _signed(PdfFileReader(_open(data), strict=False)):
        return []  # signed already (outside congvan): fields added now would count as a change
    spots = find_spots(data)
    add_fields(writer, spots)
    return spots


def _signed(reader: Any) -> bool:
    """Whether a signature field of the form holds a signature (read from the form, not by reading the
    signatures: pyHanko's ``embedded_signatures`` hashes the file, 0.4 s for a megabyte)."""
    try:
        form = reader.root.get("/AcroForm")
        if form is None:
            return False
        stack = list(form.get_object().get("/Fields", []))
        seen = 0
        while stack and seen < 10_000:
            seen += 1
            field = stack.pop().get_object()
            if field.get("/FT") == "/Sig" and field.get("/V") is not None:
                return True
            stack.extend(field.get("/Kids", []))
    except Exception:  # noqa: BLE001 - a damaged form counts as signed: do not touch the file
        return True
    return False


def fill(writer: Any, data: Source, values: Values) -> str:
    """At release, before the seal: write the values. Returns how: ``fields`` (the prepared fields
    filled), ``new`` (an unsigned file: fields created filled) or ``signed`` (signed elsewhere without
    fields: nothing written, the seal shows the number line as its own appearance)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name, pdf_string
    from pyhanko.pdf_utils.reader import PdfFileReader

    prepared = prepared_fields(writer)
    if prepared:
        for ref, spot in prepared:
            field = ref.get_object()
            value = values.for_spot(spot)
            field["/V"] = pdf_string(value)
            field["/AP"] = generic.DictionaryObject({pdf_name("/N"): _appearance(writer, spot, value)})
            writer.mark_update(ref)
        return "fields"
    if _signed(PdfFileReader(_open(data), strict=False)):
        return "signed"
    add_fields(writer, find_spots(data), values)
    return "new"


def page_box(data: Source) -> tuple[float, float, float, float]:
    """Page 1's media box (A4 when it cannot be read)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        media = PdfFileReader(_open(data), strict=False).root["/Pages"]["/Kids"][0]["/MediaBox"]
        x0, y0, x1, y1 = (float(v) for v in media)
        return (x0, y0, x1, y1)
    except Exception:  # noqa: BLE001 - an odd page tree: the usual A4 page
        return (0.0, 0.0, 595.0, 842.0)


def how_to_write(data: Source) -> str:
    """What ``fill`` would do with the file: fields, new or signed."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(_open(data), strict=False)
    if prepared_fields(reader):
        return "fields"
    return "signed" if _signed(reader) else "new"


def line_spot(box: tuple[float, float, float, float]) -> Spot:
    """The top-right line of page 1 (where there is no blank for the number)."""
    x1, y1 = box[2] - 24, box[3] - 30
    return Spot("dong", (x1 - 300, y1 - 4, x1, y1 + LINE_SIZE + 2), LINE_SIZE)
