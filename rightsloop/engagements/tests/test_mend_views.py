"""Mending mistakes through the pages: confirmation pages change nothing on GET and say what will change."""

import pytest
from django.utils import timezone

from rightsloop.core.models import AuditEntry
from rightsloop.engagements import actions
from rightsloop.engagements.models import Engagement, Input, InputVersion
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_engagement, make_input, make_participation

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_correct_an_input_and_see_the_earlier_version(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    item = make_input(hr_lead, engagement, participation, text="Delete locaton history.")
    client = sign_in(hr_lead)
    page = client.get(f"/engagements/inputs/{item.pk}/edit/")
    assert page.status_code == 200 and "Delete locaton history." in page.content.decode()
    response = client.post(f"/engagements/inputs/{item.pk}/edit/", {
        "text": "Delete location history.", "speaker": participation.pk, "attribution": "anonymised",
        "tags": "retention"})
    assert response.status_code == 302
    history = client.get(response["Location"]).content.decode()
    assert "Delete location history." in history and "Delete locaton history." in history
    assert "Version 1, replaced by" in history


def test_a_bad_correction_rerenders_with_its_error(hr_lead, sign_in):
    item = make_input(hr_lead, make_engagement(hr_lead), text="As said.")
    response = sign_in(hr_lead).post(f"/engagements/inputs/{item.pk}/edit/", {
        "text": " ", "speaker": "", "attribution": "anonymised", "tags": ""})
    assert response.status_code == 400 and not InputVersion.objects.exists()


def test_a_protected_speaker_stays_unnamed_in_the_history(hr_lead, decision_maker, sign_in):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, name="Zebediah Quillfeather", safety_level="elevated")
    participation = make_participation(hr_lead, engagement, person)
    item = make_input(hr_lead, engagement, participation, text="First words.", attribution="anonymised")
    actions.edit_input(input=item, text="Second words.", speaker=participation, attribution="anonymised",
                       tags=[], by=hr_lead)
    body = sign_in(hr_lead).get(f"/engagements/inputs/{item.pk}/history/").content.decode()
    assert "First words." in body and "Zebediah" not in body and pseudonym(person.pk) not in body


def test_withdrawing_asks_first(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    item = make_input(hr_lead, engagement)
    actions.record_decision(input=item, outcome="adopted", rationale="", by=hr_lead)
    client = sign_in(hr_lead)
    page = client.get(f"/engagements/inputs/{item.pk}/withdraw/")
    body = page.content.decode()
    assert page.status_code == 200 and "What will change" in body and "feedback letter" in body
    assert "Its decision" in body and 'method="post"' in body
    assert Input.objects.get(pk=item.pk).stands and not AuditEntry.objects.filter(action="input.withdrawn").exists()
    assert client.post(f"/engagements/inputs/{item.pk}/withdraw/", {"reason": ""}).status_code == 400
    response = client.post(f"/engagements/inputs/{item.pk}/withdraw/", {"reason": "Typed twice."})
    assert response.status_code == 302 and Input.objects.get(pk=item.pk).is_withdrawn
    # The list leaves it out, and shows it when asked.
    assert item.text not in client.get(f"/engagements/{engagement.pk}/inputs/").content.decode()
    assert item.text in client.get(f"/engagements/{engagement.pk}/inputs/?show=mended").content.decode()


def test_merging_asks_first(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    keep = make_input(hr_lead, engagement, participation, text="Keep me.")
    twice = make_input(hr_lead, engagement, participation, text="Keep me!")
    client = sign_in(hr_lead)
    page = client.get(f"/engagements/inputs/{keep.pk}/merge/")
    assert page.status_code == 200 and "Keep me!" in page.content.decode()
    assert not Input.objects.merged_away().exists()
    response = client.post(f"/engagements/inputs/{keep.pk}/merge/", {"duplicate": twice.pk})
    assert response.status_code == 302 and Input.objects.get(pk=twice.pk).merged_into_id == keep.pk
    assert client.post(f"/engagements/inputs/{keep.pk}/merge/", {"duplicate": 999999}).status_code == 400


def test_cancelling_asks_first_and_is_refused_after_a_report(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    make_input(hr_lead, engagement)
    client = sign_in(hr_lead)
    page = client.get(f"/engagements/{engagement.pk}/cancel/").content.decode()
    assert "Its 1 input is withdrawn" in page and not Engagement.objects.get().is_cancelled
    response = client.post(f"/engagements/{engagement.pk}/cancel/", {"reason": "Created twice."})
    assert response.status_code == 302 and Engagement.objects.get().is_cancelled
    assert engagement.title not in client.get("/engagements/").content.decode()
    assert engagement.title in client.get(f"/engagements/{engagement.pk}/").content.decode()

    told = make_engagement(hr_lead)
    participation = make_participation(hr_lead, told, make_stakeholder(hr_lead))
    item = make_input(hr_lead, told, participation)
    actions.record_decision(input=item, outcome="adopted", rationale="", by=hr_lead)
    actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    refused = client.get(f"/engagements/{told.pk}/cancel/").content.decode()
    assert "already sent" in refused and "Cancel the engagement" not in refused
    assert client.post(f"/engagements/{told.pk}/cancel/", {"reason": "Oops"}).status_code == 400


def test_an_auditor_sees_the_history_but_mends_nothing(hr_lead, auditor, sign_in):
    item = make_input(hr_lead, make_engagement(hr_lead))
    client = sign_in(auditor)
    assert client.get(f"/engagements/inputs/{item.pk}/history/").status_code == 200
    for step in ("edit", "withdraw", "merge"):
        assert client.get(f"/engagements/inputs/{item.pk}/{step}/").status_code == 403
    assert client.post(f"/engagements/inputs/{item.pk}/withdraw/", {"reason": "x"}).status_code == 403
    assert Input.objects.get(pk=item.pk).stands
