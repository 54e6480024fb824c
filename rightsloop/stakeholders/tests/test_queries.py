import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from rightsloop.stakeholders import queries
from rightsloop.stakeholders.queries import StakeholderFilters
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(hr_lead):
    return {
        "nairobi": make_stakeholder(hr_lead, name="Nairobi Riders", country="KE", languages=["sw", "en"],
                                    at_risk=["low_income"]),
        "bogota": make_stakeholder(hr_lead, name="Red de Periodistas", kind="expert", country="CO",
                                   languages=["es"], at_risk=["journalist"], safety_level="elevated"),
        "berlin": make_stakeholder(hr_lead, name="Berlin Privacy Lab", kind="expert", country="DE",
                                   languages=["de", "en"]),
        "unknown": make_stakeholder(hr_lead, name="Anonymous Collective", kind="other", country="",
                                    languages=[], email=""),
    }


@pytest.mark.parametrize("filters,expected", [
    (StakeholderFilters(), {"nairobi", "bogota", "berlin", "unknown"}),
    (StakeholderFilters(kind="expert"), {"bogota", "berlin"}),
    (StakeholderFilters(region="002"), {"nairobi"}),
    (StakeholderFilters(global_south=True), {"nairobi", "bogota"}),
    (StakeholderFilters(global_south=False), {"berlin"}),
    (StakeholderFilters(language="en"), {"nairobi", "berlin"}),
    (StakeholderFilters(safety_level="elevated"), {"bogota"}),
    (StakeholderFilters(at_risk="journalist"), {"bogota"}),
    (StakeholderFilters(q="riders"), {"nairobi"}),
    (StakeholderFilters(q="periodistas"), {"bogota"}),
    (StakeholderFilters(q="privacy lab", language="en", global_south=False), {"berlin"}),
])
def test_filters(hr_lead, register, filters, expected):
    names = {key for key, s in register.items() if s in queries.stakeholder_list(hr_lead, filters)}
    assert names == expected


def test_search_finds_exact_email(hr_lead, register):
    email = register["bogota"].email
    assert list(queries.stakeholder_list(hr_lead, StakeholderFilters(q=email.upper()))) == [register["bogota"]]


def test_list_is_scoped_to_the_organisation(hr_lead, outsider, register):
    make_stakeholder(outsider, name="Nairobi Riders Elsewhere", country="KE")
    assert queries.stakeholder_list(outsider, StakeholderFilters(q="nairobi")).count() == 1
    assert queries.stakeholder_list(hr_lead, StakeholderFilters(q="elsewhere")).count() == 0


def test_access_is_not_found_for_other_organisations(hr_lead, outsider, register):
    with pytest.raises(Http404):
        queries.access_stakeholder(outsider, register["nairobi"].pk)
    with pytest.raises(Http404):
        queries.access_stakeholder(hr_lead, "not-a-number")


def test_roles_without_register_access_see_nothing(decision_maker, board, register):
    assert queries.visible_stakeholders(decision_maker).count() == 0
    with pytest.raises(Http404):
        queries.access_stakeholder(board, register["nairobi"].pk)


def test_list_reads_traits_in_one_extra_query(hr_lead):
    for number in range(30):
        make_stakeholder(hr_lead, name=f"Group {number}", languages=["en", "fr"], at_risk=["child"])
    with CaptureQueriesContext(connection) as captured:
        rows = list(queries.stakeholder_list(hr_lead, StakeholderFilters(language="fr"))[:25])
        _ = [(s.languages, s.at_risk_labels) for s in rows]
    assert len(captured) == 2


def test_protected_people_are_visible_only_to_grant_holders_and_named_only_when_revealed(hr_lead, auditor, admin):
    person = make_stakeholder(hr_lead, name="Defender X", safety_level="high")
    assert list(queries.visible_stakeholders(hr_lead)) == [person]
    assert list(queries.visible_stakeholders(auditor)) == []
    assert list(queries.visible_stakeholders(admin)) == []
    shown = queries.shown_name(person, hr_lead)
    assert "Defender" not in shown and shown == queries.shown_name(person, auditor)
    assert queries.shown_name(person, hr_lead, revealed=True) == "Defender X"


@pytest.mark.parametrize("filters", [
    StakeholderFilters(), StakeholderFilters(kind="expert"), StakeholderFilters(global_south=True),
    StakeholderFilters(language="en"), StakeholderFilters(q="riders"), StakeholderFilters(safety_level="high"),
])
def test_the_fast_count_equals_the_list(hr_lead, auditor, register, filters):
    make_stakeholder(hr_lead, name="Protected Riders", safety_level="high", languages=["en"], kind="expert")
    for viewer in (hr_lead, auditor):
        assert queries.stakeholder_count(viewer, filters) == queries.stakeholder_list(viewer, filters).count()
