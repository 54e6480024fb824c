"""What each app offers the rest of the site: menu entries, dashboard panels, schedules, subject data.

Apps fill the registry in AppConfig.ready(); the layout and the home dashboard
iterate it, so core never imports an app's internals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from rightsloop.accounts.viewer import Viewer


@dataclass(frozen=True)
class MenuEntry:
    label: Promise
    url_name: str
    capability: str
    order: int = 100


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    template: str
    context: Callable[[Viewer], dict[str, Any]]
    capability: str
    order: int = 100


@dataclass(frozen=True)
class Schedule:
    """A background task enqueued on a cron schedule (UTC) by `manage.py run_scheduler`."""

    key: str
    task: Any
    cron: str
    # Called by the scheduler itself instead of enqueued: for the check that watches the task worker, which must
    # run even when the worker is hung.
    in_scheduler: bool = False


@dataclass(frozen=True)
class SubjectData:
    """What an app holds about one stakeholder: how to export it and how to erase it."""

    key: str
    export: Callable[[Any], Any]
    erase: Callable[[Any], int]
    # True when erase finds the data by the person's identity (their address, say): it then runs before the
    # person's key and identity are destroyed, not after.
    reads_identity: bool = False


@dataclass(frozen=True)
class RetentionRule:
    """One kind of record an app keeps for a limited time: after `default_days`, `purge` removes it."""

    key: str
    label: Promise
    default_days: int
    purge: Callable[[Any, Any], int]  # (organisation or None, cutoff datetime) -> records purged
    # Site-wide rules (records that belong to no organisation) run once, with organisation None.
    site_wide: bool = False


@dataclass(frozen=True)
class PortalSection:
    """A part of the stakeholder portal an app serves: its pages live under /portal/<key>/ and its entry in
    the portal's menu appears when `shown(stakeholder)` says the stakeholder has something there."""

    key: str
    label: Promise
    urls: str  # dotted path of the app's portal URL module
    order: int = 100
    shown: Callable[[Any], bool] = lambda stakeholder: True


@dataclass(frozen=True)
class EvidenceSource:
    """Figures an app contributes to one of the board's five questions (core.evidence, the oversight app)."""

    key: str
    question: int       # core.evidence.Question
    collect: Callable[[Any, Any, Any], Any]  # (organisation, period, today) -> core.evidence.Evidence
    order: int = 100


@dataclass(frozen=True)
class PublicTable:
    """Non-personal aggregates an app publishes: the public report's figures (O2) and the open data (O3).

    `rows(organisation, start, end)` counts what happened in [start, end) (dates) as rows of plain values: one per
    combination of the dimensions, e.g. {"quarter": "2026-Q3", "type": "workshop", "engagements": 12}. At most two
    dimensions, one count (`measure`). The disclosure app suppresses small counts before anything leaves, so an
    app cannot forget to; labels turn a dimension's codes into words at display time.
    """

    key: str                                  # the table's file name in the data package: "engagements-by-type"
    title: Promise
    description: Promise
    section: str                              # the public report section it belongs to (disclosure.frameworks)
    dimensions: tuple[tuple[str, Promise, str], ...]   # (field, title, description)
    measure: tuple[str, Promise, str]                  # (field, title, description): a count
    rows: Callable[[Any, Any, Any], list[dict]]        # (organisation, start date, end date exclusive) -> rows
    label: Callable[[str, str], str] = lambda dimension, code: code  # (dimension field, code) -> words
    order: int = 100
    # False when a record may count under several codes (an engagement serving two phases) or the codes nest (the
    # loop's stages): the counts then add up to nothing a reader could use, so no total is assumed public and only
    # the small counts themselves are hidden (disclosure.tables).
    additive: bool = True


