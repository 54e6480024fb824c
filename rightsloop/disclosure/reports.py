"""What a public report says, built from the report's own words (screened, disclosure.redaction), the public
tables the apps register (suppressed, disclosure.tables) and the frameworks each section serves.

`content(report)` returns plain JSON: the published version stores it as it was, and the public HTML, the PDF
and the JSON are all drawn from it, so the three never disagree and nothing is recomputed after publication.
Nothing else enters it: no stakeholder is read by name, no input, case or rationale is read at all.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from rightsloop.core import rights as rights_taxonomy
from rightsloop.core.periods import Period
from rightsloop.core.registry import site

from . import frameworks, tables
from .redaction import Screen
from .report_models import NARRATIVE_FIELDS, Report

SECTION_TITLES = {
    "narrative_commitment": gettext_lazy("Our commitment"),
    "narrative_governance": gettext_lazy("Governance and embedding"),
    "salient_issues": gettext_lazy("Our salient human rights issues"),
    "engagement": gettext_lazy("Stakeholder engagement: who we heard, how, and what changed"),
    "decisions_not_adopted": gettext_lazy("What we did not adopt, and why"),
    "remedy": gettext_lazy("Remedy and grievances"),
    "consultations": gettext_lazy("Public consultations: what we heard, what we did"),
    "oversight": gettext_lazy("Board oversight"),
}
# The order sections appear in the report: the company's commitment first, as the UNGP Reporting Framework asks.
ORDER = ("narrative_commitment", "narrative_governance", "salient_issues", "engagement", "decisions_not_adopted",
         "consultations", "remedy", "oversight")
SEVERITY_WORDS = {"severe": gettext_lazy("severe"), "serious": gettext_lazy("serious"),
                  "moderate": gettext_lazy("moderate")}


def severity_word(severity: int | None) -> str:
    from rightsloop.risks import scales

    if severity is None:
        return ""
    if scales.is_severe(severity):
        return str(SEVERITY_WORDS["severe"])
    return str(SEVERITY_WORDS["serious"] if scales.severity_band(severity) >= 3 else SEVERITY_WORDS["moderate"])


def _requirements(section: str) -> list[dict[str, str]]:
    return [{"id": item.id, "code": item.code, "framework": item.framework, "title": item.display_title()}
            for item in frameworks.requirements_for(section)]


def _index() -> list[dict[str, Any]]:
    grouped: dict[str, dict[str, Any]] = {}
    for framework, requirement, sections in frameworks.index():
        entry = grouped.setdefault(framework.key, {
            "framework": framework.display_name(), "short_name": framework.short_name,
            "source": {"url": framework.source.url, "title": framework.source.title,
                       "version": framework.source.version},
            "requirements": []})
        entry["requirements"].append({
            "id": requirement.id, "code": requirement.code, "title": requirement.display_title(),
            "sections": [{"key": key, "title": str(SECTION_TITLES[key])} for key in ORDER if key in sections],
            "not_covered": requirement.display_not_covered(),
            "source": {"url": requirement.source.url, "locator": requirement.source.locator}})
    return list(grouped.values())


def _issues(report: Report, screen: Screen) -> list[dict[str, Any]]:
    issues = []
    for issue in report.issues.select_related("risk").prefetch_related("risk__rights"):
        risk = issue.risk
        issues.append({
            "title": screen(issue.public_title).text,
            "summary": screen(issue.summary).text,
            "rights": [rights_taxonomy.name(code) for code in sorted(r.code for r in risk.rights.all())]
            if risk else [],
            "severity": severity_word(risk.severity) if risk else "",
        })
    return issues


def _consultations(report: Report, start: datetime.date, end: datetime.date) -> list[dict[str, str]]:
    """The consultations whose "what we heard, what we did" page is public: their titles and addresses."""
    from django.urls import reverse

    from rightsloop.consultations.models import Consultation

    found = []
    for consultation in (Consultation.objects.filter(organisation=report.organisation, published=True)
                         .select_related("engagement").order_by("engagement__starts_on", "pk")):
        starts = consultation.engagement.starts_on
        if starts and not (start <= starts < end) and not (consultation.engagement.ends_on
                                                           and start <= consultation.engagement.ends_on < end):
            continue
        found.append({"title": consultation.engagement.title,
                      "url": reverse("consultation_public:heard", args=[consultation.public_token])})
    return found


def _oversight(report: Report, period: Period) -> list[dict[str, Any]]:
    """Facts of the board's own work: none of them is about a person."""
    from rightsloop.oversight.models import BoardBriefing
    from rightsloop.risks.models import BoardReview, Risk
    from rightsloop.risks.vocabulary import OwnerLevel

    organisation = report.organisation
    _start, end = period.bounds()
    board_level = (Risk.objects.filter(organisation=organisation, owner_level=OwnerLevel.BOARD, created_at__lt=end)
                   .exclude(closed_at__lt=end).count())
    reviews = BoardReview.objects.filter(organisation=organisation, reviewed_on__gte=period.start,
                                         reviewed_on__lte=period.end).count()
    briefings = dict(BoardBriefing.objects.filter(organisation=organisation, held_on__gte=period.start,
                                                  held_on__lte=period.end)
                     .values_list("kind").annotate(n=Count("id")).order_by())
    return [
        {"key": "board_level_risks", "label": _("Salient risks overseen by the board"), "value": board_level},
        {"key": "board_reviews", "label": _("Reviews of those risks by the board"), "value": reviews},
        {"key": "board_briefings", "label": _("Board briefings and trainings on human rights"),
         "value": sum(briefings.values())},
    ]


