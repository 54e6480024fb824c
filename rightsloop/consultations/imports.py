"""Read files of responses row by row (CSV, JSON Lines, XLSX) and check each row, in constant memory.

A reader never holds the whole file: CSV and JSON Lines are split into lines from 64 KiB chunks and each line is
decoded on its own (strict UTF-8, so one bad line is reported with its number and the rest still reads); XLSX is
read with openpyxl's read-only parser, which streams the sheet's XML. What a row says is judged by RowChecker,
the one place that decides whether a row can be imported and why not.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import json
import re
import zipfile
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from .models import ProblemReason

FORMATS = ("csv", "jsonl", "xlsx")
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
SINGLE_COLUMN = "\x1e"  # a file whose header names one column: no delimiter appears in it
SAMPLE_LINES = 50  # lines read to choose the delimiter and the JSON Lines columns
PREVIEW_ROWS = 5
CHUNK = 64 * 1024
MAX_LINE_BYTES = 16 * 1024 * 1024  # a longer physical line is skipped, never held whole
# Above this share of undecodable rows the file is not UTF-8 at all, and reading on would report every row.
NOT_UTF8_SHARE = 0.5
NOT_UTF8_AFTER = 200  # rows read before the share is judged mid-file
ROLES = ("text", "respondent", "contact", "consent", "language", "receipt")
YES = frozenset({"yes", "y", "true", "t", "1", "x", "ja", "j", "oui", "si", "sí", "sim", "tak", "consent",
                 "agreed", "on"})


def max_upload() -> int:
    return getattr(settings, "RIGHTSLOOP_CONSULTATION_MAX_UPLOAD", 2 * 1024**3)


def max_text() -> int:
    return getattr(settings, "RIGHTSLOOP_CONSULTATION_MAX_TEXT", 10_000)


def max_xlsx_strings() -> int:
    """Uncompressed size of a workbook's shared-strings part above which the file is refused (see XlsxReader)."""
    return getattr(settings, "RIGHTSLOOP_CONSULTATION_MAX_XLSX_STRINGS", 256 * 1024**2)


class UnreadableFile(Exception):
    """The file as a whole cannot be read; the message says why and what to do, for the person who uploaded it."""


@dataclass(frozen=True, slots=True)
class SourceRow:
    line: int
    cells: list[str] | None  # one value per column; None when the row itself cannot be read
    problem: tuple[str, str] | None = None  # (reason, detail) found while reading
    formulas: frozenset[int] = frozenset()  # columns holding a formula (XLSX)


# Lines ----------------------------------------------------------------------

class Lines:
    """Physical lines of a binary stream, split on newline only, each decoded strictly as UTF-8."""

    def __init__(self, stream):
        self.stream = stream
        self.bytes_read = 0
        self.number = 0
        self.bad: deque[int] = deque()  # numbers of lines that were not UTF-8, oldest first
        self.too_long: deque[int] = deque()

    def raw(self) -> Iterator[bytes | None]:
        pending: list[bytes] = []  # pieces of a line that spans chunks
        pending_size = 0
        skipping = False
        while True:
            chunk = self.stream.read(CHUNK)
            if not chunk:
                break
            self.bytes_read += len(chunk)
            start = 0
            while True:
                end = chunk.find(b"\n", start)
                if end < 0:
                    if not skipping and start < len(chunk):
                        pending.append(chunk[start:])
                        pending_size += len(chunk) - start
                        if pending_size > MAX_LINE_BYTES:
                            pending, pending_size, skipping = [], 0, True
                    break
                if skipping:
                    skipping = False
                    yield None
                elif pending:
                    pending.append(chunk[start:end + 1])
                    yield b"".join(pending)
                    pending, pending_size = [], 0
                else:
                    yield chunk[start:end + 1]
                start = end + 1
        if skipping:
            yield None
        elif pending:
            yield b"".join(pending)

    def __iter__(self) -> Iterator[str]:
        for raw in self.raw():
            self.number += 1
            if raw is None:
                self.too_long.append(self.number)
                yield "\n"
                continue
            if self.number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self.bad.append(self.number)
                yield raw.decode("utf-8", "replace")

    @staticmethod
    def any_upto(marks: deque[int], first: int, last: int) -> bool:
        """Whether a marked line lies in first..last; marks before `first` are dropped (they belong to earlier rows)."""
        found = False
        while marks and marks[0] <= last:
            found = found or marks[0] >= first
            marks.popleft()
        return found


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for position, name in enumerate(names, start=1):
        name = " ".join(str(name).split())[:100] or _("column %(number)s") % {"number": position}
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        result.append(name)
    return result


