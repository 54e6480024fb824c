"""Build engagements, participants, inputs and decisions through the actions."""

import datetime
from itertools import count

from django.utils import timezone

from rightsloop.accounts.viewer import Viewer
from rightsloop.engagements import actions
from rightsloop.engagements.models import Engagement, Input, Participation
from rightsloop.stakeholders.models import Stakeholder

_numbers = count(1)


def make_engagement(by: Viewer, **fields) -> Engagement:
    today = timezone.localdate()
    values = {
        "title": f"Engagement {next(_numbers)}",
        "type": "workshop",
        "phases": ["identify"],
        "starts_on": today - datetime.timedelta(days=3),
    }
    values.update(fields)
    return actions.create_engagement(plan=actions.EngagementPlan(**values), by=by)


def make_participation(by: Viewer, engagement: Engagement, stakeholder: Stakeholder, **fields) -> Participation:
    return actions.add_participant(engagement=engagement, stakeholder=stakeholder, by=by, **fields)


def make_input(by: Viewer, engagement: Engagement, speaker: Participation | None = None, **fields) -> Input:
    values = {"text": f"Input {next(_numbers)}: please publish how long you keep location data.",
              "owning_function": "product"}
    values.update(fields)
    item, _created = actions.record_input(engagement=engagement, speaker=speaker, by=by, **values)
    return item
