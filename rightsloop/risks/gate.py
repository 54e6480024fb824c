"""The local-voices gate (G2): a market entry, expansion or high-risk sale waits until its markets were heard.

Each market the decision names needs, on the inputs linked to the decision, at least the organisation's number
of local experts and of affected stakeholders or credible proxies (LocalVoiceThresholds: one and one unless
changed), each heard in one of the market's main languages (core.languages.main_languages: official, or spoken
by a tenth of the people, from CLDR). "Local" is the speaker's country; words a proxy relayed for an affected
group count for each of the group's countries. The language is the input's own (recorded or detected); where it
is unknown, the languages the speaker (or the group) is recorded to speak stand in. A market for which CLDR knows
no language takes any language.

Someone authorised (Capability.LOCAL_VOICES_OVERRIDE: the board, the administrator) may let the decision be
taken without them, with a reason: the override is audited and shown on the board's view.

The rules (`check`) are pure; `local_voices` reads the database in a fixed number of queries, names nobody and
counts voices (distinct stakeholders, or groups for relayed words), never inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rightsloop.core import countries
from rightsloop.core import languages as language_names
from rightsloop.core.languages import main_languages
from rightsloop.stakeholders.vocabulary import Kind, Trait

from .vocabulary import GATED_CATEGORIES

EXPERT = "expert"
AFFECTED = "affected"


@dataclass(frozen=True)
class Voice:
    """One voice heard on the decision: a stakeholder (key "s<id>") or an affected group a proxy spoke for ("g<id>")."""

    key: str
    kind: str                       # EXPERT or AFFECTED; other kinds never reach the gate
    countries: frozenset[str]
    languages: frozenset[str]       # the language(s) the words were given in, as far as known


@dataclass
class MarketVoices:
    country: str
    main_languages: tuple[str, ...]
    experts: int
    affected: int
    experts_needed: int
    affected_needed: int
    missing: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return country_name(self.country)

    @property
    def heard(self) -> bool:
        return not self.missing

    @property
    def language_names(self) -> str:
        return _language_list(self.main_languages)


@dataclass
class LocalVoices:
    """The gate's answer for one decision."""

    applies: bool                   # a gated kind of decision
    markets: list[MarketVoices] = field(default_factory=list)
    overridden: bool = False
    override_reason: str = ""
    needs_markets: bool = False     # a gated decision that names no market yet

    @property
    def heard(self) -> bool:
        return all(market.heard for market in self.markets) and not self.needs_markets

    @property
    def blocks(self) -> bool:
        """Whether the gate keeps the decision from being taken."""
        return self.applies and not self.overridden and not self.heard

    def missing_text(self) -> str:
        """What is missing, market by market, in one paragraph (the decision page and the API's 400)."""
        if self.needs_markets:
            return _("Name the markets this decision concerns: local voices from each must be heard before it "
                     "is taken.")
        return " ".join(line for market in self.markets for line in market.missing)


def country_name(code: str) -> str:
    found = countries.get(code)
    return countries.translated_country_name(found.name) if found else code


def _language_list(codes: Iterable[str]) -> str:
    return ", ".join(language_names.name(code) for code in codes)


def check(markets: Iterable[str], voices: Iterable[Voice], *, experts_needed: int = 1,
          affected_needed: int = 1) -> list[MarketVoices]:
    """Count, market by market, the local experts and affected voices heard in one of its main languages."""
    voices = list(voices)
    answer = []
    for country in sorted({code.upper() for code in markets}):
        wanted = main_languages(country)
        counted = {EXPERT: set(), AFFECTED: set()}
        for voice in voices:
            if country in voice.countries and (not wanted or voice.languages & set(wanted)):
                counted[voice.kind].add(voice.key)
        market = MarketVoices(country=country, main_languages=wanted, experts=len(counted[EXPERT]),
                              affected=len(counted[AFFECTED]), experts_needed=experts_needed,
                              affected_needed=affected_needed)
        where = country_name(country)
        languages = _language_list(wanted)
        if market.experts < experts_needed:
            market.missing.append((ngettext(
                "%(market)s: %(heard)s of %(needed)s local expert heard in one of its main languages "
                "(%(languages)s).",
                "%(market)s: %(heard)s of %(needed)s local experts heard in one of its main languages "
                "(%(languages)s).", experts_needed) if wanted else ngettext(
                "%(market)s: %(heard)s of %(needed)s local expert heard.",
                "%(market)s: %(heard)s of %(needed)s local experts heard.", experts_needed))
                % {"market": where, "heard": market.experts, "needed": experts_needed, "languages": languages})
        if market.affected < affected_needed:
            market.missing.append((ngettext(
                "%(market)s: %(heard)s of %(needed)s affected stakeholder or credible proxy heard in one of its "
                "main languages (%(languages)s).",
                "%(market)s: %(heard)s of %(needed)s affected stakeholders or credible proxies heard in one of its "
                "main languages (%(languages)s).", affected_needed) if wanted else ngettext(
                "%(market)s: %(heard)s of %(needed)s affected stakeholder or credible proxy heard.",
                "%(market)s: %(heard)s of %(needed)s affected stakeholders or credible proxies heard.",
                affected_needed))
                % {"market": where, "heard": market.affected, "needed": affected_needed, "languages": languages})
        answer.append(market)
    return answer


