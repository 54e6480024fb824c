"""The audit log as people read it: filtered, in sentences, each record named as the reader may see it.

The page, its CSV export and the API read the log through `entries` and `readable`, so the three show the
same entries the same way. A record the reader may not see is named generically and never linked
(core.registry.AuditTarget); a stakeholder at elevated or high safety is named by their pseudonym at most.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .audit_wording import wording
from .models import AuditEntry
from .registry import site

if TYPE_CHECKING:
    from rightsloop.accounts.viewer import Viewer

SYSTEM = "system"  # the person filter's value for entries written by Rightsloop itself
# The most records a name search turns into ids: enough for a person's search, never a whole register.
MOST_NAME_MATCHES = 500


@dataclass(frozen=True)
class Filters:
    actor: str = ""            # a user id, or SYSTEM
    action: str = ""           # an action code
    target_kind: str = ""      # a model label_lower
    search: str = ""           # a record's name, a word of the summary, or a record number
    since: datetime.date | None = None
    until: datetime.date | None = None

    def described(self) -> str:
        """The filters in a line, for the export's own audit entry."""
        parts = [f"{name}={value}" for name, value in (
            ("actor", self.actor), ("action", self.action), ("target", self.target_kind),
            ("search", "yes" if self.search else ""), ("since", self.since or ""), ("until", self.until or ""),
        ) if value]
        return ", ".join(parts) or "everything"


def entries(viewer: Viewer, filters: Filters) -> QuerySet[AuditEntry]:
    """The organisation's audit entries these filters select, newest first."""
    found = AuditEntry.objects.for_organisation(viewer.organisation).select_related("actor")
    if filters.actor == SYSTEM:
        found = found.filter(actor__isnull=True)
    elif filters.actor:
        found = found.filter(actor_id=filters.actor)
    if filters.action:
        found = found.filter(action=filters.action)
    if filters.target_kind:
        found = found.filter(target_type=filters.target_kind)
    if filters.since:
        found = found.filter(at__date__gte=filters.since)
    if filters.until:
        found = found.filter(at__date__lte=filters.until)
    if filters.search:
        found = found.filter(_search(viewer, filters.search, filters.target_kind))
    return found


def _search(viewer: Viewer, text: str, kind: str) -> Q:
    """Entries whose summary holds the text, whose record has that number, or whose record's name holds it."""
    matches = Q(summary__icontains=text)
    if text.isdigit():
        matches |= Q(target_id=text)
    for target in site.audit_targets.values():
        if target.search is None or (kind and target.label != kind):
            continue
        ids = (target.search(viewer, text).annotate(as_text=Cast("pk", CharField()))
               .values_list("as_text", flat=True)[:MOST_NAME_MATCHES])
        matches |= Q(target_type=target.label, target_id__in=list(ids))
    return matches


@dataclass(frozen=True)
class Target:
    text: str
    url: str = ""


@dataclass(frozen=True)
class Readable:
    entry: AuditEntry
    who: str
    role: str               # the actor's role then, in words
    area: str
    sentence: str           # plain text, for the export and the API
    html: SafeString        # the same, the record linked where the reader may open it
    target: Target | None


def who(entry: AuditEntry) -> str:
    if entry.actor is not None:
        return entry.actor.display_name
    if entry.actor_label == SYSTEM:
        return pgettext("audit log: the actor of an automatic change", "Rightsloop")
    return entry.actor_label  # a removed account keeps its username


def readable(viewer: Viewer, page: Iterable[AuditEntry]) -> list[Readable]:
    """The entries as sentences; one query per kind of record named, whatever the number of entries."""
    page = list(page)
    targets = _targets(viewer, page)
    out = []
    for entry in page:
        target = targets.get((entry.target_type, entry.target_id))
        found = wording(entry.action)
        actor = who(entry)
        if found is None:  # an action written before it was worded: shown as it is stored
            sentence = f"{actor}: {entry.action}" + (f" ({target.text})" if target else "")
            out.append(Readable(entry, actor, _role(entry), "", sentence, format_html("{}", sentence), target))
            continue
        named = target.text if target else _("the organisation")
        sentence = _capitalised(str(found.sentence) % {"who": actor, "target": named})
        if target and target.url:
            marker = "\x00"
            text = _capitalised(str(found.sentence) % {"who": actor, "target": marker})
            before, _sep, after = text.partition(marker)
            html = format_html("{}<a href=\"{}\">{}</a>{}", before, target.url, target.text, after)
        else:
            html = format_html("{}", sentence)
        out.append(Readable(entry, actor, _role(entry), str(found.area), sentence, html, target))
    return out


def _role(entry: AuditEntry) -> str:
    from rightsloop.accounts.roles import Role

    return str(Role(entry.actor_role).label) if entry.actor_role in Role.values else entry.actor_role


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _targets(viewer: Viewer, page: list[AuditEntry]) -> dict[tuple[str, str], Target]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in page:
        if entry.target_type and entry.target_id:
            wanted[entry.target_type].add(entry.target_id)
    named: dict[tuple[str, str], Target] = {}
    for label, ids in wanted.items():
        kind = site.audit_targets.get(label)
        if kind is None:
            generic = _generic_noun(label)
            named.update(((label, pk), Target(generic)) for pk in ids)
            continue
        numbers = [int(pk) for pk in ids if pk.isdigit()]
        seen = {str(record.pk): record for record in kind.visible(viewer).filter(pk__in=numbers)}
        for pk in ids:
            record = seen.get(pk)
            if record is None:
                named[(label, pk)] = Target(str(kind.noun))
            else:
                named[(label, pk)] = Target(kind.name(record), kind.url(record) if kind.url else "")
    return named


def _generic_noun(label: str) -> str:
    """A record of a kind no app describes: its kind, unnamed and unlinked."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return _("a record")
    return _("a record (%(kind)s)") % {"kind": model._meta.verbose_name}


def target_kinds() -> list[tuple[str, str]]:
    """The kinds of record the target filter offers, by name."""
    return sorted(((target.label, str(target.title)) for target in site.audit_targets.values()),
                  key=lambda choice: choice[1])
