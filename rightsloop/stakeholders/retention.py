"""How long the register keeps people it no longer works with, or who withdrew consent to be kept."""

from django.db.models import Max, Q

from .actions import erase_stakeholder
from .models import ConsentRecord, Stakeholder
from .vocabulary import ConsentScope


def _erase_all(people, reason: str) -> int:
    count = 0
    for stakeholder in people.iterator(chunk_size=200):
        erase_stakeholder(stakeholder=stakeholder, reason=reason, by=None)
        count += 1
    return count


def purge_inactive(organisation, cutoff) -> int:
    """Erase people not changed, and not engaged in anything that ended, since the cutoff."""
    people = (
        Stakeholder.objects.for_organisation(organisation).filter(erased_at__isnull=True, updated_at__lt=cutoff)
        .annotate(last_engaged=Max("participations__engagement__ends_on"))
        .filter(Q(last_engaged__isnull=True) | Q(last_engaged__lt=cutoff.date()))
    )
    return _erase_all(people, "retention: no activity within the retention period")


def purge_withdrawn(organisation, cutoff) -> int:
    """Erase people whose standing answer on keeping their identity has been 'no' since before the cutoff."""
    refused = ConsentRecord.objects.current().filter(
        stakeholder__organisation=organisation, stakeholder__erased_at__isnull=True,
        scope=ConsentScope.STORE_IDENTITY, granted=False, recorded_at__lt=cutoff,
    ).values_list("stakeholder_id", flat=True)
    candidates = []
    for stakeholder_id in set(refused):
        newest = (ConsentRecord.objects.current()
                  .filter(stakeholder_id=stakeholder_id, scope=ConsentScope.STORE_IDENTITY)
                  .order_by("-given_on", "-id").first())
        if newest is not None and not newest.granted and newest.recorded_at < cutoff:
            candidates.append(stakeholder_id)
    people = Stakeholder.objects.filter(pk__in=candidates)
    return _erase_all(people, "retention: consent to keep their identity was refused or withdrawn")
