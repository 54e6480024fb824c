"""Files that hold personal data, encrypted at rest under their organisation's key: the one place that writes
and reads them (consultation imports, briefing material, and any later upload of personal data).

A sealed file is the chunked AES-256-GCM stream of core.chunked (the construction backup archives use):

    magic "RLSEALED" | version (1 byte) | header length (4 bytes) | header (UTF-8 JSON) | chunks

The header names the organisation, the version of its sealing data key and the file's own name under MEDIA_ROOT;
each chunk's key is HKDF-SHA256(organisation data key, salt from the header, FILE_INFO). Every chunk authenticates
the header, so a file moved to another name or organisation, edited, reordered or cut short fails to open.
Files and their folders are created owner-only (0600, 0700), written under a private partial name and linked into
place whole. Destroying an organisation's data keys makes its files unreadable.

Reading is streaming and seekable: each read decrypts and authenticates only the chunk it lands in, so a 2 GiB
CSV is read in constant memory and an XLSX workbook (a zip, read by seeking) is opened straight from the sealed
file, never decrypted to disk.

Uploads never touch the disk in clear either: `SealedUploadHandler` replaces Django's temporary-file handler and
encrypts each chunk as it arrives under a key that lives only in the process's memory, into an unnamed temporary
file (removed by the kernel when closed). Uploads small enough for Django's memory handler stay in memory.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.deconstruct import deconstructible

from . import chunked
from .sealing import SealingError, data_key

MAGIC = b"RLSEALED"
FORMAT_VERSION = 1
FILE_INFO = b"rightsloop sealed file v1"
UPLOAD_INFO = b"rightsloop sealed upload v1"
SALT_BYTES = 32
CHUNK_BYTES = 1 << 20  # 1 MiB of plaintext per chunk: a seek decrypts at most this much
MAX_CHUNK_BYTES = 1 << 24
MAX_HEADER_BYTES = 1 << 16
PREFIX_START = len(MAGIC) + 5
FILE_MODE = 0o600
FOLDER_MODE = 0o700
SUFFIX = ".sealed"
# Where each organisation's sealed files live: "<area>/org-<organisation id>/<random name>.sealed".
_NAME = re.compile(r"^(?P<area>[a-z0-9-]+)/org-(?P<organisation>[0-9]+)/[0-9a-f]{32}\.sealed$")
# Every folder of sealed files under MEDIA_ROOT (backups copy them).
AREAS = ("consultation-imports", "briefings", "grievances", "board-packs", "reports", "assessment-training")


def file_name(area: str, organisation_id: int) -> str:
    """A fresh name for a sealed file: random, never the uploader's file name (that is kept on the row)."""
    if area not in AREAS:
        raise SealingError(f"{area} is not an area of sealed files")
    return f"{area}/org-{int(organisation_id)}/{secrets.token_hex(16)}{SUFFIX}"


def organisation_of(name: str) -> int:
    match = _NAME.match(name or "")
    if match is None or match["area"] not in AREAS:
        raise SealingError(f"{name!r} is not the name of a sealed file")
    return int(match["organisation"])


def is_sealed(path: Path) -> bool:
    """Whether a file on disk starts like a sealed file (for finding files written in clear before sealing)."""
    with open(path, "rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def _file_key(organisation_id: int, version: int | None, salt: bytes) -> tuple[int, bytes]:
    version, secret = data_key(organisation_id, version=version)
    return version, HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=FILE_INFO).derive(secret)


def _prefix(header: dict) -> bytes:
    encoded = json.dumps(header, sort_keys=True).encode()
    return MAGIC + bytes([FORMAT_VERSION]) + len(encoded).to_bytes(4, "big") + encoded


# Reading -------------------------------------------------------------------------

