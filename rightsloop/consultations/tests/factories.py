"""Consultations and their parts for tests, built through the actions where one exists."""

import datetime
import itertools

from django.core.files.base import ContentFile
from django.utils import timezone

from rightsloop.accounts.viewer import Viewer

from ..actions import consultations as actions
from ..actions.outcomes import route_theme
from ..fingerprints import contact_key, receipt_key, respondent_key
from ..models import (
    Consultation,
    ImportState,
    Respondent,
    Response,
    ResponseImport,
    Theme,
    ThemeAssignment,
    ThemeStatus,
)

_numbers = itertools.count(1)


def make_consultation(by: Viewer, **fields) -> Consultation:
    values = {"title": f"Consultation {next(_numbers)}",
              "starts_on": timezone.localdate() - datetime.timedelta(days=30)}
    values.update(fields)
    return actions.open_consultation(**values, by=by)


def make_applied_import(consultation: Consultation, rows: list[dict], *, by: Viewer | None = None) -> ResponseImport:
    """Responses as if a file had been imported: each row a dict with text and optional respondent/contact/language.

    For tests of what comes after the import (analysis, decisions, messages); the import itself is tested through
    its own actions.
    """
    job = ResponseImport.objects.create(
        organisation=consultation.organisation, consultation=consultation, original_name="responses.csv",
        format="csv", file=ContentFile(b"response\n", name="responses.csv"), state=ImportState.APPLIED,
        rows_total=len(rows), rows_good=len(rows), created_by=by.user if by else None)
    org = consultation.organisation_id
    respondents = {}
    for line, row in enumerate(rows, start=2):
        respondent = None
        key_source = row.get("respondent") or row.get("contact")
        if key_source:
            key = respondent_key(org, key_source)
            respondent = respondents.get(key)
            if respondent is None:
                respondent = Respondent(
                    organisation_id=org, consultation=consultation, response_import=job, line=line, key=key,
                    contact=row.get("contact", ""), consented=row.get("consent", True),
                    contact_index=contact_key(org, row.get("contact", "")),
                    language=row.get("language", ""))
                respondent.save()
                respondents[key] = respondent
        response = Response(
            organisation_id=org, consultation=consultation, response_import=job, respondent=respondent, line=line,
            text=row["text"], length=len(row["text"]), language=row.get("language", ""),
            stance=row.get("stance", ""), attributes=row.get("attributes", {}),
            receipt_index=receipt_key(org, row.get("receipt", "")))
        response.save()
    Consultation.objects.filter(pk=consultation.pk).update(
        responses_count=consultation.responses.count(), respondents_count=consultation.respondents.count())
    consultation.refresh_from_db()
    return job


def make_final_theme(consultation: Consultation, label: str, responses=(), *, confirmed: bool = True,
                     stance_reviewed: bool = True) -> Theme:
    """A final theme under a label a person wrote (confirmed unless told) and stance counts reviewed unless told."""
    now = timezone.now()
    theme = Theme.objects.create(consultation=consultation, label=label, status=ThemeStatus.FINAL,
                                 size=len(responses), label_confirmed_at=now if confirmed else None,
                                 stance_reviewed_at=now if stance_reviewed else None)
    ThemeAssignment.objects.bulk_create([
        ThemeAssignment(consultation=consultation, response=r, theme=theme, source="assigned", confidence=0.9)
        for r in responses])
    return theme


def consultation_world(builder: Viewer, marker: str, *, published: bool = True) -> dict[str, object]:
    """The consultation objects of an access-test world (core/tests/access_worlds.py); texts carry the marker."""
    consultation = make_consultation(builder, title=f"{marker} consultation", issues_receipts=True)
    consultation.published = published
    consultation.save(update_fields=["published"])
    job = make_applied_import(consultation, [
        {"text": f"{marker} response about privacy", "respondent": "r1", "contact": "r1@example.net",
         "receipt": f"{marker}-RECEIPT"},
        {"text": f"{marker} second response", "respondent": "r2"},
    ], by=builder)
    responses = list(consultation.responses.all())
    theme = make_final_theme(consultation, f"{marker} theme", responses)
    # Routed to the world's decision maker's function, so the routed-decision routes have a theme of theirs.
    route_theme(theme=theme, owning_function="product", by=builder)
    return {"consultation": consultation, "consultation_engagement": consultation.engagement,
            "response_import": job, "response": responses[0], "theme": theme,
            "respondent": responses[0].respondent}
