"""Decide and go to the next: after a decision, the following undecided input of the same queue, without JavaScript."""

import pytest

from rightsloop.engagements.models import Input
from rightsloop.engagements.tests.factories import make_engagement, make_input

pytestmark = pytest.mark.django_db

ADOPTED = {"outcome": "adopted", "rationale": "", "then": "next", "queue": "show=awaiting"}


@pytest.fixture
def queue(hr_lead):
    engagement = make_engagement(hr_lead)
    inputs = [make_input(hr_lead, engagement, text=f"Input number {n}", owning_function="product") for n in range(3)]
    make_input(hr_lead, engagement, text="Routed to legal", owning_function="legal")
    return inputs


def test_each_decision_leads_to_the_next_in_the_queue(decision_maker, sign_in, queue):
    client = sign_in(decision_maker)
    listing = client.get("/engagements/decisions/?show=awaiting").content.decode()
    assert f"/engagements/inputs/{queue[0].pk}/decide/?queue=show%3Dawaiting" in listing
    page = client.get(f"/engagements/inputs/{queue[0].pk}/decide/?queue=show%3Dawaiting").content.decode()
    assert 'name="then" value="next"' in page and 'name="queue" value="show=awaiting"' in page
    response = client.post(f"/engagements/inputs/{queue[0].pk}/decide/", ADOPTED)
    assert response.status_code == 302
    assert response.url == f"/engagements/inputs/{queue[1].pk}/decide/?queue=show%3Dawaiting"
    response = client.post(f"/engagements/inputs/{queue[1].pk}/decide/", ADOPTED)
    assert response.url == f"/engagements/inputs/{queue[2].pk}/decide/?queue=show%3Dawaiting"
    # The legal input is not in a product decision maker's queue: after the last one, back to the queue.
    response = client.post(f"/engagements/inputs/{queue[2].pk}/decide/", ADOPTED)
    assert response.url == "/engagements/decisions/?show=awaiting"
    assert "Nothing is left to decide in this queue." in client.get(response.url).content.decode()
    assert set(Input.objects.filter(pk__in=[i.pk for i in queue]).values_list("outcome", flat=True)) == {"adopted"}


def test_the_next_wraps_to_an_earlier_input_left_undecided(decision_maker, sign_in, queue):
    client = sign_in(decision_maker)
    response = client.post(f"/engagements/inputs/{queue[2].pk}/decide/", ADOPTED)
    assert response.url == f"/engagements/inputs/{queue[0].pk}/decide/?queue=show%3Dawaiting"


def test_a_bad_decision_stays_on_the_page_with_the_queue_kept(decision_maker, sign_in, queue):
    client = sign_in(decision_maker)
    response = client.post(f"/engagements/inputs/{queue[0].pk}/decide/", {**ADOPTED, "outcome": "not_adopted"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'name="queue" value="show=awaiting"' in page and 'aria-invalid="true"' in page
    assert not Input.objects.get(pk=queue[0].pk).outcome


def test_only_a_query_string_travels_on(decision_maker, sign_in, queue):
    client = sign_in(decision_maker)
    response = client.post(f"/engagements/inputs/{queue[0].pk}/decide/",
                           {**ADOPTED, "queue": "https://evil.example/&show=awaiting"})
    assert response.url.startswith(f"/engagements/inputs/{queue[1].pk}/decide/?queue=")
    assert "evil.example" not in response.url.split("?queue=")[0]
