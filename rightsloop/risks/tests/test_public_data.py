"""The risk register's public table (public_data.py): open salient risks at the end of the range by right and
severity band."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from rightsloop.risks import public_data
from rightsloop.risks.models import Risk, RiskRight

from .factories import make_risk

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)
EVER = datetime.date(2000, 1, 1)


def rows(organisation, end=TOMORROW) -> dict:
    return {(row["right"], row["band"]): row["risks"]
            for row in public_data.open_risks_by_right(organisation, EVER, end)}


def test_open_risks_by_right_and_band(hr_lead):
    make_risk(hr_lead, scale=5, scope=5, irremediability=5, rights=["privacy", "freedom_of_expression"])
    make_risk(hr_lead, scale=3, scope=3, irremediability=2, rights=["privacy"])  # 8: serious
    make_risk(hr_lead, scale=2, scope=3, irremediability=2, rights=["privacy"])  # 7: moderate
    make_risk(hr_lead, scale=4, scope=4, irremediability=3, rights=["privacy"])  # 11: severe
    closing_later = make_risk(hr_lead, scale=1, scope=1, irremediability=1, rights=["health"])
    closed = make_risk(hr_lead, scale=1, scope=1, irremediability=1, rights=["education"])
    Risk.objects.filter(pk=closing_later.pk).update(closed_at=timezone.now() + datetime.timedelta(days=3))
    Risk.objects.filter(pk=closed.pk).update(closed_at=timezone.now() - datetime.timedelta(minutes=1))
    no_right = make_risk(hr_lead, scale=1, scope=2, irremediability=1, rights=["work"])
    RiskRight.objects.filter(risk=no_right).delete()
    organisation = hr_lead.organisation
    assert rows(organisation) == {
        ("privacy", "severe"): 2, ("freedom_of_expression", "severe"): 1, ("privacy", "serious"): 1,
        ("privacy", "moderate"): 1, ("health", "moderate"): 1, ("none", "moderate"): 1}
    # Created today, so none was open at the start of the day.
    assert rows(organisation, end=TODAY) == {}


def test_bands_follow_the_heat_map():
    assert public_data.SERIOUS == 8
    assert [code for code, _label in public_data.BANDS] == ["severe", "serious", "moderate"]


def test_labels(hr_lead):
    with translation.override("en"):
        assert public_data.label("right", "privacy") == "Privacy, family, home and correspondence"
        assert public_data.label("right", "none") == "No right recorded"
        assert public_data.label("band", "severe").startswith("Severe")


def test_another_organisation_and_a_constant_number_of_queries(hr_lead, outsider):
    make_risk(hr_lead)
    with CaptureQueriesContext(connection) as queries:
        assert public_data.open_risks_by_right(outsider.organisation, EVER, TOMORROW) == []
    for _n in range(4):
        make_risk(hr_lead, rights=["privacy", "health"])
    with CaptureQueriesContext(connection) as more:
        public_data.open_risks_by_right(hr_lead.organisation, EVER, TOMORROW)
    assert len(queries) == len(more) == 2
