"""Pol.is's export format, read and written: comments.csv, votes.csv, participants-votes.csv and summary.csv.

Pure functions over bytes (the csv module, no database): `parse_conversation` turns the files into a
`Conversation` of clean rows or into a list of `Problem`s, one per bad row or column, each naming the file and
line; `write_*` produce the same columns Pol.is's export has. The actions (consensus.actions.polis) put a parsed
conversation into an exercise and read one out of it.

What the files say (see docs/consensus.md, "Pol.is files in and out"):
- vote signs as exported: 1 agree, -1 disagree, 0 pass; an empty cell in participants-votes.csv is no vote;
- votes.csv is an event log, not sorted: the latest row by timestamp is the participant's vote (on equal
  timestamps, the row further down the file);
- moderated: 1 accepted, 0 not yet moderated, -1 rejected; is-meta / is-seed are 2024 columns, optional.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils.translation import gettext as _

# Per file, uncompressed. Pol.is's largest public conversation (bowling-green, 2,031 participants by 896
# comments) has a 2 MB participants-votes.csv; 50 MB leaves room for conversations twenty times larger while
# keeping one import's memory and time bounded.
MAX_FILE_BYTES = 50 * 1024 * 1024
# A bad file can be bad on every line: the first problems tell the person what to fix.
MAX_PROBLEMS = 50

COMMENTS, VOTES, PARTICIPANTS_VOTES, SUMMARY = "comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"
FILES = (COMMENTS, VOTES, PARTICIPANTS_VOTES)

REQUIRED = {
    COMMENTS: ("comment-id", "author-id", "moderated", "comment-body"),
    VOTES: ("timestamp", "comment-id", "voter-id", "vote"),
    PARTICIPANTS_VOTES: ("participant",),
}
# The columns Pol.is writes, in its order (the 2024 export's comments.csv adds is-meta, is-seed and
# group-informed-consensus; the older ones have datetime: we write both).
COMMENT_COLUMNS = ("timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "is-meta",
                   "is-seed", "group-informed-consensus", "comment-body")
VOTE_COLUMNS = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
PARTICIPANT_COLUMNS = ("participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")
SUMMARY_KEYS = ("topic", "url", "views", "voters", "voters-in-conv", "commenters", "comments", "groups",
                "conversation-description")

TRUE, FALSE = ("true", "1", "yes", "t"), ("false", "0", "no", "f", "")


@dataclass(frozen=True)
class Problem:
    """One bad row or column: the file, the line (1 is the header; None for the whole file) and what is wrong."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return _("%(file)s: %(message)s") % {"file": self.file, "message": self.message}
        return _("%(file)s, line %(line)s: %(message)s") % {"file": self.file, "line": self.line,
                                                            "message": self.message}

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}


@dataclass(frozen=True)
class Comment:
    number: int
    author: int | None
    moderated: int
    is_meta: bool
    is_seed: bool
    text: str
    timestamp: int | None


@dataclass
class Conversation:
    """The clean content of a Pol.is export: comments, everyone who took part, and each final vote."""

    comments: list[Comment]
    participants: list[int]
    # (participant, comment) -> (value, timestamp in ms or None when read from participants-votes.csv)
    votes: dict[tuple[int, int], tuple[int, int | None]] = field(default_factory=dict)


class Problems(list):
    """Collects problems up to MAX_PROBLEMS, then counts the rest in one closing line."""

    def __init__(self):
        super().__init__()
        self.more = 0

    def add(self, file: str, line: int | None, message: str) -> None:
        if len(self) < MAX_PROBLEMS:
            self.append(Problem(file, line, message))
        else:
            self.more += 1

    def closed(self) -> list[Problem]:
        if self.more:
            return [*self, Problem("", None, _("… and %(count)s more problems.") % {"count": self.more})]
        return list(self)


# Reading ----------------------------------------------------------------------------------------------------

