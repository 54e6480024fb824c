"""Without a grant, nothing shows that a high-safety person exists: not a name, a pseudonym, an id or a count.

An administrator without a grant walks every page and API response about the register, the engagement the person
took part in (through a proxy) and the dashboard; none holds the person's name, pseudonym, id, at-risk trait or
language, and counts are those of the other people. What the proxy relayed shows as its group's words (issue 12).
"""

import re

import pytest

from rightsloop.engagements.tests.factories import (
    make_engagement,
    make_group,
    make_input,
    make_participation,
    make_relayed_input,
)
from rightsloop.stakeholders.pseudonyms import pseudonym

from .factories import make_stakeholder

pytestmark = pytest.mark.django_db

CANARY = "Canary-Defender-5521"
RELAYED = "Relayed-Words-Marker-8830"
# A protected person's own words are heard only when they take part directly, by an audited override: what a
# proxy relays for them is their group's (issue 12).
OVERRIDE = "Met at their request in a place they chose"


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
    # What the proxy relays is the group's, never recorded against the person (issue 12).
    group = make_group(hr_lead, proxy, members=[person], name="Night-shift riders")
    make_relayed_input(hr_lead, engagement, proxy, group, text=f"{RELAYED}: the night shifts are unsafe")
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
                 f"/api/v1/engagements/{e}/feedback", "/api/v1/engagements", "/api/v1/metrics/loop",
                 f"/api/v1/engagements/{e}/heard"]
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
    # Counts leave the person out: two participants with inputs, the ordinary rider and the proxy.
    shown = bearer.get(f"/api/v1/engagements/{e}").json()
    assert shown["participants_with_inputs"] == 2
    assert len(bearer.get(f"/api/v1/engagements/{e}/participants").json()) == 2
    assert "0 / 2" in page.get(f"/engagements/{e}/").content.decode()
    # Who was heard: one voice and one group through a proxy, with no at-risk trait, language or region of
    # the person.
    heard = page.get(f"/engagements/{e}/").context["heard"]
    assert heard.voices == 1 and heard.by_at_risk == [] and heard.through_proxy.groups == 1
    assert "Burmese" not in dict(heard.by_language) and len(heard.by_region) == 1
    assert "Burmese" not in dict(heard.through_proxy.by_language)
    # The words the proxy relayed show as the group's, through the proxy; the speaker is the proxy's part.
    inputs = bearer.get(f"/api/v1/engagements/{e}/inputs").json()["items"]
    relayed = next(i for i in inputs if RELAYED in i["text"])
    assert relayed["speaker"] == "Night-shift riders, through a proxy" and relayed["speaker_id"] != hidden.pk
    assert "Night-shift riders, through a proxy" in page.get(f"/engagements/{e}/inputs/").content.decode()


def test_a_grant_holder_still_sees_the_person_by_pseudonym(world, hr_lead, sign_in, api):
    person, engagement = world["person"], world["engagement"]
    code = pseudonym(person.pk).rsplit(" ", 1)[-1]
    assert code in sign_in(hr_lead).get(f"/engagements/{engagement.pk}/").content.decode()
    bearer = api(hr_lead)
    assert len(bearer.get(f"/api/v1/engagements/{engagement.pk}/participants").json()) == 3
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
    person = make_stakeholder(hr_lead, name=CANARY, safety_level="high")
    make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
    make_input(hr_lead, engagement, make_participation(hr_lead, engagement, person, override_reason=OVERRIDE))
    assert remind_overdue_loop_owners(today=today) == 1
    assert "(0/1 participants told)" in mail.outbox[0].body, mail.outbox[0].body


@pytest.fixture
def only_hidden_open(hr_lead):
    """Two engagements (one overdue, one due this week) whose only open loop is the protected person's.

    Every input has a decision and the ordinary rider has been told; only the protected person (heard through a
    directly, by an audited override) has not, so the stored loop is open for everyone.
    """
    import datetime

    from django.utils import timezone

    from rightsloop.engagements import actions

    today = timezone.localdate()
    person = make_stakeholder(hr_lead, name=CANARY, safety_level="high")
    made = []
    for due in (today - datetime.timedelta(days=2), today + datetime.timedelta(days=3)):
        engagement = make_engagement(hr_lead, starts_on=today - datetime.timedelta(days=40), feedback_due_on=due)
        ordinary = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
        hidden = make_participation(hr_lead, engagement, person, override_reason=OVERRIDE)
        for speaker in (ordinary, hidden):
            actions.record_decision(input=make_input(hr_lead, engagement, speaker), outcome="adopted", by=hr_lead)
        ordinary.refresh_from_db()
        actions.mark_feedback_delivered(participation=ordinary, channel="in_person", by=hr_lead)
        engagement.refresh_from_db()
        assert engagement.loop_state == "open"
        made.append(engagement)
    return {"overdue": made[0], "due_soon": made[1], "person": person}


