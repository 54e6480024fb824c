"""Engagement load (S3): the rolling counts, thresholds, the warning before inviting, overlaps, pages and API."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.engagements import load
from rightsloop.engagements.load_models import LoadThresholds
from rightsloop.engagements.models import Participation
from rightsloop.engagements.tests.factories import make_engagement, make_participation
from rightsloop.stakeholders.actions import erase_stakeholder
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def ask(by, stakeholder, days_ago: float = 1, engagement=None, **fields):
    """Invite `stakeholder` to a (new) engagement and date the invitation `days_ago`."""
    engagement = engagement or make_engagement(by, **fields)
    participation = make_participation(by, engagement, stakeholder)
    Participation.objects.filter(pk=participation.pk).update(
        added_at=timezone.now() - datetime.timedelta(days=days_ago))
    return engagement


@pytest.fixture
def ngo(hr_lead):
    return make_stakeholder(hr_lead, name="Digital Rights Watch", kind="expert", entity_type="organisation")


@pytest.fixture
def member_of_ngo(hr_lead, ngo):
    return make_stakeholder(hr_lead, name="Amina Yusuf", kind="expert", entity_type="person", affiliation=ngo.pk)


# The rolling-window rule ---------------------------------------------------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(asks=st.lists(st.tuples(st.integers(0, 7), st.booleans(), st.integers(0, 500)), max_size=14))
def test_counts_equal_the_rule_on_any_history(hr_lead, ngo, member_of_ngo, asks):
    """Whatever the history, the indexed counts are the distinct engagements within the window (90 and 365
    days), an organisation counting its people's requests, an engagement asking both counting once."""
    engagements = list(load.Engagement.objects.filter(organisation=hr_lead.organisation).order_by("id"))
    engagements += [make_engagement(hr_lead) for _n in range(8 - len(engagements))]
    Participation.objects.filter(stakeholder__in=[ngo, member_of_ngo]).delete()
    now = timezone.now()
    moments, person_moments, seen = [], [], set()
    for index, to_person, days in asks:
        who = member_of_ngo if to_person else ngo
        if (index, who.pk) in seen:
            continue
        seen.add((index, who.pk))
        participation = Participation.objects.create(engagement=engagements[index], stakeholder=who)
        at = now - datetime.timedelta(days=days, minutes=1)
        Participation.objects.filter(pk=participation.pk).update(added_at=at)
        moments.append((engagements[index].pk, at))
        if to_person:
            person_moments.append((engagements[index].pk, at))
    assert load.counts(ngo, now=now) == (load.count_in_window(moments, now=now, days=90),
                                         load.count_in_window(moments, now=now, days=365))
    assert load.counts(member_of_ngo, now=now) == (load.count_in_window(person_moments, now=now, days=90),
                                                   load.count_in_window(person_moments, now=now, days=365))


@given(days=st.lists(st.integers(0, 800), max_size=30), window=st.sampled_from([90, 365]))
def test_the_window_rule_counts_only_what_is_inside(days, window):
    now = datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC)
    moments = [(n, now - datetime.timedelta(days=d)) for n, d in enumerate(days)]
    assert load.count_in_window(moments, now=now, days=window) == sum(1 for d in days if d < window)


def test_more_than_four_in_90_days_warns_by_default(hr_lead, ngo):
    for days in (1, 10, 20, 30):
        ask(hr_lead, ngo, days)
    assert not load.load_of(ngo).over
    ask(hr_lead, ngo, 91)  # outside 90 days: counts for the year only
    found = load.load_of(ngo)
    assert (found.count_90, found.count_365, found.over) == (4, 5, False)
    ask(hr_lead, ngo, 5)
    found = load.load_of(ngo)
    assert found.over_90 and found.over and not found.over_365


def test_the_365_day_threshold_warns_too(hr_lead, ngo):
    LoadThresholds.objects.create(organisation=hr_lead.organisation, warn_90=10, warn_365=2)
    for days in (100, 200, 300):
        ask(hr_lead, ngo, days)
    found = load.load_of(ngo)
    assert found.over_365 and not found.over_90


def test_an_organisation_counts_its_people_once_per_engagement(hr_lead, ngo, member_of_ngo):
    both = ask(hr_lead, ngo, 2)
    ask(hr_lead, member_of_ngo, 2, engagement=both)
    ask(hr_lead, member_of_ngo, 3)
    assert load.counts(ngo) == (2, 2)
    assert load.counts(member_of_ngo) == (2, 2)


