"""Write audit entries; each app's actions call record() inside their own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import models

from .models import AuditEntry, Organisation

if TYPE_CHECKING:
    from rightsloop.accounts.viewer import Viewer


def record(
    *,
    organisation: Organisation | None,
    by: Viewer | None,
    action: str,
    target: models.Model | None = None,
    summary: str = "",
    changed_fields: Iterable[str] = (),
) -> AuditEntry:
    """Append one audit entry; call it from inside the action's transaction."""
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=by.user if by else None,
        actor_label=by.user.get_username() if by else "system",
        actor_role=by.role if by else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        changed_fields=sorted(set(changed_fields)),
    )


def changed(instance: models.Model, before: dict, fields: Iterable[str]) -> list[str]:
    """Name the fields whose value differs from the snapshot taken before an edit."""
    return [name for name in fields if before.get(name) != getattr(instance, name)]


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict:
    return {name: getattr(instance, name) for name in fields}