def test_a_loop_open_only_for_a_hidden_person_shows_closed_without_a_grant(only_hidden_open, admin, board, sign_in,
                                                                           api):
    overdue, due_soon = only_hidden_open["overdue"], only_hidden_open["due_soon"]
    page, bearer = sign_in(admin), api(admin)
    for engagement in (overdue, due_soon):
        shown = bearer.get(f"/api/v1/engagements/{engagement.pk}").json()
        assert (shown["loop_state"], shown["overdue"]) == ("closed", False)
        assert shown["loop_closed_at"] is not None
        assert (shown["participants_closed"], shown["participants_with_inputs"]) == (1, 1)
        for url in (f"/engagements/{engagement.pk}/", f"/engagements/{engagement.pk}/feedback/"):
            body = page.get(url).content.decode()
            assert "Loop: Closed" in body and "badge overdue" not in body, url
    listed = bearer.get("/api/v1/engagements").json()["items"]
    assert {(e["id"], e["loop_state"], e["overdue"]) for e in listed} == {
        (overdue.pk, "closed", False), (due_soon.pk, "closed", False)}
    assert bearer.get("/api/v1/engagements?overdue=true").json()["items"] == []
    assert bearer.get("/api/v1/engagements?loop_state=open").json()["items"] == []
    assert len(bearer.get("/api/v1/engagements?loop_state=closed").json()["items"]) == 2
    assert "badge overdue" not in page.get("/engagements/").content.decode()
    assert overdue.title not in page.get("/engagements/?overdue=on").content.decode()
    for viewer in (admin, board):
        metrics = api(viewer).get("/api/v1/metrics/loop").json()
        assert (metrics["overdue"], metrics["due_this_week"], metrics["closed_loops"]) == (0, 0, 2), viewer.role
        # Inputs still count (they show on the engagement pages, unattributed).
        assert (metrics["inputs_total"], metrics["decided_total"]) == (4, 4)
        panel = sign_in(viewer).get("/").context["panel"]
        assert panel["metrics"].overdue == 0 and panel["metrics"].due_this_week == 0
        assert panel["overdue"] == [] and panel["due_soon"] == []


def test_a_grant_holder_still_sees_the_hidden_persons_loop_open(only_hidden_open, hr_lead, sign_in, api):
    overdue, due_soon = only_hidden_open["overdue"], only_hidden_open["due_soon"]
    bearer = api(hr_lead)
    shown = bearer.get(f"/api/v1/engagements/{overdue.pk}").json()
    assert (shown["loop_state"], shown["overdue"], shown["loop_closed_at"]) == ("open", True, None)
    assert "badge overdue" in sign_in(hr_lead).get(f"/engagements/{overdue.pk}/").content.decode()
    assert [e["id"] for e in bearer.get("/api/v1/engagements?overdue=true").json()["items"]] == [overdue.pk]
    metrics = bearer.get("/api/v1/metrics/loop").json()
    assert (metrics["overdue"], metrics["due_this_week"], metrics["closed_loops"]) == (1, 1, 0)
    panel = sign_in(hr_lead).get("/").context["panel"]
    assert [e.pk for e in panel["overdue"]] == [overdue.pk] and [e.pk for e in panel["due_soon"]] == [due_soon.pk]


def test_the_median_leaves_out_reports_to_a_hidden_person(hr_lead, admin):
    from rightsloop.engagements import actions, queries

    person = make_stakeholder(hr_lead, name=CANARY, safety_level="high")
    engagement = make_engagement(hr_lead)
    hidden = make_participation(hr_lead, engagement, person, override_reason=OVERRIDE)
    actions.record_decision(input=make_input(hr_lead, engagement, hidden), outcome="adopted", by=hr_lead)
    hidden.refresh_from_db()
    actions.mark_feedback_delivered(participation=hidden, channel="in_person", by=hr_lead)
    assert queries.median_days_to_feedback(hr_lead) is not None
    assert queries.median_days_to_feedback(admin) is None


def test_the_overdue_reminder_leaves_out_a_loop_open_only_for_a_person_its_owner_may_not_know_of(hr_lead, admin):
    import datetime

    from django.core import mail
    from django.utils import timezone

    from rightsloop.engagements import actions

    today = timezone.localdate()
    engagement = make_engagement(admin, starts_on=today - datetime.timedelta(days=90),
                                 feedback_due_on=today - datetime.timedelta(days=1))
    person = make_stakeholder(hr_lead, name=CANARY, safety_level="high")
    hidden = make_participation(hr_lead, engagement, person, override_reason=OVERRIDE)
    actions.record_decision(input=make_input(hr_lead, engagement, hidden), outcome="adopted", by=hr_lead)
    assert actions.remind_overdue_loop_owners(today=today) == 0
    assert mail.outbox == []
