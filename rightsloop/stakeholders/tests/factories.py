"""Build stakeholders through the same action the register uses."""

from itertools import count

from rightsloop.accounts.viewer import Viewer
from rightsloop.stakeholders.actions import register_stakeholder
from rightsloop.stakeholders.models import Stakeholder
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
    if fields.get("kind") == "proxy":
        values.update(represents="Riders of delivery platforms", legitimacy_basis="Elected by members")
    values.update(fields)
    stakeholder, _duplicates = register_stakeholder(profile=StakeholderProfile(**values), by=by)
    return stakeholder
