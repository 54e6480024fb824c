"""Build agreements through the same actions the pages and the API use."""

import datetime

from django.utils import timezone

from rightsloop.accounts.viewer import Viewer
from rightsloop.relationships import agreements
from rightsloop.relationships.agreements import AgreementTerms
from rightsloop.relationships.models import Agreement


def make_terms(**fields) -> AgreementTerms:
    today = timezone.localdate()
    values = {
        "starts_on": today,
        "review_on": today + datetime.timedelta(days=365),
        "engagements_expected": 3,
        "engagement_kinds": ["workshop", "interview"],
        "indicative_months": [3, 9],
        "briefing_topics": ["business_model", "salient_risks"],
        "feedback_within_days": 30,
        "we_may": {"name_as_adviser": True, "quote": False},
        "they_may": {"name_us": True, "quote_staff": False},
        "nda_scope": "The product roadmap shown in workshops",
        "nda_sunset_on": today + datetime.timedelta(days=180),
        "compensation_terms": "A day rate for each workshop",
    }
    values.update(fields)
    return AgreementTerms(**values)


def make_agreement(by: Viewer, stakeholder, *, state: str = "drafted", **fields) -> Agreement:
    """An agreement in the state asked for, reached through the actions (drafted, proposed, accepted/in_force,
    declined, changes_requested, under_review, ended)."""
    agreement = agreements.create_agreement(stakeholder=stakeholder, terms=make_terms(**fields), by=by)
    if state == "drafted":
        return agreement
    agreement = agreements.propose_agreement(agreement=agreement, by=by)
    if state == "proposed":
        return agreement
    answer = {"declined": "declined", "changes_requested": "changes_requested"}.get(state, "accepted")
    comment = "Please shorten the NDA" if answer == "changes_requested" else ""
    agreement = agreements.answer_agreement(agreement=agreement, answer=answer, comment=comment, via="in_person",
                                            by=by)
    if state == "under_review":
        agreement = agreements.start_review(agreement=agreement, by=by)
    if state == "ended":
        agreement = agreements.end_agreement(agreement=agreement, reason="Project closed", by=by)
    return agreement
