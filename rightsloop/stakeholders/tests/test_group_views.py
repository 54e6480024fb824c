"""The pages of affected groups, and the group parts of a stakeholder's and a risk's page."""

import datetime

import pytest
from django.utils import timezone

from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders import groups
from rightsloop.stakeholders.groups import Mandate, Speaks
from rightsloop.stakeholders.models import AffectedGroup, GroupMembership, Representation, Stakeholder
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_group, make_stakeholder

pytestmark = pytest.mark.django_db


def test_create_a_group_through_the_form_with_its_risks(hr_lead, sign_in):
    risk = make_risk(hr_lead, title="Location leaks")
    response = sign_in(hr_lead).post("/stakeholders/groups/new/", {
        "name": "Women human rights defenders", "countries": ["MM"], "languages": ["my"],
        "at_risk": ["human_rights_defender"], "size_estimate": "200", "risks": [risk.pk],
    })
    group = AffectedGroup.objects.get()
    assert response.status_code == 302 and response.url == f"/stakeholders/groups/{group.pk}/"
    assert group.countries == ["MM"] and list(group.risks.all()) == [risk]


def test_form_errors_rerender_with_field_messages(hr_lead, sign_in):
    make_group(hr_lead, name="Riders")
    client = sign_in(hr_lead)
    response = client.post("/stakeholders/groups/new/", {"name": "Cyclists", "size_estimate": "-3"})
    assert response.status_code == 400 and 'value="Cyclists"' in response.content.decode()
    assert "aria-invalid" in response.content.decode()
    response = client.post("/stakeholders/groups/new/", {"name": "riders"})
    assert response.status_code == 400
    assert "Another group already has this name." in response.content.decode()
    assert AffectedGroup.objects.count() == 1


def test_edit_changes_fields_and_risk_links(hr_lead, sign_in):
    group = make_group(hr_lead, name="Riders")
    old, new = make_risk(hr_lead, title="Old risk"), make_risk(hr_lead, title="New risk")
    groups.link_risks(group=group, risks=[old], by=hr_lead)
    client = sign_in(hr_lead)
    assert 'value="Riders"' in client.get(f"/stakeholders/groups/{group.pk}/edit/").content.decode()
    response = client.post(f"/stakeholders/groups/{group.pk}/edit/", {"name": "Delivery riders", "risks": [new.pk]})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Delivery riders" and list(group.risks.all()) == [new]


def test_group_page_shows_proxies_with_overdue_marker_and_only_visible_members(hr_lead, admin, sign_in):
    group = make_group(hr_lead, name="Defenders in the north", description="Organisers and journalists")
    today = timezone.localdate()
    proxy = make_stakeholder(hr_lead, name="Helpline Collective", kind="proxy", speaks_for=[
        Speaks(group=group, mandate=Mandate("Steering group drawn from members", "Letters of support",
                                            today - datetime.timedelta(days=400)))])
    protected = make_stakeholder(hr_lead, name="Hidden Defender", safety_level="high")
    visible = make_stakeholder(hr_lead, name="Open Organiser")
    for person in (protected, visible):
        groups.add_member(group=group, stakeholder=person, by=hr_lead)
    holder_page = sign_in(hr_lead).get(f"/stakeholders/groups/{group.pk}/").content.decode()
    assert "Helpline Collective" in holder_page and "Letters of support" in holder_page
    assert "Review overdue" in holder_page
    assert pseudonym(protected.pk) in holder_page and "Hidden Defender" not in holder_page
    page = sign_in(admin).get(f"/stakeholders/groups/{group.pk}/").content.decode()
    assert "Open Organiser" in page
    assert pseudonym(protected.pk) not in page and f"/stakeholders/{protected.pk}/" not in page
    assert "others" not in page  # nothing hints that someone is missing
    listing = sign_in(admin).get("/stakeholders/groups/").content.decode()
    assert "Defenders in the north" in listing
    assert proxy.pk


def test_the_groups_list_reads_a_fixed_number_of_queries(hr_lead, sign_in, django_assert_max_num_queries):
    client = sign_in(hr_lead)
    proxy = make_stakeholder(hr_lead, kind="proxy")
    for number in range(12):
        group = make_group(hr_lead, name=f"Group {number}")
        groups.add_member(group=group, stakeholder=make_stakeholder(hr_lead), by=hr_lead)
        groups.represent(proxy=proxy, group=group, mandate=Mandate("Elected"), by=hr_lead)
        groups.link_risks(group=group, risks=[make_risk(hr_lead)], by=hr_lead)
    client.get("/stakeholders/groups/")
    with django_assert_max_num_queries(12):
        response = client.get("/stakeholders/groups/")
    assert response.status_code == 200 and "Group 11" in response.content.decode()


