"""The assessment pages: every page renders, forms re-render with field errors, foreign ids are 404s."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rightsloop.assessments import actions
from rightsloop.assessments.models import Assessment, Finding, TrainingSession
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_assessment, make_phase, make_session

D = datetime.date
pytestmark = pytest.mark.django_db


def full_assessment(by, n=2):
    """An assessment with n of everything: phases, partners, sessions with questions, engagements, findings."""
    assessment = make_assessment(by)
    for kind in ("scoping", "partner_training", "data_collection")[:n + 1]:
        make_phase(by, assessment, kind, progress=50)
    partners = [actions.add_partner(assessment=assessment, stakeholder=make_stakeholder(by, kind="expert"),
                                    role="facilitator", languages=["sw"], by=by) for _ in range(n)]
    for _ in range(n):
        session = make_session(by, assessment, attendees=partners)
        for partner in partners:
            actions.record_question(session=session, question="Swali?", asked_by=partner, answer="Jibu.", by=by)
    for _ in range(n):
        engagement = make_engagement(by)
        speaker = make_participation(by, engagement, make_stakeholder(by, languages=["sw"]))
        make_input(by, engagement, speaker, language="sw")
        actions.link_engagements(assessment=assessment, engagements=[engagement], by=by)
    for number in range(n):
        actions.record_finding(assessment=assessment, title=f"Finding {number}", by=by)
    return assessment


def test_pages_render_for_the_team_and_auditors(hr_lead, auditor, sign_in):
    assessment = full_assessment(hr_lead)
    session = assessment.training_sessions.first()
    finding = assessment.findings.first()
    for viewer in (hr_lead, auditor):
        client = sign_in(viewer)
        for url in (reverse("assessments:list"), reverse("assessments:detail", args=[assessment.pk]),
                    reverse("assessments:heard", args=[assessment.pk]),
                    reverse("assessments:session", args=[assessment.pk, session.pk]),
                    reverse("assessments:finding", args=[assessment.pk, finding.pk])):
            response = client.get(url)
            assert response.status_code == 200, url
    page = sign_in(hr_lead).get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "chart-schedule" in page and "Swahili" in page
    assert 'class="chart-today"' in page or "The dashed line is today" in page or "today" in page


def test_decision_makers_and_the_board_do_not_see_assessments(hr_lead, decision_maker, board, sign_in):
    assessment = make_assessment(hr_lead)
    for viewer in (decision_maker, board):
        assert sign_in(viewer).get(reverse("assessments:detail", args=[assessment.pk])).status_code == 403


def test_start_an_assessment_from_the_form(hr_lead, sign_in):
    client = sign_in(hr_lead)
    assert client.get(reverse("assessments:create")).status_code == 200
    response = client.post(reverse("assessments:create"), {
        "title": "Digital ID in East Africa", "technology": "Digital ID enrolment", "countries": ["KE", "TZ"],
        "region": "East Africa", "starts_on": "2026-09-01", "ends_on": "2027-03-31", "owner": hr_lead.user.pk,
        "status": "planned"})
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and assessment.countries == ["KE", "TZ"]


@pytest.mark.parametrize("codes", [["XK1"], ["ZZ"]])
def test_an_unknown_country_re_renders_with_a_field_error(hr_lead, sign_in, codes):
    response = sign_in(hr_lead).post(reverse("assessments:create"), {
        "title": "X", "technology": "Y", "countries": codes, "starts_on": "2026-09-01", "ends_on": "2027-03-31",
        "owner": hr_lead.user.pk, "status": "planned"})
    assert response.status_code == 400
    assert f"Unknown country code: {codes[0]}" in response.content.decode()
    assert not Assessment.objects.exists()


def test_plan_a_phase_and_see_it_on_the_timeline(hr_lead, sign_in):
    assessment = make_assessment(hr_lead)
    client = sign_in(hr_lead)
    url = reverse("assessments:phase-add", args=[assessment.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"kind": "analysis", "starts_on": "2026-12-01", "ends_on": "2026-11-01", "progress": 5})
    assert bad.status_code == 400 and not assessment.phases.exists()
    client.post(url, {"kind": "analysis", "starts_on": "2026-11-01", "ends_on": "2026-12-31", "progress": 40})
    phase = assessment.phases.get()
    page = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "Analysis" in page and 'data-start="2026-11-01"' in page
    assert client.get(reverse("assessments:phase-remove", args=[assessment.pk, phase.pk])).status_code == 200
    client.post(reverse("assessments:phase-remove", args=[assessment.pk, phase.pk]))
    assert not assessment.phases.exists()


def test_add_partner_and_record_training_with_a_file(hr_lead, sign_in):
    assessment = make_assessment(hr_lead)
    person = make_stakeholder(hr_lead, kind="expert", country="KE")
    client = sign_in(hr_lead)
    url = reverse("assessments:partner-add", args=[assessment.pk])
    assert person.name in client.get(url).content.decode()
    response = client.post(url, {"stakeholder": person.pk, "role": "community_liaison", "languages": ["sw"]})
    assert response.status_code == 302
    partner = assessment.partners.get()
    response = client.post(reverse("assessments:session-add", args=[assessment.pk]), {
        "held_on": "2026-10-05", "title": "Mafunzo", "language": "sw", "material": "Muhtasari",
        "attended": [partner.pk], "material_file": SimpleUploadedFile("muhtasari.pdf", b"%PDF-1.4 x")})
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    download = client.get(reverse("assessments:session-material", args=[assessment.pk, session.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 x"
    response = client.post(reverse("assessments:question-add", args=[assessment.pk, session.pk]),
                           {"question": "Je, data itahifadhiwa wapi?", "asked_by": partner.pk})
    assert response.status_code == 302
    page = client.get(reverse("assessments:session", args=[assessment.pk, session.pk])).content.decode()
    assert "Je, data itahifadhiwa wapi?" in page and person.name in page
    empty = client.post(reverse("assessments:question-add", args=[assessment.pk, session.pk]), {"question": ""})
    assert empty.status_code == 400


def test_high_safety_partners_are_pseudonyms_and_hidden_without_a_grant(hr_lead, admin, sign_in):
    assessment = make_assessment(hr_lead)
    # Whoever registers a high-safety person holds a grant on them; the administrator holds none.
    shielded = make_stakeholder(hr_lead, name="Amina Wanjiru", safety_level="high", kind="expert")
    partner = actions.add_partner(assessment=assessment, stakeholder=shielded, role="interpreter", by=hr_lead)
    session = make_session(hr_lead, assessment, attendees=[partner])
    actions.record_question(session=session, question="Nani ataona majibu?", asked_by=partner, by=hr_lead)
    detail = reverse("assessments:detail", args=[assessment.pk])
    with_grant = sign_in(hr_lead).get(detail).content.decode()
    assert "Amina" not in with_grant and "Interpreter" in with_grant
    without = sign_in(admin).get(detail).content.decode()
    assert "Amina" not in without and "Interpreter" not in without
    session_page = sign_in(admin).get(reverse("assessments:session", args=[assessment.pk, session.pk]))
    assert "Amina" not in session_page.content.decode()
    edit = reverse("assessments:partner-edit", args=[assessment.pk, partner.pk])
    assert sign_in(admin).get(edit).status_code == 404


def test_foreign_ids_are_not_found(hr_lead, outsider, sign_in):
    theirs = full_assessment(outsider, n=1)
    client = sign_in(hr_lead)
    session, finding, phase, partner = (theirs.training_sessions.first(), theirs.findings.first(),
                                        theirs.phases.first(), theirs.partners.first())
    for url in (reverse("assessments:detail", args=[theirs.pk]), reverse("assessments:edit", args=[theirs.pk]),
                reverse("assessments:heard", args=[theirs.pk]),
                reverse("assessments:session", args=[theirs.pk, session.pk]),
                reverse("assessments:finding", args=[theirs.pk, finding.pk]),
                reverse("assessments:phase-edit", args=[theirs.pk, phase.pk]),
                reverse("assessments:partner-edit", args=[theirs.pk, partner.pk])):
        assert client.get(url).status_code == 404, url
    mine = make_assessment(hr_lead)
    # Another assessment's session under my assessment's address: not found either.
    assert client.get(reverse("assessments:session", args=[mine.pk, session.pk])).status_code == 404


def test_an_engagement_of_another_organisation_cannot_be_linked(hr_lead, outsider, sign_in):
    assessment = make_assessment(hr_lead)
    theirs = make_engagement(outsider)
    response = sign_in(hr_lead).post(reverse("assessments:engagements", args=[assessment.pk]),
                                     {"engagements": [theirs.pk]})
    assert response.status_code == 400 and not assessment.engagements.exists()
    remove = reverse("assessments:engagement-remove", args=[assessment.pk, theirs.pk])
    assert sign_in(hr_lead).post(remove).status_code == 404


def test_finding_to_new_risk_and_to_an_existing_one(hr_lead, sign_in):
    assessment = make_assessment(hr_lead)
    client = sign_in(hr_lead)
    client.post(reverse("assessments:finding-add", args=[assessment.pk]),
                {"title": "Women's shared phones lower their scores", "countries": ["UG"]})
    finding = Finding.objects.get()
    url = reverse("assessments:finding-new-risk", args=[assessment.pk, finding.pk])
    page = client.get(url).content.decode()
    assert "Women&#x27;s shared phones" in page or "Women's shared phones" in page
    response = client.post(url, {
        "title": finding.title, "product": "Credit scoring", "involvement": "cause", "scale": 4, "scope": 3,
        "irremediability": 3, "likelihood": 4, "rights": ["non_discrimination"], "markets": ["UG"],
        "owner": hr_lead.user.pk, "review_on": "2027-06-01"})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.risk_link == "created"
    second = actions.record_finding(assessment=assessment, title="Agents keep ID copies", by=hr_lead)
    risk = make_risk(hr_lead)
    url = reverse("assessments:finding-update-risk", args=[assessment.pk, second.pk])
    assert client.get(url, {"risk": risk.pk}).status_code == 200
    no_reason = client.post(url, {"risk": risk.pk, "title": risk.title, "product": risk.product,
                                  "involvement": risk.involvement, "scale": 3, "scope": 3, "irremediability": 2,
                                  "likelihood": 5, "rights": ["privacy"], "markets": ["KE", "UG"],
                                  "owner": hr_lead.user.pk, "review_on": "2027-06-01"})
    assert no_reason.status_code == 400
    client.post(url, {"risk": risk.pk, "title": risk.title, "product": risk.product, "involvement": risk.involvement,
                      "scale": 3, "scope": 3, "irremediability": 2, "likelihood": 5, "rights": ["privacy"],
                      "markets": ["KE", "UG"], "owner": hr_lead.user.pk, "review_on": "2027-06-01",
                      "reason": "Confirmed by partners in Kampala"})
    second.refresh_from_db()
    risk.refresh_from_db()
    assert second.risk == risk and risk.likelihood == 5


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_assessment_page_and_list_read_a_fixed_number_of_queries(hr_lead, sign_in):
    # Two and four of everything: who_was_heard reads the top speakers only when one group of speakers
    # dominates, which a single input does, so both have several.
    small = full_assessment(hr_lead, n=2)
    large = full_assessment(hr_lead, n=4)
    client = sign_in(hr_lead)
    _queries(client, reverse("assessments:list"))  # the first request of a session reads a little more
    detail = [_queries(client, reverse("assessments:detail", args=[a.pk])) for a in (small, large)]
    assert detail[0] == detail[1], detail
    listed = _queries(client, reverse("assessments:list"))
    for _ in range(3):
        make_assessment(hr_lead)
    assert _queries(client, reverse("assessments:list")) == listed
