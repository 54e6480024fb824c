"""Build organisations and members for tests."""

from itertools import count

from rightsloop.accounts.actions import add_member
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.models import Organisation

_numbers = count(1)


def make_organisation(name: str | None = None, **fields) -> Organisation:
    number = next(_numbers)
    name = name or f"Organisation {number}"
    return Organisation.objects.create(name=name, slug=f"org-{number}", **fields)


def make_member(organisation: Organisation, role: str, function: str = "", username: str | None = None) -> Viewer:
    number = next(_numbers)
    membership = add_member(
        organisation=organisation,
        username=username or f"{role}-{number}",
        email=f"{role}-{number}@example.org",
        first_name=role.replace("_", " ").title(),
        last_name=str(number),
        password="correct horse battery staple",
        role=role,
        function=function or ("product" if role == "decision_maker" else ""),
        by=None,
    )
    return Viewer.from_membership(membership)
