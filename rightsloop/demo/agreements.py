"""The demo organisation's relationship agreements (P1): one in every state, written through the actions.

Called by the demo loader once stakeholders exist:
load_agreements(viewer=builder.hr_lead, stakeholders=builder.stakeholders, today=builder.today, owner=…).
Dates are offsets in days from the day the demo is loaded, so the reminders fall due as the demo ages:
an NDA ending within the month (the owner's reminder), an NDA whose sunset has passed (the stakeholder is
told), a review date that has come (under review), a proposal waiting for an answer, and a declined one.
"""

from __future__ import annotations

import datetime

from rightsloop.accounts.models import User
from rightsloop.accounts.viewer import Viewer
from rightsloop.relationships import agreements
from rightsloop.relationships.agreements import AgreementTerms
from rightsloop.stakeholders.models import Stakeholder


def _terms(today: datetime.date, *, start: int, review: int, sunset: int | None = None, nda: str = "",
           **fields) -> AgreementTerms:
    day = datetime.timedelta(days=1)
    values = {
        "starts_on": today + start * day, "review_on": today + review * day,
        "nda_scope": nda, "nda_sunset_on": today + sunset * day if sunset is not None else None,
        "engagements_expected": 3, "engagement_kinds": ["workshop", "interview"], "indicative_months": [3, 6, 10],
        "briefing_topics": ["business_model", "salient_risks", "technologies"],
        "briefing_notes": "A briefing pack two weeks before each workshop, in the stakeholder's language.",
        "feedback_within_days": 30,
        "loop_closure_notes": "A written account of what became of each point, including what we did not do "
                              "and why.",
        "our_handling": "What they tell us about the people they work with stays with the human rights team, "
                        "sealed, and is never named in reports.",
        "their_handling": "Unreleased product plans shared in briefings stay within their organisation.",
        "we_may": {"name_as_engaged": True, "name_as_adviser": False, "quote": False, "use_logo": False},
        "they_may": {"name_us": True, "name_as_advisee": True, "quote_staff": False, "describe_content": True},
        "attribution_notes": "Either side asks before quoting the other in writing.",
        "compensation_terms": "A day rate for workshop days and their preparation; travel costs refunded.",
    }
    values.update(fields)
    return AgreementTerms(**values)


# (stakeholder key, terms, the states it moves through after being drafted, the stakeholder's comment)
def _plans(today: datetime.date):
    return (
        # In force; its NDA ends within the month, so the owner is reminded.
        ("mtandao", _terms(today, start=-200, review=160, sunset=20,
                           nda="The fraud-detection roadmap shown in the 2026 workshops."),
         ("proposed", "accepted"), ""),
        # In force; its NDA ended ten days ago: they may now speak openly, and were told so.
        ("laja", _terms(today, start=-400, review=330, sunset=-10,
                        nda="The credit-scoring model card shared before its publication."),
         ("proposed", "accepted"), ""),
        # The review date has come: under review.
        ("cifr", _terms(today, start=-370, review=-5, compensation_terms="A research grant (see the ledger)."),
         ("proposed", "accepted", "under_review"), ""),
        # Proposed, waiting for their answer in the portal.
        ("urcp", _terms(today, start=7, review=372, sunset=190,
                        nda="The draft of the rider safety features before their announcement."),
         ("proposed",), ""),
        # Declined: they prefer to stay independent, and are engaged like anyone else.
        ("katrin", _terms(today, start=0, review=365, compensation_terms="An honorarium per interview."),
         ("proposed", "declined"), "I prefer not to enter a standing agreement, to stay independent."),
        # Asked for changes, with a comment.
        ("selam", _terms(today, start=14, review=379, sunset=200, nda="Moderation guidelines in draft."),
         ("proposed", "changes_requested"), "Please shorten the NDA to three months and let us quote staff."),
        # Still a draft.
        ("datos", _terms(today, start=30, review=395), (), ""),
        # Ended when the project closed; its NDA still binds until its sunset.
        ("gikomba", _terms(today, start=-300, review=65, sunset=25, nda="The pilot's merchant fee schedule."),
         ("proposed", "accepted", "ended"), ""),
    )


def load_agreements(*, viewer: Viewer, stakeholders: dict[str, Stakeholder], today: datetime.date,
                    owner: User | None = None) -> dict[str, int]:
    """Agreements in every state, offline answers recorded by the human rights lead; returns counts by state."""
    counts: dict[str, int] = {}
    for key, terms, moves, comment in _plans(today):
        stakeholder = stakeholders.get(key)
        if stakeholder is None:
            continue
        if owner is not None:
            agreements.set_owner(stakeholder=stakeholder, owner=owner, by=viewer)
        agreement = agreements.create_agreement(stakeholder=stakeholder, terms=terms, by=viewer)
        for move in moves:
            if move == "proposed":
                agreement = agreements.propose_agreement(agreement=agreement, by=viewer)
            elif move in ("accepted", "declined", "changes_requested"):
                agreement = agreements.answer_agreement(agreement=agreement, answer=move, comment=comment,
                                                        via="in_person", by=viewer, today=today)
            elif move == "under_review":
                agreement = agreements.start_review(agreement=agreement, by=viewer)
            elif move == "ended":
                agreement = agreements.end_agreement(agreement=agreement, reason="The pilot closed.", by=viewer,
                                                     on=today - datetime.timedelta(days=20))
        counts[agreement.state] = counts.get(agreement.state, 0) + 1
    return counts
