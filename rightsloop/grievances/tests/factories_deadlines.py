"""Cases for the deadline, link and theme tests, written straight to the database (other areas test the intake)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from rightsloop.grievances.models import Grievance
from rightsloop.grievances.vocabulary import Stage

_references = itertools.count(5_000_001)
SECRET_WORDS = "Amina Yusuf was followed home after the app shared her location"


def make_case(organisation, *, stage: str = Stage.RECEIVED, received_on: datetime.date | None = None,
              acknowledge_days: int = 7, respond_days: int = 90, **fields) -> Grievance:
    """A case received on `received_on` (today by default), due as the default settings promise."""
    received_on = received_on or timezone.localdate()
    received_at = datetime.datetime.combine(received_on, datetime.time(10, 0), tzinfo=timezone.get_current_timezone())
    number = (Grievance.objects.filter(organisation=organisation).order_by("-number")
              .values_list("number", flat=True).first() or 0) + 1
    values = {
        "organisation": organisation, "number": number, "reference": str(next(_references)),
        "receipt_hash": "x", "received_at": received_at, "description": SECRET_WORDS,
        "complainant_name": "Amina Yusuf",
        "acknowledge_due_on": received_on + datetime.timedelta(days=acknowledge_days),
        "respond_due_on": received_on + datetime.timedelta(days=respond_days),
        "stage": stage, "country": "KE", "product": "SafeRide", "language": "en", "channel": "web",
        "rights": ["privacy"],
    }
    values.update(fields)
    return Grievance.objects.create(**values)
