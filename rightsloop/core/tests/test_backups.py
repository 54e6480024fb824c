"""Backups: the archive format refuses every damage and wrong key; back up and restore round-trip a real database."""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rightsloop.core import backups, keys

ROOT = Path(__file__).resolve().parents[3]
CHUNK = 64
PAYLOAD = bytes(range(256)) * 2 + b"tail"  # 516 bytes: eight full chunks and a short final one


def make_archive(payload: bytes = PAYLOAD, *, kek: keys.MasterKey | None = None, vendor: str = "sqlite") -> bytes:
    kek = kek or keys.current_kek()
    header = backups.Header(vendor=vendor, kek_id=kek.key_id, created_at="2025-06-01T12:00:00+00:00",
                            salt=os.urandom(backups.SALT_BYTES), chunk_bytes=CHUNK)
    out = io.BytesIO()
    writer = backups.ArchiveWriter(out, header, kek)
    for start in range(0, len(payload), 50):  # writes that straddle chunk boundaries
        writer.write(payload[start:start + 50])
    writer.finish()
    return out.getvalue()


def open_archive(archive: bytes) -> bytes:
    out = io.BytesIO()
    backups.decrypt(io.BytesIO(archive), out)
    return out.getvalue()


def split(archive: bytes) -> tuple[bytes, list[bytes]]:
    """The header prefix and each chunk's frame (flag, length, ciphertext), as stored."""
    source = io.BytesIO(archive)
    _header, prefix = backups.read_header(source)
    frames = []
    while frame := source.read(5):
        frames.append(frame + source.read(int.from_bytes(frame[1:], "big")))
    return prefix, frames


# The format --------------------------------------------------------------

