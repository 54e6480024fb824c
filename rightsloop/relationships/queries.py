"""Reads of relationships shared by pages, the API, tasks and the rest of the product.

`owner_of` says who answers for a stakeholder's relationship; `attribution_terms` says what may be said about
the stakeholder and by them under their agreement. Both are meant for other apps: they read nothing but what
these functions return.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rightsloop.accounts.models import User
from rightsloop.accounts.roles import Capability, Role
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.access import plausible_id
from rightsloop.stakeholders.queries import visible_stakeholders

from .models import Agreement, AgreementVersion, Relationship, TheyMay, WeMay

# How far ahead the list's "review due" and "sunset soon" filters, and the owner's reminders, look.
REVIEW_NOTICE_DAYS = 30
SUNSET_NOTICE_DAYS = 30


# Owners ----------------------------------------------------------------------

def _may_own(organisation_id: int) -> Q:
    roles = [role for role in Role.values if Capability.RELATIONSHIPS_EDIT in _capabilities(role)]
    return Q(memberships__organisation_id=organisation_id, memberships__is_active=True,
             memberships__role__in=roles, is_active=True)


def _capabilities(role: str) -> frozenset[str]:
    from rightsloop.accounts.roles import ROLE_CAPABILITIES

    return ROLE_CAPABILITIES.get(role, frozenset())


def possible_owners(organisation) -> QuerySet[User]:
    """Members who may own a relationship: those whose role may edit relationships."""
    return User.objects.filter(_may_own(organisation.pk)).distinct().order_by("username")


def human_rights_leads(organisation) -> list[User]:
    return list(User.objects.filter(
        is_active=True, memberships__organisation=organisation, memberships__is_active=True,
        memberships__role=Role.HR_LEAD).distinct().order_by("username"))


def owner_of(stakeholder) -> list[User]:
    """Who answers for the relationship: its owner if one is set and still a member, else the human rights lead(s).

    A list, since the fallback can be several people; empty only when the organisation has neither.
    """
    owner_id = (Relationship.objects.filter(stakeholder=stakeholder, owner__isnull=False)
                .values_list("owner_id", flat=True).first())
    if owner_id is not None:
        owner = User.objects.filter(_may_own(stakeholder.organisation_id), pk=owner_id).distinct().first()
        if owner is not None:
            return [owner]
    return human_rights_leads(stakeholder.organisation)


def relationship_of(stakeholder) -> Relationship | None:
    return Relationship.objects.filter(stakeholder=stakeholder).select_related("owner").first()


def owns(user: User, stakeholder) -> bool:
    return any(owner.pk == user.pk for owner in owner_of(stakeholder))


# Agreements --------------------------------------------------------------------

def visible_agreements(viewer: Viewer) -> QuerySet[Agreement]:
    """Agreements of the stakeholders this viewer may see (high-safety people only with a grant)."""
    if not viewer.can(Capability.RELATIONSHIPS_VIEW):
        return Agreement.objects.none()
    return Agreement.objects.for_organisation(viewer.organisation).filter(
        stakeholder__in=visible_stakeholders(viewer).values("pk"))


def access_agreement(viewer: Viewer, pk, *, for_update: bool = False) -> Agreement:
    """The agreement if the viewer may see it (and change it, for_update); 'not found' for missing and not-yours."""
    if (for_update and not viewer.can(Capability.RELATIONSHIPS_EDIT)) or not plausible_id(pk):
        raise Http404
    queryset = visible_agreements(viewer).select_related(
        "stakeholder", "current_version", "accepted_version", "created_by")
    try:
        return queryset.get(pk=pk)
    except Agreement.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class AgreementFilters:
    state: str = ""
    review_due: bool = False
    sunset_soon: bool = False
    stakeholder_id: int | None = None


def agreement_list(viewer: Viewer, filters: AgreementFilters, *, today: datetime.date | None = None
                   ) -> QuerySet[Agreement]:
    today = today or timezone.localdate()
    queryset = visible_agreements(viewer)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.stakeholder_id is not None:
        queryset = queryset.filter(stakeholder_id=filters.stakeholder_id)
    if filters.review_due:
        # Overdue reviews are the most due of all: no lower bound.
        queryset = queryset.open().filter(
            accepted_version__review_on__lte=today + datetime.timedelta(days=REVIEW_NOTICE_DAYS))
    if filters.sunset_soon:
        queryset = queryset.filter(
            accepted_version__nda_sunset_on__gte=today,
            accepted_version__nda_sunset_on__lte=today + datetime.timedelta(days=SUNSET_NOTICE_DAYS))
    return queryset.select_related("stakeholder", "current_version", "accepted_version").order_by(
        "-updated_at", "-id")


def versions_of(agreement: Agreement) -> list[AgreementVersion]:
    return list(agreement.versions.select_related("created_by", "answer_recorded_by").order_by("-number"))


def open_agreement_of(stakeholder) -> Agreement | None:
    return (Agreement.objects.filter(stakeholder=stakeholder).open()
            .select_related("current_version", "accepted_version").first())


def latest_agreement_of(stakeholder) -> Agreement | None:
    """The open agreement, else the one that ended last (its NDA may still run)."""
    return open_agreement_of(stakeholder) or (
        Agreement.objects.filter(stakeholder=stakeholder).select_related("current_version", "accepted_version")
        .order_by("-ended_on", "-id").first())


# Attribution terms: one answer for the rest of the product ------------------------

@dataclass(frozen=True)
class AttributionTerms:
    """What may be said about a stakeholder, and by them, on one day, under their agreement.

    With no agreement in force every permission is False: nothing beyond what consent already allows. The
    NDA binds from the acceptance of the version that set it until its sunset, even after the agreement ended
    (that is what a sunset is for); `nda_covers` is empty when no NDA binds that day.
    """

    in_force: bool = False
    agreement_id: int | None = None
    version: int | None = None
    we_may: dict[str, bool] = field(default_factory=dict)
    they_may: dict[str, bool] = field(default_factory=dict)
    notes: str = ""
    nda_covers: str = ""
    nda_until: datetime.date | None = None
    nda_ended_on: datetime.date | None = None

    def may_name_them(self) -> bool:
        return self.we_may.get(WeMay.NAME_AS_ENGAGED, False) or self.we_may.get(WeMay.NAME_AS_ADVISER, False)

    def may_quote_them(self) -> bool:
        return self.we_may.get(WeMay.QUOTE, False)

    def may_they_name_us(self) -> bool:
        return self.they_may.get(TheyMay.NAME_US, False) or self.they_may.get(TheyMay.NAME_AS_ADVISEE, False)

    @property
    def nda_binding(self) -> bool:
        return bool(self.nda_covers)


def _permissions(stored: dict, codes) -> dict[str, bool]:
    return {code: stored.get(code) is True for code in codes}


def terms_on(agreement: Agreement | None, on: datetime.date) -> AttributionTerms:
    if agreement is None or agreement.accepted_version_id is None:
        return AttributionTerms(we_may=_permissions({}, WeMay.values), they_may=_permissions({}, TheyMay.values))
    version = agreement.accepted_version
    accepted_on = timezone.localdate(version.answered_at) if version.answered_at else version.starts_on
    ended = agreement.ended_on is not None and agreement.ended_on <= on
    in_force = version.starts_on <= on and not ended
    nda_binds = version.has_nda and accepted_on <= on and (version.nda_sunset_on is None
                                                           or on < version.nda_sunset_on)
    return AttributionTerms(
        in_force=in_force,
        agreement_id=agreement.pk,
        version=version.number,
        we_may=_permissions(version.we_may if in_force else {}, WeMay.values),
        they_may=_permissions(version.they_may if in_force else {}, TheyMay.values),
        notes=version.attribution_notes if in_force else "",
        nda_covers=version.nda_scope if nda_binds else "",
        nda_until=version.nda_sunset_on if nda_binds else None,
        nda_ended_on=version.nda_sunset_on if version.has_nda and not nda_binds
        and version.nda_sunset_on and version.nda_sunset_on <= on else None,
    )


def attribution_terms(stakeholder, on: datetime.date | None = None) -> AttributionTerms:
    """What the stakeholder's agreement lets each side say on a day (today by default); see AttributionTerms."""
    on = on or timezone.localdate()
    candidates = (Agreement.objects.filter(stakeholder=stakeholder, accepted_version__isnull=False)
                  .select_related("accepted_version").order_by("-id"))
    best = AttributionTerms(we_may=_permissions({}, WeMay.values), they_may=_permissions({}, TheyMay.values))
    for agreement in candidates:
        terms = terms_on(agreement, on)
        if terms.in_force:
            # An ended agreement's NDA may still bind alongside a new one: keep the stricter NDA.
            if not terms.nda_binding and best.nda_binding:
                terms = AttributionTerms(**{**terms.__dict__, "nda_covers": best.nda_covers,
                                            "nda_until": best.nda_until})
            return terms
        if terms.nda_binding and not best.nda_binding:
            best = AttributionTerms(**{**best.__dict__, "nda_covers": terms.nda_covers, "nda_until": terms.nda_until,
                                       "agreement_id": terms.agreement_id, "version": terms.version})
        elif terms.nda_ended_on and not best.nda_binding and best.nda_ended_on is None:
            best = AttributionTerms(**{**best.__dict__, "nda_ended_on": terms.nda_ended_on})
    return best
