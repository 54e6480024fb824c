"""The open data (O3): publishing it, its releases, the daily rebuild, its public files and what never reaches them."""

import csv
import datetime
import io
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.core.registry import site
from rightsloop.disclosure import actions, tasks
from rightsloop.disclosure.models import RELEASES_KEPT, OpenDataRelease, OpenDataSettings
from rightsloop.disclosure.suppression import Hidden
from rightsloop.engagements.tests.factories import make_engagement

from .frictionless import package_problems
from .worlds import PUBLISHED_THEME, PUBLISHED_TITLE, canaries, open_data_world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
# A release built then covers every quarter before it, so today's records are in it.
LATER = TODAY + datetime.timedelta(days=100)
ORDINARY, PROTECTED = canaries("Plain"), canaries("Guarded")
LANGUAGES = ("en", "es", "fr")


def opt_in(viewer, **fields):
    return actions.set_open_data(organisation=viewer.organisation, published=True, by=viewer, **fields)


@pytest.fixture
def world(admin, hr_lead):
    return open_data_world(hr_lead, ordinary=ORDINARY, protected=PROTECTED)


@pytest.fixture
def released(world, admin):
    opt_in(admin)
    return actions.publish_open_data(organisation=admin.organisation, today=LATER)


def files_of(slug: str, language: str = "en") -> dict[str, bytes]:
    """Every public file of the organisation's open data, as a visitor downloads them."""
    client = Client()
    found = {"index.html": client.get(f"/open-data/{slug}/?lang={language}").content,
             "datapackage.json": client.get(f"/open-data/{slug}/datapackage.json?lang={language}").content}
    for table in site.public_tables:
        for kind in ("csv", "json"):
            response = client.get(f"/open-data/{slug}/{table.key}.{kind}?lang={language}")
            assert response.status_code == 200, (table.key, kind)
            found[f"{table.key}.{kind}"] = response.content
    return found


# Publishing ------------------------------------------------------------------------------------------------------

