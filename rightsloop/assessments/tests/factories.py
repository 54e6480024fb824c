"""Build assessments through the same actions the pages and the API use."""

import datetime
from itertools import count

from rightsloop.assessments import actions

_numbers = count(1)


def make_assessment(by, **fields):
    values = {"title": f"Assessment {next(_numbers)}", "technology": "Credit scoring from mobile-money records",
              "countries": ["KE", "UG"], "starts_on": datetime.date(2026, 9, 1),
              "ends_on": datetime.date(2027, 3, 31), "region": "East Africa"}
    values.update(fields)
    return actions.create_assessment(plan=actions.AssessmentPlan(**values), by=by)


def make_phase(by, assessment, kind="scoping", **fields):
    values = {"kind": kind, "starts_on": datetime.date(2026, 9, 1), "ends_on": datetime.date(2026, 9, 30),
              "progress": 0}
    values.update(fields)
    return actions.set_phase(assessment=assessment, plan=actions.PhasePlan(**values), by=by)


def make_session(by, assessment, attendees=(), **fields):
    values = {"held_on": datetime.date(2026, 10, 5), "title": "Mafunzo ya washirika", "language": "sw",
              "material": "Haki za binadamu na teknolojia"}
    values.update(fields)
    upload = values.pop("material_file", None)
    return actions.record_training_session(assessment=assessment, by=by, material_file=upload,
                                           plan=actions.SessionPlan(attendees=list(attendees), **values))
