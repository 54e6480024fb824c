"""Recurring themes: groups of two or more cases sharing a product, right or country, counts only; and the
dashboard panel's counts."""

import datetime

import pytest
from django.utils import timezone

from rightsloop.grievances import dashboard, themes
from rightsloop.grievances.actions import links
from rightsloop.grievances.models import HandlerExclusion
from rightsloop.grievances.vocabulary import Stage
from rightsloop.risks.models import Risk
from rightsloop.risks.tests.factories import make_risk

from .factories_deadlines import make_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def cases(organisation, hr_lead):
    made = [
        make_case(organisation, product="SafeRide", country="KE", rights=["privacy", "security_of_person"]),
        make_case(organisation, product=" saferide ", country="KE", rights=["privacy"]),
        make_case(organisation, product="SafeRide", country="UG", rights=["privacy"]),
        make_case(organisation, product="FaceCheck", country="KE", rights=["non_discrimination"]),
        make_case(organisation, product="", country="", rights=[]),
        # Older than the default period of 12 months.
        make_case(organisation, product="FaceCheck", country="UG", rights=["non_discrimination"],
                  received_on=TODAY - 400 * DAY),
    ]
    links.link(grievance=made[0], target=make_risk(hr_lead), by=hr_lead)
    return made


def grouped(organisation, months=12):
    found = themes.recurring_themes(organisation, themes.period_of(months))
    return {dimension: {(t.product, t.right, t.country): (t.count, t.linked) for t in found[dimension]}
            for dimension in found}


def test_counts_per_dimension(organisation, cases):
    found = grouped(organisation)
    assert found["product"] == {("SafeRide", "", ""): (3, 1)}  # spellings merged, shown as most often typed
    assert found["right"] == {("", "privacy", ""): (3, 1)}
    assert found["country"] == {("", "", "KE"): (3, 1)}
    assert found["product_country"] == {("SafeRide", "", "KE"): (2, 1)}
    assert found["product_right"] == {("SafeRide", "privacy", ""): (3, 1)}


def test_a_longer_period_takes_older_cases(organisation, cases):
    found = grouped(organisation, months=24)
    assert found["product"][("FaceCheck", "", "")] == (2, 0)
    assert found["country"][("", "", "UG")] == (2, 0)


def test_other_organisations_cases_do_not_count(organisation, other_organisation, cases):
    make_case(other_organisation, product="FaceCheck", country="KE")
    assert ("FaceCheck", "", "") not in grouped(organisation)["product"]


def test_months_ago_keeps_the_calendar():
    assert themes.months_ago(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert themes.months_ago(datetime.date(2026, 3, 10), 12) == datetime.date(2025, 3, 10)
    assert themes.months_ago(datetime.date(2024, 1, 15), 3) == datetime.date(2023, 10, 15)


def test_board_sees_counts_without_case_numbers(organisation, cases, board, sign_in):
    response = sign_in(board).get("/grievances/themes/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "SafeRide" in page and "33%" in page
    assert "G-1" not in page and "Turn into a salient risk" not in page
    assert "Amina" not in page


def test_handler_sees_case_numbers_but_not_the_excluded_ones(organisation, cases, hr_lead, sign_in):
    HandlerExclusion.objects.create(grievance=cases[1], user=hr_lead.user, reason="named", at=timezone.now())
    page = sign_in(hr_lead).get("/grievances/themes/").content.decode()
    assert f"G-{cases[0].number}<" in page and f"G-{cases[2].number}<" in page
    assert f"G-{cases[1].number}<" not in page
    assert "Turn into a salient risk" in page


@pytest.mark.parametrize("months", ["0", "abc", "7", "-1", "99999999999999999999"])
def test_a_bad_period_shows_the_default(organisation, cases, board, sign_in, months):
    response = sign_in(board).get("/grievances/themes/", {"months": months})
    assert response.status_code == 200
    assert response.context["period"].months == 12


def test_decision_makers_do_not_see_themes(decision_maker, sign_in):
    assert sign_in(decision_maker).get("/grievances/themes/").status_code == 403


def test_themes_page_queries_do_not_grow(organisation, hr_lead, sign_in, django_assert_max_num_queries):
    client = sign_in(hr_lead)
    for n in range(30):
        make_case(organisation, product=f"P{n % 5}", country="KE" if n % 2 else "UG", rights=["privacy"])
    with django_assert_max_num_queries(12):
        assert client.get("/grievances/themes/").status_code == 200


def test_theme_risk_links_every_case_of_the_group(organisation, cases, hr_lead, sign_in):
    client = sign_in(hr_lead)
    url = "/grievances/themes/risk/?dimension=product_country&product=saferide&country=KE&months=12"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["product"] == "SafeRide"
    response = client.post(url, {"title": "Location shared", "product": "SafeRide", "rights": ["privacy"],
                                 "markets": "KE", "involvement": "cause", "scale": "3", "scope": "3",
                                 "irremediability": "2", "likelihood": "3", "review_on": "2027-01-01",
                                 "owner": hr_lead.user.pk})
    assert response.status_code == 302
    risk = Risk.objects.get(title="Location shared")
    assert set(risk.grievances.values_list("pk", flat=True)) == {cases[0].pk, cases[1].pk}


def test_theme_risk_for_an_unknown_group_is_not_found(organisation, cases, hr_lead, sign_in):
    client = sign_in(hr_lead)
    assert client.get("/grievances/themes/risk/?dimension=product&product=Nothing").status_code == 404
    assert client.get("/grievances/themes/risk/?dimension=planet").status_code == 404


def test_api_themes(organisation, cases, board, api):
    response = api(board).get("/api/v1/grievance-themes", {"months": 12})
    assert response.status_code == 200
    data = response.json()
    assert {"dimension": "country", "product": "", "right": "", "country": "KE", "cases": 3,
            "linked_to_risk": 1} in data["themes"]
    assert api(board).get("/api/v1/grievance-themes", {"months": 0}).status_code == 400


# The dashboard panel ---------------------------------------------------------

def test_panel_counts(organisation, hr_lead):
    make_case(organisation)  # awaiting acknowledgement, on time
    make_case(organisation, received_on=TODAY - 10 * DAY, escalation_level=1)  # acknowledgement late
    make_case(organisation, stage=Stage.INVESTIGATING, received_on=TODAY - 100 * DAY, escalation_level=2)
    make_case(organisation, stage=Stage.ASSESSING, appeals_count=1)
    make_case(organisation, stage=Stage.CLOSED, received_on=TODAY - 300 * DAY, appeals_count=1, escalation_level=1)
    counts = dashboard.counts(organisation, TODAY)
    assert counts == {"open": 4, "awaiting_acknowledgement": 2, "acknowledgement_overdue": 1,
                      "response_overdue": 1, "escalated": 2, "escalated_to_administrators": 1, "appealed": 1}


def test_panel_on_the_home_page_for_overseers(organisation, board, decision_maker, sign_in,
                                              django_assert_max_num_queries):
    make_case(organisation, received_on=TODAY - 10 * DAY)
    page = sign_in(board).get("/").content.decode()
    assert "Acknowledgement overdue" in page and "Amina" not in page
    assert "Acknowledgement overdue" not in sign_in(decision_maker).get("/").content.decode()
    context = dashboard.panel_context(board)
    with django_assert_max_num_queries(1):
        dashboard.panel_context(board)
    assert context["acknowledgement_overdue"] == 1 and context["handles"] is False
