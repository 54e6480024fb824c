"""The register's part of the board's first question (O1): whom we know of, where, in which languages, against
the countries of the salient risks.

Every figure is a stock read as of the period's end (`Period.as_of`): stakeholders registered before that day
ended and not erased before it, affected groups described before it, mandates not ended by it. Kind, country,
traits and review dates are read as they stand today (the register keeps no history of them), and an erased
person's country and traits are gone, so a past period counts them by kind and region only. The database does
the counting; nothing here names anyone or reads a free-text field. People at high safety level are left out
of every figure, as they are of every breakdown a viewer without a grant sees (docs/security/x2-access.md): the
board view is one set of figures for every reader, so it holds nothing a count of one could tell of them. Totals
are exact; in a breakdown that could point at a person (a country, a
language, an at-risk group) a count under `core.charts.SMALLEST` is hidden ("fewer than 5"; None on a map).
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rightsloop.accounts.roles import Capability
from rightsloop.core import countries
from rightsloop.core import languages as language_names
from rightsloop.core.charts import SMALLEST, fewer_than
from rightsloop.core.evidence import (
    ATTENTION,
    DOWN,
    MISSING,
    OK,
    PERCENT,
    UP,
    ChartData,
    Evidence,
    Figure,
    Finding,
    Question,
    Table,
    share,
)
from rightsloop.core.periods import Period

from .models import REVIEW_EVERY, AffectedGroup, Representation, Stakeholder, StakeholderTrait
from .vocabulary import AtRisk, Kind, SafetyLevel, Trait

SOURCE = "stakeholders.register"
RIGHTS_HOLDERS = (Kind.AFFECTED, Kind.PROXY)
# The longest list of languages a table shows; the rest are counted in its note.
LANGUAGE_ROWS = 15
# How many country or language names a finding spells out before "and n more".
NAMED = 8


def end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the current time zone: a stock "as of" the day counts what came before."""
    zone = timezone.get_current_timezone()
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)


def market_highlights(markets: dict[str, bool]) -> dict[str, str]:
    """How a world map marks the countries of open salient risks: "risk" where one is severe, else "market"."""
    return {code: "risk" if severe else "market" for code, severe in markets.items()}


def country_name(code: str) -> str:
    country = countries.get(code)
    return country.local_name if country else code


def named(names: list[str]) -> str:
    """A list of names for a sentence, cut to the first few with the number left out."""
    if len(names) <= NAMED:
        return ", ".join(names)
    rest = len(names) - NAMED
    return ngettext("%(names)s and %(n)s more", "%(names)s and %(n)s more", rest) % {
        "names": ", ".join(names[:NAMED]), "n": rest}


def by_severity(codes, markets: dict[str, bool]) -> list[str]:
    """Countries of a severe risk first, then the others, each by name."""
    return sorted(codes, key=lambda code: (not markets.get(code), countries.sort_key(country_name(code))))


def market_name(code: str, markets: dict[str, bool]) -> str:
    """A country by name, marked when a severe risk is there."""
    if markets.get(code):
        return _("%(country)s (severe)") % {"country": country_name(code)}
    return country_name(code)


def market_names(codes, markets: dict[str, bool]) -> list[str]:
    return [market_name(code, markets) for code in by_severity(codes, markets)]


def few_hidden(count: int) -> int | None:
    """A count of people for a map: under SMALLEST (but not none) it could point at someone, so None (hidden)."""
    return None if 0 < count < SMALLEST else count


def few_hidden_cell(count: int) -> int | str:
    """The same rule for a table cell, which says "fewer than 5" instead."""
    return fewer_than(SMALLEST) if 0 < count < SMALLEST else count


def people_per_country(counts: Counter) -> dict[str, int | None]:
    return {code: few_hidden(n) for code, n in sorted(counts.items())}


def link(url: str, capability: str) -> dict[str, str]:
    return {"url": url, "capability": capability}


def risk_market_url(code: str) -> str:
    """The risk register filtered to one market (the board may follow it: risks carry no personal data)."""
    return f"{reverse('risks:register')}?{urlencode({'market': code})}"


def _list_url(**filters: str) -> str:
    address = reverse("stakeholders:list")
    return f"{address}?{urlencode(filters)}" if filters else address


def registered(organisation, until: datetime.datetime):
    """Stakeholders registered before `until` and not erased by then, but for people at high safety level."""
    return (Stakeholder.objects.for_organisation(organisation).filter(created_at__lt=until)
            .exclude(safety_level=SafetyLevel.HIGH)
            .filter(Q(erased_at__isnull=True) | Q(erased_at__gte=until)))


