"""Build risks, mitigations and strategic decisions through the actions."""

import datetime
from itertools import count

from rightsloop.risks import actions

_numbers = count(1)


def make_risk(by, **fields):
    values = {
        "title": f"Risk {next(_numbers)}", "product": "Messenger", "involvement": "contribute",
        "scale": 3, "scope": 3, "irremediability": 2, "likelihood": 3,
        "review_on": datetime.date(2027, 6, 1), "rights": ["privacy"], "markets": ["KE"],
    }
    values.update(fields)
    return actions.create_risk(plan=actions.RiskPlan(**values), by=by)


def make_mitigation(by, risk, **fields):
    values = {"action": "Limit retention to 30 days", "owner": by.user}
    values.update(fields)
    return actions.add_mitigation(risk=risk, by=by, **values)


def past_the_gate(decision):
    """Let a market entry or high-risk sale past the local-voices gate (G2) in tests about other rules.

    Written straight to the row: those tests are about outcomes, sign-offs and markers, and the gate's own
    tests (test_gate.py) go through the override action and real local voices.
    """
    from django.utils import timezone

    from rightsloop.risks.models import StrategicDecision

    StrategicDecision.objects.filter(pk=decision.pk if hasattr(decision, "pk") else decision).update(
        local_voices_overridden_at=timezone.now(), local_voices_override_reason="Not what this test is about.")
    return decision
