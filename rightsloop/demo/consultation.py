"""The demo's public consultation, built through the same actions an analyst's clicks call.

Its responses are imported from a generated CSV, analysed, and the themes finalised with a few confirmed examples
each; two themes are decided and the rest are left for the visitor, so the decisions page and the message sending
show both what is done and what remains.
"""

from __future__ import annotations

import csv
import datetime
import io

from django.core.files.base import ContentFile

from rightsloop.accounts.viewer import Viewer
from rightsloop.consultations.actions import analysis, imports, outcomes, themes
from rightsloop.consultations.actions.consultations import change_settings, open_consultation
from rightsloop.consultations.models import Consultation, ThemeStatus

from . import consultation_content as content

EXAMPLES_PER_THEME = 5


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def build_consultation(*, viewer: Viewer, today: datetime.date) -> Consultation:
    consultation = open_consultation(
        title=content.TITLE, question=content.QUESTION, yes_no=True, issues_receipts=True,
        starts_on=today - datetime.timedelta(days=75), ends_on=today - datetime.timedelta(days=15),
        purpose="Hear users, digital rights groups and child-protection organisations before changing the default.",
        by=viewer)
    job = imports.upload_responses(consultation=consultation, file=ContentFile(_csv(content.responses())),
                                   original_name="survey-export.csv", by=viewer)
    imports.map_columns(response_import=job, by=viewer, background=False, mapping={
        "text": "response", "respondent": "respondent_id", "contact": "email", "consent": "consent",
        "language": "language", "receipt": "receipt", "attributes": ["region"]})
    imports.check_import(response_import=job)
    job.refresh_from_db()
    imports.confirm_import(response_import=job, only_valid=True, by=viewer, background=False)
    imports.apply_import(response_import=job)

    run = analysis.start_discovery(consultation=consultation, parameters={"seed": 0}, by=viewer, enqueue=False)
    analysis.run_discovery(run=run)
    for theme in consultation.themes.filter(status=ThemeStatus.CANDIDATE):
        for example in theme.examples.select_related("response")[:EXAMPLES_PER_THEME]:
            themes.confirm_example(theme=theme, response=example.response, by=viewer)
    themes.finalise_themes(consultation=consultation, by=viewer)
    run = analysis.start_assignment(consultation=consultation, by=viewer, enqueue=False)
    analysis.run_assignment(run=run)

    decided = list(consultation.themes.final().order_by("-size")[:2])
    if decided:
        outcomes.decide_theme(
            theme=decided[0], outcome="adopted", by=viewer,
            rationale="Encryption by default ships in the next release, with encrypted backups as an option.")
    if len(decided) > 1:
        outcomes.decide_theme(
            theme=decided[1], outcome="under_consideration", by=viewer,
            next_step="Test in-app reporting of abuse that keeps messages encrypted, with two child-protection "
                      "organisations.", next_step_due=today + datetime.timedelta(days=45))
    # The next theme is routed to product and left for its decision maker, under "Themes to decide".
    for theme in consultation.themes.final().order_by("-size")[2:3]:
        outcomes.route_theme(theme=theme, owning_function="product", by=viewer)
    # The public page shows only labels a person wrote: the analyst names each theme after what its examples say,
    # and reviews the stance counts of the two decided themes (the others' counts stay off the public page).
    used: set[str] = set()
    for n, theme in enumerate(consultation.themes.final().order_by("-size"), start=1):
        topic = content.topic_of([example.response.text for example in theme.examples.select_related("response")],
                                 taken=used)
        label = content.THEME_LABELS[topic] + (f" ({n})" if topic in used else "")
        used.add(topic)
        themes.rename_theme(theme=theme, label=label, description=theme.description, by=viewer)
    for theme in decided:
        themes.review_stance(theme=theme, by=viewer)
    change_settings(consultation=consultation, published=True, by=viewer)
    return consultation
