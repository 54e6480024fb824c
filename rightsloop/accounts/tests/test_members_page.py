"""The members page lists the organisation's members without disturbing the layout around it."""

import re

import pytest

from rightsloop.accounts.models import Membership
from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_the_organisation_switcher_lists_each_of_my_organisations_once(admin, other_organisation, sign_in):
    Membership.objects.create(user=admin.user, organisation=other_organisation, role=Role.BOARD)
    for role in (Role.HR_LEAD, Role.BOARD, Role.AUDITOR, Role.DECISION_MAKER):
        make_member(admin.organisation, role)

    page = sign_in(admin).get("/accounts/members/").content.decode()

    switcher = re.search(r'<select id="switch-organisation".*?</select>', page, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", switcher) == ["Kestrel Networks", "Other Company"]
    assert page.count(">Change</a>") == 5  # the page itself still lists all five members