def test_every_team_counts(hr_lead, admin, ngo):
    ask(hr_lead, ngo, 1, owner=hr_lead.user)
    ask(admin, ngo, 1, owner=admin.user)
    found = load.load_of(ngo)
    assert found.count_90 == 2
    assert {r.owner for r in found.requests} == {hr_lead.user.get_full_name(), admin.user.get_full_name()}


def test_a_hidden_person_neither_counts_nor_shows(hr_lead, admin, ngo):
    protected = make_stakeholder(admin, name="Hidden defender", entity_type="person", safety_level="high",
                                 affiliation=ngo.pk)
    proxy = make_stakeholder(admin, kind="proxy")
    engagement = make_engagement(admin, title="Secret consultation")
    make_participation(admin, engagement, protected, via_proxy=proxy)
    from rightsloop.stakeholders.queries import hidden_from

    assert load.counts(ngo, leave_out=hidden_from(hr_lead)) == (0, 0)
    assert load.counts(ngo, leave_out=hidden_from(admin)) == (1, 1)


def test_the_count_before_an_invitation_takes_few_queries(hr_lead, ngo, member_of_ngo,
                                                          django_assert_max_num_queries):
    for days in range(6):
        ask(hr_lead, ngo, days + 1)
    with django_assert_max_num_queries(3):
        found = load.load_of(ngo, with_requests=False)
    assert found.over


# Thresholds --------------------------------------------------------------------

def test_thresholds_page_changes_them_and_audits(hr_lead, sign_in):
    client = sign_in(hr_lead)
    assert client.get("/engagements/load/settings/").status_code == 200
    response = client.post("/engagements/load/settings/", {"warn_90": "2", "warn_365": "8"})
    assert response.status_code == 302
    assert load.thresholds_of(hr_lead.organisation) == load.Thresholds(2, 8)
    assert AuditEntry.objects.filter(action="load.thresholds_changed").exists()


@pytest.mark.parametrize("values", [{"warn_90": "-1", "warn_365": "8"}, {"warn_90": "9", "warn_365": "8"},
                                    {"warn_90": "x", "warn_365": ""}])
def test_bad_thresholds_rerender_and_save_nothing(hr_lead, sign_in, values):
    response = sign_in(hr_lead).post("/engagements/load/settings/", values)
    assert response.status_code == 400
    assert not LoadThresholds.objects.exists()


def test_thresholds_page_needs_the_right_capability(admin, auditor, decision_maker, sign_in):
    assert sign_in(admin).get("/engagements/load/settings/").status_code == 200
    assert sign_in(auditor).get("/engagements/load/settings/").status_code == 403
    assert sign_in(decision_maker).get("/engagements/load/settings/").status_code == 403


# The warning before inviting ----------------------------------------------------------

def test_inviting_an_over_solicited_stakeholder_warns_before_it_is_confirmed(hr_lead, ngo, sign_in):
    for days in range(5):
        ask(hr_lead, ngo, days + 1, title=f"Earlier ask {days}")
    engagement = make_engagement(hr_lead, title="Yet another workshop")
    client = sign_in(hr_lead)
    url = f"/engagements/{engagement.pk}/participants/add/{ngo.pk}/"
    page = client.get(url).content.decode()
    assert 'id="load-warning"' in page and "Earlier ask 4" in page and 'name="confirm_load"' in page
    refused = client.post(url, {"via_proxy": ""})
    assert refused.status_code == 400
    assert not engagement.participations.exists()
    added = client.post(url, {"via_proxy": "", "confirm_load": "on"})
    assert added.status_code == 302
    assert engagement.participations.filter(stakeholder=ngo).exists()
    entry = AuditEntry.objects.filter(action="participant.added").latest("id")
    assert "load warning confirmed (5 in 90 days" in entry.summary


def test_no_warning_and_no_confirmation_under_the_threshold(hr_lead, ngo, sign_in):
    ask(hr_lead, ngo, 1)
    engagement = make_engagement(hr_lead)
    client = sign_in(hr_lead)
    url = f"/engagements/{engagement.pk}/participants/add/{ngo.pk}/"
    assert 'id="load-warning"' not in client.get(url).content.decode()
    assert client.post(url, {"via_proxy": ""}).status_code == 302