def test_opting_in_builds_a_release_at_once(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        current = opt_in(admin, licence="CC0-1.0")
    assert current.published and current.licence == "CC0-1.0" and current.changed_by == admin.user
    release = OpenDataRelease.objects.get(organisation=admin.organisation)
    assert release.licence == "CC0-1.0" and set(release.tables) == {table.key for table in site.public_tables}
    assert release.ends_before == TODAY.replace(month=(TODAY.month - 1) // 3 * 3 + 1, day=1)
    assert list(AuditEntry.objects.filter(organisation=admin.organisation, action__startswith="open_data.")
                .order_by("sequence").values_list("action", flat=True)) == ["open_data.published", "open_data.released"]


def test_withdrawing_and_changing_the_licence_are_audited_and_saying_the_same_is_not(admin):
    opt_in(admin)
    opt_in(admin)
    actions.set_open_data(organisation=admin.organisation, published=True, licence="ODbL-1.0", by=admin)
    actions.set_open_data(organisation=admin.organisation, published=False, by=admin)
    entries = AuditEntry.objects.filter(organisation=admin.organisation, action__startswith="open_data.").order_by(
        "sequence")
    assert list(entries.values_list("action", "changed_fields")) == [
        ("open_data.published", ["published"]), ("open_data.changed", ["licence"]),
        ("open_data.withdrawn", ["published"])]
    assert actions.publish_open_data(organisation=admin.organisation, today=LATER) is None


@pytest.mark.parametrize("role", [Role.DECISION_MAKER, Role.BOARD, Role.AUDITOR])
def test_only_administrators_and_the_human_rights_team_publish(organisation, role):
    viewer = make_member(organisation, role)
    with pytest.raises(PermissionDenied):
        opt_in(viewer)
    with pytest.raises(PermissionDenied):
        actions.rebuild_open_data(organisation=organisation, by=viewer)
    assert not OpenDataSettings.objects.exists()


def test_nobody_publishes_another_organisations_data(admin, outsider):
    with pytest.raises(PermissionDenied):
        actions.set_open_data(organisation=admin.organisation, published=True, by=outsider)


def test_an_unknown_licence_is_refused(admin):
    with pytest.raises(ValidationError) as refused:
        opt_in(admin, licence="All rights reserved")
    assert "licence" in refused.value.message_dict


# Releases --------------------------------------------------------------------------------------------------------

def test_a_release_holds_every_table_suppressed(released):
    tables = released.tables
    assert set(tables) == {table.key for table in site.public_tables}
    by_type = {tuple(row["codes"]): row for row in tables["engagements-by-type"]["rows"]}
    (workshops,) = [row for codes, row in by_type.items() if codes[1] == "workshop"]
    (interviews,) = [row for codes, row in by_type.items() if codes[1] == "interview"]
    # Two interviews: "fewer than 5", with the two consultations and the remedy dialogue; the seven workshops shown.
    assert interviews == {"codes": interviews["codes"], "value": None, "below": 5}
    assert workshops["value"] == 7
    received = {tuple(row["codes"])[1]: row for row in tables["grievances-received"]["rows"]}
    # One grievance by hotline: "fewer than 5"; the six from the web page "not shown", or it could be worked out.
    assert (received["hotline"]["value"], received["hotline"]["below"]) == (None, 5)
    assert (received["web"]["value"], received["web"]["below"]) == (None, None)
    assert released.rows_total == sum(released.row_counts.values()) > 10
    assert 0 < released.rows_hidden < released.rows_total
    for table in tables.values():
        for row in table["rows"] + table["totals"]:
            assert row["value"] is None or not 1 <= row["value"] <= 4
    assert released.datapackage["resources"] and released.datapackage["licenses"][0]["name"] == "CC-BY-4.0"


def test_building_twice_is_safe_keeps_the_newest_and_audits_a_change_only(world, admin, hr_lead):
    opt_in(admin)
    releases = [actions.publish_open_data(organisation=admin.organisation, today=LATER) for _n in range(5)]
    kept = list(OpenDataRelease.objects.for_organisation(admin.organisation))
    assert [release.pk for release in kept] == [release.pk for release in releases[::-1][:RELEASES_KEPT]]
    assert all(release.tables == releases[0].tables for release in kept)
    released = AuditEntry.objects.filter(organisation=admin.organisation, action="open_data.released")
    assert released.count() == 1
    make_engagement(hr_lead, type="survey", starts_on=TODAY)
    actions.publish_open_data(organisation=admin.organisation, today=LATER)
    assert released.count() == 2


def test_the_schedule_rebuilds_every_organisation_that_publishes(admin, outsider, other_organisation):
    (schedule,) = [schedule for schedule in site.schedules if schedule.key == "publish-open-data"]
    assert schedule.task is tasks.publish_all_open_data and schedule.cron == "20 3 * * *"
    opt_in(admin)
    actions.set_open_data(organisation=other_organisation, published=True, by=outsider)
    actions.set_open_data(organisation=other_organisation, published=False, by=outsider)
    assert schedule.task.call() == 1
    assert OpenDataRelease.objects.filter(organisation=admin.organisation).count() == 1
    assert not OpenDataRelease.objects.filter(organisation=other_organisation).exists()
    assert schedule.task.call() == 1
    assert OpenDataRelease.objects.filter(organisation=admin.organisation).count() == 2


def test_the_daily_task_run_twice_builds_the_same_release_once_audited(world, admin):
    opt_in(admin)
    assert tasks.publish_all_open_data.call() == 1
    assert tasks.publish_all_open_data.call() == 1
    first, second = OpenDataRelease.objects.for_organisation(admin.organisation).order_by("pk")
    assert first.tables == second.tables and first.datapackage["resources"] == second.datapackage["resources"]
    assert AuditEntry.objects.filter(organisation=admin.organisation, action="open_data.released").count() == 1


def test_the_organisations_task_run_twice_builds_the_same_release(world, admin, outsider):
    opt_in(admin)
    rows = tasks.publish_open_data_task.call(admin.organisation.pk)
    assert tasks.publish_open_data_task.call(admin.organisation.pk) == rows
    assert OpenDataRelease.objects.for_organisation(admin.organisation).count() == 2
    # An organisation that does not publish, or one that no longer exists, gets nothing.
    assert tasks.publish_open_data_task.call(outsider.organisation.pk) == 0
    assert tasks.publish_open_data_task.call(987654321) == 0
    assert not OpenDataRelease.objects.for_organisation(outsider.organisation).exists()


def test_building_takes_a_bounded_number_of_queries(world, admin, hr_lead):
    opt_in(admin)

    def build() -> int:
        with CaptureQueriesContext(connection) as queries:
            actions.publish_open_data(organisation=admin.organisation, today=LATER)
        return len(queries)

    first = build()  # with its audit entry
    unchanged = build()  # the same tables: no audit entry
    for n in range(6):
        make_engagement(hr_lead, type="survey", phases=["track"], starts_on=TODAY, title=f"More {n}")
    assert build() == first and unchanged < first < 40


# The public files ------------------------------------------------------------------------------------------------

def test_the_index_page_is_small_script_free_and_right_to_left_ready(released, admin):
    slug = admin.organisation.slug
    response = Client().get(f"/open-data/{slug}/")
    page = response.content.decode()
    assert response.status_code == 200 and len(response.content) < 50_000
    assert "<script" not in page and "style=" not in page and "http://" not in page.replace(
        "http://127.0.0.1:8000", "")
    assert re.search(r'<html lang="en" dir="ltr">', page)
    assert "fewer than 5" in page and "Creative Commons Attribution 4.0" in page
    for table in site.public_tables:
        assert f'href="{table.key}.csv?lang=en"' in page and f'href="{table.key}.json?lang=en"' in page
        assert str(table.title) in page
    assert "public" in response["Cache-Control"] and response["Last-Modified"]
    french = Client().get(f"/open-data/{slug}/?lang=fr").content.decode()
    assert '<html lang="fr" dir="ltr">' in french


def test_csv_json_and_the_data_package_agree_and_follow_the_frictionless_spec(released, admin):
    slug = admin.organisation.slug
    for language in LANGUAGES:
        files = files_of(slug, language)
        package = json.loads(files["datapackage.json"])
        assert package_problems(package, lambda path, files=files: files[path]) == [], language
        assert package["name"] == f"{slug}-open-data" and package["profile"] == "tabular-data-package"
        assert {resource["path"] for resource in package["resources"]} == {
            f"{table.key}.csv" for table in site.public_tables}
        for resource in package["resources"]:
            key = resource["name"]
            rows = list(csv.DictReader(io.StringIO(files[f"{key}.csv"].decode())))
            records = json.loads(files[f"{key}.json"])
            measure = resource["schema"]["fields"][-2]["name"]
            assert len(rows) == len(records) == released.row_counts[key]
            for row, record in zip(rows, records, strict=True):
                assert row[measure] == ("" if record[measure] is None else str(record[measure]))
                assert row[f"{measure}_note"] == record[f"{measure}_note"]


def test_suppression_is_applied_on_every_output(released, admin):
    slug = admin.organisation.slug
    files = files_of(slug)
    rows = list(csv.DictReader(io.StringIO(files["grievances-received.csv"].decode())))
    assert {row["channel"]: (row["cases"], row["cases_note"]) for row in rows} == {
        "hotline": ("", "fewer than 5"), "web": ("", "not shown")}
    records = {record["channel"]: record for record in json.loads(files["grievances-received.json"])}
    assert records["hotline"]["cases"] is None and records["hotline"]["cases_note"] == "fewer than 5"
    assert records["web"]["cases"] is None and records["web"]["cases_note"] == "not shown"
    by_type = {row["type"]: (row["engagements"], row["engagements_note"])
               for row in csv.DictReader(io.StringIO(files["engagements-by-type.csv"].decode()))}
    assert by_type["workshop"] == ("7", "") and by_type["interview"] == ("", "fewer than 5")
    package = json.loads(files["datapackage.json"])
    (resource,) = [resource for resource in package["resources"] if resource["name"] == "engagements-by-type"]
    assert resource["schema"]["missingValues"] == [""] and "fewer than 5" in resource["schema"]["fields"][-1][
        "description"]
    assert "fewer than 5" in package["description"]
    # Shown and hidden side by side: six ordinary people from Africa are shown; the protected person is not counted.
    heard = list(csv.DictReader(io.StringIO(files["people-heard-by-region.csv"].decode())))
    assert [(row["region"], row["people"]) for row in heard] == [("002", "6")]
    with translation.override("es"):
        spanish_note = str(Hidden(5))
    spanish = list(csv.DictReader(io.StringIO(files_of(slug, "es")["grievances-received.csv"].decode())))
    assert spanish_note in {row["cases_note"] for row in spanish}


def test_no_published_count_is_1_to_4(released, admin):
    files = files_of(admin.organisation.slug)
    package = json.loads(files["datapackage.json"])
    checked = 0
    for resource in package["resources"]:
        measure = resource["schema"]["fields"][-2]["name"]
        for row in csv.DictReader(io.StringIO(files[resource["path"]].decode())):
            assert row[measure] == "" or not 1 <= int(row[measure]) <= 4, (resource["name"], row)
            checked += 1
        for record in json.loads(files[f"{resource['name']}.json"]):
            assert record[measure] is None or not 1 <= record[measure] <= 4
    assert checked == released.rows_total


def test_no_protected_value_reaches_any_output(released, admin, sign_in):
    slug = admin.organisation.slug
    outputs = {"stored release": json.dumps([released.tables, released.datapackage], ensure_ascii=False)}
    for language in LANGUAGES:
        outputs.update({f"{name} ({language})": content.decode() for name, content in files_of(slug, language).items()})
    bearer = sign_in(admin)
    outputs["settings page"] = bearer.get("/disclosure/open-data/").content.decode()
    everything = "\n".join(outputs.values())
    # What the public consultation page already publishes may appear: its title and final theme's label.
    assert PUBLISHED_TITLE in outputs["consultation-themes.csv (en)"]
    assert PUBLISHED_THEME in outputs["consultation-themes.csv (en)"]
    leaks = [(where, value) for value in (*ORDINARY.values(), *PROTECTED.values(), "+254700000001",
                                          "+254700000002", "Jane Canary")
             for where, text in outputs.items() if value.lower() in text.lower()]
    assert not leaks, leaks
    assert "Guarded" not in everything and "Plain" not in everything


def test_an_organisation_that_does_not_publish_is_not_found_as_an_unknown_one(released, admin):
    slug = admin.organisation.slug
    paths = ["", "datapackage.json", "engagements-by-type.csv", "engagements-by-type.json"]
    actions.set_open_data(organisation=admin.organisation, published=False, by=admin)
    client = Client()
    for path in paths:
        mine, unknown = client.get(f"/open-data/{slug}/{path}"), client.get(f"/open-data/no-such-org/{path}")
        assert mine.status_code == unknown.status_code == 404, path
        assert mine.content == unknown.content and mine.get("Cache-Control") == unknown.get("Cache-Control")
    # An unknown table of a published organisation is not found either; nothing answers a POST.
    opt_in(admin)
    assert client.get(f"/open-data/{slug}/no-such-table.csv").status_code == 404
    assert client.post(f"/open-data/{slug}/").status_code == 405


def test_published_but_not_built_yet_is_not_found(admin):
    opt_in(admin)
    assert Client().get(f"/open-data/{admin.organisation.slug}/").status_code == 404


def test_serving_a_file_takes_a_bounded_number_of_queries(released, admin):
    client = Client()
    for path in ("", "datapackage.json", "engagements-by-type.csv", "consultation-themes.csv"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/open-data/{admin.organisation.slug}/{path}").status_code == 200
        assert len(queries) <= 6, (path, [query["sql"] for query in queries.captured_queries])


# Staff pages and the API -----------------------------------------------------------------------------------------

def test_the_settings_page_publishes_and_rebuilds(admin, sign_in, django_capture_on_commit_callbacks):
    client = sign_in(admin)
    page = client.get("/disclosure/open-data/")
    assert page.status_code == 200 and "Publish our open data" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/disclosure/open-data/", {"published": "on", "licence": "CC-BY-4.0"})
    assert response.status_code == 302
    assert OpenDataSettings.objects.get(organisation=admin.organisation).published
    assert OpenDataRelease.objects.filter(organisation=admin.organisation).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/disclosure/open-data/rebuild/").status_code == 302
    assert OpenDataRelease.objects.filter(organisation=admin.organisation).count() == 2
    page = client.get("/disclosure/open-data/").content.decode()
    assert f"/open-data/{admin.organisation.slug}/" in page and "Rebuild now" in page
    assert client.post("/disclosure/open-data/", {"published": "on", "licence": "nope"}).status_code == 400


@pytest.mark.parametrize("role", [Role.DECISION_MAKER, Role.BOARD, Role.AUDITOR])
def test_the_settings_page_is_for_those_who_publish(organisation, role, sign_in):
    client = sign_in(make_member(organisation, role))
    assert client.get("/disclosure/open-data/").status_code == 403
    assert client.post("/disclosure/open-data/rebuild/").status_code == 403


def test_the_api_reads_and_sets_the_open_data(hr_lead, api, board, django_capture_on_commit_callbacks):
    client = api(hr_lead)
    first = client.get("/api/v1/open-data").json()
    assert first == {"published": False, "licence": "CC-BY-4.0", "changed_at": None, "public_url": "",
                     "latest_release": None}
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.put("/api/v1/open-data", {"published": True, "licence": "CC0-1.0"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["published"] and body["licence"] == "CC0-1.0"
    assert body["public_url"].endswith(f"/open-data/{hr_lead.organisation.slug}/")
    # The release is built once the change is committed.
    latest = client.get("/api/v1/open-data").json()["latest_release"]
    assert set(latest["tables"]) == {table.key for table in site.public_tables} and latest["licence"] == "CC0-1.0"
    assert client.put("/api/v1/open-data", {"published": True, "licence": "nope"}).status_code == 400
    assert api(board).get("/api/v1/open-data").status_code == 403
    assert api(board).put("/api/v1/open-data", {"published": False}).status_code == 403


def test_labels_follow_the_language_asked_for(released, admin):
    slug = admin.organisation.slug
    with translation.override("fr"):
        expected = str(site.public_tables[0].label("type", "workshop"))
    french = Client().get(f"/open-data/{slug}/engagements-by-type.csv?lang=fr").content.decode()
    assert expected in french
