"""Encrypted, authenticated backups of the whole database, and their restore.

An archive holds one database snapshot: on SQLite a copy made with SQLite's online backup API (consistent
while the app runs, WAL included), on PostgreSQL the output of `pg_dump -Fc`. It is encrypted under a key
derived from the key encryption key (core.keys), so a backup is readable only where that key is, and the
key itself is never written into it. The format (docs/security/x6-durability.md):

    magic "RLBACKUP" | version (1 byte) | header length (4 bytes) | header (UTF-8 JSON)
    then chunks: final flag (1 byte) | ciphertext length (4 bytes) | AES-256-GCM ciphertext and tag

Version 2 archives also hold the sealed files under MEDIA_ROOT (core.sealed_files: consultation imports, briefing
material), as they are on disk, still sealed under their organisation's key. Their plaintext is a sequence of
entries, then the database:

    "F" | name length (2 bytes) | name (UTF-8) | size (8 bytes) | the sealed file's bytes   (once per file)
    "D" | the database snapshot, to the end

Version 1 archives (the database alone) still restore; they leave the files on disk as they are.

Each chunk's key is HKDF-SHA256(KEK, salt from the header, BACKUP_INFO); its nonce and associated data
carry the chunk's index and final flag, and the associated data also carries the whole header, so a
reordered, dropped, repeated, truncated or edited chunk, or an edited header, fails authentication.

Restore decrypts and verifies the whole archive into a private temporary file before it touches the
database, so a tampered, truncated or wrong-key archive changes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connections

from . import chunked, keys, sealed_files

MAGIC = b"RLBACKUP"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
FILE_ENTRY, DATABASE_ENTRY = b"F", b"D"
BACKUP_INFO = b"rightsloop backup archive v1"
SALT_BYTES = 32
CHUNK_BYTES = 1 << 20  # 1 MiB of plaintext per chunk: memory stays flat whatever the database size
MAX_CHUNK_BYTES = 1 << 24  # refuse absurd sizes read from an archive before it is authenticated
MAX_HEADER_BYTES = 1 << 16
TAG_BYTES = chunked.TAG_BYTES
SUFFIX = ".rlbackup"
VENDORS = {"sqlite": "sqlite3-database", "postgresql": "pg_dump-custom"}
READ_BYTES = 1 << 20
_IN_USE = "The database is in use: stop the web server, the task worker and the scheduler, then restore again."


class BackupError(Exception):
    """A backup could not be written, or an archive could not be verified or restored."""


@dataclass(frozen=True)
class Header:
    vendor: str
    kek_id: str
    created_at: str
    salt: bytes
    chunk_bytes: int = CHUNK_BYTES
    version: int = FORMAT_VERSION

    @property
    def payload(self) -> str:
        return VENDORS[self.vendor]

    def encode(self) -> bytes:
        header = json.dumps({
            "vendor": self.vendor, "payload": self.payload, "kek_id": self.kek_id,
            "created_at": self.created_at, "salt": self.salt.hex(), "chunk_bytes": self.chunk_bytes,
            "cipher": "AES-256-GCM, HKDF-SHA256 key", "app": "rightsloop",
        }, sort_keys=True).encode()
        return MAGIC + bytes([self.version]) + len(header).to_bytes(4, "big") + header

    @classmethod
    def decode(cls, header: bytes, version: int = FORMAT_VERSION) -> Header:
        try:
            fields = json.loads(header.decode())
            found = cls(vendor=fields["vendor"], kek_id=str(fields["kek_id"]), created_at=str(fields["created_at"]),
                        salt=bytes.fromhex(fields["salt"]), chunk_bytes=int(fields["chunk_bytes"]), version=version)
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise BackupError("The archive header is damaged.") from None
        if found.vendor not in VENDORS or len(found.salt) != SALT_BYTES or not 0 < found.chunk_bytes <= MAX_CHUNK_BYTES:
            raise BackupError("The archive header is damaged.")
        return found


def backup_key(kek: keys.MasterKey, salt: bytes) -> bytes:
    """The archive's own key: bound to its salt and to the backup purpose, never usable for sealing."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=BACKUP_INFO).derive(kek.secret)