@dataclass(frozen=True)
class TimelineSource:
    """What an app adds to a stakeholder's timeline (stakeholders.timeline), as the viewer may see it.

    `entries(viewer, stakeholder)` returns stakeholders.timeline.Entry items in a fixed number of queries;
    `standing(viewer, stakeholder)` (optional) the person's current state there (their loops, say) as
    stakeholders.timeline.Standing items. The stakeholder was already reached through access_stakeholder.
    """

    key: str
    entries: Callable[[Any, Any], list]
    standing: Callable[[Any, Any], list] | None = None
    order: int = 100


@dataclass(frozen=True)
class AuditTarget:
    """A kind of record the audit log names: how to find the ones a reader may see, name them and link them.

    A record the reader may not see (a protected stakeholder without a grant, a grievance outside their cases) is
    named by `noun` alone and never linked (core.audit_log).
    """

    label: str                              # the model's label_lower, as audit entries store it
    title: Promise                          # the kind, in the target filter: "Stakeholder"
    noun: Promise                           # one of them, unnamed: "a stakeholder"
    visible: Callable[[Any], Any]           # viewer -> a QuerySet of the records they may see
    name: Callable[[Any], str]              # record -> its name as the reader may see it
    url: Callable[[Any], str] | None = None  # record -> its page
    # (viewer, text) -> a QuerySet of the visible records whose name holds the text; None: not searchable by name
    search: Callable[[Any, str], Any] | None = None


@dataclass
class Registry:
    menu: list[MenuEntry] = field(default_factory=list)
    panels: list[DashboardPanel] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    subject_data: list[SubjectData] = field(default_factory=list)
    retention: list[RetentionRule] = field(default_factory=list)
    portal_sections: list[PortalSection] = field(default_factory=list)
    evidence: list[EvidenceSource] = field(default_factory=list)
    public_tables: list[PublicTable] = field(default_factory=list)
    audit_targets: dict[str, AuditTarget] = field(default_factory=dict)

    def add_audit_target(self, target: AuditTarget) -> None:
        self.audit_targets.setdefault(target.label, target)
    timeline: list[TimelineSource] = field(default_factory=list)

    def add_timeline(self, source: TimelineSource) -> None:
        if all(existing.key != source.key for existing in self.timeline):
            self.timeline.append(source)
            self.timeline.sort(key=lambda item: (item.order, item.key))

    def add_public_table(self, table: PublicTable) -> None:
        if all(existing.key != table.key for existing in self.public_tables):
            self.public_tables.append(table)
            self.public_tables.sort(key=lambda item: (item.order, item.key))

    def add_evidence(self, source: EvidenceSource) -> None:
        if all(existing.key != source.key for existing in self.evidence):
            self.evidence.append(source)
            self.evidence.sort(key=lambda item: (item.question, item.order))

    def add_portal_section(self, section: PortalSection) -> None:
        if all(existing.key != section.key for existing in self.portal_sections):
            self.portal_sections.append(section)
            self.portal_sections.sort(key=lambda item: item.order)

    def add_retention(self, rule: RetentionRule) -> None:
        if all(existing.key != rule.key for existing in self.retention):
            self.retention.append(rule)

    def add_subject_data(self, handler: SubjectData) -> None:
        if all(existing.key != handler.key for existing in self.subject_data):
            self.subject_data.append(handler)

    def add_schedule(self, schedule: Schedule) -> None:
        if all(existing.key != schedule.key for existing in self.schedules):
            self.schedules.append(schedule)

    def add_menu(self, entry: MenuEntry) -> None:
        if entry not in self.menu:
            self.menu.append(entry)
            self.menu.sort(key=lambda item: item.order)

    def add_panel(self, panel: DashboardPanel) -> None:
        if all(existing.key != panel.key for existing in self.panels):
            self.panels.append(panel)
            self.panels.sort(key=lambda item: item.order)

    def menu_for(self, viewer: Viewer) -> list[MenuEntry]:
        return [entry for entry in self.menu if viewer.can(entry.capability)]

    def panels_for(self, viewer: Viewer) -> list[DashboardPanel]:
        return [panel for panel in self.panels if viewer.can(panel.capability)]


site = Registry()
