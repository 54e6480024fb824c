"""An organisation with something in every public table, and a canary in every free-text field that must never
reach the open data: names, contacts and words of ordinary people and of a person at high risk, case text."""

from __future__ import annotations

import datetime

from django.utils import timezone

from rightsloop.consultations.actions.outcomes import decide_theme
from rightsloop.consultations.models import Consultation, Theme
from rightsloop.consultations.tests.factories import make_applied_import, make_consultation, make_final_theme
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.grievances.actions import cases as grievance_cases
from rightsloop.grievances.actions import remedy
from rightsloop.grievances.actions.intake import GrievanceReport, submit_grievance
from rightsloop.risks.tests.factories import make_mitigation, make_risk
from rightsloop.stakeholders.groups import Mandate, Speaks
from rightsloop.stakeholders.tests.factories import make_group, make_stakeholder

TODAY = timezone.localdate()
# What the open data may say in words of its own: the published consultation's title and final theme's label.
PUBLISHED_TITLE = "Open Location History Consultation"
PUBLISHED_THEME = "Keep location data for less time"


def canaries(prefix: str) -> dict[str, str]:
    """Distinct words for each kind of protected value, so a leak names its source."""
    kinds = ("name", "email", "phone", "handle", "address", "notes", "needs", "words", "rationale", "next", "title",
             "purpose", "place", "handling", "briefing", "tag", "override", "group", "risk", "product", "context",
             "mitigation", "question", "response", "contact", "candidate", "description", "grievance", "wanted",
             "complainant", "outcome", "plan", "action", "message", "represents", "when", "affected")
    return {kind: f"{prefix}{kind.capitalize()}Canary" for kind in kinds}


