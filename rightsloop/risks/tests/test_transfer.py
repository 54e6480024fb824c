import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from rightsloop.accounts.models import Membership
from rightsloop.accounts.roles import Role
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.models import AuditEntry
from rightsloop.risks import transfer
from rightsloop.risks.models import Risk, RiskChange
from rightsloop.risks.tests.factories import make_risk

pytestmark = pytest.mark.django_db

COMPARED = [name for name in transfer.COLUMNS if name != "id"]


def register(viewer) -> list[dict]:
    """The register as the export sees it, without ids (which differ between organisations)."""
    risks = Risk.objects.for_organisation(viewer.organisation).select_related("owner").prefetch_related(
        "rights", "markets").by_priority()
    return sorted(({k: row[k] for k in COMPARED} for row in transfer.export_rows(risks)),
                  key=lambda row: (row["title"], row["product"]))


def fill(viewer, admin):
    make_risk(viewer, title="Location data handed to police", description="Line one\nline two, with comma",
              scale=5, scope=4, irremediability=5, likelihood=2, rights=["privacy", "life"], markets=["KE", "UG"],
              use_context="Ride-hailing in cities", affected_groups="Drivers; riders", owner=admin.user)
    make_risk(viewer, title="=HYPERLINK(\"http://evil.example\")", product="+Payments", involvement="cause",
              affected_groups="-women @night", scale=2, scope=2, irremediability=1, likelihood=5,
              rights=["non_discrimination"], markets=[], review_on=datetime.date(2027, 1, 31))
    make_risk(viewer, title="Ünïcödé 検閲 risk", product="Search", involvement="directly_linked",
              rights=["freedom_of_expression"], markets=["CN"], description="'quoted")


def export(viewer, fmt) -> bytes:
    risks = Risk.objects.for_organisation(viewer.organisation).select_related("owner").prefetch_related(
        "rights", "markets").by_priority()
    return transfer.export(risks, fmt)


def run_import(viewer, filename, content, only_valid=False):
    _fmt, rows = transfer.read(filename, content)
    results = transfer.validate(rows, viewer)
    return results, transfer.apply(results, by=viewer, only_valid=only_valid)


def second_home(viewer, organisation) -> Viewer:
    """The same people, members of a fresh organisation too, so owner emails resolve there."""
    for user in {viewer.user, *[m.user for m in Membership.objects.filter(organisation=viewer.organisation)]}:
        Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Role.HR_LEAD})
    return Viewer.from_membership(Membership.objects.get(user=viewer.user, organisation=organisation))


@pytest.mark.parametrize("fmt", transfer.FORMATS)
def test_round_trip_into_a_fresh_organisation_and_onto_the_same(fmt, hr_lead, admin, other_organisation):
    fill(hr_lead, admin)
    before = register(hr_lead)
    content = export(hr_lead, fmt)
    # Onto the same organisation: every row matches its risk, nothing changes, no history is added.
    changes = RiskChange.objects.count()
    _results, outcome = run_import(hr_lead, f"register.{fmt}", content)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 3)
    assert register(hr_lead) == before and RiskChange.objects.count() == changes
    # Into a fresh organisation: the same register, every risk created.
    fresh = second_home(hr_lead, other_organisation)
    _results, outcome = run_import(fresh, f"register.{fmt}", content)
    assert (outcome.created, outcome.updated) == (3, 0)
    assert register(fresh) == before
    assert set(RiskChange.objects.filter(risk__organisation=other_organisation).values_list("reason", flat=True)) \
        == {"imported"}
    assert AuditEntry.objects.filter(action="risks.imported", organisation=other_organisation).exists()


def test_an_import_updates_by_id_with_the_reason_imported(hr_lead, admin):
    risk = make_risk(hr_lead, likelihood=2)
    rows = transfer.export_rows([risk])
    rows[0]["likelihood"] = 4
    rows[0]["owner_email"] = admin.user.email
    _results, outcome = run_import(hr_lead, "x.json", json.dumps(rows).encode())
    assert (outcome.updated, outcome.created) == (1, 0)
    risk.refresh_from_db()
    assert (risk.likelihood, risk.owner_id) == (4, admin.user.pk)
    assert risk.changes.first().reason == "imported"


