"""Nobody's name, words or case reaches the board view, its stored figures, its API or its board pack.

A canary is planted in every protected place the evidence sources read around: a high-safety person's name and
contact, an ordinary person's name, their words, a decision's rationale, a grievance's description, a briefing
with the person at risk speaking to the board. None may appear in any output of the oversight app.
"""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rightsloop.core.periods import Period
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.grievances.actions import intake
from rightsloop.oversight import actions, packs
from rightsloop.oversight import board as figures
from rightsloop.oversight.models import BoardSnapshot, BriefingKind
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.tests.factories import make_stakeholder

CANARIES = ("Canary-Defender-Name", "canary.defender@example.org", "Canary-Person-Name", "Canary said words",
            "Canary rationale", "Canary grievance text", "Canary wanted outcome", "Canary-Attachment")


def plant(hr_lead, board):
    defender = make_stakeholder(hr_lead, name=CANARIES[0], email=CANARIES[1], safety_level="high", country="MM")
    person = make_stakeholder(hr_lead, name=CANARIES[2], country="KE", notes="Canary notes")
    proxy = make_stakeholder(hr_lead, name="A proxy organisation", kind="proxy", country="KE")
    engagement = make_engagement(hr_lead, title="Quarterly community meeting")
    spoke = make_participation(hr_lead, engagement, person)
    make_participation(hr_lead, engagement, defender, via_proxy=proxy)
    said = make_input(hr_lead, engagement, spoke, text=CANARIES[3], owning_function="product")
    engagement_actions.record_decision(input=said, outcome="not_adopted", rationale=CANARIES[4], by=hr_lead)
    make_risk(hr_lead, title="Camp location data", markets=["MM", "KE"], scale=5, scope=5, irremediability=5,
              likelihood=5)
    intake.submit_grievance(
        organisation=hr_lead.organisation, channel="web", submission_key="canary-submission",
        report=intake.GrievanceReport(mode="confidential", raised_by="affected", description=CANARIES[5],
                                      wanted_outcome=CANARIES[6], country="KE", complainant_name=CANARIES[2],
                                      complainant_contact=CANARIES[1]),
        attachments=[SimpleUploadedFile(f"{CANARIES[7]}.pdf", b"%PDF-1.4 canary\n")])
    actions.record_briefing(held_on=timezone.localdate(), kind=BriefingKind.STAKEHOLDER_SESSION,
                            topic="Hearing from communities", attendees=[board.user],
                            stakeholders=[defender, person], by=hr_lead)


def leaks(text: str) -> list[str]:
    return [canary for canary in CANARIES if canary.lower() in text.lower()]


def test_no_protected_value_reaches_any_output(organisation, hr_lead, board, sign_in, api):
    plant(hr_lead, board)
    period = Period.containing(timezone.localdate())
    view = figures.board_view(organisation, period)
    assert not view.empty
    stored = json.dumps([snapshot.evidence for snapshot in BoardSnapshot.objects.all()])
    assert not leaks(stored)
    client = sign_in(board)
    page = client.get(reverse("oversight:board")).content.decode()
    assert "Camp location data" in page  # risk titles are the board's to see
    assert not leaks(page)
    assert not leaks(packs.html(view))
    response = api(board).get("/api/v1/board")
    assert response.status_code == 200
    assert not leaks(json.dumps(response.json()))
    # The briefings page names the ordinary person to those who may see the register, never the person at risk.
    briefings = sign_in(hr_lead).get(reverse("oversight:briefings")).content.decode()
    assert CANARIES[2] in briefings and CANARIES[0] not in briefings
    board_page = client.get(reverse("oversight:briefings")).content.decode()
    assert CANARIES[0] not in board_page and CANARIES[2] not in board_page  # the board does not see the register
