"""The assessment objects of an access world (core/tests/access_worlds.build_world calls this).

The world's organisation runs a regional assessment with a phase, its proxy as a local partner, a training
session (with a sealed material file, nobody's attendance recorded yet) in which the partner asked a question, an
engagement held inside it and a finding not yet in the risk register. Every text carries the world's marker.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from rightsloop.accounts.viewer import Viewer
from rightsloop.assessments import actions
from rightsloop.engagements.tests.factories import make_engagement

from .factories import make_assessment, make_phase, make_session


def assessment_world(builder: Viewer, marker: str, o: dict) -> None:
    assessment = make_assessment(builder, title=f"{marker} regional assessment", countries=["KE", "UG"],
                                 scope=f"{marker} scope")
    o["regional_assessment"] = assessment
    o["assessment_phase"] = make_phase(builder, assessment, "scoping", notes=f"{marker} phase notes")
    o["assessment_partner"] = actions.add_partner(assessment=assessment, stakeholder=o["proxy"], role="facilitator",
                                                  languages=["sw"], by=builder)
    o["training_session"] = make_session(builder, assessment, title=f"{marker} training", material=f"{marker} material",
                                         material_file=SimpleUploadedFile("material.txt", marker.encode()))
    o["training_question"] = actions.record_question(session=o["training_session"], question=f"{marker} question",
                                                     asked_by=o["assessment_partner"], by=builder)
    o["held_engagement"] = make_engagement(builder, title=f"{marker} engagement held in the assessment")
    actions.link_engagements(assessment=assessment, engagements=[o["held_engagement"]], by=builder)
    o["finding"] = actions.record_finding(assessment=assessment, title=f"{marker} finding", by=builder)


def assessment_objects(builder: Viewer, marker: str, proxy) -> dict:
    """The same objects for core/tests/test_isolation.py, whose worlds are plain dicts."""
    objects = {"proxy": proxy}
    assessment_world(builder, marker, objects)
    del objects["proxy"]
    return objects
