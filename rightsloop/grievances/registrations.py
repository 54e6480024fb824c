"""What the grievances app adds to the site: each area registers its own menu entries, panels, schedules,
subject data, retention rules, portal sections, evidence and public tables."""

from . import (
    case_registry,
    deadline_registry,
    evidence_registry,
    intake_registry,
    portal_registry,
    public_data_registry,
    remedy_registry,
    selfcheck_registry,
)


def register() -> None:
    for area in (intake_registry, case_registry, deadline_registry, remedy_registry, selfcheck_registry,
                 portal_registry, evidence_registry, public_data_registry):
        area.register()
