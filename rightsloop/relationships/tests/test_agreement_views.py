"""Staff pages of agreements and relationship owners."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rightsloop.relationships.models import Agreement, AgreementVersion, Relationship
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .agreement_factories import make_agreement

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _form(**fields) -> dict:
    data = {
        "starts_on": TODAY.isoformat(), "review_on": (TODAY + 365 * DAY).isoformat(),
        "engagements_expected": "2", "engagement_kinds": ["workshop"], "indicative_months": ["4", "10"],
        "briefing_topics": ["governance"], "feedback_within_days": "21",
        "we_may__name_as_adviser": "yes", "they_may__name_us": "yes",
        "nda_scope": "Draft policies", "nda_sunset_on": (TODAY + 90 * DAY).isoformat(),
    }
    data.update(fields)
    return data


def test_draft_through_the_pages(hr_lead, sign_in):
    client = sign_in(hr_lead)
    stakeholder = make_stakeholder(hr_lead)
    page = client.get(reverse("stakeholders:detail", args=[stakeholder.pk]))
    assert reverse("relationships:agreement-create", args=[stakeholder.pk]).encode() in page.content
    url = reverse("relationships:agreement-create", args=[stakeholder.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _form())
    agreement = Agreement.objects.get()
    assert response.status_code == 302 and response.url == reverse("relationships:agreement-detail",
                                                                    args=[agreement.pk])
    version = agreement.current_version
    assert version.we_may == {"name_as_engaged": False, "name_as_adviser": True, "quote": False, "use_logo": False}
    assert version.indicative_months == [4, 10]
    detail = client.get(response.url)
    assert b"Draft policies" in detail.content and b"agreement.drafted" in detail.content
    edit = reverse("relationships:agreement-edit", args=[agreement.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, _form(feedback_within_days="10")).status_code == 302
    client.post(reverse("relationships:agreement-propose", args=[agreement.pk]))
    client.post(reverse("relationships:agreement-answer", args=[agreement.pk]),
                {"answer": "accepted", "via": "in_person", "comment": ""})
    agreement.refresh_from_db()
    assert agreement.state == "in_force" and agreement.current_version.feedback_within_days == 10
    assert agreement.current_version.answer_recorded_by == hr_lead.user
    listed = client.get(reverse("relationships:agreement-list"), {"state": "in_force"})
    assert reverse("relationships:agreement-detail", args=[agreement.pk]).encode() in listed.content
    client.post(reverse("relationships:agreement-end", args=[agreement.pk]), {"reason": "Done"})
    agreement.refresh_from_db()
    assert agreement.state == "ended"


def test_sunset_before_start_re_renders_and_saves_nothing(hr_lead, sign_in):
    client = sign_in(hr_lead)
    stakeholder = make_stakeholder(hr_lead)
    response = client.post(reverse("relationships:agreement-create", args=[stakeholder.pk]),
                           _form(nda_sunset_on=(TODAY - DAY).isoformat()))
    assert response.status_code == 200
    assert "The NDA must end after the agreement starts." in response.content.decode()
    assert not Agreement.objects.exists() and not AgreementVersion.objects.exists()


def test_bad_offline_answer_and_end_are_explained(hr_lead, sign_in):
    client = sign_in(hr_lead)
    agreement = make_agreement(hr_lead, make_stakeholder(hr_lead), state="proposed")
    response = client.post(reverse("relationships:agreement-answer", args=[agreement.pk]),
                           {"answer": "changes_requested", "via": "email", "comment": ""})
    assert response.status_code == 400 and "Say which changes" in response.content.decode()
    assert client.post(reverse("relationships:agreement-end", args=[agreement.pk]), {}).status_code == 400
    agreement.refresh_from_db()
    assert agreement.state == "proposed"


def test_filters_review_due_and_sunset_soon(hr_lead, sign_in):
    client = sign_in(hr_lead)
    due = make_agreement(hr_lead, make_stakeholder(hr_lead), state="in_force", review_on=TODAY + 10 * DAY,
                         nda_scope="", nda_sunset_on=None)
    sunset = make_agreement(hr_lead, make_stakeholder(hr_lead), state="in_force", nda_sunset_on=TODAY + 20 * DAY)
    quiet = make_agreement(hr_lead, make_stakeholder(hr_lead), state="in_force")

    def listed(**params) -> set[int]:
        page = client.get(reverse("relationships:agreement-list"), params).context["page"]
        return {agreement.pk for agreement in page.object_list}

    assert listed() == {due.pk, sunset.pk, quiet.pk}
    assert listed(review_due="on") == {due.pk}
    assert listed(sunset_soon="on") == {sunset.pk}


def test_list_hides_high_safety_people_without_grant_and_names_them_by_pseudonym(organisation, hr_lead, admin,
                                                                                  sign_in):
    protected = make_stakeholder(hr_lead, name="Amina Hidden", safety_level="high")
    agreement = make_agreement(hr_lead, protected)
    page = sign_in(hr_lead).get(reverse("relationships:agreement-list")).content.decode()
    assert pseudonym(protected.pk) in page and "Amina Hidden" not in page
    other = sign_in(admin)
    assert reverse("relationships:agreement-detail", args=[agreement.pk]) not in other.get(
        reverse("relationships:agreement-list")).content.decode()
    assert other.get(reverse("relationships:agreement-detail", args=[agreement.pk])).status_code == 404


def test_list_query_count_does_not_grow(hr_lead, sign_in, django_assert_max_num_queries):
    client = sign_in(hr_lead)
    for _ in range(3):
        make_agreement(hr_lead, make_stakeholder(hr_lead), state="in_force")
    client.get(reverse("relationships:agreement-list"))
    with django_assert_max_num_queries(14) as first:
        client.get(reverse("relationships:agreement-list"))
    for _ in range(5):
        make_agreement(hr_lead, make_stakeholder(hr_lead), state="in_force")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("relationships:agreement-list"))


def test_set_owner_page(organisation, hr_lead, admin, sign_in):
    client = sign_in(hr_lead)
    stakeholder = make_stakeholder(hr_lead)
    url = reverse("relationships:relationship-owner", args=[stakeholder.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"owner": admin.user.pk}).status_code == 302
    assert Relationship.objects.get(stakeholder=stakeholder).owner == admin.user
    detail = client.get(reverse("stakeholders:detail", args=[stakeholder.pk])).content.decode()
    assert admin.user.get_full_name() in detail


def test_auditor_reads_but_cannot_change(auditor, hr_lead, sign_in):
    agreement = make_agreement(hr_lead, make_stakeholder(hr_lead))
    client = sign_in(auditor)
    assert client.get(reverse("relationships:agreement-detail", args=[agreement.pk])).status_code == 200
    assert client.post(reverse("relationships:agreement-propose", args=[agreement.pk])).status_code == 403
    agreement.refresh_from_db()
    assert agreement.state == "drafted"
