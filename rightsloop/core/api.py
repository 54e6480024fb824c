"""JSON front door of the audit log: /api/v1/audit-log, read-only, for those who may read the log (audit.view).

The same filters as the page (core.forms.AuditFilterForm validates both), the same sentences and record names
(core.audit_log): a record the caller may not see is named generically and has no address.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability

from . import audit_log
from .api_errors import documented
from .forms import AuditFilterForm
from .pagination import ApiPages

router = Router(tags=["audit log"])


class AuditQuery(Schema):
    actor: str = Field("", max_length=20, description='A member\'s user id, or "system" for Rightsloop itself')
    action: str = Field("", max_length=64, description="An action code, e.g. decision.recorded")
    target_kind: str = Field("", max_length=64, description="A kind of record, e.g. engagements.input")
    search: str = Field("", max_length=100,
                        description="A record's name, a word of the entry's details, or a record number")
    since: datetime.date | None = Field(None, description="From this day (UTC), inclusive")
    until: datetime.date | None = Field(None, description="Until this day (UTC), inclusive")


class AuditEntryOut(Schema):
    sequence: int
    at: datetime.datetime
    who: str
    role: str
    area: str
    what_happened: str
    record: str = Field(description="The record, named as the caller may see it; empty when none")
    record_url: str = Field(description="Its page, when the caller may open it; empty otherwise")
    action: str
    target_type: str
    target_id: str
    summary: str
    changed_fields: list[str]
    entry_hash: str


class _Readable:
    """The entries as the API returns them: sliced by the paginator, then named in a few queries per page."""

    def __init__(self, viewer, entries):
        self.viewer, self.entries = viewer, entries

    def __len__(self) -> int:
        return self.entries.count()

    def __getitem__(self, window: slice) -> list[dict]:
        return [_out(row) for row in audit_log.readable(self.viewer, self.entries[window])]


def _out(row: audit_log.Readable) -> dict:
    entry = row.entry
    return {
        "sequence": entry.sequence, "at": entry.at, "who": row.who, "role": entry.actor_role, "area": row.area,
        "what_happened": row.sentence, "record": row.target.text if row.target else "",
        "record_url": row.target.url if row.target else "", "action": entry.action,
        "target_type": entry.target_type, "target_id": entry.target_id, "summary": entry.summary,
        "changed_fields": entry.changed_fields, "entry_hash": entry.entry_hash,
    }


@router.get("/audit-log", response=documented({200: list[AuditEntryOut]}),
            summary="The audit log, newest first, in words, with the raw values the chain seals")
@paginate(ApiPages)
def list_audit_log(request, filters: Query[AuditQuery]):
    viewer = request.auth
    if not viewer.can(Capability.AUDIT_VIEW):
        raise PermissionDenied(_("Your role cannot read the audit log."))
    form = AuditFilterForm({name: value for name, value in filters.dict().items() if value not in ("", None)},
                           organisation=viewer.organisation)
    if not form.is_valid():
        raise DjangoValidationError({field: list(errors) for field, errors in form.errors.items()})
    return _Readable(viewer, audit_log.entries(viewer, form.filters()))