def _not_utf8() -> UnreadableFile:
    return UnreadableFile(_(
        "The file is not UTF-8 text: most of its lines have characters that cannot be read. Open it in a "
        "spreadsheet or text editor and save it again as “CSV UTF-8” (or UTF-8 text), then upload it again."))


# Readers ----------------------------------------------------------------------

class Reader(ABC):
    format = ""
    columns: list[str]

    @abstractmethod
    def rows(self) -> Iterator[SourceRow]:
        """Every data row in file order, with its line; a row that cannot be read carries its problem."""

    def estimated_rows(self, rows_read: int) -> int:
        return rows_read

    def merged_text_rows(self, column: int) -> dict[int, str]:
        return {}

    def close(self) -> None:  # most readers hold nothing to release; XLSX overrides it
        return None


class CsvReader(Reader):
    format = "csv"

    def __init__(self, stream, size: int):
        self.stream, self.size = stream, size
        sample = self._sample()
        if not sample or not "".join(sample).strip():
            raise UnreadableFile(_("The file is empty: it has no column names and no rows."))
        self.delimiter = self._choose_delimiter(sample)
        self.stream.seek(0)
        self.lines = Lines(self.stream)
        # A 1 MB response is a row to report as too long, not a reason to stop reading.
        csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_BYTES))
        self.reader = csv.reader(self.lines, delimiter=self.delimiter)
        header = self._next_record()
        if header is None:
            raise UnreadableFile(_("The file is empty: it has no column names and no rows."))
        self.columns = _unique_names(header)

    def _sample(self) -> list[str]:
        lines = Lines(self.stream)
        sample = []
        for number, line in enumerate(lines, start=1):
            sample.append(line)
            if number >= SAMPLE_LINES:
                break
        self.sample_bad = len(lines.bad)
        if sample and self.sample_bad > NOT_UTF8_SHARE * len(sample):
            raise _not_utf8()
        self.sample_complete = len(sample) < SAMPLE_LINES
        return sample

    def _choose_delimiter(self, sample: list[str]) -> str:
        header_line = next((line for line in sample if line.strip()), "")
        if not any(d in header_line for d in DELIMITERS):
            return SINGLE_COLUMN
        best, worst = None, None
        for delimiter in DELIMITERS:
            if delimiter not in header_line:
                continue
            try:
                records = [r for r in csv.reader(io.StringIO("".join(sample)), delimiter=delimiter) if r]
            except csv.Error:
                continue
            if not self.sample_complete and len(records) > 2:
                records = records[:-1]  # the sample may end inside a quoted field
            header, body = len(records[0]), records[1:]
            matching = sum(len(r) == header for r in body)
            share = matching / len(body) if body else 1.0
            # Tolerate the odd bad row in the sample: the check reports it; a wrong delimiter fails most rows.
            if header > 1 and share >= 0.8 and (best is None or (share, header) > best[:2]):
                best = (share, header, delimiter)
            odd = next((r for r in body if len(r) != header), None)
            if odd is not None and (worst is None or header > worst[0]):
                worst = (header, len(odd), delimiter)
        if best is not None:
            return best[2]
        detail = ""
        if worst is not None:
            detail = " " + _("With the %(name)s as delimiter the header has %(header)s columns but a row has "
                             "%(row)s.") % {"name": _(DELIMITER_NAMES[worst[2]]), "header": worst[0],
                                           "row": worst[1]}
        raise UnreadableFile(_(
            "The columns are not consistent with any delimiter (comma, semicolon, tab or vertical bar): the rows do "
            "not have as many values as the header has column names.%(detail)s Save the file as CSV with one "
            "delimiter and quote values that contain it.") % {"detail": detail})

    def _next_record(self) -> list[str] | None:
        for record in self.reader:
            if record:
                return record
        return None

    def rows(self) -> Iterator[SourceRow]:
        width = len(self.columns)
        reader, lines = self.reader, self.lines
        previous = reader.line_num
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                first, previous = previous + 1, reader.line_num
                yield SourceRow(first, None, (ProblemReason.BAD_ROW, str(error)[:200]))
                continue
            first, previous = previous + 1, reader.line_num
            if lines.too_long and Lines.any_upto(lines.too_long, first, previous):
                yield SourceRow(first, None, (ProblemReason.TOO_LONG, _("A line of more than 16 MB.")))
                continue
            if lines.bad and Lines.any_upto(lines.bad, first, previous):
                yield SourceRow(first, None, (ProblemReason.ENCODING, _("Line %(line)s is not UTF-8 text.")
                                              % {"line": first}))
                continue
            if not record or (len(record) == 1 and not record[0].strip() and width > 1):
                continue  # a blank line
            if len(record) != width:
                if len(record) > width and not any(value.strip() for value in record[width:]):
                    record = record[:width]
                else:
                    yield SourceRow(first, None, (ProblemReason.BAD_ROW, _(
                        "%(found)s values where the header has %(expected)s columns.")
                        % {"found": len(record), "expected": width}))
                    continue
            yield SourceRow(first, record)

    def estimated_rows(self, rows_read: int) -> int:
        if not self.lines.bytes_read:
            return rows_read
        return max(rows_read, round(rows_read * self.size / self.lines.bytes_read))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class JsonLinesReader(Reader):
    format = "jsonl"

    def __init__(self, stream, size: int):
        self.stream, self.size = stream, size
        names: dict[str, None] = {}
        lines = Lines(stream)
        seen = 0
        for line in lines:
            if not line.strip():
                continue
            seen += 1
            try:
                item = json.loads(line)
            except ValueError:
                item = None
            if isinstance(item, dict):
                names.update(dict.fromkeys(str(k) for k in item))
            if seen >= SAMPLE_LINES:
                break
        if seen and len(lines.bad) > NOT_UTF8_SHARE * seen:
            raise _not_utf8()
        if not seen:
            raise UnreadableFile(_("The file is empty: it has no rows."))
        if not names:
            raise UnreadableFile(_("No line of the file is a JSON object: JSON Lines holds one object "
                                   "({\"text\": \"...\"}) per line."))
        self.keys = list(names)
        self.columns = _unique_names(self.keys)
        stream.seek(0)
        self.lines = Lines(stream)

    def rows(self) -> Iterator[SourceRow]:
        keys, lines = self.keys, self.lines
        for text in lines:
            number = lines.number
            if lines.too_long and lines.too_long[-1] == number:
                lines.too_long.clear()
                yield SourceRow(number, None, (ProblemReason.TOO_LONG, _("A line of more than 16 MB.")))
                continue
            if lines.bad and lines.bad[-1] == number:
                lines.bad.clear()
                yield SourceRow(number, None, (ProblemReason.ENCODING, _("Line %(line)s is not UTF-8 text.")
                                               % {"line": number}))
                continue
            if not text.strip():
                continue
            try:
                item = json.loads(text)
            except ValueError as error:
                yield SourceRow(number, None, (ProblemReason.BAD_ROW, _("Not valid JSON: %(error)s")
                                               % {"error": str(error)[:150]}))
                continue
            if not isinstance(item, dict):
                yield SourceRow(number, None, (ProblemReason.BAD_ROW, _("The line is not a JSON object.")))
                continue
            yield SourceRow(number, [_cell_text(item.get(key)) for key in keys])

    def estimated_rows(self, rows_read: int) -> int:
        if not self.lines.bytes_read:
            return rows_read
        return max(rows_read, round(rows_read * self.size / self.lines.bytes_read))


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


