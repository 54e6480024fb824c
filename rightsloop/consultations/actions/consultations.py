"""Open a public consultation and change how it is run."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.engagements.actions.engagements import EngagementPlan, create_engagement
from rightsloop.engagements.models import Engagement
from rightsloop.engagements.vocabulary import EngagementType

from .. import loop
from ..models import Consultation

SETTINGS_FIELDS = ("question", "yes_no", "issues_receipts", "published", "review_threshold")


@transaction.atomic
def open_consultation(
    *, title: str, starts_on: datetime.date, ends_on: datetime.date | None = None, purpose: str = "",
    question: str = "", yes_no: bool = False, issues_receipts: bool = False, by: Viewer,
) -> Consultation:
    """A public consultation is an engagement of its own type with the consultation's settings beside it."""
    engagement = create_engagement(plan=EngagementPlan(
        title=title, type=EngagementType.PUBLIC_CONSULTATION, phases=["identify"], starts_on=starts_on,
        ends_on=ends_on, purpose=purpose), by=by)
    consultation = Consultation.objects.create(
        organisation=by.organisation, engagement=engagement, question=question, yes_no=yes_no,
        issues_receipts=issues_receipts)
    audit.record(organisation=by.organisation, by=by, action="consultation.open", target=consultation,
                 summary=title)
    return consultation


@transaction.atomic
def consultation_of(*, engagement: Engagement, by: Viewer) -> Consultation:
    """The consultation beside a public-consultation engagement made elsewhere (engagement form, API)."""
    consultation, created = Consultation.objects.get_or_create(
        engagement=engagement, defaults={"organisation": engagement.organisation})
    if created:
        audit.record(organisation=engagement.organisation, by=by, action="consultation.open", target=consultation,
                     summary=engagement.title)
    return consultation


@transaction.atomic
def change_settings(*, consultation: Consultation, by: Viewer, **values) -> Consultation:
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"not a consultation setting: {', '.join(sorted(unknown))}")
    changed = [name for name, value in values.items() if getattr(consultation, name) != value]
    if "published" in changed and values["published"]:
        check_publishable(consultation)
    for name in changed:
        setattr(consultation, name, values[name])
    if changed:
        consultation.save(update_fields=changed)
        audit.record(organisation=consultation.organisation, by=by, action="consultation.settings",
                     target=consultation, changed_fields=changed)
    return consultation


def check_publishable(consultation: Consultation) -> None:
    """Refuse to publish while a final theme still carries a label no person wrote or confirmed."""
    unconfirmed = loop.unconfirmed_labels(consultation)
    if unconfirmed:
        raise ValidationError({"published": [
            _("Confirm or rewrite the label of every final theme before publishing: the public page never shows "
              "a label the analysis proposed that no one has checked. Still to confirm: %(themes)s.")
            % {"themes": "; ".join(f"“{label}”" for label in unconfirmed)}]})
