"""A pool partner's engagement load across every member company (S3 over G3).

engagements.load counts the requests of the partner's own organisation (participations in its register). A
pool partner is also asked by the other members through `PartnerRequest`s; both are read here and counted as
distinct engagements over the same rolling windows, so whichever member looks sees the same figures, and the
thresholds are the contributing organisation's (the one that holds the relationship).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.engagements import load as engagement_load
from rightsloop.engagements.models import Engagement

from .models import PartnerRequest, PoolPartner, SharedEngagement


def pool_load(partner: PoolPartner, *, seen_by, now: datetime.datetime | None = None,
              with_requests: bool = True) -> engagement_load.Load:
    """The partner's load with every member's requests: their register's participations and pool requests.

    seen_by: the organisation reading it. Engagements it may not read (the contributor's own ones, outside any
    shared assessment) count, but are listed without their title.
    """
    now = now or timezone.now()
    stakeholder = partner.stakeholder
    ids = engagement_load.counted_people(stakeholder)
    since = now - datetime.timedelta(days=365)
    moments = list(engagement_load._requests(ids, since, now).values_list("engagement_id", "added_at"))
    pooled = list(PartnerRequest.objects.filter(stakeholder_id__in=ids, requested_at__gt=since,
                                                requested_at__lte=now)
                  .values_list("engagement_id", "requested_at"))
    everything = moments + pooled
    load = engagement_load.Load(
        stakeholder=stakeholder,
        count_90=engagement_load.count_in_window(everything, now=now, days=90),
        count_365=engagement_load.count_in_window(everything, now=now, days=365),
        thresholds=engagement_load.thresholds_of(stakeholder.organisation_id), now=now, counted=ids)
    if with_requests:
        _add_requests(load, everything, seen_by=seen_by, pooled={pk for pk, _at in pooled})
    return load


def _add_requests(load: engagement_load.Load, moments: list[tuple[int, datetime.datetime]], *, seen_by,
                  pooled: set[int]) -> None:
    """Which engagements asked, newest first, by title and organisation only (never its owner's name across
    companies: the team of another member is not shared)."""
    first: dict[int, datetime.datetime] = {}
    for engagement_id, at in sorted(moments, key=lambda pair: pair[1], reverse=True):
        first.setdefault(engagement_id, at)
    chosen = list(first.items())[:engagement_load.REQUESTS_SHOWN]
    engagements = Engagement.objects.select_related("organisation").in_bulk([pk for pk, _at in chosen])
    shared = set(SharedEngagement.objects.filter(engagement_id__in=list(engagements)).values_list(
        "engagement_id", flat=True))
    load.requests = []
    for pk, at in chosen:
        engagement = engagements.get(pk)
        if engagement is None:
            continue
        readable = engagement.organisation_id == seen_by.pk or pk in pooled or pk in shared
        load.requests.append(engagement_load.Request(
            engagement_id=pk if readable else 0,
            title=engagement.title if readable else _("An engagement not shared with you"),
            owner=engagement.organisation.name, functions=[], asked_at=at, stakeholder_id=load.stakeholder.pk))