def collect_register(organisation, period: Period, today: datetime.date) -> Evidence:
    """Register coverage on the period's last day, against the countries of the salient risks open then."""
    from rightsloop.risks.queries import market_countries

    as_of = period.as_of(today)
    until = end_of(as_of)
    on = formats.date_format(as_of)
    markets = market_countries(organisation, as_of)
    people = registered(organisation, until)
    # One row per (kind, place): a few hundred at most, whatever the size of the register.
    rows = list(people.order_by().values_list("kind", "country", "region_code", "subregion_code", "global_south")
                .annotate(n=Count("id")))
    traits = list(StakeholderTrait.objects.filter(
        stakeholder__organisation=organisation, stakeholder__created_at__lt=until,
        dimension__in=[Trait.LANGUAGE, Trait.AT_RISK],
    ).exclude(stakeholder__safety_level=SafetyLevel.HIGH).filter(
        Q(stakeholder__erased_at__isnull=True) | Q(stakeholder__erased_at__gte=until)).order_by()
        .values_list("dimension", "code", "stakeholder__kind").annotate(n=Count("id")))
    # An organisation describes tens of groups: their lists of codes are read whole and tallied here.
    groups = list(AffectedGroup.objects.for_organisation(organisation).filter(created_at__lt=until)
                  .values_list("countries", "languages", "at_risk"))
    mandates = Representation.objects.filter(
        group__organisation=organisation, group__created_at__lt=until, created_at__lt=until,
    ).exclude(proxy__safety_level=SafetyLevel.HIGH).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=until)).aggregate(
        groups=Count("group_id", distinct=True), proxies=Count("proxy_id", distinct=True),
        due=Count("id", filter=Q(reviewed_on__isnull=True) | Q(reviewed_on__lt=as_of - REVIEW_EVERY)),
    )

    total = sum(n for *_place, n in rows)
    by_kind, by_region, by_country, south = Counter(), Counter(), Counter(), Counter()
    rights_holders_in, subregions_known = Counter(), set()
    for kind, country, region_code, subregion_code, global_south, n in rows:
        by_kind[kind] += n
        by_region[region_code] += n
        if country:
            by_country[country] += n
        south[global_south] += n
        if kind in RIGHTS_HOLDERS:
            rights_holders_in[country] += n
            if subregion_code:
                subregions_known.add(subregion_code)
    spoken, spoken_by_rights_holders, at_risk = Counter(), set(), Counter()
    for dimension, code, kind, n in traits:
        if dimension == Trait.LANGUAGE:
            spoken[code] += n
            if kind in RIGHTS_HOLDERS:
                spoken_by_rights_holders.add(code)
        else:
            at_risk[code] += n
    groups_in, group_languages, groups_at_risk = Counter(), set(), Counter()
    for group_countries, group_spoken, group_at_risk in groups:
        for code in set(group_countries or []):
            groups_in[code] += 1
            if (country := countries.get(code)) and country.subregion_code:
                subregions_known.add(country.subregion_code)
        group_languages.update(group_spoken or [])
        for code in set(group_at_risk or []):
            groups_at_risk[code] += 1

    rights_holders = sum(by_kind[kind] for kind in RIGHTS_HOLDERS)
    regions = [code for code in by_region if code]
    uncovered = sorted(code for code in markets if not rights_holders_in[code] and not groups_in[code])
    wanted = _main_languages(markets)
    known_languages = spoken_by_rights_holders | group_languages
    missing_languages = sorted((language_names.name(code) for code in wanted - known_languages),
                               key=countries.sort_key)
    market_subregions = {country.subregion_code for code in markets
                         if (country := countries.get(code)) and country.subregion_code}
    missing_subregions = sorted((countries.area_name(code) for code in market_subregions - subregions_known),
                                key=countries.sort_key)
    groups_without_proxy = len(groups) - mandates["groups"]

    risks_url = reverse("risks:register")
    groups_url = reverse("stakeholders:group-list")
    view = Capability.STAKEHOLDERS_VIEW
    figures = [
        Figure(key="stakeholders", label=_("Stakeholders registered"), value=total, better=UP,
               url=_list_url(), capability=view),
        Figure(key="rights_holders", label=_("Affected stakeholders and credible proxies"), value=rights_holders,
               better=UP, url=_list_url(), capability=view),
        Figure(key="regions", label=_("Regions with stakeholders"), value=len(regions), better=UP),
        Figure(key="global_south_share", label=_("Registered in the Global South"),
               value=share(south[True], total), unit=PERCENT, url=_list_url(global_south="yes"), capability=view),
        Figure(key="languages", label=_("Languages spoken"), value=len(spoken), better=UP),
        Figure(key="affected_groups", label=_("Affected groups described"), value=len(groups), better=UP,
               url=groups_url, capability=view),
        Figure(key="groups_without_proxy", label=_("Affected groups without a credible proxy"),
               value=groups_without_proxy, better=DOWN, url=groups_url, capability=view),
        Figure(key="proxies_with_mandate", label=_("Credible proxies with a current mandate"),
               value=mandates["proxies"], better=UP, url=_list_url(kind=Kind.PROXY), capability=view),
        Figure(key="mandates_due_review", label=_("Mandates not reviewed for over a year"),
               value=mandates["due"], better=DOWN, url=groups_url, capability=view),
        Figure(key="risk_countries", label=_("Countries of salient risks"), value=len(markets),
               url=risks_url, capability=Capability.RISKS_VIEW),
        Figure(key="risk_countries_without_affected",
               label=_("Countries of salient risks where no affected people are known"), value=len(uncovered),
               better=DOWN, url=risks_url, capability=Capability.RISKS_VIEW),
        Figure(key="market_languages_missing",
               label=_("Main languages of those countries no affected person we know speaks"),
               value=len(missing_languages), better=DOWN),
    ]

    findings = []
    if not total:
        findings.append(Finding(text=_("No stakeholder was registered on %(date)s.") % {"date": on},
                                url=_list_url(), capability=view, severity=MISSING))
    elif not rights_holders and not groups:
        findings.append(Finding(
            text=_("No affected stakeholder, credible proxy or affected group is registered: the register knows "
                   "only experts and others, not the people whose rights are at stake."),
            url=_list_url(), capability=view, severity=MISSING))
    if uncovered:
        findings.append(Finding(
            text=ngettext(
                "No affected people are known in %(n)s country of salient risks: %(countries)s.",
                "No affected people are known in %(n)s countries of salient risks: %(countries)s.",
                len(uncovered)) % {"n": len(uncovered), "countries": named(market_names(uncovered, markets))},
            url=risks_url, capability=Capability.RISKS_VIEW,
            severity=MISSING if any(markets[code] for code in uncovered) else ATTENTION))
    if missing_subregions:
        findings.append(Finding(text=_(
            "No affected people are known anywhere in %(regions)s, where salient risks are.") % {
            "regions": named(missing_subregions)}))
    if missing_languages:
        findings.append(Finding(text=ngettext(
            "None of the affected people or groups we know speaks %(languages)s, a main language of a country of "
            "salient risks.",
            "None of the affected people or groups we know speaks %(languages)s, main languages of the countries "
            "of salient risks.", len(missing_languages)) % {"languages": named(missing_languages)}))
    if groups_without_proxy:
        findings.append(Finding(text=ngettext(
            "%(n)s affected group has no credible proxy with a current mandate to speak for it.",
            "%(n)s affected groups have no credible proxy with a current mandate to speak for them.",
            groups_without_proxy) % {"n": groups_without_proxy}, url=groups_url, capability=view))
    if mandates["due"]:
        findings.append(Finding(text=ngettext(
            "%(n)s proxy's mandate was not reviewed in the year before %(date)s.",
            "%(n)s proxies' mandates were not reviewed in the year before %(date)s.",
            mandates["due"]) % {"n": mandates["due"], "date": on}, url=groups_url, capability=view))

    if not total:
        reading = _("Nobody was registered on %(date)s.") % {"date": on}
    else:
        reading = ngettext(
            "%(n)s stakeholder registered across %(regions)s (%(south)s %% in the Global South)",
            "%(n)s stakeholders registered across %(regions)s (%(south)s %% in the Global South)",
            total) % {"n": total, "south": share(south[True], total),
                      "regions": ngettext("%(n)s region", "%(n)s regions", len(regions)) % {"n": len(regions)}}
        if not markets:
            reading += _("; no salient risk is registered to compare them with.")
        elif uncovered:
            reading += _("; no affected people known in %(missing)s of %(markets)s countries of salient risks "
                         "(%(countries)s).") % {"missing": len(uncovered), "markets": len(markets),
                                                "countries": named(market_names(uncovered, markets))}
        else:
            reading += _("; affected people are known in each of the %(markets)s countries of salient risks.") % {
                "markets": len(markets)}
    status = (MISSING if any(f.severity == MISSING for f in findings)
              else ATTENTION if findings else OK)

    return Evidence(
        source=SOURCE, question=Question.KNOW_STAKEHOLDERS, title=_("The stakeholder register"), status=status,
        reading=reading, figures=figures, findings=findings,
        tables=[
            _kind_table(by_kind, total),
            _region_table(by_region, markets),
            _language_table(spoken, wanted),
            _at_risk_table(at_risk, groups_at_risk),
            _market_table(markets, by_country, rights_holders_in, groups_in),
        ],
        charts=[ChartData(
            kind="world_map", key="stakeholders_by_country", title=_("Where our stakeholders are"),
            description=_("Stakeholders registered per country on %(date)s; the countries of open salient risks "
                          "are highlighted.") % {"date": on},
            data={"values": people_per_country(by_country), "highlighted": market_highlights(markets),
                  "value_heading": _("Stakeholders")},
        )],
    )


