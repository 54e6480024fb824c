"""The demo's shared assessment (G3): Kestrel Networks and Savanna Mobile run one assessment, and neither sees the
other's registers; loading again with --reset builds it again."""

from io import StringIO

import pytest
from django.core.management import call_command

from rightsloop.accounts.models import Membership
from rightsloop.accounts.viewer import Viewer
from rightsloop.collaboration.load import pool_load
from rightsloop.collaboration.models import PoolPartner, SharedAssessment
from rightsloop.demo import assessments as demo_assessments
from rightsloop.demo import collaboration as demo
from rightsloop.demo import content
from rightsloop.demo.load import NGO_NAME

pytestmark = pytest.mark.django_db


def _viewer(username: str) -> Viewer:
    return Viewer.from_membership(Membership.objects.select_related("user", "organisation").get(
        user__username=username))


def test_two_demo_companies_share_one_assessment_and_nothing_else(loaded_demo, sign_in):
    shared = SharedAssessment.objects.get()
    assert shared.lead.slug == content.ORGANISATION_SLUG
    assert shared.assessment.title == demo_assessments.TITLE  # G1's demo assessment, not one of our own
    assert sorted(m.organisation.slug for m in shared.members.current()) == sorted(
        [content.ORGANISATION_SLUG, demo.SECOND_SLUG])
    kestrel, savanna = sign_in(_viewer(content.HR_LEAD)), sign_in(_viewer(demo.SECOND_HR_LEAD))
    page = kestrel.get(f"/shared-assessments/{shared.pk}/").content.decode()
    assert demo.WORKSHOP in page and "Zawadi Mwangi" in page and NGO_NAME in page
    assert "Baraka Otieno" not in page
    for url in ("/stakeholders/", "/risks/", "/engagements/", "/shared-assessments/"):
        body = kestrel.get(url).content.decode()
        assert demo.PRIVATE_STAKEHOLDER not in body and demo.PRIVATE_RISK not in body, url
    assert "Savanna" not in kestrel.get("/risks/").content.decode()
    # Savanna sees the shared assessment, and none of Kestrel's own register.
    assert savanna.get(f"/shared-assessments/{shared.pk}/").status_code == 200
    assert content.ORGANISATION_NAME not in savanna.get("/stakeholders/").content.decode()


def test_the_ngo_load_counts_both_companies(loaded_demo):
    haki = PoolPartner.objects.in_pool().get(organisation__slug=content.ORGANISATION_SLUG)
    savanna = _viewer(demo.SECOND_HR_LEAD)
    seen = pool_load(haki, seen_by=savanna.organisation)
    owners = {request.owner for request in seen.requests}
    assert {content.ORGANISATION_NAME, demo.SECOND_NAME} <= owners
    assert seen.over


def test_a_reset_builds_the_shared_assessment_again(loaded_demo):
    call_command("load_demo", "--reset", stdout=StringIO())
    assert SharedAssessment.objects.count() == 1
    assert PoolPartner.objects.in_pool().count() == 3