def test_the_api_answers_409_with_the_load_unless_confirmed(hr_lead, ngo, api):
    for days in range(5):
        ask(hr_lead, ngo, days + 1)
    engagement = make_engagement(hr_lead)
    client = api(hr_lead)
    url = f"/api/v1/engagements/{engagement.pk}/participants"
    refused = client.post(url, {"stakeholder_id": ngo.pk})
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "over_solicited" and body["load"]["count_90"] == 5 and body["load"]["over"]
    assert len(body["load"]["requests"]) == 5
    assert not engagement.participations.exists()
    assert client.post(url, {"stakeholder_id": ngo.pk, "confirm_load": True}).status_code == 201


# API ------------------------------------------------------------------------------------

def test_load_through_the_api(hr_lead, ngo, member_of_ngo, api):
    ask(hr_lead, member_of_ngo, 3, title="Asked the person")
    body = api(hr_lead).get(f"/api/v1/stakeholders/{ngo.pk}/load").json()
    assert body["count_90"] == 1 and body["thresholds"] == {"warn_90": 4, "warn_365": 12}
    assert body["requests"][0]["title"] == "Asked the person"
    assert body["requests"][0]["stakeholder_id"] == member_of_ngo.pk


def test_load_api_404_for_others_and_missing(hr_lead, outsider, ngo, api):
    assert api(outsider).get(f"/api/v1/stakeholders/{ngo.pk}/load").status_code == 404
    assert api(hr_lead).get("/api/v1/stakeholders/999999/load").status_code == 404


def test_thresholds_through_the_api(hr_lead, auditor, api):
    assert api(hr_lead).get("/api/v1/load-thresholds").json() == {"warn_90": 4, "warn_365": 12}
    assert api(hr_lead).put("/api/v1/load-thresholds", {"warn_90": 3, "warn_365": 9}).json() == {
        "warn_90": 3, "warn_365": 9}
    assert api(hr_lead).put("/api/v1/load-thresholds", {"warn_90": 9, "warn_365": 3}).status_code == 400
    assert api(hr_lead).put("/api/v1/load-thresholds", {"warn_90": -1, "warn_365": 3}).status_code == 400
    assert api(auditor).put("/api/v1/load-thresholds", {"warn_90": 1, "warn_365": 3}).status_code == 403
    assert load.thresholds_of(hr_lead.organisation) == load.Thresholds(3, 9)


# Overlaps and the engagement list ----------------------------------------------------------

def test_the_list_marks_engagements_asking_whom_another_team_asked_this_month(hr_lead, admin, ngo, member_of_ngo,
                                                                             sign_in):
    mine = ask(hr_lead, ngo, 0, title="Mine", owner=hr_lead.user)
    theirs = ask(admin, member_of_ngo, 0, title="Theirs", owner=admin.user)
    alone = ask(hr_lead, make_stakeholder(hr_lead), 0, title="Alone", owner=hr_lead.user)
    found = load.overlapping_engagements([mine.pk, theirs.pk, alone.pk], organisation=hr_lead.organisation,
                                         hidden=load.Stakeholder.objects.none())
    assert found == {mine.pk: 1, theirs.pk: 1}
    page = sign_in(hr_lead).get("/engagements/").content.decode()
    assert "1 other engagement asks the same people" in page
    overlaps = sign_in(hr_lead).get("/engagements/load/overlaps/").content.decode()
    assert "Digital Rights Watch" in overlaps and "Mine" in overlaps and "Theirs" in overlaps
    assert "Alone" not in overlaps


def test_the_same_team_asking_twice_is_no_overlap(hr_lead, ngo):
    first = ask(hr_lead, ngo, 0, owner=hr_lead.user)
    second = ask(hr_lead, ngo, 0, owner=hr_lead.user)
    assert load.overlapping_engagements([first.pk, second.pk], organisation=hr_lead.organisation,
                                        hidden=load.Stakeholder.objects.none()) == {}