def csv_file(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=transfer.COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return out.getvalue().encode()


GOOD = {"title": "Good", "product": "Messenger", "involvement": "cause", "scale": 3, "scope": 3,
        "irremediability": 3, "likelihood": 3, "rights": "privacy", "markets": "KE", "review_on": "2027-01-01"}


def bad_file():
    return csv_file([
        GOOD,
        {**GOOD, "title": "Bad rating", "scale": 7, "likelihood": "often"},
        {**GOOD, "title": "", "rights": "right_to_wifi", "markets": "XX; KE"},
        {**GOOD, "title": "Unknown owner", "owner_email": "nobody@example.net", "review_on": "next week"},
        {**GOOD, "title": "Second good", "involvement": "contribute"},
    ])


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_applied(hr_lead):
    _fmt, rows = transfer.read("bad.csv", bad_file())
    results = transfer.validate(rows, hr_lead)
    bad = {result.line: " ".join(result.errors) for result in results if not result.ok}
    assert set(bad) == {3, 4, 5}
    assert "scale" in bad[3] and "likelihood" in bad[3] and "often" in bad[3]
    assert "title is missing" in bad[4] and "right_to_wifi" in bad[4] and "XX" in bad[4]
    assert "nobody@example.net" in bad[5] and "next week" in bad[5]
    with pytest.raises(transfer.ImportRefused):
        transfer.apply(results, by=hr_lead)
    assert not Risk.objects.exists()


def test_only_the_valid_rows_when_the_user_chooses_so(hr_lead):
    _results, outcome = run_import(hr_lead, "bad.csv", bad_file(), only_valid=True)
    assert (outcome.created, outcome.skipped) == (2, 3)
    assert sorted(Risk.objects.values_list("title", flat=True)) == ["Good", "Second good"]


def test_formula_cells_are_guarded_in_csv_and_xlsx_and_restored_on_import(hr_lead, admin):
    fill(hr_lead, admin)
    text = export(hr_lead, "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+Payments" in text and "'-women @night" in text
    assert "''quoted" in text
    assert ',=' not in text and ',+' not in text
    book = load_workbook(io.BytesIO(export(hr_lead, "xlsx")))
    values = [cell.value for row in book.active.iter_rows() for cell in row]
    assert "'=HYPERLINK(\"http://evil.example\")" in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)
    assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)
    # JSON is not run by spreadsheets: it keeps the text as it is.
    titles = [row["title"] for row in json.loads(export(hr_lead, "json"))["risks"]]
    assert '=HYPERLINK("http://evil.example")' in titles


@pytest.mark.parametrize("name,content,message", [
    ("empty.csv", b"", "empty"),
    ("blank.csv", b"   \n", "empty"),
    ("header-only.csv", b"title,product\r\n", "no risks"),
    ("notes.pdf", b"%PDF-1.4 garbage", "Unknown file type"),
    ("garbage.csv", bytes(range(256)) * 4, "not UTF-8"),
    ("garbage.xlsx", b"PK\x03\x04 not really a zip", "XLSX"),
    ("garbage.json", b"{\"risks\": [1, 2", "JSON"),
    ("wrong.json", b"{\"risks\": 5}", "list of risks"),
    ("no-header.csv", b"a,b,c\r\n1,2,3\r\n", "title"),
    ("extra.csv", b"title,colour\r\nx,red\r\n", "colour"),
])
def test_unreadable_files_are_refused_with_a_clear_message(name, content, message):
    with pytest.raises(transfer.TransferError) as caught:
        transfer.read(name, content)
    assert message in str(caught.value)


