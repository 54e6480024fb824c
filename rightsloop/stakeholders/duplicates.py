"""Spot likely duplicates when a stakeholder is registered: same email, or a near-identical name in the same country."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from rightsloop.core.models import Organisation

from .models import DuplicateFlag, Stakeholder, name_key

# token_sort_ratio ignores word order ("Ana María Pérez" ~ "Perez, Ana Maria");
# 90 keeps "Digital Rights Kenya" apart from "Digital Rights Uganda".
SIMILARITY_THRESHOLD = 90


@dataclass(frozen=True)
class LikelyDuplicate:
    stakeholder: Stakeholder
    reason: str


def find_likely_duplicates(
    *, organisation: Organisation, name: str, email: str, country: str, exclude_pk: int | None = None
) -> list[LikelyDuplicate]:
    found: dict[int, LikelyDuplicate] = {}
    candidates = Stakeholder.objects.for_organisation(organisation)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    email = email.strip().lower()
    if email:
        for match in candidates.filter(email=email).only("id", "name", "country")[:10]:
            found[match.pk] = LikelyDuplicate(match, DuplicateFlag.Reason.SAME_EMAIL)
    key = name_key(name)
    if key and country:
        same_country = candidates.filter(country=country.upper()).only("id", "name", "name_key")
        for match in same_country.iterator(chunk_size=2000):
            if match.pk in found:
                continue
            if fuzz.token_sort_ratio(key, match.name_key) >= SIMILARITY_THRESHOLD:
                found[match.pk] = LikelyDuplicate(match, DuplicateFlag.Reason.SIMILAR_NAME)
                if len(found) >= 10:
                    break
    return list(found.values())