def thresholds(organisation) -> tuple[int, int]:
    """(experts, affected) needed per market: the organisation's own, else one and one."""
    from .models import LocalVoiceThresholds

    row = LocalVoiceThresholds.objects.filter(organisation=organisation).values_list("experts", "affected").first()
    return row or (1, 1)


def voices_on(decision) -> list[Voice]:
    """The expert and affected voices behind the standing inputs linked to the decision (three queries at most)."""
    from rightsloop.engagements.models import Input
    from rightsloop.stakeholders.models import AffectedGroup, StakeholderTrait

    # Through the link table as a subquery: joined the other way, SQLite without statistics read every input
    # of the organisation (300 ms at a million inputs, with none linked).
    linked = decision.inputs.through.objects.filter(strategicdecision_id=decision.pk).values("input_id")
    rows = list(Input.objects.filter(organisation_id=decision.organisation_id, pk__in=linked).standing()
                .values_list("speaker__stakeholder_id", "speaker__stakeholder__kind",
                             "speaker__stakeholder__country", "language", "group_id")
                .distinct().order_by())
    relayed = {group for *_speaker, group in rows if group}
    groups = {pk: (frozenset(code.upper() for code in found), frozenset(spoken)) for pk, found, spoken in
              AffectedGroup.objects.filter(pk__in=relayed).values_list("pk", "countries", "languages")} \
        if relayed else {}
    unknown = {stakeholder for stakeholder, kind, _country, language, group in rows
               if not group and not language and kind in (Kind.EXPERT, Kind.AFFECTED, Kind.PROXY)}
    spoken: dict[int, set[str]] = {}
    if unknown:
        for stakeholder, code in StakeholderTrait.objects.filter(
                stakeholder_id__in=unknown, dimension=Trait.LANGUAGE).values_list("stakeholder_id", "code"):
            spoken.setdefault(stakeholder, set()).add(code)
    voices = []
    for stakeholder, kind, country, language, group in rows:
        if group:
            found, group_languages = groups.get(group, (frozenset(), frozenset()))
            voices.append(Voice(key=f"g{group}", kind=AFFECTED, countries=found,
                                languages=frozenset({language}) if language else group_languages))
            continue
        if stakeholder is None or kind not in (Kind.EXPERT, Kind.AFFECTED, Kind.PROXY):
            continue
        voices.append(Voice(key=f"s{stakeholder}", kind=EXPERT if kind == Kind.EXPERT else AFFECTED,
                            countries=frozenset({country.upper()}) if country else frozenset(),
                            languages=frozenset({language}) if language else frozenset(spoken.get(stakeholder, ()))))
    return voices


def local_voices(decision) -> LocalVoices:
    """The gate for this decision, read from the database."""
    if decision.category not in GATED_CATEGORIES:
        return LocalVoices(applies=False)
    answer = LocalVoices(applies=True, overridden=decision.local_voices_overridden_at is not None,
                         override_reason=decision.local_voices_override_reason)
    markets = list(decision.markets.values_list("country", flat=True))
    if not markets:
        answer.needs_markets = True
        return answer
    experts, affected = thresholds(decision.organisation)
    answer.markets = check(markets, voices_on(decision), experts_needed=experts, affected_needed=affected)
    return answer
