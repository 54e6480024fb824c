"""Cases for the handling tests, written straight to the database (the intake has tests of its own)."""

from __future__ import annotations

import datetime
import itertools

from django.core.files.base import ContentFile
from django.utils import timezone

from rightsloop.grievances.models import CaseAttachment, Grievance, StageChange
from rightsloop.grievances.vocabulary import Stage

_references = itertools.count(1_000_001)
DESCRIPTION = "My neighbour Wanjiru Kamau was locked out of her account after the face check failed"


def make_case(organisation, *, stage: str = Stage.RECEIVED, received_at: datetime.datetime | None = None,
              description: str = DESCRIPTION, **fields) -> Grievance:
    received_at = received_at or timezone.now()
    number = (Grievance.objects.filter(organisation=organisation).order_by("-number")
              .values_list("number", flat=True).first() or 0) + 1
    values = {
        "organisation": organisation, "number": number, "reference": str(next(_references)),
        "receipt_hash": "x", "received_at": received_at, "description": description,
        "acknowledge_due_on": received_at.date() + datetime.timedelta(days=7),
        "respond_due_on": received_at.date() + datetime.timedelta(days=90),
        "stage": stage, "country": "KE", "product": "FaceCheck", "language": "en", "channel": "web",
    }
    values.update(fields)
    grievance = Grievance.objects.create(**values)
    StageChange.objects.create(grievance=grievance, from_stage="", to_stage=Stage.RECEIVED, at=received_at)
    return grievance


def make_attachment(grievance: Grievance, *, name: str = "Wanjiru-letter.pdf",
                    content: bytes = b"%PDF-1.4 a letter\n") -> CaseAttachment:
    attachment = CaseAttachment(grievance=grievance, file_name=name, content_type="application/pdf",
                                size=len(content), uploaded_at=timezone.now())
    attachment.file.save("upload", ContentFile(content), save=False)
    attachment.save()
    return attachment
