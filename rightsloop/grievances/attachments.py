"""What files a person may give with a grievance: at most 3, 10 MB each, of a type read from their first bytes.

The browser's claimed type and the file's name say nothing we can trust: a renamed program (MZ, ELF), a script,
a web page, an SVG or an archive is refused whatever it is called. Accepted files are stored sealed
(core.sealed_files) and only ever downloaded as attachments, never shown inline.

`CappedUploads` keeps an oversized request from being read at all: a body larger than MAX_REQUEST_BYTES is
answered with 413 before any byte of it is parsed, and a single file over MAX_BYTES stops the parsing there.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_FILES = 3
MAX_BYTES = 10 * 1024 * 1024
# Room for three full files and the form's text (20,000 characters at most 4 bytes each, and the rest).
MAX_REQUEST_BYTES = MAX_FILES * MAX_BYTES + 1024 * 1024
# Files a case may collect through its follow-up page over its life.
MAX_FILES_PER_CASE = 20
HEAD_BYTES = 64

ACCEPTED = gettext_lazy("PDF, pictures (PNG, JPEG, GIF, WebP), plain text, and sound recordings (MP3, M4A, OGG, "
                        "WAV)")
# ISO base media brands of audio and of phones' voice recordings (M4A, 3GP).
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"3gp4", b"3gp5", b"3gp6", b"3g2a"}


def sniff(head: bytes) -> str | None:
    """The type of a file from its first bytes, among the accepted binary types; None otherwise."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head[4:8] == b"ftyp" and head[8:12] in _AUDIO_BRANDS:
        return "audio/mp4"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    # An MPEG audio frame: 11 sync bits, then a version and a layer that are not the reserved ones.
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 and head[1] & 0x18 != 0x08:
        return "audio/mpeg"
    return None


def _is_plain_text(upload) -> bool:
    """Valid UTF-8 throughout, no NUL, and not markup or a script (HTML, SVG, XML, #!)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    start = ""
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return False
            text = decoder.decode(chunk)
            if len(start) < HEAD_BYTES:
                start += text[:HEAD_BYTES]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    start = start.lstrip("\ufeff \t\r\n").lower()
    return not start.startswith(("<", "#!"))


@dataclass(frozen=True)
class Checked:
    upload: object
    name: str
    content_type: str
    size: int


def check(files: Sequence, *, already: int = 0, field: str = "attachments") -> list[Checked]:
    """The files with the type each really is; ValidationError naming every refused file."""
    errors = []
    if len(files) > MAX_FILES:
        errors.append(_("Give at most %(n)d files at a time.") % {"n": MAX_FILES})
    if already + len(files) > MAX_FILES_PER_CASE:
        errors.append(_("This case already has %(n)d files, the most it can hold. Describe any other in a "
                        "message.") % {"n": already})
    checked = []
    for upload in files:
        name = str(getattr(upload, "name", "") or _("(no name)"))[:200]
        size = upload.size or 0
        if size > MAX_BYTES:
            errors.append(_("“%(name)s” is %(size)s; each file may be at most %(max)s.") % {
                "name": name, "size": filesizeformat(size), "max": filesizeformat(MAX_BYTES)})
            continue
        if size == 0:
            errors.append(_("“%(name)s” is empty.") % {"name": name})
            continue
        upload.seek(0)
        head = upload.read(HEAD_BYTES)
        upload.seek(0)
        content_type = sniff(head) or ("text/plain" if _is_plain_text(upload) else None)
        if content_type is None:
            errors.append(_("“%(name)s” is not a type of file we accept. We accept: %(accepted)s. Programs, "
                            "web pages, scripts and archives are refused.") % {"name": name, "accepted": ACCEPTED})
            continue
        checked.append(Checked(upload=upload, name=name, content_type=content_type, size=size))
    if errors:
        raise ValidationError({field: errors})
    return checked


class CappedUploads(FileUploadHandler):
    """First of the request's upload handlers on the pages that take files: refuses oversized bodies unread."""

    def __init__(self, request=None):
        super().__init__(request)
        self.too_large = False
        self.file_too_large = ""
        self._received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > MAX_REQUEST_BYTES:
            self.too_large = True
            return QueryDict(encoding=encoding), MultiValueDict()  # parsed as empty: the body is never read
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._received > MAX_BYTES:
            self.file_too_large = str(self.file_name or "")[:200]
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None

    def message(self) -> str:
        if self.file_too_large:
            return _("“%(name)s” is larger than %(max)s, the most a file may be. Nothing was saved: make the file "
                     "smaller (a photo of a page rather than a scan, say) or leave it out, and send again.") % {
                "name": self.file_too_large, "max": filesizeformat(MAX_BYTES)}
        return _("What you sent is larger than %(max)s in all, the most this page accepts (%(n)d files of "
                 "%(each)s). Nothing was saved: leave out a file, or make the files smaller, and send again.") % {
            "max": filesizeformat(MAX_REQUEST_BYTES), "n": MAX_FILES, "each": filesizeformat(MAX_BYTES)}


def cap_uploads(request) -> CappedUploads:
    """Put the cap first among the request's upload handlers (before anything reads the body)."""
    cap = CappedUploads(request)
    request.upload_handlers.insert(0, cap)
    return cap
