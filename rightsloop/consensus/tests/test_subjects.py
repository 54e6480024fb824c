"""A stakeholder's claims and exercise votes: exported with the rest of what is held about them, cleared by erasure."""

import pytest
from django.utils import timezone

from rightsloop.stakeholders.actions import erase_stakeholder
from rightsloop.stakeholders.subjects import export

from .. import claim_columns
from ..models import Claim, Exercise, Participant, Statement, Vote
from ..vocabulary import Moderation
from .factories_claims import make_claim, make_debate

pytestmark = pytest.mark.django_db


def make_votes(by, debate):
    """An exercise where the person voted on two statements and wrote a third; someone else voted too."""
    exercise = Exercise.objects.create(organisation=by.organisation, engagement=debate.engagement,
                                       question="Should the messenger scan on the device?", status="open")
    voter = Participant.objects.create(exercise=exercise, number=0, participation=debate.person, votes_count=2)
    other = Participant.objects.create(exercise=exercise, number=1, votes_count=1)
    statements = [Statement.objects.create(exercise=exercise, number=n, text=text, moderation=Moderation.ACCEPTED)
                  for n, text in enumerate(("Scanning is proportionate.", "Encryption must stay whole."))]
    Statement.objects.create(exercise=exercise, number=2, text="Ask children too.", author=voter)
    now = timezone.now()
    Vote.objects.create(exercise=exercise, participant=voter, statement=statements[0], value=-1, cast_at=now)
    Vote.objects.create(exercise=exercise, participant=voter, statement=statements[1], value=1, cast_at=now)
    Vote.objects.create(exercise=exercise, participant=other, statement=statements[0], value=1, cast_at=now)
    return exercise, voter


def test_export_lists_claims_held_and_votes_cast(hr_lead):
    debate = make_debate(hr_lead)
    make_claim(hr_lead, debate.engagement, risk=debate.risk, holder=debate.person,
               rights=["privacy", "freedom_of_expression"])
    make_claim(hr_lead, debate.engagement, decision=debate.decision, holder_group=debate.group, side="Child safety",
               rights=["child_rights"], statement="The group's words")
    make_votes(hr_lead, debate)
    exported = export(debate.person.stakeholder)["consensus"]
    assert len(exported["claims_held"]) == 1
    held = exported["claims_held"][0]
    assert (held["side"], held["matter_title"], held["claim"]) == (
        "Privacy", debate.risk.title, "Scanning every message breaks end-to-end encryption.")
    assert [r["code"] for r in held["rights"]] == ["freedom_of_expression", "privacy"]
    assert held["would_accept"] == "Opt-in reporting only"
    [exercise] = exported["exercises"]
    assert exercise["exercise"] == "Should the messenger scan on the device?" and exercise["votes_count"] == 2
    assert [(v["statement"], v["value"]) for v in exercise["votes"]] == [
        ("Scanning is proportionate.", -1), ("Encryption must stay whole.", 1)]
    assert exercise["statements_written"] == ["Ask children too."]
    # The proxy's export does not carry the group's claim: it is the group's.
    assert export(debate.proxy.stakeholder)["consensus"]["claims_held"] == []


def test_erasure_clears_the_words_and_unties_the_votes(hr_lead):
    debate = make_debate(hr_lead)
    held = make_claim(hr_lead, debate.engagement, risk=debate.risk, holder=debate.person)
    group_claim = make_claim(hr_lead, debate.engagement, decision=debate.decision, holder_group=debate.group,
                             side="Child safety", rights=["child_rights"], statement="The group's words")
    _exercise, voter = make_votes(hr_lead, debate)
    person = debate.person.stakeholder
    erase_stakeholder(stakeholder=person, reason="Asked to be forgotten", by=hr_lead)
    claim = Claim.objects.get(pk=held.pk)
    assert (claim.statement, claim.evidence, claim.would_accept) == ("", "", "")
    assert (claim.side, claim.rights, claim.holder_id) == ("Privacy", ["privacy"], debate.person.pk)
    label = claim_columns.holder_labels([Claim.objects.select_related("holder__stakeholder").get(pk=held.pk)],
                                        hr_lead)[held.pk]
    assert "Amina" not in label
    assert Claim.objects.get(pk=group_claim.pk).statement == "The group's words"  # the group's, not the proxy's
    voter.refresh_from_db()
    assert voter.participation_id is None and voter.link_revoked_at is not None
    assert Vote.objects.filter(participant=voter).count() == 2  # the votes stay, anonymous
    assert Statement.objects.filter(author=voter).count() == 1
    assert export(person)["consensus"] == {"claims_held": [{
        "engagement": debate.engagement.title, "side": "Privacy", "matter": "risk",
        "matter_title": debate.risk.title, "rights": [{"code": "privacy",
                                                       "name": "Privacy, family, home and correspondence"}],
        "attribution": "anonymised", "claim": "", "evidence": "", "would_accept": "",
        "recorded_at": claim.recorded_at.isoformat()}], "exercises": []}
