"""Automatic redaction of the report's own words: nobody is named publicly unless they may be.

The report's narrative and its salient issues are written for publication, but by people who know the
stakeholders by name. Before anything is shown as "the published report", every such text is screened against
the organisation's register through its blind indexes (the names themselves stay sealed):

- each word of the text is folded as names are (stakeholders.models.name_key) and looked up among the register's
  name tokens; a stakeholder whose every name word appears, in order, is mentioned;
- each e-mail address in the text is looked up in the register's e-mail index.

A mentioned stakeholder may be named only if their safety level is normal and their agreement in force lets us
name them (relationships.queries.attribution_terms: `may_name_them`, no NDA binding). Anyone else's name, and any
register address, is replaced by "[withheld]". This cannot be turned off: there is no setting and no role that
skips it. When unsure (a name shared by someone who may be named and someone who may not) it withholds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Subquery
from django.utils.translation import gettext as _

from rightsloop.core import sealing
from rightsloop.stakeholders.models import NameToken, Stakeholder, email_key, name_key
from rightsloop.stakeholders.vocabulary import SafetyLevel

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
WORD = re.compile(r"\w+", re.UNICODE)


def withheld() -> str:
    return _("[withheld]")


@dataclass
class Screened:
    text: str
    withheld: int = 0                                         # how many mentions were replaced
    people: set[int] = field(default_factory=set)             # whose (ids; never shown publicly)


def may_be_named(stakeholder: Stakeholder) -> bool:
    from rightsloop.relationships.queries import attribution_terms

    if stakeholder.is_erased or stakeholder.safety_level != SafetyLevel.NORMAL:
        return False
    terms = attribution_terms(stakeholder)
    return bool(terms.may_name_them() and not terms.nda_binding)


class Screen:
    """Screens many texts of one organisation, remembering what it looked up."""

    def __init__(self, organisation):
        self.organisation = organisation
        self._named: dict[int, bool] = {}

    def _allowed(self, stakeholder: Stakeholder) -> bool:
        if stakeholder.pk not in self._named:
            self._named[stakeholder.pk] = may_be_named(stakeholder)
        return self._named[stakeholder.pk]

    def __call__(self, text: str) -> Screened:
        if not text:
            return Screened(text="")
        found = Screened(text=text)
        self._emails(found)
        self._names(found)
        return found

    def _emails(self, found: Screened) -> None:
        organisation_id = self.organisation.pk

        def replace(match: re.Match) -> str:
            index = sealing.blind_index(organisation_id, email_key(match.group(0)))
            people = list(Stakeholder.objects.filter(organisation_id=organisation_id, email_index=index))
            if people and not all(self._allowed(person) for person in people):
                found.withheld += 1
                found.people.update(person.pk for person in people)
                return withheld()
            return match.group(0)

        found.text = EMAIL.sub(replace, found.text)

    def _names(self, found: Screened) -> None:
        words = [(match.start(), match.end(), name_key(match.group(0))) for match in WORD.finditer(found.text)]
        folded = [word for _start, _end, word in words if word]
        if not folded:
            return
        organisation_id = self.organisation.pk
        tokens = {sealing.blind_index(organisation_id, word): word for word in set(folded)}
        # Only people every word of whose name is in the text (in SQL: matched words = all their words), so a
        # common word ("group", "the") does not make thousands of sealed names to open at 100,000 stakeholders.
        all_words = (NameToken.objects.filter(stakeholder_id=OuterRef("stakeholder_id")).order_by()
                     .values("stakeholder_id").annotate(total=Count("id")).values("total"))
        candidates = set(NameToken.objects.filter(token__in=tokens, stakeholder__organisation_id=organisation_id)
                         .order_by().values("stakeholder_id").annotate(matched=Count("id"), total=Subquery(all_words))
                         .filter(matched=F("total")).values_list("stakeholder_id", flat=True))
        spans: list[tuple[int, int]] = []
        for person in Stakeholder.objects.filter(pk__in=candidates):
            name = name_key(person.name).split()
            if not name or self._allowed(person):
                continue
            # Every occurrence of the whole name, word after word (folded as the register folds names).
            for start in range(len(words) - len(name) + 1):
                if [words[start + n][2] for n in range(len(name))] == name:
                    spans.append((words[start][0], words[start + len(name) - 1][1]))
                    found.people.add(person.pk)
        if not spans:
            return
        text, last = [], 0
        for start, end in sorted(spans):
            if start < last:  # overlapping mentions of two people: already withheld
                continue
            text.append(found.text[last:start])
            text.append(withheld())
            found.withheld += 1
            last = end
        text.append(found.text[last:])
        found.text = "".join(text)