def _laid_out(table: dict[str, Any]) -> dict[str, Any]:
    """The table's rows as the report prints them: the labels in order, then the count or why it is hidden."""
    measure = table["measure"]["name"]
    table["lines"] = [{"labels": [row[f"{dimension['name']}_label"] for dimension in table["dimensions"]],
                       "value": row[measure], "note": row[f"{measure}_note"], "hidden": row["hidden"]}
                      for row in table["rows"]]
    return table


def content(report: Report, *, published_at: datetime.datetime | None = None, number: int | None = None
            ) -> dict[str, Any]:
    period = Period.parse(report.period)
    start, end = period.start, period.end + datetime.timedelta(days=1)
    screen = Screen(report.organisation)
    texts = {section: screen(getattr(report, name)) for name, section in NARRATIVE_FIELDS}
    by_section: dict[str, list[dict[str, Any]]] = {key: [] for key in ORDER}
    for table in site.public_tables:
        if table.section in by_section:
            by_section[table.section].append(_laid_out(
                tables.published(table, report.organisation, start, end).to_json()))
    sections = []
    for key in ORDER:
        section: dict[str, Any] = {"key": key, "title": str(SECTION_TITLES[key]), "text": texts[key].text,
                                   "requirements": _requirements(key), "tables": by_section[key]}
        if key == "salient_issues":
            section["issues"] = _issues(report, screen)
        if key == "consultations":
            section["consultations"] = _consultations(report, start, end)
        if key == "oversight":
            section["figures"] = _oversight(report, period)
        sections.append(section)
    withheld = sum(found.withheld for found in texts.values())
    return {
        "organisation": report.organisation.name, "title": screen(report.title).text,
        "period": period.key, "period_label": period.label, "starts_on": period.start.isoformat(),
        "ends_on": period.end.isoformat(), "version": number or report.version,
        "published_at": (published_at or timezone.now()).isoformat(), "language": get_language() or "",
        "sections": sections, "index": _index(), "withheld": withheld,
        "suppression": _("Counts of fewer than 5 are shown as “fewer than 5”, and other counts are hidden where "
                         "they would let a hidden one be worked out. People at high risk are never counted."),
    }


def is_empty(data: dict[str, Any]) -> bool:
    """True when no section has words, issues, consultations or a count above zero."""
    def counted(table) -> bool:
        return any(row.get("hidden") or row.get(table["measure"]["name"]) for row in table.get("rows", []))

    return not any(section["text"] or section.get("issues") or section.get("consultations")
                   or any(counted(table) for table in section["tables"]) for section in data["sections"])


def notices(data: dict[str, Any]) -> list[str]:
    """What the builder tells the team about a draft: empty sections, figures withheld, names withheld."""
    found = []
    if is_empty(data):
        found.append(_("Nothing was recorded in this period and no section is written: the report would be "
                       "empty."))
    for section in data["sections"]:
        rows = [row for table in section["tables"] for row in table.get("rows", [])]
        if rows and all(row.get("hidden") for row in rows):
            found.append(_("“%(section)s”: every figure concerns too few people to publish; they are all "
                           "withheld.") % {"section": section["title"]})
    if data["withheld"]:
        found.append(_("Names or addresses of people who may not be named publicly were found in your text: "
                       "they will read “[withheld]”. Rephrase if the sentence no longer makes sense."))
    return found
