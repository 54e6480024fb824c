"""What consensus building holds about one stakeholder, for subject access exports and erasure (X5).

A stakeholder appears as the holder of competing claims (through their participation in an engagement) and as
a participant of statements-and-votes exercises (their Participant row is tied to that participation).

Erasure follows assessments/subjects.py: a claim keeps that its side held it, with the rights it invoked, and
its holder still points at the erased, anonymous stakeholder (shown by pseudonym); the claim's words go. A
group's claim is the group's (sealed under the organisation's key), never the proxy's, and is neither exported
nor erased with the proxy. In exercises, the participant is untied from the person: their votes and the
statements they wrote stay, anonymous, under the participant's number, so every analysis already run stays
true and the next one reads the same votes; their voting link stops working.
"""

from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from rightsloop.core import rights

from .models import Claim, Participant, Statement, Vote


def _claims(stakeholder) -> list[dict]:
    claims = (Claim.objects.filter(holder__stakeholder=stakeholder, holder_group__isnull=True)
              .select_related("holder__stakeholder", "engagement", "risk", "decision").order_by("recorded_at", "id"))
    return [{
        "engagement": claim.engagement.title,
        "side": claim.side,
        "matter": "risk" if claim.risk_id else "decision",
        "matter_title": (claim.risk or claim.decision).title,
        "rights": [{"code": code, "name": rights.name(code)} for code in claim.rights],
        "attribution": claim.attribution,
        "claim": claim.statement,
        "evidence": claim.evidence,
        "would_accept": claim.would_accept,
        "recorded_at": claim.recorded_at.isoformat(),
    } for claim in claims]


def _exercises(stakeholder) -> list[dict]:
    participants = list(Participant.objects.filter(participation__stakeholder=stakeholder)
                        .select_related("exercise").order_by("created_at", "id"))
    votes: dict[int, list[dict]] = {participant.pk: [] for participant in participants}
    for vote in (Vote.objects.filter(participant__in=participants).select_related("statement")
                 .order_by("participant_id", "statement__number")):
        votes[vote.participant_id].append({"statement": vote.statement.text, "vote": vote.get_value_display(),
                                           "value": vote.value, "cast_at": vote.cast_at.isoformat()})
    written: dict[int, list[str]] = {participant.pk: [] for participant in participants}
    for statement in Statement.objects.filter(author__in=participants).order_by("author_id", "number"):
        written[statement.author_id].append(statement.text)
    return [{
        "exercise": participant.exercise.question,
        "participant_number": participant.number,
        "votes_count": len(votes[participant.pk]),
        "votes": votes[participant.pk],
        "statements_written": written[participant.pk],
    } for participant in participants]


def export(stakeholder) -> dict:
    return {"claims_held": _claims(stakeholder), "exercises": _exercises(stakeholder)}


def erase(stakeholder) -> int:
    """Clear the words of the claims they hold and untie them from every exercise they voted in."""
    cleared = Claim.objects.filter(holder__stakeholder=stakeholder, holder_group__isnull=True).update(
        statement_sealed=b"", evidence_sealed=b"", would_accept_sealed=b"")
    cleared += Participant.objects.filter(participation__stakeholder=stakeholder).update(
        participation=None, device_hash="", link_revoked_at=Coalesce("link_revoked_at", Value(timezone.now())))
    return cleared
