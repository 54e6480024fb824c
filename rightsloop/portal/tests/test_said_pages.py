""""What became of what you said" in pages: newest first, 20 a page, plain links, any page number answered with
a page (never a 500), every page small and its queries the same however long the history; and the reads
behind it use the person's own rows even on a database without statistics."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.urls import reverse

from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.portal import queries
from rightsloop.portal.sections.said import PER_PAGE
from rightsloop.portal.testing import open_portal
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db

SAID = reverse("portal:said:index")
# Long enough that an unpaginated page of 45 would be well over 50 KB with its stylesheet.
WORDS = "We ask that the company publish how long it keeps riders' location data, and who sees it. " * 15


def _busy_person(staff, inputs: int):
    """An English-speaking organisation that said `inputs` things over three engagements, the first one decided."""
    person = make_stakeholder(staff, name="Busy Riders NGO", entity_type="organisation", preferred_language="en",
                              email="ngo@example.net")
    said = []
    engagements = [make_engagement(staff, title=f"Consultation {n}") for n in range(3)]
    speakers = [make_participation(staff, engagement, person) for engagement in engagements]
    for number in range(inputs):
        said.append(make_input(staff, engagements[number % 3], speakers[number % 3],
                               text=f"Point {number:03d}. {WORDS}"))
    engagement_actions.record_decision(input=said[0], outcome="adopted", rationale="Published in March",
                                       by=staff)
    return person, said


def _points(html: str) -> list[int]:
    return [int(found) for found in re.findall(r"Point (\d{3})\.", html)]


def _css() -> int:
    with open(finders.find("portal/portal.css"), "rb") as handle:
        return len(handle.read())


def test_pages_of_twenty_newest_first_with_plain_links(client, world):
    person, _said = _busy_person(world.staff, 45)
    open_portal(client, person)
    first = client.get(SAID).content.decode()
    assert _points(first) == list(range(44, 44 - PER_PAGE, -1))
    assert 'href="?page=2#said" rel="next"' in first and 'rel="prev"' not in first
    assert "Page 1 of 3" in first and "45 things you said, newest first." in first
    # The counts cover everything said, not only the page: 44 still open, and the report list is on every page.
    assert "44 things you said are still open." in first
    last = client.get(SAID, {"page": 3}).content.decode()
    assert _points(last) == [4, 3, 2, 1, 0]
    assert "Published in March" in last  # the decided (oldest) input is on the last page
    assert 'href="?page=2#said" rel="prev"' in last and 'rel="next"' not in last
    assert "44 things you said are still open." in last
    seen = _points(first) + _points(client.get(SAID, {"page": 2}).content.decode()) + _points(last)
    assert sorted(seen) == list(range(45))
    assert "<script" not in first


def test_every_page_is_under_50_kb_with_its_stylesheet(client, world):
    person, _said = _busy_person(world.staff, 45)
    open_portal(client, person)
    css = _css()
    for number in (1, 2, 3):
        response = client.get(SAID, {"page": number})
        assert response.status_code == 200
        assert len(response.content) + css < 50 * 1024, number
    # Without pages the same history would not have fitted.
    assert 45 * len(WORDS) > 50 * 1024


@pytest.mark.parametrize("asked, shown", [
    ("abc", 1), ("", 1), ("0", 1), ("-3", 1), ("1.5", 1), ("2", 2), ("3", 3), ("4", 3), ("99999", 3),
    ("9" * 40, 3), ("%00", 1),
])
def test_any_page_number_gets_a_page(client, world, asked, shown):
    person, _said = _busy_person(world.staff, 45)
    open_portal(client, person)
    response = client.get(SAID, {"page": asked})
    assert response.status_code == 200
    assert f"Page {shown} of 3" in response.content.decode()


def test_a_short_history_has_no_page_links(client, world):
    person, _said = _busy_person(world.staff, 3)
    open_portal(client, person)
    page = client.get(SAID, {"page": "7"}).content.decode()
    assert _points(page) == [2, 1, 0] and "Page 1 of" not in page and "?page=" not in page


def test_nobody_said_anything_yet(client, world):
    person = make_stakeholder(world.staff, name="Quiet person", entity_type="person", preferred_language="en",
                              email="quiet@example.net")
    open_portal(client, person)
    for asked in ("1", "5", "x"):
        response = client.get(SAID, {"page": asked})
        assert response.status_code == 200
        assert "Nothing you said is recorded yet." in response.content.decode()


def test_queries_do_not_grow_with_the_history_or_the_page(client, world, django_assert_max_num_queries):
    person, said = _busy_person(world.staff, 3)
    open_portal(client, person)
    with django_assert_max_num_queries(16) as captured:
        client.get(SAID)
    flat = len(captured)
    engagement = said[0].engagement
    speaker = said[0].speaker
    for number in range(3, 45):
        make_input(world.staff, engagement, speaker, text=f"Point {number:03d}. {WORDS}")
    for asked in ("1", "2", "3", "9"):
        with django_assert_max_num_queries(flat):
            client.get(SAID, {"page": asked})


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner without statistics")
def test_reads_start_from_the_persons_participations_without_statistics(world):
    """A test database has no sqlite_stat1, as a deployment that never ran ANALYZE: the plans must not walk
    the organisation index of inputs or reports (every row of a one-organisation deployment)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone() is None
        for queryset in (queries.own_inputs(world.person), queries.own_inputs(world.person).order_by().values("id"),
                         queries.own_reports(world.person)):
            sql, params = queryset.query.sql_with_params()
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            steps = [row[-1] for row in cursor.fetchall()]
            assert not any(re.search(r"engagements_(input|feedbackreport) .*organisation_id", step)
                           for step in steps), steps
            # The person's participations by stakeholder, then their inputs or reports by participation.
            by_stakeholder = next(n for n, step in enumerate(steps)
                                  if "engagements_participation" in step and "stakeholder_id=?" in step)
            rows = next(n for n, step in enumerate(steps)
                        if re.search(r"engagements_(input|feedbackreport) USING", step))
            assert by_stakeholder < rows and re.search(r"\((speaker|participation)_id=\?\)", steps[rows]), steps


def test_a_letter_keeps_its_language_and_direction_in_a_portal_switched_to_another(client, world):
    """A Moroccan partner's letter was written in Arabic; read in a portal they switched to French, it still
    reads right to left, and its French surroundings left to right."""
    person = make_stakeholder(world.staff, name="Youssef Amrani", entity_type="person", country="MA", languages=[],
                              email="youssef@example.net")
    engagement = make_engagement(world.staff, title="Moderation in Darija")
    speaker = make_participation(world.staff, engagement, person)
    make_input(world.staff, engagement, speaker, text="Les modérateurs doivent comprendre la darija.")
    speaker.refresh_from_db()
    report = engagement_actions.mark_feedback_delivered(participation=speaker, channel="in_person", by=world.staff)
    assert report.language == "ar"
    open_portal(client, person)
    client.post(reverse("portal:language"), {"language": "fr"})
    page = client.get(reverse("portal:said:report", args=[report.pk])).content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert f'<h1 lang="ar" dir="rtl">{report.subject}</h1>' in page
    assert '<div lang="ar" dir="rtl"><p>' in page
