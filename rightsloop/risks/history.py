"""Risk and mitigation histories made readable: who changed what, when and why, each field's old and new value."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.models import User
from rightsloop.core import rights

from .models import ContextEvent, MitigationChange, RiskChange
from .vocabulary import Effectiveness, Involvement, MitigationStatus, OwnerLevel

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

MITIGATION_LABELS = {
    "action": _("Action"), "status": _("Status"), "owner_id": _("Owner"), "due_on": _("Due"),
    "reason": _("Why it is not, or cannot be, mitigated"), "remedy_plan": _("Remedy plan"),
    "effectiveness": _("Effectiveness"), "needs_reassessment": _("Needs reassessment"),
    "flagged_by_id": _("Flagged by"),
}
# Effectiveness and the flag first, as they are what a reader of the trail looks for; then the form's order.
MITIGATION_ORDER = ("effectiveness", "needs_reassessment", "flagged_by_id", "status", "owner_id", "due_on",
                    "action", "reason", "remedy_plan")
# What a new mitigation's first entry shows.
MITIGATION_START = ("action", "status", "owner_id", "due_on")


@dataclass
class Entry:
    change: RiskChange | MitigationChange
    registered: bool
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (field label, old, new)


def _shown(name: str, value, owners: dict[int, str], events: dict[int, str] | None = None) -> str:
    if name == "needs_reassessment":
        return str(_("Yes") if value else _("No"))
    if value in (None, "", []):
        return "—"
    if name == "status":
        return str(MitigationStatus(value).label) if value in MitigationStatus.values else str(value)
    if name == "effectiveness":
        return str(Effectiveness(value).label) if value in Effectiveness.values else str(value)
    if name == "flagged_by_id":
        return (events or {}).get(value, "—")
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


def _names(changes, key: str, model) -> dict:
    ids = {snapshot.get(key) for change in changes for snapshot in (change.before, change.after)} - {None}
    if not ids:
        return {}
    if model is User:
        return {user.pk: user.display_name for user in User.objects.filter(pk__in=ids)}
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "title"))


def _entries(changes: list, *, labels: dict, order: tuple[str, ...], first: tuple[str, ...]) -> list[Entry]:
    owners = _names(changes, "owner_id", User)
    events = _names(changes, "flagged_by_id", ContextEvent)
    result = []
    for change in changes:
        registered = not change.before
        names = first if registered else [name for name in order if name in change.changed_fields]
        entry = Entry(change=change, registered=registered)
        for name in names:
            entry.rows.append((str(labels[name]), _shown(name, change.before.get(name), owners, events),
                               _shown(name, change.after.get(name), owners, events)))
        result.append(entry)
    return result


def mitigation_entries(changes: list[MitigationChange]) -> list[Entry]:
    """Each change of a mitigation with the fields it moved; the first shows what the mitigation started as."""
    return _entries(changes, labels=MITIGATION_LABELS, order=MITIGATION_ORDER, first=MITIGATION_START)


def entries(changes: list[RiskChange]) -> list[Entry]:
    """Each change with the fields it moved; the first (registration) shows the ratings it started with."""
    return _entries(changes, labels=LABELS, order=ORDER, first=RATINGS)
