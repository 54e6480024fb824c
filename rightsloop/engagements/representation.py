"""Who was heard (S2): the people behind a set of inputs, broken down, with the gaps that matter.

Counts are of voices (distinct stakeholders who spoke) and of their inputs; nothing here names
anyone, so the breakdown can be shown to any role that may see the inputs at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from babel.languages import get_official_languages
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from rightsloop.core import countries
from rightsloop.core import languages as language_names
from rightsloop.stakeholders.models import StakeholderTrait
from rightsloop.stakeholders.vocabulary import AtRisk, Kind, Trait

from .models import Input

AFFECTED_VOICES = frozenset({Kind.AFFECTED, Kind.PROXY})
FEW = 3


@cache
def main_languages(country: str) -> frozenset[str]:
    """The official and de facto languages of a country (CLDR, through Babel)."""
    return frozenset(code for code in get_official_languages(country, de_facto=True) if len(code) == 2)


@dataclass(frozen=True, slots=True)
class Voice:
    """The fields of a speaking stakeholder the breakdown and the gaps read."""

    FIELDS = ("kind", "region_code", "global_south", "country")

    pk: int
    kind: str
    region_code: str
    global_south: bool | None
    country: str


@dataclass
class Heard:
    inputs: int = 0
    unattributed_inputs: int = 0
    voices: int = 0
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    by_region: list[tuple[str, int]] = field(default_factory=list)
    global_south: dict[str, int] = field(default_factory=dict)
    by_language: list[tuple[str, int]] = field(default_factory=list)
    by_at_risk: list[tuple[str, int]] = field(default_factory=list)
    top_share: float = 0.0
    gaps: list[str] = field(default_factory=list)


def who_was_heard(inputs: QuerySet[Input], *, markets: list[str] | tuple[str, ...] = ()) -> Heard:
    """Break down the speakers of these inputs and flag missing affected, local and varied voices."""
    # One grouped query gives the inputs of each speaker (None: not recorded) and the fields the breakdown
    # needs: thousands of speakers stay plain tuples, not model instances, and need no second query with
    # a long IN list. Speakers come in the register's order (Stakeholder.Meta.ordering), newest first.
    rows = (inputs.values_list("speaker__stakeholder_id", *(f"speaker__stakeholder__{name}" for name in Voice.FIELDS))
            .annotate(n=Count("id")).order_by("-speaker__stakeholder__created_at", "-speaker__stakeholder_id"))
    per_speaker: dict[int, int] = {}
    people: list[Voice] = []
    heard = Heard()
    for stakeholder_id, *values, n in rows:
        heard.inputs += n
        if stakeholder_id is None:
            heard.unattributed_inputs += n
            continue
        per_speaker[stakeholder_id] = n
        people.append(Voice(stakeholder_id, *values))
    heard.voices = len(per_speaker)
    traits = StakeholderTrait.objects.filter(stakeholder_id__in=per_speaker,
                                             dimension__in=[Trait.LANGUAGE, Trait.AT_RISK])
    spoken: dict[int, set[str]] = {}
    at_risk = Counter()
    for stakeholder_id, dimension, code in traits.values_list("stakeholder_id", "dimension", "code"):
        if dimension == Trait.LANGUAGE:
            spoken.setdefault(stakeholder_id, set()).add(code)
        else:
            at_risk[code] += 1
    kinds = Counter(person.kind for person in people)
    heard.by_kind = [(str(Kind(k).label), n) for k, n in kinds.most_common()]
    regions = Counter(person.region_code for person in people)
    heard.by_region = [(countries.area_name(code) if code else _("Unknown"), n) for code, n in regions.most_common()]
    heard.global_south = {
        "yes": sum(1 for p in people if p.global_south is True),
        "no": sum(1 for p in people if p.global_south is False),
        "unknown": sum(1 for p in people if p.global_south is None),
    }
    language_counts = Counter(code for codes in spoken.values() for code in codes)
    heard.by_language = [(language_names.name(code), n) for code, n in language_counts.most_common()]
    heard.by_at_risk = [(str(AtRisk(code).label), n) for code, n in at_risk.most_common() if code in AtRisk.values]
    if heard.inputs:
        top = sorted(per_speaker.values(), reverse=True)[:FEW]
        heard.top_share = sum(top) / heard.inputs
    heard.gaps = _gaps(heard, people, spoken, [m.upper() for m in markets])
    return heard


def _gaps(heard: Heard, people: list[Voice], spoken: dict[int, set[str]], markets: list[str]) -> list[str]:
    if heard.inputs == 0:
        return [_("Nobody has been heard on this yet.")]
    gaps = []
    if not any(person.kind in AFFECTED_VOICES for person in people):
        gaps.append(_("No affected voices: no affected stakeholder or credible proxy has been heard."))
    if markets:
        if not any(person.country in markets for person in people):
            gaps.append(_("No voices from the markets concerned (%(markets)s).") % {"markets": ", ".join(markets)})
        wanted = set().union(*(main_languages(code) for code in markets))
        if wanted and not any(spoken.get(person.pk, set()) & wanted for person in people):
            gaps.append(_("No voices in the main languages of those markets (%(languages)s).") % {
                "languages": ", ".join(sorted(language_names.name(code) for code in wanted))})
        south = [code for code in markets if (country := countries.get(code)) and country.global_south]
        if south and not any(person.global_south for person in people):
            gaps.append(_("No Global South voices, although the product is used there."))
    if heard.inputs >= 5 and heard.top_share > 0.5:
        gaps.append(_("The same few voices dominate: %(n)s stakeholders gave %(share)s %% of the inputs.") % {
            "n": min(FEW, heard.voices), "share": round(heard.top_share * 100)})
    return gaps