class XlsxReader(Reader):
    format = "xlsx"

    def __init__(self, stream, size: int):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        self._refuse_large_shared_strings(stream)
        try:
            # data_only=False: a formula cell shows its formula, so it is reported instead of taken as a value.
            self.workbook = openpyxl.load_workbook(stream, read_only=True, data_only=False)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise UnreadableFile(_("The file is not a readable XLSX workbook (%(error)s). Save it again as .xlsx "
                                   "or as CSV UTF-8.") % {"error": str(error)[:100]}) from None
        if not self.workbook.worksheets:
            raise UnreadableFile(_("The workbook has no sheet."))
        self.sheet = self.workbook.worksheets[0]
        self.iterator = self.sheet.iter_rows(min_row=1)
        self.number = 0
        header = None
        for cells in self.iterator:
            self.number += 1
            values = [_cell_text(getattr(cell, "value", None)) for cell in cells]
            if any(value.strip() for value in values):
                header = values
                break
        if header is None:
            raise UnreadableFile(_("The file is empty: its first sheet has no column names and no rows."))
        while header and not header[-1].strip():
            header.pop()
        self.columns = _unique_names(header)

    @staticmethod
    def _refuse_large_shared_strings(stream) -> None:
        """Refuse a workbook whose text table would not fit in memory, before reading any of it.

        Excel keeps every distinct text of a workbook in one shared-strings part, and openpyxl loads that part
        whole even in read-only mode: rows stream, texts do not. A million long responses make a table of
        gigabytes, so above the limit the analyst is asked for CSV or JSON Lines, which are read in constant memory.
        """
        try:
            with zipfile.ZipFile(stream) as archive:
                size = sum(info.file_size for info in archive.infolist()
                           if info.filename.lower().endswith("sharedstrings.xml"))
        except (zipfile.BadZipFile, OSError, ValueError):
            size = 0  # not a zip: openpyxl says so in its own words below
        finally:
            stream.seek(0)
        if size > max_xlsx_strings():
            raise UnreadableFile(_(
                "The workbook's texts take %(size)s MB once unpacked, more than the %(limit)s MB that can be read "
                "from an XLSX file. Save the sheet as CSV UTF-8 (or JSON Lines) and import that: it is read row by "
                "row, whatever its size.") % {"size": size // 1024**2, "limit": max_xlsx_strings() // 1024**2})

    def rows(self) -> Iterator[SourceRow]:
        width = len(self.columns)
        for cells in self.iterator:
            self.number += 1
            values, formulas = [], []
            for index, cell in enumerate(cells[:width]):
                if getattr(cell, "data_type", None) == "f":
                    formulas.append(index)
                values.append(_cell_text(getattr(cell, "value", None)))
            if not any(values):
                continue
            values.extend([""] * (width - len(values)))
            yield SourceRow(self.number, values, None, frozenset(formulas))

    def estimated_rows(self, rows_read: int) -> int:
        return max(rows_read, (self.sheet.max_row or 1) - 1)

    def merged_text_rows(self, column: int) -> dict[int, str]:
        """Rows whose cell in the column (0-based) is merged into the cell above it: only the top-left has a value.

        Read-only sheets do not parse merged ranges, so the sheet's XML is scanned for them (decompressed in
        chunks; nothing kept but the ranges).
        """
        target = column + 1
        found: dict[int, str] = {}
        archive = getattr(self.workbook, "_archive", None)
        path = getattr(self.sheet, "_worksheet_path", None)
        if archive is None or path is None:
            return found
        with archive.open(path) as source:
            tail = b""
            while chunk := source.read(1024 * 1024):
                data = tail + chunk
                for match in _MERGE.finditer(data):
                    first_col, first_row, last_col, last_row = match.groups()
                    if not last_col:
                        continue
                    if _column_number(first_col) <= target <= _column_number(last_col):
                        label = f"{first_col.decode()}{first_row.decode()}:{last_col.decode()}{last_row.decode()}"
                        for row in range(int(first_row) + 1, int(last_row) + 1):
                            found[row] = label
                tail = data[-300:]
        return found

    def close(self) -> None:
        self.workbook.close()


def detect_format(head: bytes, name: str) -> str:
    """The format from the first bytes, with the file's extension as a tie-breaker."""
    suffix = PurePath(name).suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(_("This is an old Excel (.xls) file. Save it as .xlsx or as CSV UTF-8."))
    if suffix in (".xlsx", ".xlsm"):
        raise UnreadableFile(_("The file is named .xlsx but is not an Excel workbook."))
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"{") or (suffix in (".jsonl", ".ndjson") and text):
        return "jsonl"
    return "csv"


def open_reader(stream, *, name: str, size: int) -> Reader:
    """A reader over a seekable binary stream; UnreadableFile when no row can be read at all."""
    if size == 0:
        raise UnreadableFile(_("The file is empty: it has no column names and no rows."))
    stream.seek(0)
    head = stream.read(4096)
    stream.seek(0)
    if not head.strip():
        raise UnreadableFile(_("The file is empty: it has no column names and no rows."))
    fmt = detect_format(head, name)
    reader = {"csv": CsvReader, "jsonl": JsonLinesReader, "xlsx": XlsxReader}[fmt](stream, size)
    return reader


# Masking for the preview -----------------------------------------------------------

_EMAIL_LIKE = re.compile(r"^\s*([^@\s])[^@\s]*@([^@\s]+\.[^@\s]+)\s*$")


def masked(value: str) -> str:
    """An address as a***@example.org, so the preview shows which column holds contacts without showing them."""
    match = _EMAIL_LIKE.match(value)
    return f"{match.group(1)}***@{match.group(2)}" if match else value


# Checking rows -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class GoodRow:
    line: int
    text: str
    respondent: str
    contact: str
    consented: bool
    language: str
    receipt: str
    attributes: dict[str, str]
    # Anything in the consent cell that is not a yes ("no", "non", "maybe"): when unsure, protect the person.
    refused: bool = False

    @property
    def consent(self) -> str:
        return "yes" if self.consented else "no" if self.refused else ""


@dataclass
class ColumnMapping:
    """Which column plays which part; built from the stored mapping (column names) against the file's columns."""

    text: int
    respondent: int | None = None
    contact: int | None = None
    consent: int | None = None
    language: int | None = None
    receipt: int | None = None
    attributes: list[tuple[str, int]] = field(default_factory=list)

    @classmethod
    def of(cls, mapping: dict, columns: list[str]) -> ColumnMapping:
        index = {name: i for i, name in enumerate(columns)}
        return cls(
            text=index[mapping["text"]],
            **{role: index[mapping[role]] if mapping.get(role) else None for role in ROLES[1:]},
            attributes=[(name, index[name]) for name in mapping.get("attributes", [])])

    def used(self) -> list[int]:
        return [i for i in (self.text, self.respondent, self.contact, self.consent, self.language, self.receipt)
                if i is not None] + [i for _name, i in self.attributes]


def clean_mapping(mapping: dict, columns: list[str]) -> dict:
    """The mapping as stored, or ValidationError naming each wrong field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for role in ROLES:
        value = (mapping.get(role) or "").strip() if isinstance(mapping.get(role) or "", str) else None
        if value is None:
            errors[role] = [_("Give a column name.")]
        elif value and value not in columns:
            errors[role] = [_("The file has no column %(name)s.") % {"name": value}]
        else:
            cleaned[role] = value
    if not cleaned.get("text") and "text" not in errors:
        errors["text"] = [_("Choose the column that holds the response text.")]
    used: dict[str, str] = {}
    for role in ROLES:
        if cleaned.get(role):
            if cleaned[role] in used:
                errors.setdefault(role, []).append(
                    _("The column %(name)s is already used for another part.") % {"name": cleaned[role]})
            used[cleaned[role]] = role
    attributes = mapping.get("attributes") or []
    if not isinstance(attributes, list) or not all(isinstance(a, str) for a in attributes):
        errors["attributes"] = [_("Give a list of column names.")]
        attributes = []
    unknown = [a for a in attributes if a not in columns]
    if unknown:
        errors["attributes"] = [_("The file has no column %(name)s.") % {"name": ", ".join(unknown)}]
    if cleaned.get("contact") and cleaned["contact"] in attributes:
        # Contacts are sealed; an attribute is stored and shown as it is.
        errors.setdefault("attributes", []).append(_("The contact column cannot be kept as an attribute."))
    if errors:
        raise ValidationError(errors)
    cleaned["attributes"] = [a for a in columns if a in attributes and a not in used]
    return cleaned


def parse_consent(value: str) -> bool:
    return value.strip().lower() in YES


def parse_refusal(value: str) -> bool:
    """An answer that is not a yes; an empty cell is no answer at all."""
    return bool(value.strip()) and not parse_consent(value)


def parse_language(value: str) -> str:
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if 2 <= len(code) <= 3 and code.isalpha() and code.isascii() else ""


class RowChecker:
    """Decides, for each row read, whether it can be imported; returns the values or the reason it cannot."""

    def __init__(self, mapping: ColumnMapping, *, merged_rows: dict[int, str] | None = None, limit: int | None = None):
        self.mapping = mapping
        self.used = frozenset(mapping.used())
        self.merged = merged_rows or {}
        self.limit = limit or max_text()
        self.email = EmailValidator()

    def check(self, row: SourceRow) -> tuple[GoodRow | None, tuple[str, str] | None]:
        if row.problem is not None:
            return None, row.problem
        m, cells = self.mapping, row.cells
        if row.formulas and not row.formulas.isdisjoint(self.used):
            return None, (ProblemReason.FORMULA, _("A formula in column %(column)s; save the sheet with values "
                                                   "(copy, paste as values).") % {
                "column": next(i for i in sorted(row.formulas) if i in self.used) + 1})
        if row.line in self.merged:
            return None, (ProblemReason.BAD_ROW, _(
                "The text cell is part of merged cells %(range)s: only the first row of merged cells holds a "
                "value. Unmerge them and fill each row.") % {"range": self.merged[row.line]})
        text = cells[m.text].strip()
        if not text:
            return None, (ProblemReason.MISSING_TEXT, _("The text column is empty."))
        if len(text) > self.limit:
            return None, (ProblemReason.TOO_LONG, _("%(length)s characters; the limit is %(limit)s.")
                          % {"length": len(text), "limit": self.limit})
        contact = cells[m.contact].strip() if m.contact is not None else ""
        if contact:
            try:
                self.email(contact)
            except ValidationError:
                # The detail never repeats the address: the report is shared more widely than the file.
                return None, (ProblemReason.BAD_CONTACT, _("The contact is not a valid email address."))
        return GoodRow(
            line=row.line, text=text,
            respondent=cells[m.respondent].strip()[:200] if m.respondent is not None else "",
            contact=contact,
            consented=parse_consent(cells[m.consent]) if m.consent is not None else False,
            language=parse_language(cells[m.language]) if m.language is not None else "",
            receipt=cells[m.receipt].strip()[:100] if m.receipt is not None else "",
            attributes={name: cells[i][:1000] for name, i in m.attributes},
            refused=parse_refusal(cells[m.consent]) if m.consent is not None else False,
        ), None


# Progress ------------------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    rate: float  # rows per second
    seconds_left: int | None

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


def progress_of(job, now: datetime.datetime, *, total: int | None = None) -> Progress:
    """Rows done in the current phase, their rate and the time left, from the import's counters.

    total: the phase's own total when it is not the file's rows (a rollback counts the responses to remove).
    """
    total = max(job.rows_total if total is None else total, job.rows_done)
    started, beat = job.phase_started_at, job.heartbeat_at or now
    elapsed = (beat - started).total_seconds() if started else 0
    rate = job.rows_done / elapsed if elapsed > 0 else 0.0
    left = round((total - job.rows_done) / rate) if rate > 0 and total >= job.rows_done else None
    return Progress(done=job.rows_done, total=total, rate=rate, seconds_left=left)
