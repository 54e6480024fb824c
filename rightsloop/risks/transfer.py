"""Export and import of the salient risk register as CSV, JSON and XLSX, for enterprise risk tools (R2).

The columns are stable: renaming or reordering one breaks the tools that read them. Severity, priority
and the owning level are exported for reading and ignored on import: the ratings decide them; so is the
number of the risk's mitigations awaiting reassessment after a context event (a count, naming no one).

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula, so
CSV and XLSX cells starting so, or with an apostrophe, get a leading apostrophe on export; the import
strips one leading apostrophe back. JSON needs no such guard.

An import validates every row before anything is written, and applies nothing unless every row is
valid, or the importer chose to import only the valid ones; all of it in one transaction, through
actions.create_risk and actions.update_risk.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rightsloop.accounts.models import User
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit, countries, rights
from rightsloop.core.spreadsheets import guard, unguard

from . import actions
from .models import Risk
from .vocabulary import Involvement

FORMAT_VERSION = 1
COLUMNS = (
    "id", "title", "description", "product", "use_context", "affected_groups", "involvement",
    "scale", "scope", "irremediability", "likelihood", "rights", "markets", "owner_email", "review_on",
    "severity", "priority", "owner_level", "mitigations_awaiting_reassessment",
)
READ_ONLY = ("severity", "priority", "owner_level", "mitigations_awaiting_reassessment")
RATINGS = ("scale", "scope", "irremediability", "likelihood")
TEXTS = {"title": 200, "description": 10000, "product": 200, "use_context": 10000, "affected_groups": 10000}
FORMATS = ("csv", "json", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000


class TransferError(Exception):
    """The file as a whole cannot be read; nothing in it was looked at row by row."""


# Export --------------------------------------------------------------------

def export_rows(risks) -> list[dict]:
    """One dict per risk, with the stable columns; lists stay lists (each format writes them its way)."""
    rows = []
    for risk in risks:
        rows.append({
            "id": risk.pk, "title": risk.title, "description": risk.description, "product": risk.product,
            "use_context": risk.use_context, "affected_groups": risk.affected_groups,
            "involvement": risk.involvement, "scale": risk.scale, "scope": risk.scope,
            "irremediability": risk.irremediability, "likelihood": risk.likelihood,
            "rights": risk.rights_codes, "markets": risk.market_codes, "owner_email": risk.owner.email,
            "review_on": risk.review_on.isoformat(), "severity": risk.severity, "priority": risk.priority,
            "owner_level": risk.owner_level,
            "mitigations_awaiting_reassessment": _awaiting(risk),
        })
    return rows


def _awaiting(risk: Risk) -> int:
    """Read from queries.with_awaiting_reassessment's annotation; counted here only for a risk read without it."""
    counted = getattr(risk, "awaiting_reassessment", None)
    return counted if counted is not None else risk.mitigations.flagged().count()


def _flat(row: dict) -> list:
    return [guard("; ".join(row[name]) if isinstance(row[name], list) else row[name]) for name in COLUMNS]


