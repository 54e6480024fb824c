"""Spot likely duplicates when a stakeholder is registered: same email, or a near-identical name in the same country.

Emails and names are sealed, so candidates are found through blind indexes (the email's keyed
fingerprint; stakeholders in the same country sharing at least one name word), and only those few
names are opened and compared.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from rapidfuzz import fuzz

from rightsloop.core import sealing

from .models import DuplicateFlag, NameToken, Stakeholder, email_key, name_key, name_words

# token_sort_ratio ignores word order ("Ana María Pérez" ~ "Perez, Ana Maria");
# 90 keeps "Digital Rights Kenya" apart from "Digital Rights Uganda".
SIMILARITY_THRESHOLD = 90
MAX_FLAGS = 10


@dataclass(frozen=True)
class LikelyDuplicate:
    stakeholder: Stakeholder
    reason: str


def find_likely_duplicates(
    *, candidates: QuerySet[Stakeholder], organisation_id: int, name: str, email: str, country: str,
    exclude_pk: int | None = None,
) -> list[LikelyDuplicate]:
    """Look among `candidates` (what the registering user may see) for the same person or organisation."""
    found: dict[int, LikelyDuplicate] = {}
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    email = email_key(email)
    if email:
        index = sealing.blind_index(organisation_id, email)
        for match in candidates.filter(email_index=index)[:MAX_FLAGS]:
            found[match.pk] = LikelyDuplicate(match, DuplicateFlag.Reason.SAME_EMAIL)
    key = name_key(name)
    if key and country:
        tokens = [sealing.blind_index(organisation_id, word) for word in name_words(name)]
        sharing = NameToken.objects.filter(token__in=tokens).values("stakeholder_id")
        same_country = candidates.filter(country=country.upper(), pk__in=sharing).exclude(pk__in=list(found))
        for match in same_country.iterator(chunk_size=500):
            if fuzz.token_sort_ratio(key, name_key(match.name)) >= SIMILARITY_THRESHOLD:
                found[match.pk] = LikelyDuplicate(match, DuplicateFlag.Reason.SIMILAR_NAME)
                if len(found) >= MAX_FLAGS:
                    break
    return list(found.values())