class ArchiveWriter(chunked.ChunkedWriter):
    """Encrypt a stream into chunks; only finish() writes the final chunk, so a cut-off archive is detectable."""

    def __init__(self, out: BinaryIO, header: Header, kek: keys.MasterKey):
        super().__init__(out, header.encode(), backup_key(kek, header.salt), header.chunk_bytes)


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise BackupError("The archive is truncated: it ends before its final chunk.")
    return data


def read_header(source: BinaryIO) -> tuple[Header, bytes]:
    """Parse the unauthenticated header; every chunk's tag authenticates it afterwards."""
    start = source.read(len(MAGIC) + 5)
    if len(start) < len(MAGIC) + 5 or start[: len(MAGIC)] != MAGIC:
        raise BackupError("This is not a Rightsloop backup archive.")
    if start[len(MAGIC)] not in READABLE_VERSIONS:
        raise BackupError(f"Unknown backup format version {start[len(MAGIC)]}; this Rightsloop reads versions "
                          f"{', '.join(map(str, READABLE_VERSIONS))}.")
    length = int.from_bytes(start[len(MAGIC) + 1:], "big")
    if length > MAX_HEADER_BYTES:
        raise BackupError("The archive header is damaged.")
    header_bytes = _read_exactly(source, length)
    return Header.decode(header_bytes, start[len(MAGIC)]), start + header_bytes


def key_for(header: Header) -> keys.MasterKey:
    """The configured key encryption key the archive names, or a clear refusal."""
    configured = keys.key_encryption_keys()
    kek = next((k for k in configured if k.key_id == header.kek_id), None)
    if kek is None:
        raise BackupError(
            f"This archive was encrypted under key encryption key {header.kek_id}, which is not configured "
            f"here (configured: {', '.join(k.key_id for k in configured)}). Set RIGHTSLOOP_KEK, or "
            "RIGHTSLOOP_PREVIOUS_KEKS, to that key from your offline copy."
        )
    return kek


def decrypt(source: BinaryIO, out: BinaryIO) -> Header:
    """Verify and decrypt a whole archive into `out`; raise BackupError on any damage or wrong key."""
    header, prefix = read_header(source)
    aead = AESGCM(backup_key(key_for(header), header.salt))
    index = 0
    while True:
        frame = source.read(5)
        if len(frame) < 5:
            raise BackupError("The archive is truncated: it ends before its final chunk.")
        final, length = frame[0], int.from_bytes(frame[1:], "big")
        if final not in (0, 1) or not TAG_BYTES <= length <= header.chunk_bytes + TAG_BYTES:
            raise BackupError(f"The archive is damaged at chunk {index}.")
        sealed = _read_exactly(source, length)
        try:
            plaintext = chunked.open_chunk(aead, prefix, index, bool(final), sealed)
        except chunked.ChunkError:
            raise BackupError(
                f"The archive failed authentication at chunk {index}: it was altered, or it was not made with "
                f"key encryption key {header.kek_id}."
            ) from None
        out.write(plaintext)
        index += 1
        if final:
            break
    if source.read(1):
        raise BackupError("The archive has data after its final chunk: it was altered.")
    return header


class PayloadSplitter:
    """Receives a version 2 archive's plaintext as it is decrypted: sealed files into `files`, the database into
    `database`. A name that is not a sealed file's name, or a payload that ends mid-entry, is refused."""

    def __init__(self, database: BinaryIO, files: Path):
        self._database, self._files = database, files
        self._buffer = bytearray()
        self._file: BinaryIO | None = None
        self._remaining = 0
        self._in_database = False
        self.file_count = 0

    def write(self, data: bytes) -> None:
        if self._in_database:
            self._database.write(data)
            return
        self._buffer += data
        while self._buffer and not self._in_database:
            if self._file is not None:
                piece = bytes(self._buffer[: self._remaining])
                self._file.write(piece)
                del self._buffer[: len(piece)]
                self._remaining -= len(piece)
                if self._remaining:
                    return
                self._file.close()
                self._file = None
                continue
            kind = bytes(self._buffer[:1])
            if kind == DATABASE_ENTRY:
                self._in_database = True
                self._database.write(bytes(self._buffer[1:]))
                self._buffer.clear()
                return
            if kind != FILE_ENTRY:
                raise BackupError("The archive decrypted, but its list of files is damaged.")
            if len(self._buffer) < 3:
                return
            length = int.from_bytes(self._buffer[1:3], "big")
            if len(self._buffer) < 3 + length + 8:
                return
            name = bytes(self._buffer[3: 3 + length]).decode(errors="replace")
            self._remaining = int.from_bytes(self._buffer[3 + length: 11 + length], "big")
            del self._buffer[: 11 + length]
            self._file = self._open(name)
            self.file_count += 1

    def _open(self, name: str) -> BinaryIO:
        try:
            sealed_files.organisation_of(name)
        except sealed_files.SealingError:
            raise BackupError(f"The archive names a file {name!r} that is not a sealed file.") from None
        target = self._files / name
        sealed_files.private_folder(self._files, target.parent)
        return os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, sealed_files.FILE_MODE), "wb")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        if not self._in_database:
            raise BackupError("The archive decrypted, but it ends before its database.")