def _main_languages(markets) -> set[str]:
    from rightsloop.engagements.representation import main_languages

    return set().union(*(main_languages(code) for code in markets)) if markets else set()


def _kind_table(by_kind: Counter, total: int) -> Table:
    return Table(
        key="by_kind", title=_("Stakeholders by kind"),
        headings=[_("Kind"), _("Stakeholders"), _("Share")],
        rows=[[str(label), by_kind[code], share(by_kind[code], total),
               link(_list_url(kind=code), Capability.STAKEHOLDERS_VIEW)] for code, label in Kind.choices],
        note=_("Others (investors, business partners) are not rights-holders and never count as affected voices."),
    )


def _region_table(by_region: Counter, markets: dict[str, bool]) -> Table:
    risk_countries = Counter(country.region_code for code in markets if (country := countries.get(code)))
    codes = sorted(set(by_region) | set(risk_countries),
                   key=lambda code: (-by_region[code], countries.sort_key(countries.area_name(code) if code else "")))
    rows = []
    for code in codes:
        label = countries.area_name(code) if code else _("No country recorded")
        row = [label, by_region[code], risk_countries[code]]
        if code:
            row.append(link(_list_url(region=code), Capability.STAKEHOLDERS_VIEW))
        rows.append(row)
    return Table(key="by_region", title=_("Stakeholders by region"),
                 headings=[_("Region"), _("Stakeholders"), _("Countries of salient risks")], rows=rows)


