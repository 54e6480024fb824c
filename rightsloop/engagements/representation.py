"""Who was heard (S2): the people behind a set of inputs, broken down, with the gaps that matter.

Counts are of voices (distinct stakeholders who spoke) and of their inputs; nothing here names
anyone, so the breakdown can be shown to any role that may see the inputs at all. Words a proxy relayed for
an affected group (Input.group) count for the group, as an affected voice heard through a proxy, broken down
by the group's own countries, languages and at-risk attributes: never by the proxy's, nor by any member's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from babel.languages import get_official_languages
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from rightsloop.core import charts, countries
from rightsloop.core import languages as language_names
from rightsloop.stakeholders.models import AffectedGroup, StakeholderTrait
from rightsloop.stakeholders.vocabulary import AtRisk, Kind, Trait

AFFECTED_VOICES = frozenset({Kind.AFFECTED, Kind.PROXY})
FEW = 3


@cache
def main_languages(country: str) -> frozenset[str]:
    """The official and de facto languages of a country (CLDR, through Babel)."""
    return frozenset(code for code in get_official_languages(country, de_facto=True) if len(code) == 2)


class Tally(tuple):
    """One row of a breakdown: (label, count) as the pages unpack it, with the stable code behind the label.

    A pair, so templates and tests read it as before; the code ("affected", "002", "sw", "journalist") is for
    machines (the API), which must not depend on the viewer's language. The unknown region's code is "".
    """

    code: str

    def __new__(cls, code: str, label: str, count: int):
        tally = super().__new__(cls, (label, count))
        tally.code = code
        return tally

    def __getnewargs__(self):  # copy and pickle rebuild it with its code, not from the pair alone
        return (self.code, *self)


# The stakeholder fields the breakdown and the gaps read.
VOICE_FIELDS = ("kind", "region_code", "global_south", "country")


@dataclass
class HeardThroughProxy:
    """Affected groups heard through a proxy: each group counts once, whatever the number of its inputs."""

    groups: int = 0
    inputs: int = 0
    by_region: list[Tally] = field(default_factory=list)
    global_south: dict[str, int] = field(default_factory=lambda: {"yes": 0, "no": 0, "unknown": 0})
    by_language: list[Tally] = field(default_factory=list)
    by_at_risk: list[Tally] = field(default_factory=list)
    # Raw codes for the gaps: the countries and languages the groups heard live in and speak.
    countries: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)


@dataclass
class Heard:
    inputs: int = 0
    unattributed_inputs: int = 0
    voices: int = 0
    by_kind: list[Tally] = field(default_factory=list)
    by_region: list[Tally] = field(default_factory=list)
    global_south: dict[str, int] = field(default_factory=dict)
    by_language: list[Tally] = field(default_factory=list)
    by_at_risk: list[Tally] = field(default_factory=list)
    # Voices per ISO country code (people with no country recorded left out): for maps, never shown as a list.
    by_country: dict[str, int] = field(default_factory=dict)
    # The share of the inputs given by the FEW most frequent speakers; None where the groups show it is
    # at most half (it is only ever compared with half, and counting it means another pass over the inputs).
    top_share: float | None = 0.0
    gaps: list[str] = field(default_factory=list)
    through_proxy: HeardThroughProxy = field(default_factory=HeardThroughProxy)
    # Softer than gaps: worth knowing, not missing (affected people heard only through their proxies).
    notes: list[str] = field(default_factory=list)

    def bar_charts(self) -> list[charts.Bars]:
        """The breakdowns as bars (core.charts), each with its table: the same counts the pages showed as tables.
        Nothing here is hidden: who_was_heard already counted the people the viewer may not know of as
        unattributed inputs, never as voices."""
        south = self.global_south or {}
        return [
            _bars("heard-kind", _("By kind of stakeholder"), _("Voices heard, by kind of stakeholder."),
                  self.by_kind, _("Kind"), _("Voices")),
            _bars("heard-region", _("By region"), _("Voices heard, by region."), self.by_region, _("Region"),
                  _("Voices")),
            _bars("heard-global-south", _("Global South"), _("Voices from the Global South, from outside it, or "
                                                             "from nowhere recorded."),
                  [Tally("yes", _("Yes"), south.get("yes", 0)), Tally("no", _("No"), south.get("no", 0)),
                   Tally("unknown", _("Unknown"), south.get("unknown", 0))],
                  _("From the Global South"), _("Voices")),
            _bars("heard-language", _("By language"), _("Voices heard, by language spoken."), self.by_language,
                  _("Language"), _("Voices")),
            _bars("heard-at-risk", _("By at-risk attribute"), _("Voices heard, by at-risk attribute."),
                  self.by_at_risk, _("At risk"), _("Voices")),
        ]

    def group_bar_charts(self) -> list[charts.Bars]:
        """The affected groups heard through a proxy, as bars with their tables."""
        groups = self.through_proxy
        in_south = Tally("global_south", _("In the Global South"), groups.global_south.get("yes", 0))
        return [
            _bars("heard-groups-region", _("Affected groups heard through a proxy, by region"),
                  _("Groups heard through a proxy, by the regions they live in."), [*groups.by_region, in_south],
                  _("Region"), _("Groups")),
            _bars("heard-groups-language", _("Affected groups heard through a proxy, by language"),
                  _("Groups heard through a proxy, by the languages they speak."), groups.by_language,
                  _("Language"), _("Groups")),
            _bars("heard-groups-at-risk", _("Affected groups heard through a proxy, by at-risk attribute"),
                  _("Groups heard through a proxy, by at-risk attribute."), groups.by_at_risk, _("At risk"),
                  _("Groups")),
        ]


def _bars(key: str, title: str, description: str, tallies: list[Tally], label_heading: str,
          value_heading: str) -> charts.Bars:
    return charts.bars(key, title, description, [{"label": label, "value": n, "url": ""} for label, n in tallies],
                       label_heading=label_heading, value_heading=value_heading)


def who_was_heard(inputs: QuerySet, *, markets: list[str] | tuple[str, ...] = (),
                  speaker: str = "speaker__stakeholder", hidden: QuerySet | None = None,
                  group: str = "group") -> Heard:
    """Break down the speakers of these inputs and flag missing affected, local and varied voices.

    `inputs` is a queryset of inputs, or of rows that stand one for each input and lead to its speaking
    stakeholder through the `speaker` path (a risk's links carry it: risks.RiskInput, speaker="stakeholder"),
    and to the affected group a proxy relayed it for through the `group` path (both call it "group").
    `hidden`: stakeholders the viewer may not know of (stakeholders.queries.hidden_from); their inputs count
    as unattributed, so no group, at-risk count or language of one tells of a protected person. A group's
    words count for the group even when the proxy who relayed them is hidden: the group names nobody.
    """
    relayed = inputs.filter(**{f"{group}__isnull": False})
    inputs = inputs.filter(**{f"{group}__isnull": True})
    unseen = 0
    if hidden is not None:
        unseen = inputs.filter(**{f"{speaker}__in": hidden}).count()
        if unseen:
            inputs = inputs.exclude(**{f"{speaker}__in": hidden})
    # The database does the counting: a risk linked to thousands of inputs gives a few hundred groups of
    # (kind, region, Global South, country), the top speakers and the traits per code, never one row per
    # person (the page must stay fast at a million links). A stakeholder has one value of each field, so
    # the distinct speakers of the groups add up to the voices.
    groups = (inputs.values_list(*(f"{speaker}__{name}" for name in VOICE_FIELDS))
              .annotate(n=Count("*"), voices=Count(f"{speaker}_id", distinct=True)).order_by())
    heard = Heard(inputs=unseen, unattributed_inputs=unseen, through_proxy=_through_proxy(relayed, group))
    heard.inputs += heard.through_proxy.inputs
    kinds, regions, present = Counter(), Counter(), set()
    # In a group of v speakers with n inputs, one speaker gave at most n - v + 1 of them.
    most_by_one: list[int] = []
    south = {"yes": 0, "no": 0, "unknown": 0}
    for kind, region_code, global_south, country, n, voices in groups:
        heard.inputs += n
        if kind is None:  # no speaker recorded (anonymous notes, or the speaker's participation is gone)
            heard.unattributed_inputs += n
            continue
        heard.voices += voices
        most_by_one.append(n - voices + 1)
        kinds[kind] += voices
        regions[region_code] += voices
        south["yes" if global_south is True else "no" if global_south is False else "unknown"] += voices
        present.add(country)
        if country:
            heard.by_country[country] = heard.by_country.get(country, 0) + voices
    if heard.inputs == heard.through_proxy.inputs:  # nobody spoke in their own name
        heard.global_south = south
        heard.gaps = _gaps(heard, kinds, present, set(), markets)
        return heard
    speakers = inputs.filter(**{f"{speaker}__isnull": False}).values(f"{speaker}_id")
    traits = (StakeholderTrait.objects
              .filter(stakeholder_id__in=speakers, dimension__in=[Trait.LANGUAGE, Trait.AT_RISK])
              .values_list("dimension", "code").annotate(n=Count("stakeholder_id", distinct=True)).order_by())
    spoken, at_risk = Counter(), Counter()
    for dimension, code, n in traits:
        (spoken if dimension == Trait.LANGUAGE else at_risk)[code] += n
    heard.by_kind = _ranked((k, str(Kind(k).label), n) for k, n in kinds.items())
    heard.by_region = _by_region(regions)
    heard.global_south = south
    heard.by_language = _by_language(spoken)
    heard.by_at_risk = _by_at_risk(at_risk)
    if sum(sorted(most_by_one, reverse=True)[:FEW]) * 2 > heard.inputs:
        top = (inputs.filter(**{f"{speaker}__isnull": False}).values_list(f"{speaker}_id").annotate(n=Count("id"))
               .order_by("-n")[:FEW])
        heard.top_share = sum(n for _speaker, n in top) / heard.inputs
    else:
        heard.top_share = None
    heard.gaps = _gaps(heard, kinds, present, set(spoken), markets)
    return heard


def _through_proxy(relayed: QuerySet, group: str) -> HeardThroughProxy:
    """Count the affected groups behind relayed inputs, by the groups' own countries, languages and attributes.

    The database counts inputs per group (one row per group heard); an organisation has tens of groups,
    so their lists of codes are then read in one more query and tallied here.
    """
    heard = HeardThroughProxy()
    per_group = dict(relayed.values_list(f"{group}_id").annotate(n=Count("*")).order_by())
    if not per_group:
        return heard
    regions, spoken, at_risk = Counter(), Counter(), Counter()
    for codes, languages_spoken, attributes in (AffectedGroup.objects.filter(pk__in=per_group)
                                                .values_list("countries", "languages", "at_risk")):
        heard.groups += 1
        known = [country for code in codes or [] if (country := countries.get(code))]
        for region_code in {country.region_code for country in known}:
            regions[region_code] += 1
        south = {country.global_south for country in known}
        heard.global_south["yes" if True in south else "no" if False in south else "unknown"] += 1
        heard.countries.update(country.code for country in known)
        for code in set(languages_spoken or []):
            spoken[code] += 1
        heard.languages.update(languages_spoken or [])
        for code in set(attributes or []):
            at_risk[code] += 1
    heard.inputs = sum(per_group.values())
    heard.by_region = _by_region(regions)
    heard.by_language = _by_language(spoken)
    heard.by_at_risk = _by_at_risk(at_risk)
    return heard


def _by_region(regions: Counter) -> list[Tally]:
    return _ranked((code or "", countries.area_name(code) if code else _("Unknown"), n) for code, n in regions.items())


def _by_language(spoken: Counter) -> list[Tally]:
    return _ranked((code, language_names.name(code), n) for code, n in spoken.items())


def _by_at_risk(at_risk: Counter) -> list[Tally]:
    return _ranked((code, str(AtRisk(code).label), n) for code, n in at_risk.items() if code in AtRisk.values)


def _ranked(counts) -> list[Tally]:
    """Largest first; equal counts in alphabetical order, so the same inputs always read the same."""
    return [Tally(code, label, n) for code, label, n in sorted(counts, key=lambda item: (-item[2], str(item[1])))]


def _gaps(heard: Heard, kinds: Counter, present: set[str], spoken: set[str],
          markets: list[str] | tuple[str, ...]) -> list[str]:
    if heard.inputs == 0:
        return [_("Nobody has been heard on this yet.")]
    markets = [code.upper() for code in markets]
    gaps = []
    groups = heard.through_proxy
    present = present | groups.countries
    spoken = spoken | groups.languages
    if not any(kinds[kind] for kind in AFFECTED_VOICES):
        if groups.groups:
            heard.notes.append(_("Affected people were heard only through proxies speaking for their groups."))
        else:
            gaps.append(_("No affected voices: no affected stakeholder or credible proxy has been heard."))
    if markets:
        if not present & set(markets):
            gaps.append(_("No voices from the markets concerned (%(markets)s).") % {"markets": ", ".join(markets)})
        wanted = set().union(*(main_languages(code) for code in markets))
        if wanted and not spoken & wanted:
            gaps.append(_("No voices in the main languages of those markets (%(languages)s).") % {
                "languages": ", ".join(sorted(language_names.name(code) for code in wanted))})
        south = [code for code in markets if (country := countries.get(code)) and country.global_south]
        if south and not heard.global_south["yes"] and not groups.global_south["yes"]:
            gaps.append(_("No Global South voices, although the product is used there."))
    if heard.inputs >= 5 and heard.top_share is not None and heard.top_share > 0.5:
        gaps.append(_("The same few voices dominate: %(n)s stakeholders gave %(share)s %% of the inputs.") % {
            "n": min(FEW, heard.voices), "share": round(heard.top_share * 100)})
    return gaps
