"""Streaming authenticated encryption in chunks: one construction for backup archives and sealed files.

A stream is a prefix (magic, version, header) followed by frames:

    final flag (1 byte) | ciphertext length (4 bytes) | AES-256-GCM ciphertext and tag

Each chunk's nonce and associated data carry its index and final flag, and the associated data also carries the
whole prefix, so a reordered, dropped, repeated, truncated or edited chunk, or an edited header, fails
authentication. Only `finish()` writes the final chunk, so a stream cut off anywhere is detected. Every chunk but
the final one holds exactly `chunk_bytes` of plaintext, which lets a reader seek: chunk i starts at a known offset.
"""

from __future__ import annotations

from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

TAG_BYTES = 16
FRAME_BYTES = 5  # final flag and ciphertext length


class ChunkError(Exception):
    """A chunk failed authentication or does not sit where the layout says it must."""


def nonce(index: int, final: bool) -> bytes:
    return bytes(3) + index.to_bytes(8, "big") + bytes([final])


def aad(prefix: bytes, index: int, final: bool) -> bytes:
    return prefix + index.to_bytes(8, "big") + bytes([final])


class ChunkedWriter:
    """Encrypt a stream into chunks under `key`, after writing `prefix` (which every chunk authenticates)."""

    def __init__(self, out: BinaryIO, prefix: bytes, key: bytes, chunk_bytes: int):
        self._out = out
        self._prefix = prefix
        self._chunk_bytes = chunk_bytes
        self._aead = AESGCM(key)
        self._buffer = bytearray()
        self._index = 0
        self.plaintext_bytes = 0
        out.write(prefix)

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.plaintext_bytes += len(data)
        while len(self._buffer) > self._chunk_bytes:
            self._emit(bytes(self._buffer[: self._chunk_bytes]), final=False)
            del self._buffer[: self._chunk_bytes]

    def finish(self) -> None:
        self._emit(bytes(self._buffer), final=True)
        self._buffer.clear()

    def _emit(self, plaintext: bytes, *, final: bool) -> None:
        sealed = self._aead.encrypt(nonce(self._index, final), plaintext, aad(self._prefix, self._index, final))
        self._out.write(bytes([final]) + len(sealed).to_bytes(4, "big") + sealed)
        self._index += 1


def open_chunk(aead: AESGCM, prefix: bytes, index: int, final: bool, sealed: bytes) -> bytes:
    try:
        return aead.decrypt(nonce(index, final), sealed, aad(prefix, index, final))
    except InvalidTag:
        raise ChunkError(f"chunk {index} failed authentication") from None
