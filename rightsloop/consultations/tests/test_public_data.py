"""The consultations' public table (public_data.py): published consultations' final themes and their decisions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from rightsloop.consultations import public_data
from rightsloop.consultations.actions.outcomes import decide_theme
from rightsloop.consultations.models import Consultation, Theme

from .factories import make_applied_import, make_consultation, make_final_theme

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)
EVER = datetime.date(2000, 1, 1)


def consultation(by, title: str, *, published: bool, responses: int = 6, starts_on=None) -> Consultation:
    found = make_consultation(by, title=title, starts_on=starts_on or TODAY - datetime.timedelta(days=30))
    Consultation.objects.filter(pk=found.pk).update(published=published)
    make_applied_import(found, [{"text": f"Private words number {n} of Jane Canary"} for n in range(responses)],
                        by=by)
    return found


def rows(organisation, start=EVER, end=TOMORROW) -> dict:
    return {(row["theme"], row["outcome"]): row["responses"]
            for row in public_data.responses_by_theme(organisation, start, end)}


def test_published_consultations_final_themes_with_their_decisions(hr_lead):
    public = consultation(hr_lead, "Location history", published=True)
    responses = list(public.responses.all())
    decided = make_final_theme(public, "Keep it shorter", responses[:4])
    waiting = make_final_theme(public, "Explain it better", responses[3:])
    Theme.objects.create(consultation=public, label="Candidate only", size=9)  # never final: not published
    decide_theme(theme=decided, outcome="adopted", by=hr_lead)
    hidden = consultation(hr_lead, "Not published", published=False)
    make_final_theme(hidden, "Secret theme", list(hidden.responses.all()))
    earlier = consultation(hr_lead, "Long ago", published=True, starts_on=datetime.date(2020, 2, 1))
    old = make_final_theme(earlier, "Old theme", list(earlier.responses.all()))
    organisation = hr_lead.organisation
    assert rows(organisation) == {(f"{public.pk}:{decided.pk}", "adopted"): 4,
                                  (f"{public.pk}:{waiting.pk}", "undecided"): 3,
                                  (f"{earlier.pk}:{old.pk}", "undecided"): 6}
    assert rows(organisation, start=datetime.date(2021, 1, 1)) == {
        (f"{public.pk}:{decided.pk}", "adopted"): 4, (f"{public.pk}:{waiting.pk}", "undecided"): 3}
    with translation.override("en"):
        assert public_data.label("theme", f"{public.pk}:{decided.pk}") == "Location history — Keep it shorter"
        assert public_data.label("outcome", "undecided") == "Not decided yet"
        assert public_data.label("outcome", "adopted") == "Adopted"
        # A theme of an unpublished consultation, or a code naming nothing, is never put in words.
        secret = hidden.themes.get()
        assert public_data.label("theme", f"{hidden.pk}:{secret.pk}") == f"{hidden.pk}:{secret.pk}"
        assert public_data.label("theme", f"{public.pk}:{secret.pk}") == f"{public.pk}:{secret.pk}"
        assert public_data.label("theme", "nonsense") == "nonsense"


def test_another_organisation_and_a_constant_number_of_queries(hr_lead, outsider):
    public = consultation(hr_lead, "Location history", published=True)
    make_final_theme(public, "Keep it shorter", list(public.responses.all()))
    assert public_data.responses_by_theme(outsider.organisation, EVER, TOMORROW) == []
    with CaptureQueriesContext(connection) as few:
        public_data.responses_by_theme(hr_lead.organisation, EVER, TOMORROW)
    for n in range(3):
        make_final_theme(public, f"More {n}", list(public.responses.all())[:2])
    with CaptureQueriesContext(connection) as more:
        public_data.responses_by_theme(hr_lead.organisation, EVER, TOMORROW)
    assert len(few) == len(more) == 1
