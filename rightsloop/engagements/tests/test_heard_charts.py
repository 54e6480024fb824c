"""Who was heard as bars (core.charts) on the engagement page: the same counts as the breakdown, each with its
table; a protected person the viewer may not know of is never a bar."""

import re

import pytest

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.engagements.models import Input
from rightsloop.engagements.representation import who_was_heard
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_engagement, make_input, make_participation

pytestmark = pytest.mark.django_db


def speak(hr_lead, engagement, stakeholder, **fields):
    make_input(hr_lead, engagement, make_participation(hr_lead, engagement, stakeholder, **fields))


def test_the_breakdowns_become_bars_with_their_tables(hr_lead):
    engagement = make_engagement(hr_lead)
    speak(hr_lead, engagement, make_stakeholder(hr_lead, kind="affected", country="KE", languages=["sw"],
                                                at_risk=["journalist"]))
    speak(hr_lead, engagement, make_stakeholder(hr_lead, kind="affected", country="KE", languages=["sw"]))
    speak(hr_lead, engagement, make_stakeholder(hr_lead, kind="expert", country="FR", languages=["fr"]))
    heard = who_was_heard(Input.objects.filter(engagement=engagement))
    by_key = {chart.key: chart for chart in heard.bar_charts()}
    assert list(by_key) == ["heard-kind", "heard-region", "heard-global-south", "heard-language", "heard-at-risk"]
    assert [(bar.label, bar.value) for bar in by_key["heard-kind"].rows] == [
        ("Affected stakeholder", 2), ("Expert stakeholder", 1)]
    assert [(bar.label, bar.value) for bar in by_key["heard-global-south"].rows] == [("Yes", 2), ("No", 1),
                                                                                      ("Unknown", 0)]
    assert by_key["heard-kind"].bars[0].length == 2 * by_key["heard-kind"].bars[1].length

    page = make_client_page(hr_lead, engagement)
    for key in by_key:
        assert f'id="chart-{key}"' in page
    kinds = re.search(r'id="chart-heard-kind".*?</figure>', page, re.S).group(0)
    assert "<svg" in kinds and "By kind of stakeholder as a table" in kinds
    assert re.search(r'<th scope="row">Affected stakeholder</th><td>2</td>', kinds)


def make_client_page(viewer, engagement) -> str:
    from rightsloop.conftest import signed_in

    return signed_in(viewer).get(f"/engagements/{engagement.pk}/").content.decode()


def test_a_protected_person_is_never_a_bar_for_someone_without_a_grant(hr_lead, organisation):
    engagement = make_engagement(hr_lead)
    speak(hr_lead, engagement, make_stakeholder(hr_lead, kind="expert", country="FR", languages=["fr"]))
    speak(hr_lead, engagement, make_stakeholder(hr_lead, kind="affected", country="KE", languages=["sw"],
                                                at_risk=["human_rights_defender"], safety_level="high"),
          override_reason="Met at their request")
    colleague = make_member(organisation, Role.HR_LEAD)
    page = make_client_page(colleague, engagement)
    kinds = re.search(r'id="chart-heard-kind".*?</figure>', page, re.S).group(0)
    assert "Affected stakeholder" not in kinds and 'data-value="1"' in kinds
    at_risk = re.search(r'id="chart-heard-at-risk".*?</figure>', page, re.S).group(0)
    assert "Human rights defender" not in at_risk and "Nothing to show yet." in at_risk
    assert "Swahili" not in page
