"""The files inside a TNEF stream: the ``winmail.dat`` (``application/ms-tnef``) that Outlook sends through
Exchange when a mail is in its own rich text, with the documents inside it instead of beside it.

Read as [MS-OXTNEF] describes it: after the signature, a run of attributes (level, id, length, data,
checksum). An attachment starts at its ``attAttachRendData``; its bytes are ``attAttachData`` (or, in
the newer form, the ``PR_ATTACH_DATA_BIN`` of its MAPI properties); its name is the long file name of
its MAPI properties, else its ``attAttachTitle`` (an 8.3 name in the sender's code page). Hostile
input is bounded: every length is checked against what is left, and a stream cut or garbled gives the
files read before the fault. Checksums are not checked (a mail client shows such a file too).
"""

from __future__ import annotations

import struct

from congvan.lib.text import nfc

SIGNATURE = 0x223E9F78
MAX_FILES = 200
MAX_PROPS = 10_000

# attributes, by their low 16 bits ([MS-OXTNEF] 2.1.3.2)
ATT_RENDDATA = 0x9002  # attAttachRendData: an attachment starts
ATT_TITLE = 0x8010  # attAttachTitle: its name (8.3, in the code page)
ATT_DATA = 0x800F  # attAttachData: its bytes
ATT_MAPI = 0x9005  # attAttachment: its MAPI properties
ATT_CODEPAGE = 0x9007  # attOemCodepage: the code page of the 8-bit strings
LEVEL_ATTACHMENT = 2

# MAPI properties of an attachment ([MS-OXPROPS])
PR_ATTACH_DATA = 0x3701
PR_ATTACH_FILENAME = 0x3704
PR_ATTACH_METHOD = 0x3705
PR_ATTACH_LONG_FILENAME = 0x3707
PR_DISPLAY_NAME = 0x3001
METHOD_EMBEDDED_MESSAGE = 5

PT_STRING8, PT_UNICODE, PT_BINARY, PT_OBJECT = 0x001E, 0x001F, 0x0102, 0x000D
_VARIABLE = {PT_STRING8, PT_UNICODE, PT_BINARY, PT_OBJECT}
# fixed sizes as written (each value padded to 4 bytes)
_FIXED = {
    0x0001: 4,  # PT_NULL
    0x0002: 4,  # PT_I2
    0x0003: 4,  # PT_LONG
    0x0004: 4,  # PT_FLOAT
    0x0005: 8,  # PT_DOUBLE
    0x0006: 8,  # PT_CURRENCY
    0x0007: 8,  # PT_APPTIME
    0x000A: 4,  # PT_ERROR
    0x000B: 4,  # PT_BOOLEAN
    0x0014: 8,  # PT_I8
    0x0040: 8,  # PT_SYSTIME
    0x0048: 16,  # PT_CLSID
}
_MULTIPLE = 0x1000


class _Short(Exception):
    """The stream ends (or lies about a length) before what it announces."""


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.at + n > len(self.data):
            raise _Short
        out = self.data[self.at : self.at + n]
        self.at += n
        return out

    def u16(self) -> int:
        return int(struct.unpack("<H", self.take(2))[0])

    def u32(self) -> int:
        return int(struct.unpack("<I", self.take(4))[0])

    def left(self) -> int:
        return len(self.data) - self.at


def _pad(n: int) -> int:
    return (n + 3) & ~3


def _string(value: bytes, ptype: int, codepage: str) -> str:
    if ptype == PT_UNICODE:
        text = value.decode("utf-16-le", "replace")
    else:
        try:
            text = value.decode(codepage, "replace")
        except LookupError:
            text = value.decode("cp1252", "replace")
    return nfc(text.split("\x00", 1)[0]).strip()  # Windows-1258 writes the tone marks apart


def _properties(data: bytes) -> dict[int, tuple[int, bytes]]:
    """A MAPI property list: each property's id, with its type and first value (what is read before a
    fault, or an unknown type, is kept)."""
    r = _Reader(data)
    found: dict[int, tuple[int, bytes]] = {}
    try:
        for _ in range(min(r.u32(), MAX_PROPS)):
            ptype, pid = r.u16(), r.u16()
            if pid >= 0x8000:  # a named property: its GUID, then an id or a name
                r.take(16)
                if r.u32() == 0:
                    r.take(4)
                else:
                    r.take(_pad(r.u32()))
            base = ptype & ~_MULTIPLE
            if base in _VARIABLE or ptype & _MULTIPLE:
                count = r.u32()
                if count > r.left() // 4:
                    raise _Short
            else:
                count = 1
            values = []
            for _n in range(count):
                if base in _VARIABLE:
                    size = r.u32()
                    values.append(r.take(size))
                    r.take(_pad(size) - size)
                elif base in _FIXED:
                    values.append(r.take(_FIXED[base]))
                else:
                    raise _Short  # a type this reader does not know: the rest cannot be found
            found.setdefault(pid, (base, values[0] if values else b""))
    except _Short:
        pass
    return found


class _File:
    def __init__(self) -> None:
        self.title = ""
        self.data: bytes | None = None
        self.props: dict[int, tuple[int, bytes]] = {}

    def result(self, codepage: str) -> tuple[str, bytes] | None:
        method = self.props.get(PR_ATTACH_METHOD)
        if method and method[1][:4] == struct.pack("<I", METHOD_EMBEDDED_MESSAGE):
            return None  # a mail inside (its own TNEF): not a document
        data = self.data
        if data is None and PR_ATTACH_DATA in self.props:
            ptype, value = self.props[PR_ATTACH_DATA]
            data = value if ptype == PT_BINARY else None
        if not data:
            return None
        name = self.title
        for pid in (PR_ATTACH_LONG_FILENAME, PR_ATTACH_FILENAME, PR_DISPLAY_NAME):
            if pid in self.props and self.props[pid][0] in (PT_STRING8, PT_UNICODE):
                name = _string(self.props[pid][1], self.props[pid][0], codepage) or name
                if name:
                    break
        return name, data


def attachments(data: bytes) -> list[tuple[str, bytes]]:
    """The files in a TNEF stream, each with its name ("" when it has none), at most MAX_FILES; nothing
    for what is not TNEF."""
    r = _Reader(data)
    files: list[_File] = []
    codepage = "cp1252"
    try:
        if r.u32() != SIGNATURE:
            return []
        r.u16()  # the legacy key
        while r.left() > 0 and len(files) <= MAX_FILES:
            level = r.take(1)[0]
            attribute = r.u32() & 0xFFFF
            value = r.take(r.u32())
            r.take(2)  # the checksum
            if attribute == ATT_CODEPAGE and len(value) >= 4:
                codepage = f"cp{struct.unpack('<I', value[:4])[0]}"
            if level != LEVEL_ATTACHMENT:
                continue
            if attribute == ATT_RENDDATA or not files:
                files.append(_File())
            current = files[-1]
            if attribute == ATT_TITLE:
                current.title = _string(value, PT_STRING8, codepage)
            elif attribute == ATT_DATA:
                current.data = value
            elif attribute == ATT_MAPI:
                current.props = _properties(value)
    except _Short:
        pass
    found = [f.result(codepage) for f in files[:MAX_FILES]]
    return [f for f in found if f is not None]