def open_data_world(by, *, ordinary: dict[str, str], protected: dict[str, str], workshops: int = 7) -> dict:
    """Records in every table, texts carrying the canaries; `workshops` workshops and two interviews today."""
    people = {}
    for who, words in (("ordinary", ordinary), ("protected", protected)):
        people[who] = make_stakeholder(
            by, name=f"{words['name']} Person", email=f"{words['email'].lower()}@example.org",
            phone="+254700000001" if who == "ordinary" else "+254700000002", messenger_handle=words["handle"],
            postal_address=words["address"], notes=words["notes"], accessibility_needs=words["needs"],
            safety_level="high" if who == "protected" else "normal", country="KE",
            entity_type="person")
    proxy = make_stakeholder(by, name=f"{ordinary['group']} Proxy", kind="proxy", country="KE",
                             speaks_for=[Speaks(group=f"{ordinary['group']} Group", mandate=Mandate(
                                 legitimacy_basis=f"{ordinary['group']} basis"))])
    make_group(by, name=f"{protected['group']} Group", description=f"{protected['group']} description")
    engagements = []
    for n in range(workshops):
        engagements.append(make_engagement(
            by, title=f"{ordinary['title']} {n}", type="workshop", phases=["identify"], starts_on=TODAY,
            purpose=ordinary["purpose"], location=ordinary["place"], handling_notes=ordinary["handling"]))
    for n in range(2):
        make_engagement(by, title=f"{protected['title']} {n}", type="interview", phases=["identify", "act"],
                        starts_on=TODAY, purpose=protected["purpose"])
    engagement = engagements[0]
    engagement_actions.add_briefing(engagement=engagement, title=ordinary["briefing"], link="https://example.org/b",
                                    description=protected["briefing"], shared_on=TODAY, by=by)
    # Six ordinary people (one region: shown) and the protected one, heard directly by an audited override.
    speakers = [make_participation(by, engagement, people["ordinary"])]
    for n in range(5):
        speakers.append(make_participation(by, engagement, make_stakeholder(
            by, name=f"{ordinary['name']} Extra {n}", notes=ordinary["notes"], country="KE")))
    hidden = make_participation(by, engagement, people["protected"], override_reason=protected["override"])
    inputs = [make_input(by, engagement, speaker, text=f"{ordinary['words']} {n}", tags=[ordinary["tag"]])
              for n, speaker in enumerate(speakers)]
    secret = make_input(by, engagement, hidden, text=protected["words"], tags=[protected["tag"]])
    for item in inputs[:3]:
        engagement_actions.record_decision(input=item, outcome="adopted", by=by)
    engagement_actions.record_decision(input=inputs[3], outcome="not_adopted", rationale=ordinary["rationale"],
                                       by=by)
    engagement_actions.record_decision(input=inputs[4], outcome="under_consideration", next_step=ordinary["next"],
                                       next_step_due=TODAY + datetime.timedelta(days=30), by=by)
    engagement_actions.record_decision(input=secret, outcome="not_adopted", rationale=protected["rationale"], by=by)
    speakers[0].refresh_from_db()
    engagement_actions.mark_feedback_delivered(participation=speakers[0], channel="in_person",
                                               note=ordinary["message"], by=by)
    # Risks: five severe privacy risks (shown), one serious (hidden).
    for n in range(5):
        risk = make_risk(by, title=f"{ordinary['risk']} {n}", product=ordinary["product"],
                         description=protected["risk"], use_context=ordinary["context"],
                         affected_groups=protected["affected"], scale=5, scope=4, irremediability=4)
    make_risk(by, title=protected["risk"], product=protected["product"], scale=3, scope=3, irremediability=3)
    make_mitigation(by, risk, action=ordinary["mitigation"])
    # A published consultation: one final theme (its label may be published) and a candidate one (never).
    published = make_consultation(by, title=PUBLISHED_TITLE, question=ordinary["question"])
    Consultation.objects.filter(pk=published.pk).update(published=True)
    make_applied_import(published, [
        {"text": f"{ordinary['response']} {n}", "respondent": f"r{n}", "contact": f"{ordinary['contact']}{n}@x.org"}
        for n in range(8)], by=by)
    theme = make_final_theme(published, PUBLISHED_THEME, list(published.responses.all())[:6])
    Theme.objects.filter(pk=theme.pk).update(description=ordinary["description"])
    Theme.objects.create(consultation=published, label=ordinary["candidate"], size=3)
    decide_theme(theme=theme, outcome="not_adopted", rationale=ordinary["rationale"], by=by)
    unpublished = make_consultation(by, title=protected["question"], question=protected["question"])
    make_applied_import(unpublished, [{"text": protected["response"], "contact": f"{protected['contact']}@x.org"}],
                        by=by)
    make_final_theme(unpublished, protected["candidate"], list(unpublished.responses.all()))
    # Grievances: six on the web page (shown), one by hotline (hidden); one confidential and closed with a remedy.
    cases = []
    for n in range(7):
        confidential = n == 0
        cases.append(submit_grievance(
            organisation=by.organisation, channel="web" if n < 6 else "hotline",
            submission_key=f"open data world {ordinary['grievance']} {n}",
            report=GrievanceReport(
                mode="confidential" if confidential else "anonymous", raised_by="affected",
                description=f"{ordinary['grievance']} {protected['grievance']}", wanted_outcome=ordinary["wanted"],
                complainant_name=protected["complainant"] if confidential else "",
                complainant_contact=f"{protected['contact']}@x.org" if confidential else "",
                product=ordinary["product"], when_text=ordinary["when"], affected_people=protected["affected"],
                country="KE")).grievance)
    case = cases[0]
    plan = remedy.create_plan(grievances=[case], title=ordinary["plan"], by=by)
    remedy.add_action(plan=plan, remedy_type="compensation", description=protected["action"], owner=by.user,
                      due_on=TODAY + datetime.timedelta(days=30), by=by)
    grievance_cases.acknowledge(grievance=case, note=ordinary["message"], by=by)
    grievance_cases.move_stage(grievance=case, to="assessing", by=by)
    grievance_cases.move_stage(grievance=case, to="investigating", by=by)
    grievance_cases.send_message(grievance=case, text=protected["message"], by=by)
    grievance_cases.record_outcome(grievance=case, summary=protected["outcome"], by=by)
    grievance_cases.move_stage(grievance=case, to="closed", by=by)
    return {"people": people, "proxy": proxy, "engagement": engagement, "published": published, "theme": theme,
            "unpublished": unpublished, "cases": cases}
