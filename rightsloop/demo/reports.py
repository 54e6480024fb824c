"""The demo organisation's public reporting (O2, O3): last year's report published, this year's in draft, and the
open data package published.

Written through the disclosure actions as the human rights lead, the administrator and the board member would.
The published report's words were written for publication; one sentence names a community researcher at risk,
as a careless draft might, and the published report reads "[withheld]" in her place (disclosure.redaction).
"""

from __future__ import annotations

import datetime

from rightsloop.accounts.viewer import Viewer
from rightsloop.disclosure import report_actions
from rightsloop.disclosure.report_tasks import render_report_pdf
from rightsloop.risks.models import Risk

from . import content

ISSUES = (
    ("refugee_location", "Location data of refugees reaching the authorities",
     "Where people live under an authority that persecutes them, a precise location history can put them in "
     "danger. We no longer keep location history by default in refugee-hosting areas."),
    ("government_demands", "Government demands for user data",
     "Authorities in several markets ask for account data and interception without a court order. We publish "
     "how many demands we receive and refuse those without a legal basis we can test."),
    ("fraud", "Fraud draining small traders' wallets",
     "Traders lose their takings to impersonation, and recovery has taken weeks. We now freeze a wallet within "
     "minutes of a report and aim to return funds within five days."),
)


def _risk(organisation, title_start: str) -> Risk | None:
    return Risk.objects.filter(organisation=organisation, title__istartswith=title_start).first()


def load_reports(*, viewers: dict[str, Viewer], stakeholders, today: datetime.date) -> dict[str, int]:
    from rightsloop.demo.risks import RISKS

    hr_lead, admin, board = viewers[content.HR_LEAD], viewers[content.ADMIN], viewers["helena"]
    organisation = hr_lead.organisation
    titles = {risk.key: risk.title for risk in RISKS}
    last_year = report_actions.create_report(period=str(today.year - 1),
                                             title=f"Human rights report {today.year - 1}", by=hr_lead)
    defender = stakeholders.get("maricel")
    report_actions.update_report(
        report=last_year, by=hr_lead,
        commitment="We commit to respect the human rights of everyone our messaging, payments and identity "
                   "products touch, following the UN Guiding Principles on Business and Human Rights.",
        governance="The human rights team reports to the general counsel; the board owns the risks that are most "
                   "severe and signs off market entries and sales to high-risk customers.",
        salient_method="We rate each risk by scale, scope and how hard it would be to put right, then by "
                       "likelihood, and ask the people affected and their representatives whether we have it "
                       "right.",
        engagement_text="We heard traders, riders, refugees' representatives, disability advocates and digital "
                        "rights groups in workshops, interviews and through trusted organisations. "
                        + (f"A community researcher, {defender.name}, helped us reach people who could not safely "
                           "meet us. " if defender else "")
                        + "What changed: faster fraud recovery, a longer PIN screen, location history off by "
                          "default in refugee-hosting areas.",
        decisions_text="Some requests were not adopted: most because the data is needed to prevent fraud, in which "
                       "case we shortened how long we keep it instead.",
        remedy_text="Anyone can raise a grievance on our public page, anonymously if they need to; we answer within "
                    "seven days and aim to close within ninety.",
        oversight_text="The board reviews its risks at least once a year and was briefed twice on human rights.")
    for position, (key, public_title, summary) in enumerate(ISSUES):
        report_actions.save_issue(report=last_year, public_title=public_title, summary=summary, position=position,
                                  risk=_risk(organisation, titles[key][:40]), by=hr_lead)
    report_actions.mark_reviewed(report=last_year, by=hr_lead)
    report_actions.approve(report=last_year, by=board)
    version = report_actions.publish(report=last_year, by=admin)
    render_report_pdf.call(version.pk)
    this_year = report_actions.create_report(period=str(today.year), title=f"Human rights report {today.year}",
                                             by=hr_lead)
    report_actions.update_report(report=this_year, by=hr_lead, commitment=last_year.commitment)
    from rightsloop.disclosure.actions import publish_open_data, set_open_data

    set_open_data(organisation=organisation, published=True, by=admin)
    # Built here rather than by the task set_open_data queues, so the package is there when the demo starts.
    publish_open_data(organisation=organisation, today=today)
    return {"reports": 2, "published_versions": 1, "open_data": 1}


def delete_reports(organisation) -> None:
    """Published versions are never deleted one by one; a demo reset removes them with their sealed PDFs."""
    from rightsloop.core import sealed_files
    from rightsloop.disclosure.report_models import Report, ReportVersion

    for version in ReportVersion.objects.filter(report__organisation=organisation):
        sealed_files.delete(version.pdf)
    Report.objects.filter(organisation=organisation).delete()
