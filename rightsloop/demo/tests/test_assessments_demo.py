"""The demo's regional assessment (G1): KestrelPay Mkopo in Kenya, Uganda and Tanzania, its partners trained in
Swahili, phases under way, engagements held inside it, a finding that became a risk, and the gaps in who was heard."""

import pytest
from django.utils import timezone

from rightsloop.accounts.models import Membership
from rightsloop.accounts.viewer import Viewer
from rightsloop.assessments import queries
from rightsloop.assessments.models import Assessment
from rightsloop.demo import assessments as demo
from rightsloop.demo import content

pytestmark = pytest.mark.django_db


def _viewer(username: str) -> Viewer:
    return Viewer.from_membership(Membership.objects.select_related("user", "organisation").get(
        user__username=username, organisation__slug=content.ORGANISATION_SLUG))


def test_the_east_african_assessment_is_there_and_reads_as_the_demo_says(loaded_demo, sign_in):
    assessment = Assessment.objects.get(title=demo.TITLE)
    assert assessment.countries == ["KE", "TZ", "UG"] and assessment.region == "East Africa"
    phases = {phase.kind: phase for phase in queries.phases_of(assessment)}
    assert len(phases) == 6 and phases["partner_training"].is_done and not phases["data_collection"].is_done
    assert phases["data_collection"].starts_on < timezone.localdate() < phases["data_collection"].ends_on
    training = assessment.training_sessions.get(title=demo.TRAINING_TITLE)
    assert training.language == "sw" and training.attendees.count() == 5
    assert training.questions.count() == 3 and training.questions.exclude(answer_sealed=b"").count() == 2
    assert assessment.engagements.count() == 2
    findings = list(queries.findings_of(assessment))
    assert [f.risk_link for f in findings] == ["created", ""] and findings[0].risk.title == demo.NEW_RISK
    heard = queries.heard_for(_viewer(content.HR_LEAD), assessment)
    texts = [gap.text for gap in heard.gaps]
    assert "No one from Tanzania was heard." in texts
    assert f"No voice from the affected group “{demo.UNHEARD_GROUP}”." in texts


def test_the_pages_show_it_and_protect_the_shielded_researcher(loaded_demo, sign_in):
    assessment = Assessment.objects.get(title=demo.TITLE)
    amina = sign_in(_viewer(content.HR_LEAD))
    page = amina.get(f"/assessments/{assessment.pk}/").content.decode()
    assert demo.INTERPRETER in page and "Mtandao Rights Lab" in page and "chart-schedule" in page
    assert demo.SHIELDED_RESEARCHER not in page  # a pseudonym, even to the grant holder who registered them
    assert "No one from Tanzania was heard." in page
    jonas = sign_in(_viewer(content.ADMIN)).get(f"/assessments/{assessment.pk}/").content.decode()
    # The administrator holds no grant on the researcher: one research partner for him, two for Amina.
    assert demo.SHIELDED_RESEARCHER not in jonas and jonas.count("Local research partner") == 1
    assert page.count("Local research partner") == 2
    assert amina.get("/assessments/").status_code == 200
    assert demo.TITLE in amina.get("/assessments/").content.decode()
