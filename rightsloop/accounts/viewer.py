"""Who is asking: the user, the organisation they act in, and their role there."""

from __future__ import annotations

from dataclasses import dataclass

from rightsloop.core.models import Organisation

from .models import Membership, User
from .roles import ROLE_CAPABILITIES, Role


@dataclass(frozen=True)
class Viewer:
    user: User
    organisation: Organisation
    role: str
    function: str = ""

    @classmethod
    def from_membership(cls, membership: Membership) -> Viewer:
        return cls(
            user=membership.user,
            organisation=membership.organisation,
            role=membership.role,
            function=membership.function,
        )

    def can(self, capability: str) -> bool:
        return capability in ROLE_CAPABILITIES.get(self.role, frozenset())

    @property
    def is_decision_maker(self) -> bool:
        return self.role == Role.DECISION_MAKER


def active_memberships(user: User) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(user=user, organisation__isnull=False)
        .select_related("organisation", "user")
        .order_by("organisation__name")
    )


def choose_membership(memberships: list[Membership], organisation_id: int | None) -> Membership | None:
    """The membership in the chosen organisation, else the first one."""
    chosen = next((m for m in memberships if m.organisation_id == organisation_id), None)
    return chosen or (memberships[0] if memberships else None)


def viewer_for(user: User, organisation_id: int | None = None) -> Viewer | None:
    """Who the user acts as, for the audit log of steps taken before the Viewer middleware gives one."""
    membership = choose_membership(active_memberships(user), organisation_id)
    return Viewer.from_membership(membership) if membership else None
