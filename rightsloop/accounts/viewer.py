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
