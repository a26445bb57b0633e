"""Optional encryption of backup archives: AES-256-GCM in 1 MiB records, the key derived by scrypt from
the content of a key file. Each record's nonce carries its number and the last record is marked, so a
record removed, reordered or cut off at the end is detected."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"CVBACKUP-AESGCM1\n"
RECORD = 1024 * 1024


class BadKey(Exception):
    """The key file is not the one the archive was encrypted with, or the archive was altered."""


def _key(key_file: Path, salt: bytes) -> bytes:
    secret = key_file.read_bytes().strip()
    if len(secret) < 16:
        raise BadKey("the key file must hold at least 16 bytes")
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(secret)


class EncryptingWriter:
    """A write-only file object that encrypts what is written to ``out``."""

    def __init__(self, out: BinaryIO, key_file: Path) -> None:
        self.out = out
        salt, self.prefix = os.urandom(16), os.urandom(8)
        self.aead = AESGCM(_key(key_file, salt))
        out.write(MAGIC + salt + self.prefix)
        self.buffer = bytearray()
        self.number = 0

    def write(self, data: bytes) -> int:
        self.buffer += data
        while len(self.buffer) > RECORD:
            self._record(bytes(self.buffer[:RECORD]), last=False)
            del self.buffer[:RECORD]
        return len(data)

    def _record(self, plain: bytes, *, last: bool) -> None:
        sealed = self.aead.encrypt(
            self.prefix + struct.pack(">I", self.number), plain, b"L" if last else b"M"
        )
        self.out.write(struct.pack(">I", len(sealed)) + sealed)
        self.number += 1

    def close(self) -> None:
        self._record(bytes(self.buffer), last=True)
        self.buffer.clear()

    def flush(self) -> None:
        pass


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def decrypt_to(src: Path, dst: BinaryIO, key_file: Path) -> None:
    """Decrypt an archive to ``dst``; refuse a wrong key, an altered record or a cut-off end."""
    with src.open("rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise BadKey("not an encrypted congvan backup")
        salt, prefix = f.read(16), f.read(8)
        aead = AESGCM(_key(key_file, salt))
        number, done = 0, False
        while True:
            head = f.read(4)
            if not head:
                break
            if done:
                raise BadKey("data after the last record")
            (size,) = struct.unpack(">I", head)
            sealed = f.read(size)
            nonce = prefix + struct.pack(">I", number)
            try:
                plain = aead.decrypt(nonce, sealed, b"M")
            except InvalidTag:
                try:
                    plain, done = aead.decrypt(nonce, sealed, b"L"), True
                except InvalidTag as exc:
                    raise BadKey("wrong key file, or the archive was altered") from exc
            dst.write(plain)
            number += 1
        if not done:
            raise BadKey("the archive is cut off")
