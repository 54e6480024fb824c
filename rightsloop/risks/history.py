"""A risk's history made readable: who changed what, when and why, each field's old and new value."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.models import User
from rightsloop.core import rights

from .models import RiskChange
from .vocabulary import Involvement, OwnerLevel

LABELS = {
    "title": _("Title"), "description": _("Description"), "product": _("Product or service"),
    "use_context": _("Use context"), "affected_groups": _("Affected groups"), "involvement": _("Our involvement"),
    "scale": _("Scale"), "scope": _("Scope"), "irremediability": _("Irremediability"),
    "likelihood": _("Likelihood"), "severity": _("Severity"), "owner_id": _("Owner"),
    "owner_level": _("Owned at"), "review_on": _("Next review"), "rights": _("Rights"), "markets": _("Markets"),
}
# Ratings first, as they move the rank; then the rest in the form's order.
ORDER = ("scale", "scope", "irremediability", "severity", "likelihood", "owner_level", "owner_id", "review_on",
         "title", "product", "involvement", "rights", "markets", "description", "use_context", "affected_groups")
RATINGS = ("scale", "scope", "irremediability", "severity", "likelihood")


@dataclass
class Entry:
    change: RiskChange
    registered: bool
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (field label, old, new)


def _shown(name: str, value, owners: dict[int, str]) -> str:
    if value in (None, "", []):
        return "—"
    if name == "involvement":
        return str(Involvement(value).label) if value in Involvement.values else str(value)
    if name == "owner_level":
        return str(OwnerLevel(value).label) if value in OwnerLevel.values else str(value)
    if name == "owner_id":
        return owners.get(value, "—")
    if name == "rights":
        return "; ".join(rights.name(code) for code in value)
    if name == "markets":
        return ", ".join(value)
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def entries(changes: list[RiskChange]) -> list[Entry]:
    """Each change with the fields it moved; the first (registration) shows the ratings it started with."""
    owner_ids = {snapshot.get("owner_id") for change in changes for snapshot in (change.before, change.after)}
    owners = {user.pk: user.display_name for user in User.objects.filter(pk__in=owner_ids - {None})}
    result = []
    for change in changes:
        registered = not change.before
        names = RATINGS if registered else [name for name in ORDER if name in change.changed_fields]
        entry = Entry(change=change, registered=registered)
        for name in names:
            entry.rows.append((str(LABELS[name]), _shown(name, change.before.get(name), owners),
                               _shown(name, change.after.get(name), owners)))
        result.append(entry)
    return result