def to_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_flat(row) for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_json(rows: list[dict]) -> bytes:
    document = {"format": "rightsloop.risks", "version": FORMAT_VERSION, "rights_taxonomy": rights.VERSION,
                "columns": list(COLUMNS), "risks": rows}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def to_xlsx(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("risks")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(_flat(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WRITERS = {"csv": to_csv, "json": to_json, "xlsx": to_xlsx}


def export(risks, fmt: str) -> bytes:
    return WRITERS[fmt](export_rows(risks))


# Reading a file ------------------------------------------------------------

@dataclass
class RawRow:
    line: int  # the spreadsheet row (the header is row 1), or the item's position in a JSON list
    values: dict


def detect_format(filename: str, content: bytes) -> str:
    """The format from the file's extension, or from its first bytes when the extension says nothing."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in FORMATS:
        return extension
    head = content[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head[:1] in (b"{", b"["):
        return "json"
    if extension in ("", "txt", "tsv"):
        return "csv"
    raise TransferError(_("Unknown file type: upload a .csv, .json or .xlsx file."))


def read(filename: str, content: bytes) -> tuple[str, list[RawRow]]:
    """The format and the rows of an uploaded file; TransferError says why a file cannot be read at all."""
    if not content or not content.strip():
        raise TransferError(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise TransferError(_("The file is larger than 5 MB."))
    fmt = detect_format(filename, content)
    rows = {"csv": _read_csv, "json": _read_json, "xlsx": _read_xlsx}[fmt](content)
    if not rows:
        raise TransferError(_("The file has no risks in it."))
    if len(rows) > MAX_ROWS:
        raise TransferError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    return fmt, rows


def _text(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TransferError(_("The file is not UTF-8 text: save it as CSV UTF-8, or export it as .xlsx.")) from None
    if "\x00" in text:
        raise TransferError(_("The file contains NUL characters: it is not a text file."))
    return text


def _check_header(header: list[str]) -> list[str]:
    names = [str(name or "").strip().lower() for name in header]
    if "title" not in names:
        raise TransferError(_("The first row must name the columns, including “title”. Expected: %(columns)s.")
                            % {"columns": ", ".join(COLUMNS)})
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        raise TransferError(_("Unknown column(s): %(names)s. Expected: %(columns)s.")
                            % {"names": ", ".join(unknown), "columns": ", ".join(COLUMNS)})
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise TransferError(_("Column(s) given twice: %(names)s.") % {"names": ", ".join(repeated)})
    return names


def _blank(values) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _read_csv(content: bytes) -> list[RawRow]:
    text = _text(content)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = _check_header(next(reader, []))
        rows, start = [], reader.line_num + 1
        for record in reader:
            if not _blank(record):
                if len(record) > len(header):
                    rows.append(RawRow(start, {"__error__": _("More cells than columns.")}))
                else:
                    rows.append(RawRow(start, {name: unguard(value) for name, value in zip(header, record, strict=False)
                                               if name}))
            start = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                break
    except csv.Error as error:
        raise TransferError(_("The CSV file cannot be read: %(error)s.") % {"error": error}) from None
    return rows


def _read_json(content: bytes) -> list[RawRow]:
    try:
        document = json.loads(_text(content))
    except json.JSONDecodeError as error:
        raise TransferError(_("The JSON file cannot be read: %(error)s.") % {"error": error}) from None
    items = document.get("risks") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise TransferError(_("The JSON file must hold a list of risks, or an object with a “risks” list."))
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            rows.append(RawRow(number, {"__error__": _("Each risk must be a JSON object.")}))
            continue
        unknown = sorted(str(key) for key in item if key not in COLUMNS)
        if unknown:
            problem = _("Unknown field(s): %(names)s.") % {"names": ", ".join(unknown)}
            rows.append(RawRow(number, {"__error__": problem}))
            continue
        rows.append(RawRow(number, dict(item)))
    return rows


def _read_xlsx(content: bytes) -> list[RawRow]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise TransferError(_("The file is not a readable XLSX workbook.")) from error
    except Exception as error:  # openpyxl raises its own types for broken workbooks
        raise TransferError(_("The file is not a readable XLSX workbook.")) from error
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = _check_header(list(next(lines, ()) or ()))
        rows = []
        for number, record in enumerate(lines, start=2):
            if record is None or _blank(record):
                continue
            rows.append(RawRow(number, {name: unguard(value) for name, value in zip(header, record, strict=False)
                                        if name}))
            if len(rows) > MAX_ROWS:
                break
    except TransferError:
        raise
    except Exception as error:
        raise TransferError(_("The file is not a readable XLSX workbook.")) from error
    finally:
        book.close()
    return rows


# Validating ----------------------------------------------------------------

@dataclass
class RowResult:
    line: int
    title: str = ""
    plan: actions.RiskPlan | None = None
    risk: Risk | None = None  # the risk this row updates; None creates one
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes_nothing(self) -> bool:
        return self.risk is not None and self.plan is not None and _same(self.risk, self.plan)


def _same(risk: Risk, plan: actions.RiskPlan) -> bool:
    return (all(getattr(risk, name) == getattr(plan, name) for name in (
        "title", "description", "product", "use_context", "affected_groups", "involvement", *RATINGS, "review_on"))
        and risk.owner_id == plan.owner.pk and risk.rights_codes == sorted(set(plan.rights))
        and risk.market_codes == sorted({code.upper() for code in plan.markets}))


def _string(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _codes(value) -> list[str]:
    if isinstance(value, list):
        parts = [_string(part) for part in value]
    else:
        parts = _string(value).replace(",", ";").split(";")
    return [part for part in (p.strip() for p in parts) if part]


def _rating(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value if 1 <= value <= 5 else None
    text = _string(value)
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(_string(value)[:10])
    except ValueError:
        return None


class Owners:
    """Members of the organisation by email, looked up once per file."""

    def __init__(self, organisation):
        self.by_email: dict[str, list[User]] = {}
        for user in User.objects.filter(memberships__organisation=organisation, memberships__is_active=True,
                                        is_active=True).exclude(email="").distinct():
            self.by_email.setdefault(user.email.casefold(), []).append(user)

    def find(self, email: str) -> tuple[User | None, str]:
        found = self.by_email.get(email.casefold(), [])
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, _("Owner “%(email)s” is ambiguous: several members share that address.") % {"email": email}
        return None, _("Unknown owner “%(email)s”: not a member of this organisation.") % {"email": email}


def validate(rows: list[RawRow], viewer: Viewer) -> list[RowResult]:
    """Check every row and say, per row, everything wrong with it; nothing is written."""
    existing = {risk.pk: risk for risk in Risk.objects.for_organisation(viewer.organisation)
                .select_related("owner").prefetch_related("rights", "markets")}
    owners = Owners(viewer.organisation)
    seen_ids: set[int] = set()
    return [_validate_row(row, viewer, existing, owners, seen_ids) for row in rows]


def _validate_row(row: RawRow, viewer: Viewer, existing: dict[int, Risk], owners: Owners,
                  seen_ids: set[int]) -> RowResult:
    values = row.values
    result = RowResult(line=row.line, title=_string(values.get("title"))[:200])
    errors = result.errors
    if "__error__" in values:
        errors.append(values["__error__"])
        return result
    for name, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            errors.append(_("%(column)s contains a NUL character.") % {"column": name})
    raw_id = _string(values.get("id"))
    if raw_id:
        if not raw_id.isdigit() or len(raw_id) > 18:
            errors.append(_("id “%(id)s” is not a number.") % {"id": raw_id[:40]})
        elif int(raw_id) in seen_ids:
            errors.append(_("id %(id)s appears twice in the file.") % {"id": raw_id})
        else:
            seen_ids.add(int(raw_id))
            result.risk = existing.get(int(raw_id))
    texts = {name: _string(values.get(name)) for name in TEXTS}
    if not texts["title"]:
        errors.append(_("The title is missing."))
    if not texts["product"]:
        errors.append(_("The product or service is missing."))
    for name, limit in TEXTS.items():
        if len(texts[name]) > limit:
            errors.append(_("%(column)s is longer than %(limit)s characters.") % {"column": name, "limit": limit})
    involvement = _string(values.get("involvement"))
    if involvement not in Involvement.values:
        errors.append(_("involvement “%(value)s” must be one of %(choices)s.")
                      % {"value": involvement[:40], "choices": ", ".join(Involvement.values)})
    ratings = {}
    for name in RATINGS:
        ratings[name] = _rating(values.get(name))
        if ratings[name] is None:
            errors.append(_("%(column)s “%(value)s” is not a rating from 1 to 5.")
                          % {"column": name, "value": _string(values.get(name))[:20]})
    codes = _codes(values.get("rights"))
    unknown = [code for code in codes if not rights.is_known(code)]
    if unknown:
        errors.append(_("Unknown right code(s): %(codes)s.") % {"codes": ", ".join(c[:40] for c in unknown)})
    elif not codes:
        errors.append(_("Name at least one right (codes as in the rights taxonomy)."))
    markets = [code.upper() for code in _codes(values.get("markets"))]
    bad = [code for code in markets if countries.get(code) is None]
    if bad:
        errors.append(_("Unknown country code(s): %(codes)s.") % {"codes": ", ".join(c[:10] for c in bad)})
    review_on = _date(values.get("review_on"))
    if review_on is None:
        errors.append(_("review_on “%(value)s” is not a date (YYYY-MM-DD).")
                      % {"value": _string(values.get("review_on"))[:20]})
    email = _string(values.get("owner_email"))
    owner = None
    if email:
        owner, problem = owners.find(email)
        if problem:
            errors.append(problem)
    else:
        owner = result.risk.owner if result.risk else viewer.user
    if errors:
        return result
    result.plan = actions.RiskPlan(
        title=texts["title"], product=texts["product"], involvement=involvement, review_on=review_on,
        description=texts["description"], use_context=texts["use_context"],
        affected_groups=texts["affected_groups"], owner=owner, rights=codes, markets=markets, **ratings)
    try:
        result.plan.validate()
    except ValidationError as error:
        errors.extend(str(m) for m in error.messages)
        result.plan = None
    return result


# Applying ------------------------------------------------------------------

@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


class ImportRefused(Exception):
    def __init__(self, results: list[RowResult]):
        super().__init__("rows are not valid")
        self.results = results


@transaction.atomic
def apply(results: list[RowResult], *, by: Viewer, only_valid: bool = False) -> Outcome:
    """Write the rows through the actions, all or nothing; with only_valid, the bad rows are left out."""
    bad = [result for result in results if not result.ok]
    if bad and not only_valid:
        raise ImportRefused(bad)
    outcome = Outcome(skipped=len(bad))
    for result in results:
        if not result.ok:
            continue
        try:
            if result.risk is None:
                actions.create_risk(plan=result.plan, by=by, reason=_("imported"))
                outcome.created += 1
            elif result.changes_nothing:
                outcome.unchanged += 1
            else:
                actions.update_risk(risk=result.risk, plan=result.plan, reason=_("imported"), by=by)
                outcome.updated += 1
        except ValidationError as error:
            result.errors.extend(str(m) for m in error.messages)
            raise ImportRefused([result]) from error
    audit.record(organisation=by.organisation, by=by, action="risks.imported",
                 summary=f"{outcome.created} created, {outcome.updated} updated, {outcome.unchanged} unchanged, "
                         f"{outcome.skipped} rows left out")
    return outcome