def test_the_list_marker_costs_the_same_for_any_page(hr_lead, admin, sign_in, django_assert_max_num_queries):
    client = sign_in(hr_lead)
    client.get("/engagements/")
    for _n in range(3):
        someone = make_stakeholder(hr_lead)
        ask(hr_lead, someone, 0, owner=hr_lead.user)
        ask(admin, someone, 0, owner=admin.user)
    with django_assert_max_num_queries(20) as captured:
        client.get("/engagements/")
    few = len(captured)
    for _n in range(6):
        someone = make_stakeholder(hr_lead)
        ask(hr_lead, someone, 0, owner=hr_lead.user)
        ask(admin, someone, 0, owner=admin.user)
    with django_assert_max_num_queries(few):
        client.get("/engagements/")


# Most solicited, the stakeholder page, safety ------------------------------------------------

def test_most_solicited_for_the_human_rights_lead(hr_lead, admin, ngo, member_of_ngo, sign_in,
                                                   django_assert_max_num_queries):
    for days in range(5):
        ask(hr_lead, member_of_ngo, days + 1)
    quiet = make_stakeholder(hr_lead, name="Quiet Cooperative")
    ask(hr_lead, quiet, 1)
    protected = make_stakeholder(admin, name="Hidden defender", safety_level="high")
    proxy = make_stakeholder(admin, kind="proxy")
    for _days in range(7):
        engagement = make_engagement(admin)
        make_participation(admin, engagement, protected, via_proxy=proxy)
    rows = load.most_solicited(hr_lead.organisation, hidden=load.Stakeholder.objects.none())
    assert [(r.stakeholder.pk, r.count_90, r.over) for r in rows][:2] == [(protected.pk, 7, True), (ngo.pk, 5, True)]
    client = sign_in(hr_lead)
    client.get("/engagements/load/most-solicited/")
    with django_assert_max_num_queries(15):
        page = client.get("/engagements/load/most-solicited/").content.decode()
    assert page.index("Digital Rights Watch") < page.index("Quiet Cooperative")
    assert "Amina Yusuf" not in page  # counted with her organisation
    assert pseudonym(protected.pk) not in page and "Hidden defender" not in page  # no grant: not there
    admin_page = sign_in(admin).get("/engagements/load/most-solicited/").content.decode()
    assert pseudonym(protected.pk) in admin_page and "Hidden defender" not in admin_page  # grant: a pseudonym


def test_most_solicited_needs_relationships_view(decision_maker, board, sign_in):
    assert sign_in(decision_maker).get("/engagements/load/most-solicited/").status_code == 403
    assert sign_in(board).get("/engagements/load/most-solicited/").status_code == 403


def test_monthly_chart_on_the_stakeholder_pages(hr_lead, ngo, sign_in):
    ask(hr_lead, ngo, 0)
    ask(hr_lead, ngo, 0)
    ask(hr_lead, ngo, 400)  # more than a year ago: not in the chart
    months = load.monthly(ngo)
    assert len(months) == 12 and months[-1] == (timezone.localdate().replace(day=1), 2)
    assert sum(value for _month, value in months) == 2
    request = RequestFactory().get("/")
    request.viewer = hr_lead
    panel = Template("{% load engagement_load %}{% stakeholder_load s %}").render(
        Context({"request": request, "s": ngo}))
    assert "Engagement load" in panel and "<svg" in panel and "Requests per month as a table" in panel
    request.viewer = make_member(hr_lead.organisation, Role.DECISION_MAKER, function="legal")
    assert "Engagement load" not in Template("{% load engagement_load %}{% stakeholder_load s %}").render(
        Context({"request": request, "s": ngo}))
    detail = sign_in(hr_lead).get(f"/engagements/load/stakeholders/{ngo.pk}/")
    assert detail.status_code == 200
    assert "<svg" in detail.content.decode() and "Requests per month as a table" in detail.content.decode()


def test_month_starts_cross_the_year():
    starts = load.month_starts(datetime.date(2026, 2, 14))
    assert starts[0] == datetime.date(2025, 3, 1) and starts[-1] == datetime.date(2026, 2, 1) and len(starts) == 12


def test_stakeholder_load_page_is_404_for_hidden_and_foreign(hr_lead, admin, outsider, sign_in):
    protected = make_stakeholder(admin, safety_level="high")
    assert sign_in(hr_lead).get(f"/engagements/load/stakeholders/{protected.pk}/").status_code == 404
    assert sign_in(outsider).get(f"/engagements/load/stakeholders/{protected.pk}/").status_code == 404


