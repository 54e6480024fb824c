"""Build stakeholders through the same action the register uses."""

from itertools import count

from rightsloop.accounts.viewer import Viewer
from rightsloop.stakeholders.actions import register_stakeholder
from rightsloop.stakeholders.groups import GroupPlan, Mandate, Speaks, create_group
from rightsloop.stakeholders.models import AffectedGroup, Stakeholder
from rightsloop.stakeholders.profiles import StakeholderProfile

_numbers = count(1)


def make_stakeholder(by: Viewer, **fields) -> Stakeholder:
    number = next(_numbers)
    values = {
        "name": f"Stakeholder {number}",
        "kind": "affected",
        "country": "KE",
        "email": f"stakeholder{number}@example.net",
        "languages": ["en"],
    }
    speaks_for = fields.pop("speaks_for", None)
    if fields.get("kind") == "proxy" and speaks_for is None:
        # A proxy speaks for at least one group: by default a new one of its own.
        speaks_for = [Speaks(group=f"Riders of delivery platforms {number}",
                             mandate=Mandate(legitimacy_basis="Elected by members"))]
    values.update(fields)
    stakeholder, _duplicates = register_stakeholder(profile=StakeholderProfile(**values), by=by,
                                                    speaks_for=speaks_for or ())
    return stakeholder


def make_group(by: Viewer, **fields) -> AffectedGroup:
    values = {"name": f"Affected group {next(_numbers)}", "countries": ["KE"], "languages": ["sw"],
              "at_risk": ["low_income"]}
    values.update(fields)
    return create_group(plan=GroupPlan(**values), by=by)
