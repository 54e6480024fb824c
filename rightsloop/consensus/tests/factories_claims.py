"""Build competing claims and their matters through the actions."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from rightsloop.accounts.viewer import Viewer
from rightsloop.engagements.models import Engagement, Participation
from rightsloop.engagements.tests.factories import make_engagement, make_group, make_participation
from rightsloop.risks import actions as risk_actions
from rightsloop.risks.models import Risk, StrategicDecision
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.models import AffectedGroup
from rightsloop.stakeholders.tests.factories import make_stakeholder

from ..actions import claims as actions
from ..models import Claim


@dataclass
class Debate:
    """An engagement on client-side scanning: a person taking part, a proxy speaking for a group, a risk and a
    decision linked to it."""

    engagement: Engagement
    person: Participation
    proxy: Participation
    group: AffectedGroup
    risk: Risk
    decision: StrategicDecision


_numbers = count(1)


def make_debate(by: Viewer) -> Debate:
    number = next(_numbers)
    engagement = make_engagement(by, title="Client-side scanning roundtable")
    person = make_participation(by, engagement, make_stakeholder(by, name=f"Amina Privacy {number}", kind="expert"))
    proxy_person = make_stakeholder(by, name="Child Helpline Network", kind="proxy")
    group_name = "Children using the messenger" + (f" {number}" if number > 1 else "")
    group = make_group(by, proxy=proxy_person, name=group_name)
    proxy = make_participation(by, engagement, proxy_person)
    risk = make_risk(by, title="Scanning private messages")
    decision = risk_actions.create_strategic_decision(plan=risk_actions.DecisionPlan(
        title="Ship client-side scanning", category="product_design", risks=[risk], engagements=[engagement]),
        by=by)
    return Debate(engagement, person, proxy, group, risk, decision)


def make_claim(by: Viewer, engagement: Engagement, **fields) -> Claim:
    values = {"side": "Privacy", "statement": "Scanning every message breaks end-to-end encryption.",
              "rights": ["privacy"], "evidence": "Expert report", "would_accept": "Opt-in reporting only"}
    values.update(fields)
    return actions.record_claim(engagement=engagement, plan=actions.ClaimPlan(**values), by=by)