@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK, len(PAYLOAD)])
def test_round_trip_in_chunks(size):
    payload = os.urandom(size)
    archive = make_archive(payload)
    assert open_archive(archive) == payload
    _prefix, frames = split(archive)
    assert len(frames) == max(1, -(-size // CHUNK))
    assert [frame[0] for frame in frames] == [0] * (len(frames) - 1) + [1]


def test_header_names_the_key_vendor_and_time_but_holds_no_key():
    kek = keys.current_kek()
    archive = make_archive(vendor="postgresql")
    header, prefix = backups.read_header(io.BytesIO(archive))
    assert prefix.startswith(b"RLBACKUP\x02")
    fields = json.loads(prefix[13:])
    assert fields["kek_id"] == kek.key_id == header.kek_id
    assert fields["vendor"] == "postgresql" and fields["payload"] == "pg_dump-custom"
    assert fields["created_at"] == "2025-06-01T12:00:00+00:00"
    derived = backups.backup_key(kek, header.salt)
    for secret in (kek.secret, derived, keys.encode(kek.secret).encode(), derived.hex().encode()):
        assert secret not in archive
    assert PAYLOAD[:32] not in archive
    assert derived != kek.secret != backups.backup_key(kek, os.urandom(backups.SALT_BYTES))


def reordered(archive):
    prefix, frames = split(archive)
    frames[1], frames[2] = frames[2], frames[1]
    return prefix + b"".join(frames)


def dropped(archive):
    prefix, frames = split(archive)
    return prefix + b"".join(frames[:2] + frames[3:])


def repeated(archive):
    prefix, frames = split(archive)
    return prefix + b"".join(frames[:3] + frames[2:])


def without_final_chunk(archive):
    prefix, frames = split(archive)
    return prefix + b"".join(frames[:-1])


def early_chunk_marked_final(archive):
    prefix, frames = split(archive)
    return prefix + bytes([1]) + frames[0][1:]


def with_trailing_data(archive):
    return archive + b"\x00"


def header_edited(archive):
    return archive.replace(b"2025-06-01", b"2025-06-02", 1)


def cut_mid_chunk(archive):
    return archive[:-7]


def grafted(archive):
    """The first chunks of another archive under the same key, then this one's tail."""
    prefix, frames = split(archive)
    _other_prefix, other_frames = split(make_archive())
    return prefix + b"".join(other_frames[:2] + frames[2:])


@pytest.mark.parametrize("damage", [reordered, dropped, repeated, without_final_chunk, early_chunk_marked_final,
                                    with_trailing_data, header_edited, cut_mid_chunk, grafted])
def test_damaged_archives_are_refused(damage):
    with pytest.raises(backups.BackupError) as refused:
        open_archive(damage(make_archive()))
    assert re.search(r"truncated|authentication|altered|damaged", str(refused.value))


@settings(max_examples=150, deadline=None)
@given(position=st.integers(min_value=0), bit=st.integers(0, 7), cut=st.integers(min_value=1))
def test_any_flipped_bit_or_cut_is_refused(position, bit, cut):
    archive = make_archive(PAYLOAD[:200])
    flipped = bytearray(archive)
    flipped[position % len(archive)] ^= 1 << bit
    for bad in (bytes(flipped), archive[: len(archive) - 1 - cut % (len(archive) - 1)]):
        with pytest.raises(backups.BackupError):
            open_archive(bad)


def test_not_an_archive_is_refused():
    with pytest.raises(backups.BackupError, match="not a Rightsloop backup"):
        open_archive(b"SQLite format 3\x00" + bytes(100))
    with pytest.raises(backups.BackupError, match="format version 3"):
        open_archive(b"RLBACKUP\x03" + make_archive()[9:])


def _version_two_payload(files: dict[str, bytes], database: bytes) -> bytes:
    entries = b"".join(backups.FILE_ENTRY + len(name.encode()).to_bytes(2, "big") + name.encode()
                       + len(data).to_bytes(8, "big") + data for name, data in files.items())
    return entries + backups.DATABASE_ENTRY + database


def test_the_payload_splits_into_sealed_files_and_the_database(tmp_path):
    files = {"briefings/org-1/" + "a" * 32 + ".sealed": os.urandom(300),
             "consultation-imports/org-2/" + "b" * 32 + ".sealed": b"",
             "consultation-imports/org-2/" + "c" * 32 + ".sealed": os.urandom(2000)}
    database = os.urandom(700)
    out = io.BytesIO()
    splitter = backups.PayloadSplitter(out, tmp_path)
    backups.decrypt(io.BytesIO(make_archive(_version_two_payload(files, database))), splitter)
    splitter.close()
    assert out.getvalue() == database and splitter.file_count == 3
    for name, data in files.items():
        assert (tmp_path / name).read_bytes() == data
        assert oct((tmp_path / name).stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(("files", "refusal"), [
    ({"../../etc/cron.d/x": b"x"}, "not a sealed file"),
    ({"briefings/org-1/notes.txt": b"x"}, "not a sealed file"),
])
def test_a_payload_naming_other_paths_is_refused(tmp_path, files, refusal):
    splitter = backups.PayloadSplitter(io.BytesIO(), tmp_path)
    with pytest.raises(backups.BackupError, match=refusal):
        splitter.write(_version_two_payload(files, b"db"))
    assert list(tmp_path.rglob("*")) == []


def test_a_payload_cut_before_its_database_is_refused(tmp_path):
    name = "briefings/org-1/" + "a" * 32 + ".sealed"
    splitter = backups.PayloadSplitter(io.BytesIO(), tmp_path)
    splitter.write(_version_two_payload({name: b"x" * 100}, b"")[:-20])
    with pytest.raises(backups.BackupError, match="ends before its database"):
        splitter.close()


def test_version_one_archives_still_open():
    kek = keys.current_kek()
    header = backups.Header(vendor="sqlite", kek_id=kek.key_id, created_at="2025-06-01T12:00:00+00:00",
                            salt=os.urandom(backups.SALT_BYTES), chunk_bytes=CHUNK, version=1)
    out = io.BytesIO()
    writer = backups.ArchiveWriter(out, header, kek)
    writer.write(PAYLOAD)
    writer.finish()
    assert out.getvalue().startswith(b"RLBACKUP\x01")
    assert open_archive(out.getvalue()) == PAYLOAD
    assert backups.read_header(io.BytesIO(out.getvalue()))[0].version == 1


def test_wrong_key_is_refused_by_name():
    stranger = keys.MasterKey(key_id="0123456789abcdef", secret=os.urandom(32))
    with pytest.raises(backups.BackupError) as refused:
        open_archive(make_archive(kek=stranger))
    assert "0123456789abcdef" in str(refused.value) and "RIGHTSLOOP_PREVIOUS_KEKS" in str(refused.value)
    forged = keys.MasterKey(key_id=keys.current_kek().key_id, secret=os.urandom(32))
    with pytest.raises(backups.BackupError, match="failed authentication at chunk 0"):
        open_archive(make_archive(kek=forged))


def test_archives_made_before_a_key_rotation_open_with_the_previous_key(monkeypatch):
    archive = make_archive()
    monkeypatch.setenv("RIGHTSLOOP_PREVIOUS_KEKS", os.environ["RIGHTSLOOP_KEK"])
    monkeypatch.setenv("RIGHTSLOOP_KEK", keys.new_secret())
    keys.forget()
    assert open_archive(archive) == PAYLOAD


# Round trip on a real database, through the management commands ------------

KEK, AUDIT_KEY = keys.new_secret(), keys.new_secret()  # the keys of the databases these tests create


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSLOOP_") and k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=database_url,
               RIGHTSLOOP_VAR_DIR=str(tmp_path / "var"), RIGHTSLOOP_KEK=KEK, RIGHTSLOOP_AUDIT_KEY=AUDIT_KEY,
               PYTHONDONTWRITEBYTECODE="1")
    return env


def _run(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run([sys.executable, *arguments], cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=180, check=False)
    assert done.returncode == 0, f"{arguments}: {done.stdout}\n{done.stderr}"
    return done.stdout


def manage(env, *arguments: str) -> str:
    return _run(env, "manage.py", *arguments)


def scenario(env, *arguments: str) -> dict:
    return json.loads(_run(env, "-m", "rightsloop.core.tests.backup_scenario", *arguments).splitlines()[-1])


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """An empty, migrated SQLite database to copy, so each test does not migrate again."""
    folder = tmp_path_factory.mktemp("migrated")
    (folder / "var").mkdir()
    manage(_env(folder, f"sqlite:///{folder / 'var' / 'rightsloop.sqlite3'}"), "migrate", "--noinput", "-v0")
    return folder / "var" / "rightsloop.sqlite3"


@pytest.fixture
def sqlite_url(tmp_path, migrated_sqlite) -> str:
    (tmp_path / "var").mkdir()
    shutil.copyfile(migrated_sqlite, tmp_path / "var" / "rightsloop.sqlite3")
    return f"sqlite:///{tmp_path / 'var' / 'rightsloop.sqlite3'}"


def round_trip(tmp_path: Path, database_url: str) -> None:
    env = _env(tmp_path, database_url)
    seeded = scenario(env, "seed")
    archive = Path(seeded["backup"].split("\t")[0])
    assert archive.parent == tmp_path / "var" / "backups"
    assert re.fullmatch(r"rightsloop-(sqlite|postgresql)-\d{8}T\d{6}Z\.rlbackup", archive.name)
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    mutated = scenario(env, "mutate")
    assert mutated["counts"] != seeded["counts"]

    data = archive.read_bytes()
    tampered, truncated = tmp_path / "tampered.rlbackup", tmp_path / "truncated.rlbackup"
    tampered.write_bytes(data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 1]) + data[len(data) // 2 + 1:])
    truncated.write_bytes(data[:-100])
    refused = scenario(env, "refuse", str(tampered), str(truncated), f"{archive}#wrong-key", f"{archive}#in-use")
    assert "failed authentication" in refused["refusals"][0]
    assert "truncated" in refused["refusals"][1]
    assert "not configured here" in refused["refusals"][2]
    assert "in use" in refused["refusals"][3]
    assert refused["counts"] == mutated["counts"]
    assert sorted(p.name for p in archive.parent.iterdir()) == [archive.name], "refusals wrote nothing"

    manage(env, "restore", str(archive), "--no-input")
    # The restore first saved the database as it was; restoring that archive undoes the restore.
    (before_restore,) = archive.parent.glob("*-before-restore.rlbackup")
    restored = scenario(env, "check-then-undo", str(before_restore))
    # Every table as it was, except the audit log, which gained one entry recording the restore.
    assert beside_audit(restored["counts"]) == beside_audit(seeded["counts"])
    assert restored["counts"]["core_auditentry"] == seeded["counts"]["core_auditentry"] + 1
    assert restored["opened"] == restored["expected"]
    assert beside_audit(restored["undone_counts"]) == beside_audit(mutated["counts"])
    assert restored["undone_counts"]["core_auditentry"] == mutated["counts"]["core_auditentry"] + 1
    # The sealed files (briefing material, import files) come back with the database, and open with its keys.
    assert len(seeded["files"]) == 4 and not any(v.startswith("unreadable") for v in seeded["files"].values())
    assert restored["files"] == seeded["files"]
    assert set(restored["undone_files"]) == set(mutated["files"]) != set(seeded["files"])


def beside_audit(counts: dict[str, int]) -> dict[str, int]:
    return {table: rows for table, rows in counts.items() if table not in ("core_auditentry", "core_auditchainhead")}


def test_sqlite_round_trip(tmp_path, sqlite_url):
    round_trip(tmp_path, sqlite_url)
    assert sorted(p.name for p in (tmp_path / "var").iterdir() if p.name.startswith(("rightsloop", "."))) == [
        "rightsloop.sqlite3"], "no stale -wal/-shm and no leftover temporary files"


def test_restore_replays_erasures_made_after_the_backup(tmp_path, sqlite_url):
    env = _env(tmp_path, sqlite_url)
    person_id = str(scenario(env, "seed-person")["stakeholder"])
    (archive,) = (tmp_path / "var" / "backups").glob("*.rlbackup")
    assert scenario(env, "erase", person_id) == {"name": "", "email": "", "erased": True}
    restored = manage(env, "restore", str(archive), "--no-input")
    assert "1 person(s) erased again" in restored
    assert scenario(env, "person", person_id) == {"name": "", "email": "", "erased": True}


def _postgres_url() -> str | None:
    # Creating, restoring over and dropping a database is the owner's work, not the application role's.
    url = os.environ.get("DATABASE_OWNER_URL") or os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) and shutil.which("createdb") else None


@pytest.fixture
def scratch_postgres():
    """A database of its own on the PostgreSQL server DATABASE_URL names, dropped afterwards."""
    url = _postgres_url()
    config = dj_database_url.parse(url)
    env = dict(os.environ, PGHOST=config["HOST"] or "", PGPORT=str(config["PORT"] or ""),
               PGUSER=config["USER"] or "", PGPASSWORD=config["PASSWORD"] or "")
    name = f"rightsloop_x6_{uuid.uuid4().hex[:10]}"
    subprocess.run(["createdb", name], env=env, check=True, capture_output=True)  # noqa: S603, S607
    try:
        yield urlsplit(url)._replace(path=f"/{name}").geturl()
    finally:
        subprocess.run(["dropdb", "--force", "--if-exists", name], env=env, check=False,  # noqa: S603, S607
                       capture_output=True)


@pytest.mark.skipif(_postgres_url() is None, reason="DATABASE_URL does not point at PostgreSQL")
def test_postgresql_round_trip(tmp_path, scratch_postgres):
    (tmp_path / "var").mkdir()
    manage(_env(tmp_path, scratch_postgres), "migrate", "--noinput", "-v0")
    round_trip(tmp_path, scratch_postgres)
