"""The demo's regional assessment in chromium: its pages fit a phone and a desktop, and in Arabic they read right to
left, the timeline's time running from right to left too."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from rightsloop.core.tests.test_browser_pages import CLIPPED, sign_in
from rightsloop.core.tests.test_rtl_browser import check_right_to_left
from rightsloop.demo import assessments as demo
from rightsloop.demo import content

pytestmark = pytest.mark.browser

# RIGHTSLOOP_ASSESSMENT_SCREENSHOTS=<folder> keeps what each page looked like, for a person to look at.
SCREENSHOTS = os.environ.get("RIGHTSLOOP_ASSESSMENT_SCREENSHOTS", "")
# The timeline's phases, their left edges as drawn: in order of time, left to right (or right to left in Arabic).
SPANS = """() => [...document.querySelectorAll('.chart-schedule .chart-span rect:first-of-type')]
  .map((rect) => rect.getBoundingClientRect().left)"""


def test_the_assessment_pages_fit_and_read_right_to_left(browser_page, live_server):
    from rightsloop.assessments.models import Assessment

    page = browser_page
    call_command("load_demo", stdout=StringIO())
    assessment = Assessment.objects.get(title=demo.TITLE)
    session = assessment.training_sessions.get(title=demo.TRAINING_TITLE)
    finding = assessment.findings.order_by("pk").first()
    pages = [("assessments", reverse("assessments:list")),
             ("assessment", reverse("assessments:detail", args=[assessment.pk])),
             ("assessment-heard", reverse("assessments:heard", args=[assessment.pk])),
             ("assessment-training", reverse("assessments:session", args=[assessment.pk, session.pk])),
             ("assessment-finding", reverse("assessments:finding", args=[assessment.pk, finding.pk])),
             ("assessment-partner-add", reverse("assessments:partner-add", args=[assessment.pk]))]
    sign_in(page, content.HR_LEAD)
    problems: list[str] = []
    for width, height in ((390, 844), (1366, 900)):
        page.set_viewport_size({"width": width, "height": height})
        for name, path in pages:
            response = page.goto(path)
            assert response is not None and response.status == 200, (name, response and response.status)
            if page.evaluate("document.documentElement.scrollWidth") > page.evaluate("window.innerWidth"):
                problems.append(f"{name} at {width}px scrolls sideways")
            problems += [f"{name} at {width}px cuts off {clipped}" for clipped in page.evaluate(CLIPPED)]
            if SCREENSHOTS:
                page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"), full_page=True)
    page.goto(reverse("assessments:detail", args=[assessment.pk]))
    ltr = page.evaluate(SPANS)
    assert len(ltr) == 6 and ltr == sorted(ltr), ltr

    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}])
    for name, path in pages[:3]:
        check_right_to_left(page, name, path, problems)
        if SCREENSHOTS:
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-ar.png"), full_page=True)
    page.goto(reverse("assessments:detail", args=[assessment.pk]))
    rtl = page.evaluate(SPANS)
    assert rtl == sorted(rtl, reverse=True), rtl  # scoping, the first phase, at the right
    assert not problems, "\n".join(problems)