def test_a_person_is_added_to_a_group_from_their_page(hr_lead, sign_in):
    group = make_group(hr_lead, name="Gikomba traders")
    person = make_stakeholder(hr_lead)
    client = sign_in(hr_lead)
    page = client.get(f"/stakeholders/{person.pk}/").content.decode()
    assert "Add to the group" in page and "Gikomba traders" in page
    response = client.post(f"/stakeholders/{person.pk}/groups/", {"group": group.pk})
    assert response.status_code == 302
    assert GroupMembership.objects.filter(group=group, stakeholder=person).exists()
    assert client.post(f"/stakeholders/{person.pk}/groups/", {"group": "987654"}).status_code == 400
    response = client.post(f"/stakeholders/groups/{group.pk}/members/{person.pk}/remove/")
    assert response.status_code == 302 and not group.members.exists()


def test_a_proxy_page_lists_its_groups_and_records_another(hr_lead, sign_in):
    proxy = make_stakeholder(hr_lead, name="Legal Aid", kind="proxy")
    other = make_group(hr_lead, name="Tenants in informal settlements")
    client = sign_in(hr_lead)
    page = client.get(f"/stakeholders/{proxy.pk}/").content.decode()
    assert "Groups it represents" in page and "never reviewed" in page
    missing_basis = client.post(f"/stakeholders/{proxy.pk}/represents/", {"group": other.pk})
    assert missing_basis.status_code == 400
    response = client.post(f"/stakeholders/{proxy.pk}/represents/", {
        "group": other.pk, "legitimacy_basis": "Member-run", "evidence": "Statutes",
        "reviewed_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    mandate = Representation.objects.get(proxy=proxy, group=other)
    edit = client.post(f"/stakeholders/groups/representations/{mandate.pk}/edit/", {
        "legitimacy_basis": "Member-run legal aid", "evidence": ""})
    assert edit.status_code == 302
    mandate.refresh_from_db()
    assert mandate.legitimacy_basis == "Member-run legal aid" and mandate.reviewed_on is None
    client.post(f"/stakeholders/groups/representations/{mandate.pk}/end/")
    mandate.refresh_from_db()
    assert mandate.ended_at is not None


def test_registering_a_proxy_through_the_form_names_its_new_group(hr_lead, sign_in):
    response = sign_in(hr_lead).post("/stakeholders/new/", {
        "entity_type": "organisation", "name": "Sauti ya Wakulima", "kind": "proxy", "country": "TZ",
        "new_group": "Smallholder farmers", "legitimacy_basis": "Registered cooperative federation",
        "safety_level": "normal", "preferred_channel": "email",
    })
    proxy = Stakeholder.objects.get()
    assert response.status_code == 302, response.content.decode()
    assert proxy.representations.get().group.name == "Smallholder farmers"


def test_the_last_group_of_a_proxy_cannot_be_deleted_from_its_page(hr_lead, sign_in):
    proxy = make_stakeholder(hr_lead, kind="proxy")
    group = proxy.representations.get().group
    client = sign_in(hr_lead)
    response = client.post(f"/stakeholders/groups/{group.pk}/delete/", follow=True)
    assert "A proxy speaks only for this group." in response.content.decode()
    assert AffectedGroup.objects.filter(pk=group.pk).exists()
    lonely = make_group(hr_lead)
    assert client.post(f"/stakeholders/groups/{lonely.pk}/delete/").status_code == 302
    assert not AffectedGroup.objects.filter(pk=lonely.pk).exists()


def test_a_risk_page_shows_the_groups_it_touches(hr_lead, decision_maker, sign_in):
    risk = make_risk(hr_lead, title="Location leaks")
    group = make_group(hr_lead, name="Camp residents", size_estimate=12000)
    groups.link_risks(group=group, risks=[risk], by=hr_lead)
    page = sign_in(hr_lead).get(f"/risks/{risk.pk}/").content.decode()
    assert "Camp residents" in page and f"/stakeholders/groups/{group.pk}/" in page
    assert "about 12,000 people" in page  # sizes read as numbers in the page's language
    client = sign_in(hr_lead)
    assert "<dd>12,000</dd>" in client.get(f"/stakeholders/groups/{group.pk}/").content.decode()
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert "12\xa0000" in client.get(f"/stakeholders/groups/{group.pk}/").content.decode()
    # A decision maker sees the risk, not whom it touches: groups are part of the register.
    page = sign_in(decision_maker).get(f"/risks/{risk.pk}/").content.decode()
    assert "Camp residents" not in page and "Affected groups it touches" not in page


def test_other_organisations_groups_are_not_found(hr_lead, outsider, sign_in):
    foreign = make_group(outsider, name="Foreign group")
    client = sign_in(hr_lead)
    assert client.get(f"/stakeholders/groups/{foreign.pk}/").status_code == 404
    assert "Foreign group" not in client.get("/stakeholders/groups/").content.decode()
