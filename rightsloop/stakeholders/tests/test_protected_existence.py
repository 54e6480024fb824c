"""Without a grant, nothing shows that a high-safety person exists: not a name, a pseudonym, an id or a count.

An administrator without a grant walks every page and API response about the register, the engagement the person
took part in (through a proxy) and the dashboard; none holds the person's name, pseudonym, id, at-risk trait or
language, and counts are those of the other people. Inputs the proxy relayed still show, as the proxy's.
"""

import re

import pytest

from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.pseudonyms import pseudonym

from .factories import make_stakeholder

pytestmark = pytest.mark.django_db

CANARY = "Canary-Defender-5521"
RELAYED = "Relayed-Words-Marker-8830"


@pytest.fixture
def world(hr_lead, admin, api):
    proxy = make_stakeholder(hr_lead, name="Riders Union Proxy", kind="proxy", country="KE")
    person = make_stakeholder(hr_lead, name=CANARY, email="canary-defender@example.net", country="MM",
                              languages=["my"], at_risk=["journalist"], safety_level="high",
                              preferred_channel="via_proxy")
    ordinary = make_stakeholder(hr_lead, name="Ordinary Rider", country="KE")
    engagement = make_engagement(hr_lead)
    make_participation(hr_lead, engagement, ordinary)
    hidden = make_participation(hr_lead, engagement, person, via_proxy=proxy)
    make_input(hr_lead, engagement, engagement.participations.get(stakeholder=ordinary), text="Ordinary words")
    make_input(hr_lead, engagement, hidden, text=f"{RELAYED}: the night shifts are unsafe")
    return {"person": person, "engagement": engagement, "hidden": hidden, "proxy": proxy}


def traces(person, hidden) -> list[str]:
    code = pseudonym(person.pk).rsplit(" ", 1)[-1]
    return [CANARY, code, f"/stakeholders/{person.pk}/", f"/feedback/{hidden.pk}/", "canary-defender@"]


def _ids_named(body: str, *names: str) -> set[int]:
    return {int(found) for found in re.findall(rf'"(?:{"|".join(names)})": ?(\d+)', body)}


def test_an_administrator_without_a_grant_sees_no_trace(world, admin, sign_in, api):
    person, engagement, hidden = world["person"], world["engagement"], world["hidden"]
    page, bearer = sign_in(admin), api(admin)
    e = engagement.pk
    pages = ["/", "/stakeholders/", "/stakeholders/?safety_level=high", "/stakeholders/?q=Canary",
             "/stakeholders/?country=MM", "/stakeholders/?at_risk=journalist", "/stakeholders/?language=my",
             f"/engagements/{e}/", f"/engagements/{e}/inputs/",
             f"/engagements/{e}/feedback/", "/engagements/decisions/", "/engagements/"]
    endpoints = ["/api/v1/stakeholders", "/api/v1/stakeholders?safety_level=high",
                 f"/api/v1/engagements/{e}", f"/api/v1/engagements/{e}/participants", f"/api/v1/engagements/{e}/inputs",
                 f"/api/v1/engagements/{e}/feedback", "/api/v1/engagements", "/api/v1/metrics/loop"]
    for url in pages:
        response = page.get(url)
        body = response.content.decode()
        assert response.status_code == 200, (url, response.status_code)
        for trace in traces(person, hidden):
            assert trace not in body, (url, trace)
    for search in ("Canary", "canary-defender@example.net", "Defender"):
        found = page.post(f"/engagements/{e}/", {"find": search}, follow=True).content.decode()
        assert "Nobody found who is not already invited." in found, search
        body = page.post("/stakeholders/", {"q": search}, follow=True).content.decode()
        assert "0 stakeholders" in body, search
        assert bearer.post("/api/v1/stakeholders/search", {"q": search}).json()["count"] == 0, search
        for trace in traces(person, hidden):
            # The box repeats what was typed; nothing else may.
            assert body.count(trace) == body.count(f'value="{search}"') * (trace in search), (search, trace)
    for url in endpoints:
        response = bearer.get(url)
        body = response.content.decode()
        assert response.status_code == 200, (url, response.status_code)
        for trace in traces(person, hidden):
            assert trace not in body, (url, trace)
        assert person.pk not in _ids_named(body, "stakeholder_id", "via_proxy_id"), url
        if "/api/v1/stakeholders" in url:
            assert person.pk not in _ids_named(body, "id"), url
        if url.endswith(("/participants", "/feedback")):
            assert hidden.pk not in _ids_named(body, "id", "participant_id", "participation_id"), url
        assert hidden.pk not in _ids_named(body, "speaker_id"), url
    for url in (f"/engagements/{e}/feedback/{hidden.pk}/", f"/stakeholders/{person.pk}/"):
        assert page.get(url).status_code == 404, url
    for url in (f"/api/v1/engagements/{e}/feedback/{hidden.pk}", f"/api/v1/stakeholders/{person.pk}"):
        assert bearer.get(url).status_code in (404, 405), url
    # Counts leave the person out: one participant with inputs, the ordinary rider.
    shown = bearer.get(f"/api/v1/engagements/{e}").json()
    assert shown["participants_with_inputs"] == 1
    assert len(bearer.get(f"/api/v1/engagements/{e}/participants").json()) == 1
    assert "0 / 1" in page.get(f"/engagements/{e}/").content.decode()
    # Who was heard: one voice, with no at-risk group, language or region of the person.
    heard = page.get(f"/engagements/{e}/").context["heard"]
    assert heard.voices == 1 and heard.by_at_risk == []
    assert "Burmese" not in dict(heard.by_language) and len(heard.by_region) == 1
    # The words the proxy relayed still show, as the proxy's, with no speaker id.
    inputs = bearer.get(f"/api/v1/engagements/{e}/inputs").json()["items"]
    relayed = next(i for i in inputs if RELAYED in i["text"])
    assert relayed["speaker"] == "Riders Union Proxy" and relayed["speaker_id"] is None
    assert "Riders Union Proxy" in page.get(f"/engagements/{e}/inputs/").content.decode()


def test_a_grant_holder_still_sees_the_person_by_pseudonym(world, hr_lead, sign_in, api):
    person, engagement = world["person"], world["engagement"]
    code = pseudonym(person.pk).rsplit(" ", 1)[-1]
    assert code in sign_in(hr_lead).get(f"/engagements/{engagement.pk}/").content.decode()
    bearer = api(hr_lead)
    assert len(bearer.get(f"/api/v1/engagements/{engagement.pk}/participants").json()) == 2
    assert bearer.get(f"/api/v1/engagements/{engagement.pk}").json()["participants_with_inputs"] == 2


def test_the_overdue_reminder_counts_only_people_its_owner_may_know_of(hr_lead, admin):
    import datetime

    from django.core import mail
    from django.utils import timezone

    from rightsloop.engagements.actions import remind_overdue_loop_owners

    today = timezone.localdate()
    # Owned by the administrator, who holds no grant; the human rights lead invites the protected person.
    engagement = make_engagement(admin, starts_on=today - datetime.timedelta(days=90),
                                 feedback_due_on=today - datetime.timedelta(days=1))
    proxy = make_stakeholder(hr_lead, name="Riders Union Proxy", kind="proxy")
    person = make_stakeholder(hr_lead, name=CANARY, safety_level="high")
    make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
    make_input(hr_lead, engagement, make_participation(hr_lead, engagement, person, via_proxy=proxy))
    assert remind_overdue_loop_owners(today=today) == 1
    assert "(0/1 participants told)" in mail.outbox[0].body, mail.outbox[0].body
