"""Changes to the organisation itself."""

from django.db import transaction

from rightsloop.accounts.viewer import Viewer

from . import audit
from .models import Organisation

SETTINGS_FIELDS = ["name", "default_language", "feedback_days", "feedback_reply_to"]


@transaction.atomic
def update_organisation(*, organisation: Organisation, name: str, default_language: str,
                        feedback_days: int, feedback_reply_to: str = "", by: Viewer) -> Organisation:
    """Change the organisation's name, language, default days to close the loop (future engagements only) or the
    address replies to feedback letters go to."""
    before = audit.snapshot(organisation, SETTINGS_FIELDS)
    organisation.name = name
    organisation.default_language = default_language
    organisation.feedback_days = feedback_days
    organisation.feedback_reply_to = feedback_reply_to
    changed = audit.changed(organisation, before, SETTINGS_FIELDS)
    if changed:
        organisation.save(update_fields=changed)
        audit.record(organisation=organisation, by=by, action="organisation.updated",
                     target=organisation, summary=organisation.slug, changed_fields=changed)
    return organisation


@transaction.atomic
def record_audit_export(*, filters: str, by: Viewer) -> None:
    """Note in the audit log itself that someone exported it, and with which filters."""
    audit.record(organisation=by.organisation, by=by, action="audit_log.exported", target=by.organisation,
                 summary=filters)
