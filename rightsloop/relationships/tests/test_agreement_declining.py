"""Declining costs nothing: without an agreement, or having declined one, a stakeholder is listed, filtered,
prioritised, counted, invited, heard, decided on and answered exactly like one whose agreement is in force.

Three twins (same kind, country, languages, safety) go through every step of the loop side by side; each
figure the product computes must come out the same for all three.
"""

import ast
from pathlib import Path

import pytest
from django.utils import timezone

from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements import queries as engagement_queries
from rightsloop.engagements.reports import build_report
from rightsloop.engagements.tests.factories import make_engagement
from rightsloop.stakeholders import queries as stakeholder_queries
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .agreement_factories import make_agreement

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PRODUCT = Path(__file__).resolve().parents[2]


@pytest.fixture
def twins(hr_lead):
    profile = {"kind": "expert", "country": "BR", "languages": ["pt"], "entity_type": "organisation"}
    none = make_stakeholder(hr_lead, name="No Agreement Collective", **profile)
    declined = make_stakeholder(hr_lead, name="Declined Collective", **profile)
    in_force = make_stakeholder(hr_lead, name="Agreed Collective", **profile)
    make_agreement(hr_lead, declined, state="declined")
    make_agreement(hr_lead, in_force, state="in_force")
    return {"none": none, "declined": declined, "in_force": in_force}


def test_listed_filtered_and_counted_alike(hr_lead, twins):
    wanted = {person.pk for person in twins.values()}
    for filters in (
        stakeholder_queries.StakeholderFilters(),
        stakeholder_queries.StakeholderFilters(kind="expert"),
        stakeholder_queries.StakeholderFilters(country="BR", language="pt"),
        stakeholder_queries.StakeholderFilters(region="019"),
        stakeholder_queries.StakeholderFilters(global_south=True),
        stakeholder_queries.StakeholderFilters(safety_level="normal"),
    ):
        listed = [person.pk for person in stakeholder_queries.stakeholder_list(hr_lead, filters)]
        assert wanted <= set(listed), filters
        assert stakeholder_queries.stakeholder_count(hr_lead, filters) == len(listed)
    # Listed in the same order as they were registered: nothing moves the agreed one ahead.
    everyone = [p.pk for p in stakeholder_queries.stakeholder_list(hr_lead, stakeholder_queries.StakeholderFilters())
                if p.pk in wanted]
    by_name = sorted(twins.values(), key=lambda person: (person.name, person.pk))
    assert everyone in ([p.pk for p in by_name], sorted(wanted), sorted(wanted, reverse=True))


def test_invited_heard_decided_answered_and_counted_alike(hr_lead, twins):
    engagement = make_engagement(hr_lead, title="Platform workers' safety")
    participations = {}
    for key, person in twins.items():
        participations[key] = engagement_actions.add_participant(engagement=engagement, stakeholder=person,
                                                                 confirm_load=False, by=hr_lead)
    inputs = {}
    for key, participation in participations.items():
        inputs[key], _created = engagement_actions.record_input(
            engagement=engagement, speaker=participation, text="Drivers need a panic button", tags=["safety"],
            owning_function="product", by=hr_lead)
    # Prioritised alike: the decision queue orders by due date and arrival, never by agreement.
    queue = [item.pk for item in engagement_queries.decision_queue(hr_lead)]
    assert queue == [inputs[key].pk for key in ("none", "declined", "in_force")]
    for item in inputs.values():
        engagement_actions.record_decision(input=item, outcome="adopted", rationale="Shipped in May",
                                           by=hr_lead)
    for participation in participations.values():
        participation.refresh_from_db()
        engagement_actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    states = {}
    for key, participation in participations.items():
        participation.refresh_from_db()
        states[key] = (participation.inputs_count, participation.undecided_count, participation.loop_closed)
        report = build_report(participation, addressee="them")
        states[key] += (report.subject, report.body.replace(twins[key].name, "them"))
    assert states["none"] == states["declined"] == states["in_force"]
    assert states["none"][:3] == (1, 0, True)
    engagement.refresh_from_db()
    assert engagement.participants_closed == 3
    heard = engagement_queries.who_was_heard_in(engagement, hr_lead)
    assert heard.voices == 3 and heard.inputs == 3
    metrics = engagement_queries.loop_metrics(hr_lead, TODAY)
    assert metrics is not None


def test_nothing_outside_agreements_reads_them():
    """No list, filter, priority or metric can treat them differently: nothing that ranks, filters or counts
    stakeholders, inputs or loops imports the agreements (only the portal's agreement section, the ledger's
    link of a payment to its agreement, the public report's redaction, which asks whether a person named in the
    report's own words may be named publicly (disclosure/redaction.py: withholding never ranks or counts anyone),
    the API's list of routers and the relationships app itself do)."""
    readers = set()
    for path in PRODUCT.rglob("*.py"):
        relative = path.relative_to(PRODUCT)
        if (relative.parts[0] in ("relationships", "demo") or "tests" in relative.parts
                or "migrations" in relative.parts):
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            if any("agreement" in name.lower() and "relationships" in name for name in names) or any(
                    name.startswith("rightsloop.relationships") and any(
                        alias.name in ("Agreement", "AgreementVersion", "attribution_terms", "agreements")
                        for alias in getattr(node, "names", [])) for name in names):
                readers.add(relative.parts[0])
    assert readers <= {"resourcing", "portal", "disclosure", "api.py"}, readers
