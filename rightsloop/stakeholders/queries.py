"""Reads of the stakeholder register, always scoped to what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.access import plausible_id

from .channels import Reach
from .models import ConsentRecord, DuplicateFlag, Stakeholder, StakeholderGrant
from .pseudonyms import pseudonym
from .vocabulary import ConsentScope, SafetyLevel


def granted(viewer: Viewer) -> QuerySet[StakeholderGrant]:
    return StakeholderGrant.objects.active().filter(user=viewer.user, stakeholder__organisation=viewer.organisation)


def visible_stakeholders(viewer: Viewer) -> QuerySet[Stakeholder]:
    """The register as this viewer may see it: high-safety people only with an explicit grant."""
    if not viewer.can(Capability.STAKEHOLDERS_VIEW):
        return Stakeholder.objects.none()
    return Stakeholder.objects.for_organisation(viewer.organisation).filter(
        ~Q(safety_level=SafetyLevel.HIGH) | Q(pk__in=granted(viewer).values("stakeholder_id"))
    )


def hidden_from(viewer: Viewer) -> QuerySet[Stakeholder]:
    """High-safety people of the viewer's organisation on whom the viewer holds no grant.

    To this viewer they do not exist: every read that reaches stakeholders through something else
    (participations, inputs, breakdowns of who was heard, counts) leaves them out with this, so that
    not even a pseudonym or a count of one tells that they are there.
    """
    return hidden_from_member(viewer.organisation, viewer.user)


def hidden_from_member(organisation, user) -> QuerySet[Stakeholder]:
    """hidden_from for someone reached outside a request (the owner a reminder email goes to)."""
    grants = StakeholderGrant.objects.active().filter(user=user, stakeholder__organisation=organisation)
    return Stakeholder.objects.for_organisation(organisation).filter(safety_level=SafetyLevel.HIGH).exclude(
        pk__in=grants.values("stakeholder_id"))


def holds_grant(viewer: Viewer, stakeholder: Stakeholder) -> bool:
    return granted(viewer).filter(stakeholder=stakeholder).exists()


def access_stakeholder(viewer: Viewer, pk: int, *, for_update: bool = False) -> Stakeholder:
    """Return the stakeholder if the viewer may see it; 'not found' for missing and not-yours alike."""
    if (for_update and not viewer.can(Capability.STAKEHOLDERS_EDIT)) or not plausible_id(pk):
        raise Http404
    try:
        return (
            visible_stakeholders(viewer)
            .prefetch_related("traits")
            .get(pk=pk)
        )
    except (Stakeholder.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class StakeholderFilters:
    q: str = ""
    kind: str = ""
    region: str = ""
    global_south: bool | None = None
    language: str = ""
    safety_level: str = ""
    at_risk: str = ""
    country: str = ""

    def apply(self, queryset: QuerySet[Stakeholder], organisation) -> QuerySet[Stakeholder]:
        if self.q:
            queryset = queryset.search(organisation, self.q)
        if self.kind:
            queryset = queryset.filter(kind=self.kind)
        if self.region:
            queryset = queryset.filter(region_code=self.region)
        if self.country:
            queryset = queryset.filter(country=self.country.upper())
        if self.global_south is not None:
            queryset = queryset.filter(global_south=self.global_south)
        if self.language:
            queryset = queryset.speaking(self.language)
        if self.safety_level:
            queryset = queryset.filter(safety_level=self.safety_level)
        if self.at_risk:
            queryset = queryset.at_risk(self.at_risk)
        return queryset


def stakeholder_list(viewer: Viewer, filters: StakeholderFilters) -> QuerySet[Stakeholder]:
    """The register page and the API list: filtered, ordered, with traits fetched in one query."""
    return (
        filters.apply(visible_stakeholders(viewer), viewer.organisation)
        .prefetch_related("traits")
        .order_by("-created_at", "-id")
    )


def stakeholder_count(viewer: Viewer, filters: StakeholderFilters) -> int:
    """How many stakeholders the list shows, counted as two index-friendly queries.

    The same rows as stakeholder_list(viewer, filters).count(), but "not high, or granted" is an OR
    over a subquery that makes the database test every row; the two halves each use an index.
    """
    if not viewer.can(Capability.STAKEHOLDERS_VIEW):
        return 0
    matching = filters.apply(Stakeholder.objects.for_organisation(viewer.organisation), viewer.organisation)
    unprotected = matching.filter(safety_level__in=[SafetyLevel.NORMAL, SafetyLevel.ELEVATED]).count()
    protected = matching.filter(safety_level=SafetyLevel.HIGH,
                                pk__in=granted(viewer).values("stakeholder_id")).count()
    return unprotected + protected


def consent_state(stakeholder: Stakeholder) -> dict[str, bool | None]:
    """The standing answer per consent scope: the newest record not withdrawn, else unknown (None)."""
    state: dict[str, bool | None] = dict.fromkeys(ConsentScope.values)
    seen: set[str] = set()
    for record in stakeholder.consents.current().order_by("-given_on", "-id"):
        if record.scope not in seen:
            state[record.scope] = record.granted
            seen.add(record.scope)
    return state


def may_attribute_inputs(stakeholder: Stakeholder) -> bool:
    """Attribute what someone said to them only with their consent, and never when they are at high risk."""
    if stakeholder.safety_level == SafetyLevel.HIGH:
        return False
    return consent_state(stakeholder)[ConsentScope.ATTRIBUTE_INPUTS] is True


def reach_of(stakeholder: Stakeholder, *, has_proxy: bool) -> Reach:
    consent = consent_state(stakeholder)[ConsentScope.CONTACT]
    return Reach(
        safety_level=stakeholder.safety_level,
        safe_channels=frozenset(stakeholder.safe_channels),
        has_email=bool(stakeholder.email),
        has_phone=bool(stakeholder.phone),
        has_postal_address=bool(stakeholder.postal_address),
        has_messenger=bool(stakeholder.messenger_handle),
        has_proxy=has_proxy,
        contact_consented=consent is not False,
    )


def shown_name(stakeholder: Stakeholder, viewer: Viewer, *, revealed: bool = False) -> str:
    """The name a viewer sees: a high-safety person is a stable pseudonym unless deliberately revealed.

    Only the stakeholder's own page reveals a protected identity, to a grant holder who gave a
    reason, and it audits every such view (see views.stakeholder_detail and actions.reveal_identity).
    """
    if stakeholder.is_erased:
        return pseudonym(stakeholder.pk)
    if stakeholder.safety_level == SafetyLevel.HIGH and not revealed:
        return pseudonym(stakeholder.pk)
    return stakeholder.name


def open_duplicate_flags(stakeholder: Stakeholder, viewer: Viewer) -> QuerySet[DuplicateFlag]:
    """Unresolved flags whose other stakeholder the viewer may see: a flag never tells of a protected person."""
    return stakeholder.duplicate_flags.filter(
        dismissed_at__isnull=True, other__in=visible_stakeholders(viewer)
    ).select_related("other")


def _one(queryset: QuerySet, pk: int):
    if not plausible_id(pk):
        raise Http404
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_duplicate_flag(viewer: Viewer, stakeholder: Stakeholder, pk: int) -> DuplicateFlag:
    """An open flag of a stakeholder the viewer already reached; 'not found' unless open_duplicate_flags shows it."""
    return _one(open_duplicate_flags(stakeholder, viewer), pk)


def access_consent(viewer: Viewer, stakeholder: Stakeholder, pk: int) -> ConsentRecord:
    """A consent record of a stakeholder the viewer already reached through access_stakeholder."""
    return _one(stakeholder.consents.all(), pk)


def access_grant(viewer: Viewer, stakeholder: Stakeholder, pk: int) -> StakeholderGrant:
    """An active grant on the stakeholder; only someone who holds one manages who else does."""
    if not holds_grant(viewer, stakeholder):
        raise PermissionDenied
    return _one(stakeholder.grants.active(), pk)


def proxies(viewer: Viewer) -> QuerySet[Stakeholder]:
    return visible_stakeholders(viewer).filter(kind="proxy").order_by("-created_at", "-id")


def consent_history(stakeholder: Stakeholder) -> QuerySet[ConsentRecord]:
    return stakeholder.consents.select_related("recorded_by").order_by("-given_on", "-id")

