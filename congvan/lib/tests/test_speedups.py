"""The compiled helpers: built where congvan is installed with a compiler (as ``scripts/setup`` does), and
giving what the lenient decoder gives on every kind of base64 mail carries, with or without them."""

from __future__ import annotations

import base64
import binascii
import random
import re

import pybase64
import pytest

from congvan.lib import speedups


def _lenient(data: bytes) -> bytes | type[binascii.Error]:
    try:
        return pybase64.b64decode(data, validate=False)
    except binascii.Error:
        return binascii.Error


def _ours(data: bytes | memoryview) -> bytes | type[binascii.Error]:
    try:
        return speedups.b64decode_lines(data)
    except binascii.Error:
        return binascii.Error


def _texts() -> list[bytes]:
    """Base64 as senders write it: lines of 76 (Outlook, Gmail), 72 (Thunderbird) or 64 characters, or
    none; CRLF or bare LF; a last line short, its padding cut; stray blanks, a lone CR, characters outside
    the alphabet, padding in the middle (two encodings glued), empty."""
    rng = random.Random(20261205)
    texts: list[bytes] = [b"", b"\r\n", b"QQ==", b"QQ", b"Q", b"====", b"QUJD\r\nREVG\r\n", b"QUJD\rREVG"]
    for size in (0, 1, 2, 3, 57, 58, 1000, 100_003):
        data = rng.randbytes(size)
        flat = base64.b64encode(data)
        for width in (76, 72, 64, 4, 0):
            lines = [flat[i : i + width] for i in range(0, len(flat), width)] if width else [flat]
            for eol in (b"\r\n", b"\n"):
                text = eol.join(lines) + eol
                texts += [text, text.rstrip(b"=\r\n"), text.replace(b"\n", b" \n", 3)]
        glued = base64.b64encode(b"ab") + flat
        texts += [flat[:10] + b"*" + flat[10:], flat + b"QUJD", glued, flat + b"\r\r\n"]
    return texts


@pytest.mark.parametrize("built", [True, False], ids=["compiled", "python"])
def test_decodes_like_the_lenient_decoder(built: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not built:
        monkeypatch.setattr(speedups, "_unlines", None)
    for text in _texts():
        assert _ours(text) == _lenient(text), text[:80]
        assert _ours(memoryview(b"xx" + text)[2:]) == _lenient(text)  # a part is a view of its mail


def test_the_helpers_are_built_here_and_mail_takes_the_fast_way(monkeypatch: pytest.MonkeyPatch) -> None:
    # scripts/setup installs congvan with a compiler: without the helper a mail's attachment costs twice
    assert speedups.BUILT
    calls: list[bool] = []
    decode = pybase64.b64decode

    def counted(data: bytes, *, validate: bool) -> bytes:
        calls.append(validate)
        return decode(data, validate=validate)

    monkeypatch.setattr(pybase64, "b64decode", counted)
    data = random.Random(3).randbytes(300_000)
    for text in (base64.encodebytes(data), base64.encodebytes(data).replace(b"\n", b"\r\n")):
        assert speedups.b64decode_lines(text) == data
    assert calls == [True, True]  # the strict SIMD decoder, never the slow lenient one


def test_unlines_refuses_what_it_cannot_do() -> None:
    from congvan.lib._speedups import unlines

    out = bytearray(16)
    assert unlines(b"ab\r\ncd\nef\r", out) == 7 and bytes(out[:7]) == b"abcdef\r"
    with pytest.raises(ValueError, match="shorter"):
        unlines(b"abcdefghij", bytearray(3))
    with pytest.raises(TypeError):
        unlines("text", out)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        unlines(b"abc", b"read-only")


def test_unlines_takes_out_every_line_break_and_only_them() -> None:
    # lines of uneven length, where the next break stands where the line before ended (the helper
    # copies such lines without looking for their ends), CRs alone or doubled, no break at the end
    from congvan.lib._speedups import unlines

    rng = random.Random(11)
    for _ in range(20_000):
        parts = []
        for _line in range(rng.randint(0, 12)):
            parts.append(
                bytes(rng.choice(b"AB\r") for _c in range(rng.choice([0, 1, 2, 3, 4, rng.randint(0, 9)])))
            )
            parts.append(rng.choice([b"\n", b"\r\n", b"\r\r\n"]))
        text = b"".join(parts) + rng.choice([b"", b"AAAA", b"A\r"])
        out = bytearray(len(text))
        assert bytes(out[: unlines(text, out)]) == re.sub(rb"\r?\n", b"", text), text


def test_a_big_attachment_leaves_no_big_buffer_behind() -> None:
    text = base64.encodebytes(bytes(speedups._SCRATCH_MAX))  # over the size a thread keeps
    assert speedups.b64decode_lines(text) == bytes(speedups._SCRATCH_MAX)
    assert len(getattr(speedups._local, "buffer", b"")) <= speedups._SCRATCH_MAX
