"""Cases for the remedy tests, written straight to the database (intake and handling have tests of their own)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from rightsloop.grievances.follow_up import SESSION_ACTIVE_AT_KEY, SESSION_CASE_KEY
from rightsloop.grievances.models import Grievance, StageChange
from rightsloop.grievances.vocabulary import Stage

_references = itertools.count(2_000_001)
DESCRIPTION = "The fare app charged Amina Yusuf twice and blocked her driver account"


def make_case(organisation, *, stage: str = Stage.INVESTIGATING, description: str = DESCRIPTION,
              **fields) -> Grievance:
    received_at = timezone.now() - datetime.timedelta(days=10)
    number = (Grievance.objects.filter(organisation=organisation).order_by("-number")
              .values_list("number", flat=True).first() or 0) + 1
    values = {
        "organisation": organisation, "number": number, "reference": str(next(_references)),
        "receipt_hash": "x", "received_at": received_at, "description": description,
        "acknowledge_due_on": received_at.date() + datetime.timedelta(days=7),
        "respond_due_on": received_at.date() + datetime.timedelta(days=90),
        "stage": stage, "country": "KE", "product": "FareApp", "language": "en", "channel": "web",
    }
    if stage == Stage.CLOSED:
        values["closed_at"] = timezone.now()
    values.update(fields)
    grievance = Grievance.objects.create(**values)
    StageChange.objects.create(grievance=grievance, from_stage="", to_stage=Stage.RECEIVED, at=received_at)
    return grievance


def follow(client, grievance: Grievance) -> None:
    """Leave the test client following the case, as a checked receipt does (follow_up.open_case)."""
    import time

    session = client.session
    session[SESSION_CASE_KEY] = grievance.pk
    session[SESSION_ACTIVE_AT_KEY] = int(time.time())
    session.save()