def test_the_format_is_found_from_the_content_without_an_extension(hr_lead, admin):
    fill(hr_lead, admin)
    for fmt in transfer.FORMATS:
        assert transfer.read("upload", export(hr_lead, fmt))[0] == fmt


def test_xlsx_numbers_and_dates_from_a_spreadsheet_are_read(hr_lead):
    book = Workbook()
    sheet = book.active
    sheet.append(list(transfer.COLUMNS[:15]))
    sheet.append([None, "From Excel", "", "Maps", "", "", "cause", 4.0, 2, 3, 1, "privacy, life", "ke",
                  None, datetime.datetime(2027, 5, 1)])
    out = io.BytesIO()
    book.save(out)
    results, outcome = run_import(hr_lead, "excel.xlsx", out.getvalue())
    assert outcome.created == 1, [r.errors for r in results]
    risk = Risk.objects.get()
    assert (risk.scale, risk.review_on, risk.rights_codes, risk.market_codes) == (
        4, datetime.date(2027, 5, 1), ["life", "privacy"], ["KE"])


# Pages -----------------------------------------------------------------------

def test_export_pages(hr_lead, board, admin, sign_in):
    fill(hr_lead, admin)
    page = sign_in(board)
    for fmt in transfer.FORMATS:
        response = page.get("/risks/export/", {"format": fmt})
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'.{fmt}"')
        assert response["Content-Type"] == transfer.CONTENT_TYPES[fmt]
    assert b"Location data handed to police" in page.get("/risks/export/", {"format": "csv"}).content
    assert page.get("/risks/export/", {"format": "pdf"}).status_code == 400


def test_import_preview_then_apply(hr_lead, sign_in):
    page = sign_in(hr_lead)
    assert page.get("/risks/import/").status_code == 200
    preview = page.post("/risks/import/", {"file": SimpleUploadedFile("bad.csv", bad_file())})
    assert preview.status_code == 400
    body = preview.content.decode()
    assert "right_to_wifi" in body and "nobody@example.net" in body
    token = preview.context["token"]
    assert not Risk.objects.exists()
    # Asking for all while rows are bad applies nothing.
    refused = page.post("/risks/import/", {"token": token, "apply": "all"})
    assert refused.status_code == 400 and "Nothing was imported" in refused.content.decode()
    assert not Risk.objects.exists()
    done = page.post("/risks/import/", {"token": token, "apply": "valid"})
    assert done.status_code == 302 and done["Location"] == "/risks/"
    assert Risk.objects.count() == 2
    # The kept upload is gone once applied.
    assert page.post("/risks/import/", {"token": token, "apply": "valid"}).status_code == 400
    assert Risk.objects.count() == 2


def test_an_import_token_is_bound_to_its_user(hr_lead, admin, sign_in):
    preview = sign_in(hr_lead).post("/risks/import/", {"file": SimpleUploadedFile("good.csv", csv_file([GOOD]))})
    assert preview.status_code == 200
    token = preview.context["token"]
    stolen = sign_in(admin).post("/risks/import/", {"token": token, "apply": "all"})
    assert stolen.status_code == 400 and not Risk.objects.exists()
    tampered = sign_in(hr_lead).post("/risks/import/", {"token": token + "x", "apply": "all"})
    assert tampered.status_code == 400 and not Risk.objects.exists()


@pytest.mark.parametrize("name,content", [
    ("empty.csv", b""), ("garbage.xlsx", b"\x00\xff" * 100), ("garbage.bin", bytes(range(256))),
])
def test_bad_uploads_answer_400_with_a_message(hr_lead, sign_in, name, content):
    response = sign_in(hr_lead).post("/risks/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode() or "errorlist" in response.content.decode()


def test_read_only_roles_cannot_import(board, auditor, sign_in):
    for viewer in (board, auditor):
        page = sign_in(viewer)
        assert page.get("/risks/import/").status_code == 403
        assert page.post("/risks/import/", {"file": SimpleUploadedFile("good.csv", csv_file([GOOD]))}).status_code \
            == 403
    assert not Risk.objects.exists()