def decode(name: str, data: bytes, problems: Problems) -> str | None:
    """UTF-8 text (a byte-order mark is dropped), or None with a problem saying so."""
    if len(data) > MAX_FILE_BYTES:
        problems.add(name, None, _("The file is too large: %(size)s MB, the most accepted is %(limit)s MB.") % {
            "size": f"{len(data) / 1024 / 1024:.1f}", "limit": MAX_FILE_BYTES // (1024 * 1024)})
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        problems.add(name, line, _("The file is not UTF-8 text (as Pol.is exports it). Save it as UTF-8 "
                                   "and upload it again."))
        return None
    if not text.strip():
        problems.add(name, None, _("The file is empty."))
        return None
    if "\x00" in text:
        problems.add(name, text[:text.index("\x00")].count("\n") + 1, _("The file holds a NUL character: it "
                                                                        "is not a CSV file."))
        return None
    return text


def rows(name: str, text: str, problems: Problems) -> tuple[list[str], Iterator[tuple[int, dict]]] | None:
    """The header and an iterator of (line, row); None when the header lacks a required column."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [column.strip() for column in next(reader, [])]
    missing = [column for column in REQUIRED[name] if column not in header]
    if missing:
        problems.add(name, 1, _("Missing column(s): %(columns)s. Pol.is's export has them in its first row.")
                     % {"columns": ", ".join(missing)})
        return None
    duplicated = sorted({column for column in header if column and header.count(column) > 1})
    if duplicated:
        problems.add(name, 1, _("Column(s) named twice: %(columns)s.") % {"columns": ", ".join(duplicated)})
        return None

    def iterate():
        try:
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                # A quoted cell may span lines: the reader knows the line each row ends on.
                yield reader.line_num, dict(zip(header, cells, strict=False))
        except csv.Error as error:
            problems.add(name, reader.line_num, _("The row cannot be read as CSV (%(error)s).") % {"error": error})

    return header, iterate()


def _integer(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def _timestamp(value: str | None) -> int | None:
    """Milliseconds since the epoch; Pol.is writes integers, a spreadsheet may have written 1.6E+12."""
    text = (value or "").strip()
    try:
        return int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if math.isfinite(number) else None


def _flag(value: str | None) -> bool | None:
    text = (value or "").strip().lower()
    return True if text in TRUE else False if text in FALSE else None


def parse_comments(text: str, problems: Problems) -> tuple[list[Comment], set[int]]:
    """The good comments, and every id the file names (a vote on a bad row's comment is not a foreign id)."""
    read = rows(COMMENTS, text, problems)
    if read is None:
        return [], set()
    _header, lines = read
    comments: list[Comment] = []
    seen: dict[int, int] = {}
    named: set[int] = set()
    for line, row in lines:
        comment = _comment(line, row, problems)
        if comment is None:
            if (number := _integer(row.get("comment-id"))) is not None:
                named.add(number)
            continue
        named.add(comment.number)
        if comment.number in seen:
            problems.add(COMMENTS, line, _("Comment id %(id)s is already on line %(first)s: each comment has its "
                                           "own id.") % {"id": comment.number, "first": seen[comment.number]})
            continue
        seen[comment.number] = line
        comments.append(comment)
    if not comments and not problems:
        problems.add(COMMENTS, None, _("The file has no comments."))
    return comments, named


def _comment(line: int, row: dict, problems: Problems) -> Comment | None:
    number, moderated = _integer(row.get("comment-id")), _integer(row.get("moderated"))
    author_text = (row.get("author-id") or "").strip()
    author = _integer(author_text)
    meta, seed = _flag(row.get("is-meta")), _flag(row.get("is-seed"))
    text = (row.get("comment-body") or "").strip()
    bad = []
    if number is None or number < 0:
        bad.append(_("the comment-id “%(value)s” is not a whole number of 0 or more") % {
            "value": row.get("comment-id") or ""})
    if author_text and (author is None or author < 0):
        bad.append(_("the author-id “%(value)s” is not a whole number of 0 or more") % {"value": author_text})
    if moderated not in (-1, 0, 1):
        bad.append(_("moderated must be 1 (accepted), 0 (not yet moderated) or -1 (rejected), not “%(value)s”")
                   % {"value": row.get("moderated") or ""})
    if meta is None or seed is None:
        bad.append(_("is-meta and is-seed must be true or false"))
    if not text:
        bad.append(_("the comment-body is empty"))
    if bad:
        problems.add(COMMENTS, line, "; ".join(bad) + ".")
        return None
    return Comment(number=number, author=author, moderated=moderated, is_meta=meta, is_seed=seed, text=text,
                   timestamp=_timestamp(row.get("timestamp")))


def _vote_value(value: str | None) -> int | None:
    number = _integer(value)
    return number if number in (-1, 0, 1) else None


def parse_votes(text: str, known: set[int], problems: Problems) -> dict[tuple[int, int], tuple[int, int]]:
    """Each participant's latest vote on each comment, from the event log."""
    read = rows(VOTES, text, problems)
    if read is None:
        return {}
    _header, lines = read
    latest: dict[tuple[int, int], tuple[int, int]] = {}
    for line, row in lines:
        comment, voter = _integer(row.get("comment-id")), _integer(row.get("voter-id"))
        value, timestamp = _vote_value(row.get("vote")), _timestamp(row.get("timestamp"))
        bad = []
        if comment is None:
            bad.append(_("the comment-id “%(value)s” is not a whole number") % {"value": row.get("comment-id") or ""})
        elif comment not in known:
            bad.append(_("comment %(id)s is not in comments.csv") % {"id": comment})
        if voter is None or voter < 0:
            bad.append(_("the voter-id “%(value)s” is not a whole number of 0 or more") % {
                "value": row.get("voter-id") or ""})
        if value is None:
            bad.append(_("the vote “%(value)s” is not 1 (agree), -1 (disagree) or 0 (pass)") % {
                "value": row.get("vote") or ""})
        if timestamp is None:
            bad.append(_("the timestamp “%(value)s” is not a number (milliseconds since 1970)") % {
                "value": row.get("timestamp") or ""})
        if bad:
            problems.add(VOTES, line, "; ".join(bad) + ".")
            continue
        key = (voter, comment)
        earlier = latest.get(key)
        if earlier is None or timestamp >= earlier[1]:
            latest[key] = (value, timestamp)
    return latest


def parse_participants_votes(text: str, known: set[int], problems: Problems
                             ) -> tuple[list[int], dict[tuple[int, int], tuple[int, None]]]:
    """Every participant listed, and their final vote in each comment's column."""
    read = rows(PARTICIPANTS_VOTES, text, problems)
    if read is None:
        return [], {}
    header, lines = read
    columns: list[tuple[int, str]] = []
    for column in header:
        number = _integer(column)
        if number is None:
            continue  # participant, xid, group-id, n-*: Pol.is's own figures, recomputed here
        if number not in known:
            problems.add(PARTICIPANTS_VOTES, 1, _("The column “%(column)s” names comment %(id)s, which is not in "
                                                  "comments.csv.") % {"column": column, "id": number})
        else:
            columns.append((number, column))
    participants: dict[int, int] = {}
    votes: dict[tuple[int, int], tuple[int, None]] = {}
    for line, row in lines:
        participant = _integer(row.get("participant"))
        if participant is None or participant < 0:
            problems.add(PARTICIPANTS_VOTES, line, _("The participant “%(value)s” is not a whole number of 0 or "
                                                     "more.") % {"value": row.get("participant") or ""})
            continue
        if participant in participants:
            problems.add(PARTICIPANTS_VOTES, line, _("Participant %(id)s is already on line %(first)s.") % {
                "id": participant, "first": participants[participant]})
            continue
        participants[participant] = line
        bad = []
        for number, column in columns:
            cell = (row.get(column) or "").strip()
            if not cell:
                continue
            value = _vote_value(cell)
            if value is None:
                bad.append(column)
            else:
                votes[(participant, number)] = (value, None)
        if bad:
            problems.add(PARTICIPANTS_VOTES, line, _("The vote in column(s) %(columns)s is not 1 (agree), -1 "
                                                     "(disagree), 0 (pass) or empty.") % {"columns": ", ".join(bad)})
    return list(participants), votes


def parse_conversation(*, comments: bytes, votes: bytes | None = None, participants_votes: bytes | None = None
                       ) -> Conversation | list[Problem]:
    """The clean conversation, or every problem found (none of the files is partly taken).

    Votes come from votes.csv when given (it has the timestamps and the revotes); otherwise from the cells of
    participants-votes.csv. Participants are everyone named anywhere: authors, voters and listed rows.
    """
    problems = Problems()
    texts = {name: decode(name, data, problems) if data is not None else None
             for name, data in ((COMMENTS, comments), (VOTES, votes), (PARTICIPANTS_VOTES, participants_votes))}
    parsed, known = parse_comments(texts[COMMENTS], problems) if texts[COMMENTS] is not None else ([], set())
    final: dict = {}
    listed: list[int] = []
    if texts[PARTICIPANTS_VOTES] is not None:
        listed, final = parse_participants_votes(texts[PARTICIPANTS_VOTES], known, problems)
    if texts[VOTES] is not None:
        final = parse_votes(texts[VOTES], known, problems)
    if problems:
        return problems.closed()
    people = set(listed) | {voter for voter, _comment in final} | {c.author for c in parsed if c.author is not None}
    return Conversation(comments=parsed, participants=sorted(people), votes=final)


def read_zip(data: bytes) -> dict[str, bytes] | list[Problem]:
    """The CSV files of a Pol.is export zip, by their base name; folders inside the zip are ignored."""
    name = _("zip file")
    problems = Problems()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        problems.add(name, None, _("The file is not a zip archive."))
        return problems.closed()
    found: dict[str, bytes] = {}
    for info in members:
        base = info.filename.rsplit("/", 1)[-1]
        if base not in (*FILES, SUMMARY):
            continue
        if info.file_size > MAX_FILE_BYTES:
            problems.add(base, None, _("The file is too large: %(size)s MB, the most accepted is %(limit)s MB.") % {
                "size": f"{info.file_size / 1024 / 1024:.1f}", "limit": MAX_FILE_BYTES // (1024 * 1024)})
            continue
        try:
            found[base] = archive.read(info)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
            problems.add(base, None, _("The file cannot be read out of the zip archive."))
    if COMMENTS not in found and not problems:
        problems.add(name, None, _("The zip archive holds no comments.csv."))
    return problems.closed() if problems else found


# Writing ----------------------------------------------------------------------------------------------------

def _csv(header, lines) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue().encode("utf-8")


def _when(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def write_comments(lines) -> bytes:
    """lines: (timestamp ms, comment id, author id or None, agrees, disagrees, moderated, is_meta, is_seed,
    group-informed consensus or None, text)."""
    return _csv(COMMENT_COLUMNS, (
        (ms if ms is not None else "", _when(ms), number, "" if author is None else author, agrees, disagrees,
         moderated, str(meta).lower(), str(seed).lower(), "" if gic is None else repr(gic), text)
        for ms, number, author, agrees, disagrees, moderated, meta, seed, gic, text in lines))


def write_votes(lines) -> bytes:
    """lines: (timestamp ms, comment id, voter id, vote)."""
    return _csv(VOTE_COLUMNS, ((ms, _when(ms), comment, voter, vote) for ms, comment, voter, vote in lines))


def write_participants_votes(participants, comment_ids: list[int], votes: dict[tuple[int, int], int]) -> bytes:
    """participants: (id, group id or None, comments written); votes: (participant, comment) -> vote.

    One column per comment with at least one vote, as Pol.is writes it; xid is always empty.
    """
    def line(participant, group, written):
        cells = [votes.get((participant, comment)) for comment in comment_ids]
        given = [cell for cell in cells if cell is not None]
        return [participant, "", "" if group is None else group, written, len(given), given.count(1),
                given.count(-1), *("" if cell is None else cell for cell in cells)]

    return _csv((*PARTICIPANT_COLUMNS, *map(str, comment_ids)),
                (line(participant, group, written) for participant, group, written in participants))


def write_summary(values: dict) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows((key, values.get(key, "")) for key in SUMMARY_KEYS)
    return out.getvalue().encode("utf-8")


def write_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