# Where archives go ---------------------------------------------------------

def _var_dir() -> Path:
    return Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var"))


def backup_dir() -> Path:
    return Path(getattr(settings, "RIGHTSLOOP_BACKUP_DIR", None) or _var_dir() / "backups")


def default_path(vendor: str, now: datetime, label: str = "") -> Path:
    folder = backup_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = f"rightsloop-{vendor}-{now:%Y%m%dT%H%M%SZ}{label}"
    path, counter = folder / f"{stem}{SUFFIX}", 1
    while path.exists():
        counter += 1
        path = folder / f"{stem}-{counter}{SUFFIX}"
    return path


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in VENDORS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _sqlite_path(using: str) -> Path:
    name = str(connections[using].settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(name)


def _pg_program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def _pg_environment(using: str) -> dict[str, str]:
    """Connection details for pg_dump and pg_restore; the password goes through the environment, never argv."""
    db = connections[using].settings_dict
    env = dict(os.environ)
    for variable, value in (("PGHOST", db.get("HOST")), ("PGPORT", db.get("PORT")), ("PGUSER", db.get("USER")),
                            ("PGPASSWORD", db.get("PASSWORD")), ("PGDATABASE", db.get("NAME")),
                            ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode"))):
        if value:
            env[variable] = str(value)
    return env


@contextmanager
def _private_dir(near: Path) -> Iterator[Path]:
    """A temporary folder only this user can read, on the same disk as `near`; removed on exit."""
    near.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = Path(tempfile.mkdtemp(prefix=".rightsloop-backup-", dir=near))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Back up -------------------------------------------------------------------

def _snapshot_sqlite(database: Path, target: Path) -> None:
    """Copy the live database with SQLite's backup API in one step: one consistent read snapshot, WAL included."""
    if not database.exists():
        raise BackupError(f"The SQLite database {database} does not exist.")
    source = sqlite3.connect(database, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _stream(source: BinaryIO, writer: ArchiveWriter) -> None:
    while data := source.read(READ_BYTES):
        writer.write(data)


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _sealed_file_names() -> list[str]:
    root = _media_root()
    found = []
    for area in sealed_files.AREAS:
        for path in sorted((root / area).glob("org-*/*")):
            name = path.relative_to(root).as_posix()
            if path.is_file() and not path.name.startswith("."):
                try:
                    sealed_files.organisation_of(name)
                except sealed_files.SealingError:
                    continue  # not a sealed file's name (a file in clear from before: manage.py seal_files)
                found.append(name)
    return found


def _write_files(writer: ArchiveWriter) -> int:
    """Copy every sealed file into the archive as it is on disk (still sealed); returns how many."""
    count = 0
    for name in _sealed_file_names():
        try:
            source = (_media_root() / name).open("rb")
        except FileNotFoundError:
            continue  # deleted since it was listed (an import applied meanwhile)
        with source:
            size = os.fstat(source.fileno()).st_size
            encoded = name.encode()
            writer.write(FILE_ENTRY + len(encoded).to_bytes(2, "big") + encoded + size.to_bytes(8, "big"))
            remaining = size
            while remaining:
                data = source.read(min(READ_BYTES, remaining))
                if not data:
                    raise BackupError(f"{name} shrank while it was being backed up.")
                writer.write(data)
                remaining -= len(data)
        count += 1
    return count


def _write_sqlite(using: str, writer: ArchiveWriter) -> None:
    database = _sqlite_path(using)
    with _private_dir(database.parent) as folder:
        copy = folder / "snapshot.sqlite3"
        _snapshot_sqlite(database, copy)
        with copy.open("rb") as source:
            _stream(source, writer)


def _write_postgresql(using: str, writer: ArchiveWriter) -> None:
    command = [_pg_program("pg_dump"), "--no-password", "--format=custom"]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors,  # noqa: S603
                                   env=_pg_environment(using))
        try:
            _stream(process.stdout, writer)
        finally:
            process.stdout.close()
            process.wait()
        if process.returncode != 0:
            errors.seek(0)
            raise BackupError(f"pg_dump failed: {errors.read().decode(errors='replace').strip()}")


def back_up(*, output: Path | None = None, using: str = "default", label: str = "") -> tuple[Path, Header]:
    """Write an encrypted archive of the whole database; a half-written archive never takes the final name."""
    vendor = _vendor(using)
    kek = keys.current_kek()
    now = datetime.now(UTC)
    if output is not None and output.is_dir():
        output = output / f"rightsloop-{vendor}-{now:%Y%m%dT%H%M%SZ}{label}{SUFFIX}"
    path = output or default_path(vendor, now, label)
    if path.exists():
        raise BackupError(f"{path} exists; backups never overwrite an archive.")
    header = Header(vendor=vendor, kek_id=kek.key_id, created_at=now.isoformat(timespec="seconds"),
                    salt=os.urandom(SALT_BYTES))
    partial = path.with_name(path.name + ".partial")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise BackupError(f"Cannot create {partial}: {error.strerror}.") from None
    try:
        with os.fdopen(descriptor, "wb") as out:
            writer = ArchiveWriter(out, header, kek)
            # Files first, the database last: it is the one entry whose size is not known before it is read.
            _write_files(writer)
            writer.write(DATABASE_ENTRY)
            (_write_sqlite if vendor == "sqlite" else _write_postgresql)(using, writer)
            writer.finish()
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
        _fsync_dir(path.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path, header


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# Restore -------------------------------------------------------------------

@dataclass(frozen=True)
class VerifiedArchive:
    header: Header
    plaintext: Path
    files: Path | None = None  # the sealed files (version 2), staged under MEDIA_ROOT until load() installs them
    file_count: int = 0


@contextmanager
def verified(archive: Path, *, using: str = "default") -> Iterator[VerifiedArchive]:
    """Decrypt and check a whole archive into a private temporary file before anything touches the database."""
    vendor = _vendor(using)
    near = _sqlite_path(using).parent if vendor == "sqlite" else _var_dir()
    try:
        source = archive.open("rb")
    except OSError as error:
        raise BackupError(f"Cannot read {archive}: {error.strerror}.") from None
    with source, _private_dir(near) as folder, _private_dir(_media_root()) as staged:
        version = read_header(source)[0].version
        source.seek(0)
        plaintext = folder / "restore.payload"
        descriptor = os.open(plaintext, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            if version >= 2:
                splitter = PayloadSplitter(out, staged)
                header = decrypt(source, splitter)
                splitter.close()
            else:
                header = decrypt(source, out)
        if header.vendor != vendor:
            raise BackupError(f"This is a {header.vendor} backup; the database here is {vendor}.")
        (_check_sqlite if vendor == "sqlite" else _check_postgresql)(plaintext)
        yield VerifiedArchive(header, plaintext, staged if version >= 2 else None,
                              splitter.file_count if version >= 2 else 0)


def _read_only(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


def _check_sqlite(plaintext: Path) -> None:
    try:
        check = sqlite3.connect(_read_only(plaintext), uri=True)
        try:
            result = check.execute("PRAGMA quick_check").fetchone()[0]
            check.execute("SELECT COUNT(*) FROM django_migrations").fetchone()
        finally:
            check.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"The archive decrypted, but does not hold a usable Rightsloop database: {error}.") from None
    if result != "ok":
        raise BackupError(f"The archive decrypted, but its database fails SQLite's check: {result}.")


def _check_postgresql(plaintext: Path) -> None:
    listed = subprocess.run([_pg_program("pg_restore"), "--list", str(plaintext)],  # noqa: S603
                            capture_output=True, check=False)
    if listed.returncode != 0 or b"django_migrations" not in listed.stdout:
        raise BackupError("The archive decrypted, but pg_restore cannot read it as a Rightsloop dump: "
                          + listed.stderr.decode(errors="replace").strip())


def ensure_not_in_use(using: str = "default") -> None:
    """Refuse to restore under a running app: its open connections would keep writing to the old data."""
    connections[using].close()
    if _vendor(using) == "sqlite":
        database = _sqlite_path(using)
        if not database.exists():
            return
        probe = sqlite3.connect(database, timeout=2, isolation_level=None)
        try:
            # Leaving WAL needs every other connection closed; it also checkpoints and removes -wal and -shm.
            mode = probe.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            mode = "wal"
        except sqlite3.DatabaseError as error:
            raise BackupError(f"The current database {database} cannot be opened ({error}); move it aside and "
                              "restore again.") from None
        finally:
            probe.close()
        if mode != "delete":
            raise BackupError(_IN_USE)
        return
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
        others = cursor.fetchone()[0]
    connections[using].close()
    if others:
        raise BackupError(f"{others} other connection(s) use this database. {_IN_USE}")



def load(verified_archive: VerifiedArchive, *, using: str = "default") -> None:
    """Replace the database with a verified archive's content; the app must be stopped (ensure_not_in_use)."""
    connections[using].close()
    if verified_archive.header.vendor == "sqlite":
        _load_sqlite(verified_archive.plaintext, _sqlite_path(using))
    else:
        _load_postgresql(verified_archive.plaintext, using)
    if verified_archive.files is not None:
        _install_files(verified_archive.files)


def _install_files(staged: Path) -> None:
    """Replace each folder of sealed files with the archive's, by renames on the same disk (MEDIA_ROOT).

    Files that are not in the archive go with the folder they were in: the restored database does not name them.
    """
    root = _media_root()
    for area in sealed_files.AREAS:
        current, incoming = root / area, staged / area
        if not incoming.exists():
            incoming.mkdir(mode=sealed_files.FOLDER_MODE)
        aside = staged / f".replaced-{area}"
        if current.exists():
            os.rename(current, aside)
        os.rename(incoming, current)
        shutil.rmtree(aside, ignore_errors=True)


def _load_sqlite(plaintext: Path, database: Path) -> None:
    """Copy the verified database over the live one with the backup API: one atomic SQLite transaction."""
    for stale in (Path(f"{database}-wal"), Path(f"{database}-shm"), Path(f"{database}-journal")):
        if stale.exists() and not database.exists():
            stale.unlink()  # left by a database file that is gone; SQLite would apply it to the new one
    source = sqlite3.connect(_read_only(plaintext), uri=True)
    target = sqlite3.connect(database, timeout=20, isolation_level=None)
    try:
        # Rollback-journal mode for the copy: one atomic replace, whatever the page sizes; WAL again after.
        if target.execute("PRAGMA journal_mode=DELETE").fetchone()[0] != "delete":
            raise BackupError(_IN_USE)
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as error:
        raise BackupError(f"SQLite refused the restore ({error}); the database is unchanged. {_IN_USE}") from None
    finally:
        target.close()
        source.close()


def _load_postgresql(plaintext: Path, using: str) -> None:
    """pg_restore in one transaction: it replaces every object in the dump, or fails and changes nothing."""
    command = [_pg_program("pg_restore"), "--no-password", "--clean", "--if-exists", "--no-owner",
               "--single-transaction", "--exit-on-error", "--dbname", str(connections[using].settings_dict["NAME"]),
               str(plaintext)]
    restored = subprocess.run(command, capture_output=True, env=_pg_environment(using), check=False)  # noqa: S603
    if restored.returncode != 0:
        raise BackupError("pg_restore failed and rolled back; the database is unchanged: "
                          + restored.stderr.decode(errors="replace").strip())
