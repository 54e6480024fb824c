"""Consent to be contacted when a respondent answers more than once: a refusal anywhere wins over any yes.

Imports go through the real actions (file, mapping, check, apply); the outcome is then sent and the test reads who
was written to.
"""

import pytest
from django.core import mail

from .. import loop
from ..actions import imports as import_actions
from ..actions import outcomes as outcome_actions
from ..models import Respondent
from .factories import make_final_theme
from .test_imports import applied, csv_bytes, make_consultation

pytestmark = pytest.mark.django_db


def rollback(job, by):
    import_actions.rollback_import(response_import=job, by=by, background=False)


def row(who: str, consent: str, text: str = "Keep the library open") -> tuple:
    return (who, f"{text} ({who}, {consent or 'blank'})", f"{who}@example.org", consent, "en", "", "north")


def send(consultation, by) -> set[str]:
    theme = make_final_theme(consultation, "Opening hours", list(consultation.responses.all()))
    outcome_actions.decide_theme(theme=theme, outcome="adopted", rationale="Open on Sundays from May.", by=by)
    run = outcome_actions.start_sending(consultation=consultation, by=by, background=False)
    outcome_actions.deliver(run_id=run.pk)
    return {address.split("@")[0] for message in mail.outbox for address in message.to}


FIRST = [row("no-then-yes", "no"), row("yes-then-no", "yes"), row("yes-then-blank", "yes"),
         row("blank-then-yes", ""), row("yes-twice", "yes"), row("maybe-then-yes", "maybe")]
SECOND = [row("no-then-yes", "yes", "Again"), row("yes-then-no", "no", "Again"),
          row("yes-then-blank", "", "Again"), row("blank-then-yes", "yes", "Again"), row("yes-twice", "y", "Again"),
          row("maybe-then-yes", "yes", "Again")]
# A refusal anywhere wins; an empty cell is no answer; a value that is not a yes is a refusal.
EMAILED = {"yes-then-blank", "blank-then-yes", "yes-twice"}


def test_within_one_import_a_refusal_anywhere_wins(hr_lead):
    consultation = make_consultation(hr_lead)
    applied(consultation, hr_lead, csv_bytes(FIRST + SECOND))
    assert send(consultation, hr_lead) == EMAILED
    assert loop.sending_counts(consultation).without_consent == len(FIRST) - len(EMAILED)


def test_across_two_imports_a_refusal_anywhere_wins(hr_lead):
    consultation = make_consultation(hr_lead)
    applied(consultation, hr_lead, csv_bytes(FIRST))
    applied(consultation, hr_lead, csv_bytes(SECOND))
    assert Respondent.objects.filter(consultation=consultation).count() == len(FIRST)
    assert send(consultation, hr_lead) == EMAILED


def test_the_same_address_refused_under_another_respondent_id_is_not_written_to(hr_lead):
    consultation = make_consultation(hr_lead)
    applied(consultation, hr_lead, csv_bytes([
        ("r1", "Keep it open", "shared@example.org", "yes", "en", "", "north"),
        ("r2", "Close it", "Shared@Example.org", "no", "en", "", "north"),
        ("r3", "Longer hours", "r3@example.org", "yes", "en", "", "north")]))
    assert send(consultation, hr_lead) == {"r3"}


def test_rolling_back_the_file_that_said_yes_takes_the_yes_back(hr_lead):
    consultation = make_consultation(hr_lead)
    applied(consultation, hr_lead, csv_bytes([row("late-yes", ""), row("kept", "yes")]))
    later = applied(consultation, hr_lead, csv_bytes([row("late-yes", "yes", "Again")]))
    rollback(later, hr_lead)
    assert send(consultation, hr_lead) == {"kept"}


def test_rolling_back_the_file_that_refused_gives_back_the_earlier_yes(hr_lead):
    consultation = make_consultation(hr_lead)
    applied(consultation, hr_lead, csv_bytes([row("changed-mind", "yes")]))
    later = applied(consultation, hr_lead, csv_bytes([row("changed-mind", "no", "Again")]))
    rollback(later, hr_lead)
    assert send(consultation, hr_lead) == {"changed-mind"}
