"""Sealed files: encrypted at rest under the organisation's key, streamed and seekable, refused when tampered."""

import io
import os
import stat
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from rightsloop.core import sealed_files
from rightsloop.core.models import DataKey
from rightsloop.core.sealing import SealingError, forget_cached_keys

pytestmark = pytest.mark.django_db

CANARY = b"canary-7f3a9@example.org"


def content(size: int) -> bytes:
    pattern = b"".join(i.to_bytes(4, "big") for i in range(1 << 14))
    data = (pattern * (size // len(pattern) + 1))[:size]
    return data[: size // 2] + CANARY + data[size // 2 + len(CANARY):] if size > 2 * len(CANARY) else data[:size]


def store(organisation, data: bytes, area="consultation-imports") -> str:
    storage = sealed_files.sealed_storage()
    return storage.save(sealed_files.file_name(area, organisation.pk), ContentFile(data))


@pytest.mark.parametrize("size", [0, 1, sealed_files.CHUNK_BYTES, 2 * sealed_files.CHUNK_BYTES + 7])
def test_a_file_is_sealed_at_rest_and_reads_back_whole(organisation, private_media_root, size):
    data = content(size)
    name = store(organisation, data)
    path = Path(private_media_root) / name
    on_disk = path.read_bytes()
    assert on_disk.startswith(sealed_files.MAGIC)
    assert CANARY not in on_disk and (size < 64 or data[:64] not in on_disk)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, path.parent.parent, Path(private_media_root)):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    with sealed_files.sealed_storage().open(name) as opened:
        assert opened.size == size
        assert opened.read() == data


def test_reads_seek_anywhere_and_decrypt_only_what_they_touch(organisation):
    data = content(3 * sealed_files.CHUNK_BYTES + 100)
    name = store(organisation, data)
    with sealed_files.sealed_storage().open(name) as opened:
        for offset in (0, 5, sealed_files.CHUNK_BYTES - 3, 2 * sealed_files.CHUNK_BYTES + 1, len(data) - 10):
            opened.seek(offset)
            assert opened.read(20) == data[offset:offset + 20]
        opened.seek(-4, io.SEEK_END)
        assert opened.read() == data[-4:] and opened.read(10) == b""


def test_an_xlsx_workbook_opens_straight_from_the_sealed_file(organisation):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["answer", "email"])
    for i in range(2000):
        book.active.append([f"text {i}", f"person{i}@example.org"])
    buffer = io.BytesIO()
    book.save(buffer)
    name = store(organisation, buffer.getvalue())
    with sealed_files.sealed_storage().open(name) as opened:
        sheet = openpyxl.load_workbook(opened, read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("answer", "email") and rows[-1] == ("text 1999", "person1999@example.org")


def _damage(path: Path, edit) -> None:
    data = bytearray(path.read_bytes())
    path.write_bytes(bytes(edit(data)))


def _read_all(name):
    with sealed_files.sealed_storage().open(name) as opened:
        return opened.read()


FRAME = 5 + sealed_files.CHUNK_BYTES + 16


def _prefix_length(data: bytes) -> int:
    start = len(sealed_files.MAGIC)
    return start + 5 + int.from_bytes(data[start + 1:start + 5], "big")


@pytest.mark.parametrize("damage", [
    pytest.param(lambda d: d[: _prefix_length(d) + FRAME], id="cut at a chunk boundary"),
    pytest.param(lambda d: d[:-1], id="cut inside the final chunk"),
    pytest.param(lambda d: d[: _prefix_length(d)] + d[_prefix_length(d) + FRAME: _prefix_length(d) + 2 * FRAME]
                 + d[_prefix_length(d): _prefix_length(d) + FRAME] + d[_prefix_length(d) + 2 * FRAME:],
                 id="two chunks swapped"),
    pytest.param(lambda d: d[:_prefix_length(d) + 100] + bytes([d[_prefix_length(d) + 100] ^ 1])
                 + d[_prefix_length(d) + 101:], id="one bit flipped"),
    pytest.param(lambda d: d + b"x", id="data after the final chunk"),
    pytest.param(lambda d: bytes(d).replace(b'"chunk_bytes": 1048576', b'"chunk_bytes": 1048577'), id="header edit"),
])
def test_a_tampered_reordered_or_truncated_file_is_refused(organisation, private_media_root, damage):
    name = store(organisation, content(3 * sealed_files.CHUNK_BYTES + 100))
    _damage(Path(private_media_root) / name, damage)
    with pytest.raises(SealingError):
        _read_all(name)


def test_a_file_moved_to_another_name_or_organisation_does_not_open(organisation, other_organisation,
                                                                     private_media_root):
    name = store(organisation, b"answer\nsecret\n")
    for other in (sealed_files.file_name("consultation-imports", organisation.pk),
                  sealed_files.file_name("consultation-imports", other_organisation.pk)):
        target = Path(private_media_root) / other
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(Path(private_media_root) / name, target)
        with pytest.raises(SealingError):
            _read_all(other)


def test_a_file_in_clear_is_refused_not_served(organisation, private_media_root):
    name = sealed_files.file_name("briefings", organisation.pk)
    path = Path(private_media_root) / name
    path.parent.mkdir(parents=True)
    path.write_bytes(b"written in clear")
    with pytest.raises(SealingError, match="seal_files"):
        _read_all(name)


def test_destroying_the_organisation_keys_makes_its_files_unreadable(organisation):
    name = store(organisation, b"answer\nsecret\n")
    DataKey.objects.filter(organisation=organisation).delete()
    forget_cached_keys()
    with pytest.raises(SealingError):
        _read_all(name)


def test_names_must_say_which_organisation_seals_them(organisation):
    with pytest.raises(SealingError):
        sealed_files.sealed_storage().save("consultation-imports/answers.csv", ContentFile(b"x"))
    with pytest.raises(SealingError):
        sealed_files.sealed_storage().url(store(organisation, b"x"))


def test_an_upload_never_reaches_the_disk_in_clear(tmp_path, settings):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    handler = sealed_files.SealedUploadHandler()
    handler.new_file("file", "answers.csv", "text/csv", None)
    data = content(2 * sealed_files.CHUNK_BYTES + 5)
    for start in range(0, len(data), 65536):
        handler.receive_data_chunk(data[start:start + 65536], start)
    upload = handler.file_complete(len(data))
    raw = upload._raw
    assert stat.S_IMODE(os.fstat(raw.fileno()).st_mode) == 0o600
    raw.seek(0)
    on_disk = raw.read()
    assert len(on_disk) > len(data) and CANARY not in on_disk and data[:64] not in on_disk
    assert list(tmp_path.iterdir()) == []  # unnamed (O_TMPFILE) or already unlinked
    assert upload.size == len(data) and b"".join(upload.chunks()) == data
    upload.close()
    assert raw.closed