class SealedReader(io.RawIOBase):
    """A seekable, read-only view of a sealed stream's plaintext; every chunk is authenticated when read.

    Opening authenticates the header and the final chunk, so a file cut short at a chunk boundary, or with an edited
    header, is refused before anything is read.
    """

    def __init__(self, raw, *, prefix: bytes, key: bytes, chunk_bytes: int):
        super().__init__()
        self._raw = raw
        self._prefix = prefix
        self._aead = AESGCM(key)
        self._chunk = chunk_bytes
        self._frame = chunked.FRAME_BYTES + chunk_bytes + chunked.TAG_BYTES
        self._position = 0
        self._cached: tuple[int, bytes] | None = None
        body = os.fstat(raw.fileno()).st_size - len(prefix)
        if body < chunked.FRAME_BYTES + chunked.TAG_BYTES:
            raise SealingError("the sealed file is truncated: it ends before its final chunk")
        self._chunks = (body + self._frame - 1) // self._frame
        last = self._read_frame(self._chunks - 1)
        self.size = (self._chunks - 1) * chunk_bytes + len(last)

    def _read_frame(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        final = index == self._chunks - 1
        self._raw.seek(len(self._prefix) + index * self._frame)
        frame = self._raw.read(chunked.FRAME_BYTES)
        if len(frame) != chunked.FRAME_BYTES:
            raise SealingError("the sealed file is truncated")
        flag, length = frame[0], int.from_bytes(frame[1:], "big")
        expected = length if final else self._chunk + chunked.TAG_BYTES
        if flag != final or length != expected or not chunked.TAG_BYTES <= length <= self._chunk + chunked.TAG_BYTES:
            raise SealingError(f"the sealed file is damaged or truncated at chunk {index}")
        sealed = self._raw.read(length)
        if len(sealed) != length or (final and self._raw.read(1)):
            raise SealingError(f"the sealed file is damaged or truncated at chunk {index}")
        try:
            plaintext = chunked.open_chunk(self._aead, self._prefix, index, final, sealed)
        except chunked.ChunkError:
            raise SealingError(f"the sealed file failed authentication at chunk {index}") from None
        self._cached = (index, plaintext)
        return plaintext

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        written = 0
        while written < len(view) and self._position < self.size:
            index, start = divmod(self._position, self._chunk)
            plaintext = self._read_frame(index)
            piece = plaintext[start: start + len(view) - written]
            view[written: written + len(piece)] = piece
            written += len(piece)
            self._position += len(piece)
        return written

    def close(self) -> None:
        if not self.closed:
            self._cached = None
            self._raw.close()
        super().close()


def _read_prefix(raw) -> tuple[dict, bytes]:
    start = raw.read(PREFIX_START)
    if len(start) < PREFIX_START or start[: len(MAGIC)] != MAGIC:
        raise SealingError("this file is not sealed (it may have been written in clear: run manage.py seal_files)")
    if start[len(MAGIC)] != FORMAT_VERSION:
        raise SealingError(f"unknown sealed file format version {start[len(MAGIC)]}")
    length = int.from_bytes(start[len(MAGIC) + 1:], "big")
    encoded = raw.read(length) if length <= MAX_HEADER_BYTES else b""
    try:
        header = json.loads(encoded.decode())
        header["salt"] = bytes.fromhex(header["salt"])
        header["chunk_bytes"] = int(header["chunk_bytes"])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise SealingError("the sealed file's header is damaged") from None
    if len(header["salt"]) != SALT_BYTES or not 0 < header["chunk_bytes"] <= MAX_CHUNK_BYTES:
        raise SealingError("the sealed file's header is damaged")
    return header, start + encoded


def open_sealed(path: Path, name: str) -> SealedReader:
    """Open the sealed file stored at `path` under `name`; SealingError if it is not exactly that file."""
    organisation_id = organisation_of(name)
    raw = open(path, "rb")  # noqa: SIM115 - the reader owns and closes it
    try:
        header, prefix = _read_prefix(raw)
        # Checked here for a clear message; the chunks' tags authenticate the header anyway.
        if header.get("name") != name or header.get("organisation") != organisation_id:
            raise SealingError(f"the sealed file at {name} was written for another name or organisation")
        _version, key = _file_key(organisation_id, int(header.get("key_version") or 0) or None, header["salt"])
        return SealedReader(raw, prefix=prefix, key=key, chunk_bytes=header["chunk_bytes"])
    except BaseException:
        raw.close()
        raise


# Writing -------------------------------------------------------------------------

def private_folder(root: Path, folder: Path) -> None:
    """Create `folder` and its parents from `root` (included) as 0700; tighten existing ones this user owns."""
    root.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    current = root
    for part in ("", *folder.relative_to(root).parts):
        current = current / part if part else current
        current.mkdir(mode=FOLDER_MODE, exist_ok=True)
        status = current.stat()
        if status.st_uid == os.getuid() and status.st_mode & 0o077:
            current.chmod(FOLDER_MODE)


def write_sealed(root: Path, name: str, chunks) -> int:
    """Seal an iterable of byte chunks into `root/name`, never overwriting; returns the plaintext size."""
    organisation_id = organisation_of(name)
    target = root / name
    private_folder(root, target.parent)
    salt = os.urandom(SALT_BYTES)
    version, key = _file_key(organisation_id, None, salt)
    prefix = _prefix({"organisation": organisation_id, "key_version": version, "name": name, "salt": salt.hex(),
                      "chunk_bytes": CHUNK_BYTES, "cipher": "AES-256-GCM, HKDF-SHA256 key", "app": "rightsloop"})
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as out:
            writer = chunked.ChunkedWriter(out, prefix, key, CHUNK_BYTES)
            for data in chunks:
                writer.write(data)
            writer.finish()
            out.flush()
            os.fsync(out.fileno())
        os.link(partial, target)  # fails rather than replace a file already there
    finally:
        partial.unlink(missing_ok=True)
    return writer.plaintext_bytes


@deconstructible(path="rightsloop.core.sealed_files.SealedFileStorage")
class SealedFileStorage(FileSystemStorage):
    """MEDIA_ROOT storage that seals on save and opens through the decrypting reader; it has no public URL.

    Names must come from `file_name()`: they say which organisation's key seals the file.
    """

    def __init__(self, location=None):
        super().__init__(location=location, base_url=None, file_permissions_mode=FILE_MODE,
                         directory_permissions_mode=FOLDER_MODE)

    def _save(self, name: str, content) -> str:
        name = str(name).replace("\\", "/")
        if hasattr(content, "seek"):
            content.seek(0)
        write_sealed(Path(self.location), name, content.chunks())
        return name

    def get_available_name(self, name, max_length=None):
        # Names are random: a clash means the same name was drawn twice, so draw again in the same area.
        while self.exists(name):
            match = _NAME.match(name)
            name = file_name(match["area"], int(match["organisation"])) if match else name
        return name

    def _open(self, name: str, mode: str = "rb") -> File:
        if mode not in ("r", "rb"):
            raise SealingError("sealed files are read-only once written")
        return File(open_sealed(Path(self.path(name)), name), name=name)

    def size(self, name: str) -> int:
        with self._open(name) as opened:
            return opened.size

    def url(self, name):
        raise SealingError("sealed files have no public address; serve them through a view that checks access")

    def delete(self, name: str) -> None:
        if name:
            super().delete(name)


def sealed_storage() -> SealedFileStorage:
    # No fixed location: FileSystemStorage then follows settings.MEDIA_ROOT, also when a test overrides it.
    return SealedFileStorage()


def delete(field_file) -> None:
    """Remove a FileField's sealed file, if any; safe to repeat."""
    if field_file and field_file.name:
        field_file.storage.delete(field_file.name)


def remove_unreferenced(*, area: str, organisation_id: int, referenced: set[str], older_than) -> int:
    """Delete the organisation's sealed files in `area` that no row names and that were written before
    `older_than` (a datetime): leftovers of an upload whose transaction rolled back, or of a crash before a
    deletion. Partial files of writes that died are removed too. Returns how many were deleted."""
    folder = Path(settings.MEDIA_ROOT) / area / f"org-{int(organisation_id)}"
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        name = f"{area}/org-{int(organisation_id)}/{path.name}"
        if not path.is_file() or name in referenced:
            continue
        if path.stat().st_mtime < older_than.timestamp():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# Uploads -------------------------------------------------------------------------

class SealedUpload(UploadedFile):
    """An upload received in chunks and kept encrypted under a key held only in memory; reads decrypt."""

    def __init__(self, name, content_type, charset, content_type_extra=None):
        folder = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None) or None
        # An unnamed temporary file where the system allows it (O_TMPFILE), otherwise unlinked at once: 0600.
        self._raw = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed with the upload
        salt = os.urandom(SALT_BYTES)
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=UPLOAD_INFO).derive(os.urandom(32))
        self._key = key
        self._prefix = _prefix({"upload": True, "salt": salt.hex(), "chunk_bytes": CHUNK_BYTES})
        self._writer = chunked.ChunkedWriter(self._raw, self._prefix, key, CHUNK_BYTES)
        super().__init__(io.BytesIO(), name, content_type, 0, charset, content_type_extra)

    def write(self, data: bytes) -> None:
        self._writer.write(data)

    def finish(self, size: int) -> None:
        self._writer.finish()
        self._raw.flush()
        self.size = size
        self.file = SealedReader(self._raw, prefix=self._prefix, key=self._key, chunk_bytes=CHUNK_BYTES)
        self._writer = None

    def close(self):
        self._raw.close()
        return super().close()


class SealedUploadHandler(FileUploadHandler):
    """Django's temporary-file upload handler, except that nothing reaches the disk in clear."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = SealedUpload(self.file_name, self.content_type, self.charset, self.content_type_extra)

    def receive_data_chunk(self, raw_data, start):
        self.file.write(raw_data)

    def file_complete(self, file_size):
        self.file.finish(file_size)
        return self.file

    def upload_interrupted(self):
        if hasattr(self, "file"):
            self.file.close()
