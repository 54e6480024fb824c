"""The ledger as CSV and XLSX, for finance teams; columns stable, never a protected person's name.

A person at elevated or high safety appears under their pseudonym (queries.ledger_name); one the viewer
may not see at all is not in the file. Cells a spreadsheet would run as formulas are made plain text as
the risk register's export does (core.spreadsheets.guard).
"""

from __future__ import annotations

import csv
import io

from rightsloop.core.spreadsheets import guard

from .queries import ledger_name

COLUMNS = ("record", "id", "stakeholder_id", "stakeholder", "kind", "engagement", "funder", "amount", "currency",
           "basis", "quantity", "offered_on", "due_on", "state", "paid_on", "payment_reference")
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def rows(payments, grants) -> list[dict]:
    """One row per payment and one per grant tranche (a grant's amount is its tranches)."""
    out = []
    for p in payments:
        out.append({
            "record": "payment", "id": p.pk, "stakeholder_id": p.stakeholder_id,
            "stakeholder": ledger_name(p.stakeholder), "kind": p.kind,
            "engagement": p.engagement.title if p.engagement_id else "", "funder": "", "amount": p.amount,
            "currency": p.currency, "basis": p.basis, "quantity": p.quantity if p.quantity is not None else "",
            "offered_on": p.offered_on.isoformat(), "due_on": "", "state": p.state,
            "paid_on": p.paid_on.isoformat() if p.paid_on else "", "payment_reference": p.payment_reference,
        })
    for g in grants:
        for t in g.tranches.all():
            out.append({
                "record": "grant_tranche", "id": f"{g.pk}.{t.pk}", "stakeholder_id": g.grantee_id,
                "stakeholder": ledger_name(g.grantee), "kind": "grant", "engagement": "", "funder": g.funder,
                "amount": t.amount, "currency": g.currency, "basis": "", "quantity": "",
                "offered_on": g.offered_on.isoformat(), "due_on": t.due_on.isoformat(),
                "state": f"{g.state}/{t.state}", "paid_on": t.paid_on.isoformat() if t.paid_on else "",
                "payment_reference": t.payment_reference,
            })
    return out


def _flat(row: dict) -> list:
    return [guard(row[name]) for name in COLUMNS]


def to_csv(data: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_flat(row) for row in data)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(data: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("ledger")
    sheet.append(list(COLUMNS))
    for row in data:
        sheet.append(_flat(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(payments, grants, fmt: str) -> bytes:
    return {"csv": to_csv, "xlsx": to_xlsx}[fmt](rows(payments, grants))
