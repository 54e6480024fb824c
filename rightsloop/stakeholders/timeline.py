"""A stakeholder's timeline: what they were invited to, what they said, what we decided and told them, their
consent, and where each of their loops stands, as the viewer may see it.

The register keeps only consent; everything else comes from the apps that registered a TimelineSource
(core.registry), so this module never reads another app's models. Each source answers in a fixed number of
queries, whatever the length of the person's history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.viewer import Viewer
from rightsloop.core.registry import site

from .models import Stakeholder


class Kind:
    """What happened, as a code the page and the API share."""

    INVITED = "invited"
    SAID = "said"
    DECIDED = "decided"
    REPORTED = "reported"
    CONSENT_GIVEN = "consent_recorded"
    CONSENT_WITHDRAWN = "consent_withdrawn"


# Several things can share one moment (a consent recorded the day someone is invited): they are told in the
# order the loop runs.
KIND_ORDER = {Kind.CONSENT_GIVEN: 0, Kind.INVITED: 1, Kind.SAID: 2, Kind.DECIDED: 3, Kind.REPORTED: 4,
              Kind.CONSENT_WITHDRAWN: 5}


@dataclass(frozen=True)
class Entry:
    at: datetime.datetime
    kind: str
    summary: str
    detail: str = ""
    url: str = ""
    engagement_id: int | None = None
    engagement_title: str = ""
    # Ties broken by the source's own row order, so the same history always reads the same way.
    sequence: int = 0


@dataclass(frozen=True)
class Standing:
    """Where one of the person's loops stands today."""

    engagement_id: int
    engagement_title: str
    state: str
    label: str
    overdue: bool
    url: str = ""


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def consent_entries(viewer: Viewer, stakeholder: Stakeholder) -> list[Entry]:
    """Each consent recorded (on the day it was given) and each withdrawal; notes never (they may name people)."""
    entries = []
    for record in stakeholder.consents.only(
            "id", "stakeholder_id", "scope", "granted", "method", "given_on", "withdrawn_at").order_by("id"):
        answer = _("granted") if record.granted else _("refused")
        entries.append(Entry(
            at=_start_of(record.given_on), kind=Kind.CONSENT_GIVEN, sequence=record.pk,
            summary=_("Consent to %(scope)s %(answer)s") % {"scope": record.get_scope_display(), "answer": answer},
            detail=record.get_method_display()))
        if record.withdrawn_at is not None:
            entries.append(Entry(
                at=record.withdrawn_at, kind=Kind.CONSENT_WITHDRAWN, sequence=record.pk,
                summary=_("Consent to %(scope)s withdrawn") % {"scope": record.get_scope_display()}))
    return entries


def timeline(viewer: Viewer, stakeholder: Stakeholder) -> list[Entry]:
    """Everything the viewer may see of this person's history, oldest first."""
    entries = consent_entries(viewer, stakeholder)
    for source in site.timeline:
        entries.extend(source.entries(viewer, stakeholder))
    entries.sort(key=lambda entry: (entry.at, KIND_ORDER.get(entry.kind, 9), entry.sequence))
    return entries


def standing(viewer: Viewer, stakeholder: Stakeholder) -> list[Standing]:
    """Where each of the person's loops stands today, as the viewer may see it."""
    lines: list[Standing] = []
    for source in site.timeline:
        if source.standing is not None:
            lines.extend(source.standing(viewer, stakeholder))
    return lines