# Affiliation ------------------------------------------------------------------------------------

def test_affiliation_through_the_api(hr_lead, ngo, outsider, api):
    client = api(hr_lead)
    person = client.post("/api/v1/stakeholders", {"name": "Lina", "kind": "expert", "entity_type": "person",
                                                  "affiliation": ngo.pk}).json()
    assert person["affiliation"] == ngo.pk
    kept = client.patch(f"/api/v1/stakeholders/{person['id']}", {"country": "KE"}).json()
    assert kept["affiliation"] == ngo.pk
    cleared = client.patch(f"/api/v1/stakeholders/{person['id']}", {"affiliation": None}).json()
    assert cleared["affiliation"] is None


def test_bad_affiliations_are_refused(hr_lead, ngo, outsider, api):
    client = api(hr_lead)
    person = make_stakeholder(hr_lead, entity_type="person")
    foreign = make_stakeholder(outsider, entity_type="organisation")
    for body, id_ in (({"affiliation": foreign.pk}, person.pk), ({"affiliation": person.pk}, person.pk),
                      ({"affiliation": person.pk}, ngo.pk), ({"affiliation": 987654}, person.pk)):
        response = client.patch(f"/api/v1/stakeholders/{id_}", body)
        assert response.status_code == 400, body
        assert "affiliation" in response.json()["errors"]
    person.refresh_from_db()
    assert person.affiliation_id is None


def test_affiliation_in_the_form(hr_lead, ngo, sign_in):
    client = sign_in(hr_lead)
    form = client.get("/stakeholders/new/").content.decode()
    assert 'name="affiliation"' in form and "Digital Rights Watch" in form
    response = client.post("/stakeholders/new/", {
        "entity_type": "person", "name": "Juan Pérez", "kind": "expert", "safety_level": "normal",
        "preferred_channel": "email", "affiliation": str(ngo.pk)})
    assert response.status_code == 302
    assert ngo.affiliated_people.count() == 1


def test_erasure_forgets_the_affiliation(hr_lead, ngo, member_of_ngo):
    erase_stakeholder(stakeholder=member_of_ngo, reason="asked", by=hr_lead)
    member_of_ngo.refresh_from_db()
    assert member_of_ngo.affiliation_id is None


def test_a_new_organisation_without_thresholds_uses_the_defaults(other_organisation):
    make_member(other_organisation, Role.HR_LEAD)
    assert load.thresholds_of(other_organisation) == load.Thresholds(4, 12)


# The portal --------------------------------------------------------------------------------------

def test_the_stakeholder_sees_the_same_load_in_the_portal(hr_lead, admin, ngo, member_of_ngo, client,
                                                          django_assert_max_num_queries):
    from django.urls import reverse

    from rightsloop.portal.testing import open_portal

    ask(hr_lead, ngo, 2, title="Platform workers roundtable", attending_functions=["product"])
    ask(hr_lead, member_of_ngo, 3, title="Content policy expert call")
    guarded = make_stakeholder(admin, entity_type="person", safety_level="elevated", affiliation=ngo.pk)
    ask(admin, guarded, 4, title="Quiet conversation")
    open_portal(client, ngo)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("portal:load:index"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Platform workers roundtable" in page and "Content policy expert call" in page
    assert "One of your people" in page and "Amina Yusuf" not in page
    assert "Quiet conversation" not in page  # an elevated-safety member is never shown to the organisation
    assert hr_lead.user.get_full_name() not in page and hr_lead.user.get_username() not in page
    assert "we asked you to take part 2 times" in page
    assert len(response.content) < 50_000
    staff = load.load_of(ngo, leave_out=load.portal_leave_out(ngo))
    assert staff.count_90 == 2


def test_the_portal_load_of_a_person_is_their_own(hr_lead, ngo, member_of_ngo, client):
    from django.urls import reverse

    from rightsloop.portal.testing import open_portal

    ask(hr_lead, ngo, 2, title="Only the organisation")
    ask(hr_lead, member_of_ngo, 2, title="The person herself")
    open_portal(client, member_of_ngo)
    page = client.get(reverse("portal:load:index")).content.decode()
    assert "The person herself" in page and "Only the organisation" not in page


def test_staff_get_no_portal_load(hr_lead, sign_in):
    assert sign_in(hr_lead).get("/portal/load/").status_code == 403
