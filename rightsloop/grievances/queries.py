"""Shared reads of the grievance mechanism: which cases a member may open, who may handle them.

Case content is for holders of `grievances.handle` only, and never for a handler excluded from the case
(conflict of interest, or the handler of an appealed outcome). A case one may not open is a 404, exactly
like one that does not exist.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404

from rightsloop.accounts.models import Membership
from rightsloop.accounts.roles import ROLE_CAPABILITIES, Capability
from rightsloop.accounts.viewer import Viewer

from .models import Grievance, GrievanceQuerySet, RemedyPlan


def cases_for(viewer: Viewer) -> GrievanceQuerySet:
    """The cases this member may open as a handler (none without `grievances.handle`)."""
    cases = Grievance.objects.for_organisation(viewer.organisation)
    if not viewer.can(Capability.GRIEVANCES_HANDLE):
        return cases.none()
    return cases.handled_by(viewer.user)


def access_case(viewer: Viewer, pk) -> Grievance:
    """One case the member may handle; 404 for another organisation's, an excluded one and a missing one."""
    try:
        return cases_for(viewer).get(pk=int(pk))
    except (Grievance.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def may_handle(user, grievance: Grievance) -> bool:
    """May this user be named the handler of the case: a member holding grievances.handle, not excluded."""
    handling_roles = [role for role, held in ROLE_CAPABILITIES.items() if Capability.GRIEVANCES_HANDLE in held]
    if not Membership.objects.filter(user=user, organisation_id=grievance.organisation_id, is_active=True,
                                     role__in=handling_roles).exists():
        return False
    return not grievance.exclusions.filter(user=user).exists()


def handlers(organisation, *, grievance: Grievance | None = None):
    """The members who may handle cases of the organisation (minus those excluded from `grievance`)."""
    handling_roles = [role for role, held in ROLE_CAPABILITIES.items() if Capability.GRIEVANCES_HANDLE in held]
    users = get_user_model().objects.filter(
        memberships__organisation=organisation, memberships__is_active=True,
        memberships__role__in=handling_roles, is_active=True).distinct()
    if grievance is not None:
        users = users.exclude(pk__in=grievance.exclusions.values("user_id"))
    return users.order_by("first_name", "last_name", "username")


def access_plan(viewer: Viewer, pk) -> RemedyPlan:
    """A remedy plan of the organisation whose cases the member may all open; 404 otherwise."""
    if not viewer.can(Capability.GRIEVANCES_HANDLE):
        raise Http404
    try:
        plan = RemedyPlan.objects.for_organisation(viewer.organisation).get(pk=int(pk))
    except (RemedyPlan.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if plan.grievances.filter(exclusions__user=viewer.user).exists():
        raise Http404
    return plan
