"""The public report: drafted, reviewed, approved by a role that may publish, published as an immutable version at
a public address in HTML, PDF and JSON; and nothing protected in any of them."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rightsloop.disclosure import report_actions as actions
from rightsloop.disclosure.report_models import ReportStatus, ReportVersion
from rightsloop.disclosure.report_tasks import render_report_pdf
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.grievances.actions import intake
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.tests.factories import make_stakeholder

CANARIES = ("Canary-Defender", "canary.defender@example.org", "Canary-Person", "Canary said words",
            "Canary rationale", "Canary grievance", "Canary-Risk-Title-Internal")


def year() -> str:
    return str(timezone.localdate().year)


def plant(hr_lead):
    """Every protected value the report must never show, where a careless builder would find it."""
    defender = make_stakeholder(hr_lead, name=CANARIES[0], email=CANARIES[1], safety_level="high", country="KE")
    person = make_stakeholder(hr_lead, name=CANARIES[2], country="KE")
    proxy = make_stakeholder(hr_lead, name="Proxy organisation", kind="proxy", country="KE")
    engagement = make_engagement(hr_lead, title="Community meeting")
    said = make_input(hr_lead, engagement, make_participation(hr_lead, engagement, person), text=CANARIES[3])
    make_participation(hr_lead, engagement, defender, via_proxy=proxy)
    engagement_actions.record_decision(input=said, outcome="not_adopted", rationale=CANARIES[4], by=hr_lead)
    risk = make_risk(hr_lead, title=CANARIES[6], rights=["privacy"], scale=5, scope=5, irremediability=5,
                     likelihood=4)
    intake.submit_grievance(organisation=hr_lead.organisation, channel="web", submission_key="canary-report",
                            report=intake.GrievanceReport(mode="confidential", raised_by="affected",
                                                          description=CANARIES[5], complainant_name=CANARIES[2],
                                                          country="KE"))
    return risk


def published_report(hr_lead, admin, risk):
    report = actions.create_report(period=year(), title="Human rights report", by=hr_lead)
    actions.update_report(report=report, by=hr_lead, commitment="We respect human rights.",
                          engagement_text=f"We met {CANARIES[0]} and {CANARIES[2]} ({CANARIES[1]}).")
    actions.save_issue(report=report, public_title="Location data and police requests", risk=risk,
                       summary="How location data could reach the authorities.", by=hr_lead)
    actions.mark_reviewed(report=report, by=hr_lead)
    actions.approve(report=report, by=admin)
    return report, actions.publish(report=report, by=admin)


def leaks(text: str) -> list[str]:
    return [canary for canary in CANARIES if canary.lower() in text.lower()]


def test_no_protected_value_reaches_any_output_format(organisation, hr_lead, admin, settings):
    risk = plant(hr_lead)
    _report, version = published_report(hr_lead, admin, risk)
    render_report_pdf.call(version.pk)
    version.refresh_from_db()
    slug = organisation.slug
    anyone = Client()
    html = anyone.get(reverse("reports-public:report", args=[slug, year()])).content.decode()
    assert "Location data and police requests" in html and "[withheld]" in html
    body = anyone.get(reverse("reports-public:json", args=[slug, year()]))
    assert body.status_code == 200
    pdf = b"".join(anyone.get(reverse("reports-public:pdf", args=[slug, year()])).streaming_content)
    assert pdf.startswith(b"%PDF")
    from rightsloop.disclosure.report_tasks import document_html

    printed = document_html(version, for_print=True)
    for output in (html, json.dumps(body.json()), json.dumps(version.content), printed):
        assert not leaks(output)


def test_the_way_to_publication(organisation, hr_lead, admin, board, decision_maker):
    risk = plant(hr_lead)
    report = actions.create_report(period=year(), title="Human rights report", by=hr_lead)
    actions.update_report(report=report, by=hr_lead, commitment="We respect human rights.")
    with pytest.raises(ValidationError):
        actions.approve(report=report, by=admin)  # not reviewed yet
    actions.mark_reviewed(report=report, by=hr_lead)
    with pytest.raises(PermissionDenied, match="administrator or a board member"):
        actions.approve(report=report, by=hr_lead)
    actions.update_report(report=report, by=hr_lead, governance="The board oversees it.")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT, "a change after review sends it back"
    actions.mark_reviewed(report=report, by=hr_lead)
    actions.approve(report=report, by=board)
    version = actions.publish(report=report, by=board)
    assert version.number == 1
    with pytest.raises(ValidationError, match="cannot be changed"):
        actions.update_report(report=report, by=hr_lead, commitment="Rewritten after publication.")
    with pytest.raises(ValueError):
        version.content = {}
        version.save()
    actions.start_new_version(report=report, by=hr_lead)
    actions.save_issue(report=report, public_title="Location data", risk=risk, by=hr_lead)
    actions.mark_reviewed(report=report, by=hr_lead)
    actions.approve(report=report, by=admin)
    assert actions.publish(report=report, by=admin).number == 2
    assert ReportVersion.objects.get(report=report, number=1).content["sections"][2]["issues"] == []


def test_an_empty_period_cannot_be_published(organisation, hr_lead):
    report = actions.create_report(period="2021", title="Nothing happened", by=hr_lead)
    with pytest.raises(ValidationError, match="nothing to publish"):
        actions.mark_reviewed(report=report, by=hr_lead)


def test_the_public_addresses(organisation, other_organisation, hr_lead, admin):
    anyone = Client()
    slug = organisation.slug
    assert anyone.get(reverse("reports-public:index", args=[slug])).status_code == 404
    published_report(hr_lead, admin, plant(hr_lead))
    assert anyone.get(reverse("reports-public:index", args=[slug])).status_code == 200
    assert anyone.get(reverse("reports-public:report-version", args=[slug, year(), 1])).status_code == 200
    assert anyone.get(reverse("reports-public:report-version", args=[slug, year(), 2])).status_code == 404
    assert anyone.get(reverse("reports-public:report", args=[other_organisation.slug, year()])).status_code == 404
    pending = anyone.get(reverse("reports-public:pdf", args=[slug, year()]))
    assert pending.status_code == 503 and pending["Retry-After"]
    page = anyone.get(reverse("reports-public:report", args=[slug, year()]))
    assert len(page.content) < 50_000, "public pages stay under 50 KB"
    assert b"<script" not in page.content
    compressed = anyone.get(reverse("reports-public:report", args=[slug, year()]), HTTP_ACCEPT_ENCODING="gzip")
    assert compressed["Content-Encoding"] == "gzip" and len(compressed.content) < len(page.content) / 3


def test_the_builder_pages(organisation, hr_lead, admin, board, sign_in):
    plant(hr_lead)
    client = sign_in(hr_lead)
    refused = client.post(reverse("reports:list"), {"period": "someday", "title": "x"})
    assert refused.status_code == 400 and "is not a period" in refused.content.decode()
    created = client.post(reverse("reports:list"), {"period": year(), "title": "Human rights report"})
    assert created.status_code == 302
    url = created["Location"]
    page = client.get(url)
    assert page.status_code == 200
    report_pk = int(url.rstrip("/").split("/")[-1])
    client.post(reverse("reports:detail", args=[report_pk]), {"title": "Human rights report",
                                                             "commitment": "We respect rights."})
    assert client.post(reverse("reports:review", args=[report_pk])).status_code == 302
    refused = client.post(reverse("reports:approve", args=[report_pk]))
    assert refused.status_code == 403 and "administrator or a board member" in refused.content.decode()
    assert sign_in(board).post(reverse("reports:approve", args=[report_pk])).status_code == 302
    assert sign_in(board).post(reverse("reports:publish", args=[report_pk])).status_code == 302
    preview = client.get(reverse("reports:preview", args=[report_pk]))
    assert preview.status_code == 200 and b"Preview" in preview.content


def test_the_pdf_task_run_twice_renders_one_pdf(organisation, hr_lead, admin):
    _report, version = published_report(hr_lead, admin, plant(hr_lead))
    assert render_report_pdf.call(version.pk) == "ready"
    version.refresh_from_db()
    name, pages = version.pdf.name, version.pdf_pages
    assert render_report_pdf.call(version.pk) == "ready"
    version.refresh_from_db()
    assert (version.pdf.name, version.pdf_pages) == (name, pages) and pages >= 3


def test_a_period_whose_only_engagement_heard_one_person_at_risk_says_so_and_shows_nothing_of_them(
        organisation, hr_lead):
    from rightsloop.disclosure import reports

    defender = make_stakeholder(hr_lead, name=CANARIES[0], safety_level="high", country="MM")
    proxy = make_stakeholder(hr_lead, name="Proxy organisation", kind="proxy", country="MM")
    engagement = make_engagement(hr_lead, title="A single interview")
    # The person at risk takes part through a proxy: nothing they say is stored against them (engagements).
    make_participation(hr_lead, engagement, defender, via_proxy=proxy)
    report = actions.create_report(period=year(), title="Human rights report", by=hr_lead)
    data = reports.content(report)
    notices = reports.notices(data)
    assert any("Stakeholder engagement" in notice and "too few people" in notice for notice in notices)
    assert not leaks(json.dumps(data))
    engagement_section = next(s for s in data["sections"] if s["key"] == "engagement")
    shown = [line for table in engagement_section["tables"] for line in table["lines"] if not line["hidden"]]
    assert all(not line["value"] for line in shown), "nothing about the one interview is counted"