def _language_table(spoken: Counter, wanted: set[str]) -> Table:
    ranked = sorted(spoken.items(), key=lambda item: (-item[1], language_names.name(item[0])))
    rows = [[language_names.name(code), few_hidden_cell(n), _("yes") if code in wanted else "",
             link(_list_url(language=code), Capability.STAKEHOLDERS_VIEW)] for code, n in ranked[:LANGUAGE_ROWS]]
    rest = len(ranked) - LANGUAGE_ROWS
    note = ngettext("%(n)s more language is spoken by fewer people.",
                    "%(n)s more languages are spoken by fewer people.", rest) % {"n": rest} if rest > 0 else ""
    return Table(key="by_language", title=_("Languages our stakeholders speak"),
                 headings=[_("Language"), _("Stakeholders"), _("Main language of a country of salient risks")],
                 rows=rows, note=note)


def _at_risk_table(at_risk: Counter, groups_at_risk: Counter) -> Table:
    rows = [[str(label), few_hidden_cell(at_risk[code]), groups_at_risk[code],
             link(_list_url(at_risk=code), Capability.STAKEHOLDERS_VIEW)]
            for code, label in sorted(AtRisk.choices, key=lambda item: (-at_risk[item[0]], str(item[1])))]
    return Table(key="by_at_risk", title=_("People at risk we know of"),
                 headings=[_("At-risk group"), _("Stakeholders"), _("Affected groups")], rows=rows,
                 note=_("People at high safety level are not counted in the board's figures."))


def _market_table(markets: dict[str, bool], by_country: Counter, rights_holders_in: Counter,
                  groups_in: Counter) -> Table:
    rows = [[country_name(code), _("yes") if markets[code] else _("no"), few_hidden_cell(by_country[code]),
             few_hidden_cell(rights_holders_in[code]), groups_in[code],
             link(risk_market_url(code), Capability.RISKS_VIEW)]
            for code in by_severity(markets, markets)]
    return Table(key="risk_countries", title=_("Countries of salient risks"),
                 headings=[_("Country"), _("Severe risk"), _("Stakeholders"),
                           _("Affected stakeholders and credible proxies"), _("Affected groups living there")],
                 rows=rows)
