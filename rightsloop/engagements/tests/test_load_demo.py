"""The engagement load demo (rightsloop/demo/load.py): an over-solicited NGO asked by two teams, and its member."""

import pytest
from django.utils import timezone

from rightsloop.demo.load import ASKS, MEMBER_NAME, load_load
from rightsloop.engagements import load

pytestmark = pytest.mark.django_db


def test_the_demo_ngo_is_over_solicited_by_several_teams(organisation, hr_lead, admin):
    ngo = load_load(organisation=organisation, hr_lead=hr_lead, admin=admin, today=timezone.localdate())
    found = load.load_of(ngo)
    assert found.count_90 == len(ASKS) and found.over
    assert len({r.owner for r in found.requests}) == 2
    member = ngo.affiliated_people.get()
    assert member.name == MEMBER_NAME
    assert load.counts(member) == (1, 1)
    assert [o.stakeholder for o in load.overlaps(organisation, hidden=load.Stakeholder.objects.none())] == [ngo]
    # Asked ahead of upcoming engagements: no demo loop turns overdue because of them.
    assert not organisation.engagements.overdue(timezone.localdate()).exists()
