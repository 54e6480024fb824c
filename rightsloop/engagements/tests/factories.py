"""Build engagements, participants, inputs and decisions through the actions."""

import datetime
from itertools import count

from django.utils import timezone

from rightsloop.accounts.viewer import Viewer
from rightsloop.engagements import actions
from rightsloop.engagements.models import Engagement, Input, Participation
from rightsloop.stakeholders.models import AffectedGroup, GroupMembership, Representation, Stakeholder

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


def make_group(by: Viewer, proxy: Stakeholder | None = None, members=(), **fields) -> AffectedGroup:
    """An affected group (with `proxy` representing it and `members` in it), written directly: the
    stakeholders app owns the actions that manage groups; these tests only need the records."""
    values = {"name": f"Affected group {next(_numbers)}", "countries": ["KE"], "languages": ["sw"],
              "at_risk": ["human_rights_defender"]}
    values.update(fields)
    group = AffectedGroup.objects.create(organisation=by.organisation, created_by=by.user, **values)
    if proxy is not None:
        Representation.objects.create(proxy=proxy, group=group, legitimacy_basis="Elected by the group's members")
    for member in members:
        GroupMembership.objects.create(group=group, stakeholder=member)
    return group


def make_relayed_input(by: Viewer, engagement: Engagement, proxy: Stakeholder, group: AffectedGroup,
                       **fields) -> Input:
    """What `group` said, relayed by `proxy` (who takes part in its own name, for the group)."""
    channel = engagement.participations.filter(stakeholder=proxy).first() or make_participation(
        by, engagement, proxy, speaks_for=[group])
    return make_input(by, engagement, channel, group=group, **fields)
