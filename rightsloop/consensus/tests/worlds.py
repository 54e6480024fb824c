"""The consensus objects of an access world (core/tests/access_worlds.build_world calls this).

The world's engagement holds a claim on its risk (held by the participant) and one on its strategic decision
(held by its affected group), the decision's weighing of the first, and an open exercise with one accepted
statement, one awaiting moderation, three participants (the participant of the engagement, a link-only
voter and a room's voter), a vote, a finished analysis run and a result turned into an input. Every text
carries the marker.

Written with the ORM so that the access tests do not depend on the actions they exercise.
"""

from __future__ import annotations

from django.utils import timezone

from rightsloop.accounts.viewer import Viewer
from rightsloop.engagements.models import Input

from .. import links
from ..models import AnalysisRun, Claim, ClaimWeighing, Exercise, ExerciseResult, Participant, Statement, Vote
from ..vocabulary import ExerciseStatus, Moderation, ResultKind, RunState, VoteChannel


def consensus_world(builder: Viewer, marker: str, o: dict) -> None:
    organisation, user, now = builder.organisation, builder.user, timezone.now()
    claim = Claim(organisation=organisation, engagement=o["engagement"], risk=o["risk"], side=f"{marker} side",
                  holder=o["participation"], rights=["privacy"], recorded_by=user)
    claim.statement, claim.evidence, claim.would_accept = (f"{marker} claim", f"{marker} evidence",
                                                           f"{marker} would accept")
    claim.save()
    o["claim"] = claim
    group_claim = Claim(organisation=organisation, engagement=o["engagement"], decision=o["decision"],
                        side=f"{marker} other side", holder_group=o["group"], rights=["child_rights"],
                        recorded_by=user)
    group_claim.statement = f"{marker} group claim"
    group_claim.save()
    o["group_claim"] = group_claim
    o["weighing"] = ClaimWeighing.objects.create(claim=group_claim, decision=o["decision"],
                                                 how_weighed=f"{marker} weighed", weighed_by=user)
    exercise = Exercise.objects.create(
        organisation=organisation, engagement=o["engagement"], question=f"{marker} question?",
        description=f"{marker} exercise", risk=o["risk"], status=ExerciseStatus.OPEN, created_by=user,
        opened_at=now, next_statement_number=2, next_participant_number=3)
    o["exercise"] = exercise
    o["statement"] = Statement.objects.create(exercise=exercise, number=0, text=f"{marker} statement",
                                              is_seed=True, moderation=Moderation.ACCEPTED, votes_count=1,
                                              agrees=1)
    # The voter is another participant of the engagement than the world's `participation`, which the access tests
    # invite (a participant already invited would be left as they are, and the request would do nothing).
    o["voter"] = Participant.objects.create(exercise=exercise, number=0,
                                            participation=o.get("newcomer_participation", o["participation"]),
                                            votes_count=1)
    o["link_voter"] = Participant.objects.create(exercise=exercise, number=1, link_nonce=links.new_nonce())
    # The link-only voter's signed voting link (/vote/<token>/), itself stored nowhere.
    o["voting_token"] = links.token_for(o["link_voter"])
    # A person of a workshop room whose votes the facilitator records (numbered after the others).
    o["room_voter"] = Participant.objects.create(exercise=exercise, number=2, channel=VoteChannel.ROOM)
    o["pending_statement"] = Statement.objects.create(exercise=exercise, number=1, author=o["link_voter"],
                                                      text=f"{marker} pending statement")
    o["vote"] = Vote.objects.create(exercise=exercise, participant=o["voter"], statement=o["statement"], value=1,
                                    cast_at=now)
    o["run"] = AnalysisRun.objects.create(exercise=exercise, state=RunState.NOT_ENOUGH, parameters={"seed": 0},
                                          engine_version="1", message="not enough voters", votes_as_of=now,
                                          started_at=now, finished_at=now)
    result_input = Input(organisation=organisation, engagement=o["engagement"], recorded_by=user)
    result_input.text = f"{marker} common ground"
    result_input.save()
    o["result_input"] = result_input
    o["result"] = ExerciseResult.objects.create(run=o["run"], statement=o["statement"],
                                                kind=ResultKind.CONSENSUS_AGREE, input=result_input, created_by=user)


def consensus_objects(builder: Viewer, marker: str, o: dict) -> dict:
    """The same objects for core/tests/test_isolation.py, whose worlds are plain dicts; `o` holds what they need."""
    objects = dict(o)
    consensus_world(builder, marker, objects)
    return {key: value for key, value in objects.items() if key not in o}


