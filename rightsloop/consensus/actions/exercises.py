"""The facilitator's side of a consensus exercise: set it up, seed and moderate statements, give out voting links,
record a room's votes, open and close it. Each action is keyword-only, atomic and audited.

Audit entries name the exercise and the ids involved, never a statement's words or a participant's name. A link
(consensus.links) exists only in the answer to the action that issued it: it is shown once, and a lost link is
replaced by a new one (reissue_link), which kills the old.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.core import languages as language_names
from rightsloop.engagements.models import Engagement, Participation
from rightsloop.risks.models import Risk, StrategicDecision
from rightsloop.stakeholders.queries import hidden_from

from .. import links
from ..models import Exercise, Participant, Statement
from ..vocabulary import ExerciseStatus, Moderation, VoteChannel, VoteValue

# Below this, a group's figures would point at its few members (Pol.is's own practice is a group of five).
SMALLEST_GROUP = 5
LARGEST_GROUP = 1000
MIN_ACCEPTED_TO_OPEN = 2
MAX_STATEMENT_CHARS = 1000
# At most this many links or room seats in one go: a workshop hall, or a printed sheet of QR codes.
MAX_AT_ONCE = 500
EXERCISE_FIELDS = ("question", "description", "risk_id", "decision_id", "participants_may_write",
                   "min_group_size", "language")


def _require_edit(by: Viewer) -> None:
    if not by.can(Capability.ENGAGEMENTS_EDIT):
        raise PermissionDenied(_("Your role cannot run consensus exercises."))


def _locked(exercise: Exercise) -> Exercise:
    """The exercise row, locked: its counters number statements and participants without gaps or twins."""
    return Exercise.objects.select_for_update().get(pk=exercise.pk)


def _record(exercise: Exercise, by: Viewer, action: str, summary: str, changed: Iterable[str] = ()) -> None:
    audit.record(organisation=exercise.organisation, by=by, action=action, target=exercise,
                 summary=f"exercise #{exercise.pk}: {summary}"[:300], changed_fields=list(changed))


# The exercise --------------------------------------------------------------------------------------------------

def _cleaned(*, organisation, question: str, description: str, risk: Risk | None,
             decision: StrategicDecision | None, participants_may_write: bool, min_group_size: int,
             language: str) -> dict:
    errors: dict[str, str] = {}
    values = {"question": " ".join((question or "").split()), "description": (description or "").strip(),
              "risk": risk, "decision": decision, "participants_may_write": bool(participants_may_write),
              "min_group_size": min_group_size, "language": (language or "").strip().lower()}
    if not values["question"]:
        errors["question"] = _("Ask the question the statements answer.")
    elif len(values["question"]) > 300:
        errors["question"] = _("Keep the question under 300 characters.")
    if risk is not None and risk.organisation_id != organisation.pk:
        errors["risk"] = _("Choose a salient risk of this organisation.")
    if decision is not None and decision.organisation_id != organisation.pk:
        errors["decision"] = _("Choose a strategic decision of this organisation.")
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int) or min_group_size < SMALLEST_GROUP:
        errors["min_group_size"] = _(
            "At least %(n)d: the figures of a smaller group can point at its members, and people who voted in "
            "confidence could be recognised by how their few neighbours voted.") % {"n": SMALLEST_GROUP}
    elif min_group_size > LARGEST_GROUP:
        errors["min_group_size"] = _("At most %(n)d.") % {"n": LARGEST_GROUP}
    if values["language"] and not language_names.is_known(values["language"]):
        errors["language"] = _("Unknown language code: %(code)s.") % {"code": values["language"]}
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def create_exercise(*, engagement: Engagement, question: str, description: str = "", risk: Risk | None = None,
                    decision: StrategicDecision | None = None, participants_may_write: bool = True,
                    min_group_size: int = SMALLEST_GROUP, language: str = "", by: Viewer) -> Exercise:
    """Set up an exercise (a draft) inside an engagement; it opens for votes once it has statements."""
    _require_edit(by)
    if engagement.organisation_id != by.organisation.pk:
        raise ValidationError({"engagement": _("Choose an engagement of this organisation.")})
    values = _cleaned(organisation=by.organisation, question=question, description=description, risk=risk,
                      decision=decision, participants_may_write=participants_may_write,
                      min_group_size=min_group_size, language=language)
    exercise = Exercise.objects.create(organisation=by.organisation, engagement=engagement, created_by=by.user,
                                       **values)
    _record(exercise, by, "exercise.created", f"in engagement #{engagement.pk}",
            [name for name in EXERCISE_FIELDS if getattr(exercise, name) not in (None, "")])
    return exercise


@transaction.atomic
def change_exercise(*, exercise: Exercise, question: str, description: str = "", risk: Risk | None = None,
                    decision: StrategicDecision | None = None, participants_may_write: bool = True,
                    min_group_size: int = SMALLEST_GROUP, language: str = "", by: Viewer) -> Exercise:
    _require_edit(by)
    exercise = _locked(exercise)
    values = _cleaned(organisation=exercise.organisation, question=question, description=description, risk=risk,
                      decision=decision, participants_may_write=participants_may_write,
                      min_group_size=min_group_size, language=language)
    before = audit.snapshot(exercise, EXERCISE_FIELDS)
    for name, value in values.items():
        setattr(exercise, name, value)
    changed = audit.changed(exercise, before, EXERCISE_FIELDS)
    if changed:
        exercise.save(update_fields=[name.removesuffix("_id") for name in changed])
        _record(exercise, by, "exercise.changed", "changed", changed)
    return exercise


@transaction.atomic
def open_exercise(*, exercise: Exercise, by: Viewer) -> Exercise:
    """Open for votes (or open again after closing); needs two accepted statements to vote on."""
    _require_edit(by)
    exercise = _locked(exercise)
    if exercise.status == ExerciseStatus.OPEN:
        return exercise
    accepted = exercise.statements.votable().count()
    if accepted < MIN_ACCEPTED_TO_OPEN:
        raise ValidationError(_(
            "An exercise opens with at least %(n)d accepted statements to vote on; it has %(accepted)d. Add seed "
            "statements or accept participants' statements first.") % {"n": MIN_ACCEPTED_TO_OPEN,
                                                                        "accepted": accepted})
    exercise.status, exercise.opened_at, exercise.closed_at = ExerciseStatus.OPEN, timezone.now(), None
    exercise.save(update_fields=["status", "opened_at", "closed_at"])
    _record(exercise, by, "exercise.opened", f"{accepted} statements", ["status"])
    return exercise


@transaction.atomic
def close_exercise(*, exercise: Exercise, by: Viewer) -> Exercise:
    """Close to votes; the votes, links and analysis stay, and it can be opened again."""
    _require_edit(by)
    exercise = _locked(exercise)
    if exercise.status != ExerciseStatus.OPEN:
        raise ValidationError(_("Only an exercise open for votes can be closed."))
    exercise.status, exercise.closed_at = ExerciseStatus.CLOSED, timezone.now()
    exercise.save(update_fields=["status", "closed_at"])
    _record(exercise, by, "exercise.closed", "closed", ["status"])
    return exercise


# Statements ----------------------------------------------------------------------------------------------------

def _statement_text(text: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValidationError({"text": _("Write the statement.")})
    if len(cleaned) > MAX_STATEMENT_CHARS:
        raise ValidationError({"text": _("Keep a statement under %(n)d characters: one idea people can agree or "
                                         "disagree with.") % {"n": MAX_STATEMENT_CHARS}})
    return cleaned


@transaction.atomic
def add_statement(*, exercise: Exercise, text: str, language: str = "", by: Viewer) -> Statement:
    """Seed a statement: the facilitator's own, accepted at once."""
    _require_edit(by)
    text = _statement_text(text)
    language = (language or "").strip().lower()
    if language and not language_names.is_known(language):
        raise ValidationError({"language": _("Unknown language code: %(code)s.") % {"code": language}})
    exercise = _locked(exercise)
    if exercise.status == ExerciseStatus.CLOSED:
        raise ValidationError(_("The exercise is closed: open it again to add statements."))
    number = exercise.next_statement_number
    Exercise.objects.filter(pk=exercise.pk).update(next_statement_number=F("next_statement_number") + 1)
    statement = Statement.objects.create(
        exercise=exercise, number=number, text=text, is_seed=True, moderation=Moderation.ACCEPTED,
        moderated_by=by.user, moderated_at=timezone.now(), language=language or exercise.language)
    _record(exercise, by, "exercise.statement_added", f"seed statement {number}", ["statements"])
    return statement


MODERATION_CHOICES = (Moderation.ACCEPTED, Moderation.REJECTED, Moderation.META)


@transaction.atomic
def moderate_statement(*, statement: Statement, moderation: str, by: Viewer) -> Statement:
    """Accept, reject or mark as meta; a rejected or meta statement leaves the votes and is muted in the analysis."""
    _require_edit(by)
    if moderation not in MODERATION_CHOICES:
        raise ValidationError({"moderation": _("Choose accepted, rejected or meta.")})
    statement = Statement.objects.select_for_update().select_related("exercise__organisation").get(pk=statement.pk)
    if statement.moderation == moderation:
        return statement
    before = statement.moderation
    statement.moderation, statement.moderated_by, statement.moderated_at = moderation, by.user, timezone.now()
    statement.save(update_fields=["moderation", "moderated_by", "moderated_at"])
    exercise = statement.exercise
    _record(exercise, by, "exercise.statement_moderated", f"statement {statement.number}: {before} to {moderation}",
            ["moderation"])
    if statement.votes_count:
        # Its votes now count, or no longer count: the analysis must be redone without (or with) them.
        Exercise.objects.filter(pk=exercise.pk).update(votes_changed_at=timezone.now())
        _request_analysis(exercise)
    return statement


def _request_analysis(exercise: Exercise) -> None:
    from .analysis import request_analysis

    request_analysis(exercise=exercise)


# Participants and their links -------------------------------------------------------------------------------

@dataclass(frozen=True)
class IssuedLink:
    """A participant's voting link, as the facilitator copies or prints it: shown once, stored nowhere."""

    participant: Participant
    url: str


def voting_url(participant: Participant) -> str:
    path = reverse("consensus-public:vote", args=[links.token_for(participant)])
    return settings.RIGHTSLOOP_BASE_URL.rstrip("/") + path


def _count(count: int) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_AT_ONCE:
        raise ValidationError({"count": _("Give a number from 1 to %(n)d.") % {"n": MAX_AT_ONCE}})
    return count


def _new_participants(exercise: Exercise, rows: list[Participant]) -> list[Participant]:
    """Number the new participants from the exercise's counter (the exercise is locked by the caller)."""
    first = exercise.next_participant_number
    for offset, participant in enumerate(rows):
        participant.exercise, participant.number = exercise, first + offset
    Exercise.objects.filter(pk=exercise.pk).update(next_participant_number=F("next_participant_number") + len(rows))
    exercise.next_participant_number = first + len(rows)
    return Participant.objects.bulk_create(rows)


def _not_closed(exercise: Exercise) -> None:
    if exercise.status == ExerciseStatus.CLOSED:
        raise ValidationError(_("The exercise is closed: open it again to add participants."))


@transaction.atomic
def invite_participants(*, exercise: Exercise, participations: Iterable[Participation], by: Viewer
                        ) -> list[IssuedLink]:
    """Give participants of the engagement their own voting link; those already invited are left as they are."""
    _require_edit(by)
    chosen = {participation.pk for participation in participations}
    if not chosen:
        raise ValidationError({"participations": _("Choose at least one participant of the engagement.")})
    allowed = set(exercise.engagement.participations.filter(pk__in=chosen)
                  .exclude(stakeholder__in=hidden_from(by)).values_list("pk", flat=True))
    if chosen - allowed:
        raise ValidationError({"participations": _("Choose participants of this exercise's engagement.")})
    exercise = _locked(exercise)
    _not_closed(exercise)
    invited = set(exercise.participants.filter(participation_id__in=chosen).values_list("participation_id",
                                                                                          flat=True))
    rows = [Participant(participation_id=pk, channel=VoteChannel.LINK, link_nonce=links.new_nonce())
            for pk in sorted(chosen - invited)]
    created = _new_participants(exercise, rows)
    if created:
        _record(exercise, by, "exercise.participant_invited",
                "participants " + ", ".join(str(p.number) for p in created), ["participants"])
    return [IssuedLink(participant, voting_url(participant)) for participant in created]


@transaction.atomic
def add_link_participants(*, exercise: Exercise, count: int, by: Viewer) -> list[IssuedLink]:
    """Make `count` links for people known only by their link (handed out in a workshop, printed as QR codes)."""
    _require_edit(by)
    count = _count(count)
    exercise = _locked(exercise)
    _not_closed(exercise)
    created = _new_participants(exercise, [Participant(channel=VoteChannel.LINK, link_nonce=links.new_nonce())
                                           for _index in range(count)])
    _record(exercise, by, "exercise.participant_invited", f"{count} link-only participants from "
            f"{created[0].number}", ["participants"])
    return [IssuedLink(participant, voting_url(participant)) for participant in created]


def _link_participant(participant: Participant) -> Participant:
    participant = Participant.objects.select_for_update().select_related("exercise__organisation").get(
        pk=participant.pk)
    if participant.channel == VoteChannel.ROOM or not participant.link_nonce:
        raise ValidationError(_("This participant votes without a link (a room recorded by the facilitator, or an "
                                "import)."))
    return participant


@transaction.atomic
def reissue_link(*, participant: Participant, by: Viewer) -> IssuedLink:
    """A new link for a participant who lost theirs: the old one stops working, and any device may take the new."""
    _require_edit(by)
    participant = _link_participant(participant)
    participant.link_nonce, participant.device_hash, participant.link_revoked_at = links.new_nonce(), "", None
    participant.save(update_fields=["link_nonce", "device_hash", "link_revoked_at"])
    _record(participant.exercise, by, "exercise.link_reissued", f"participant {participant.number}", ["link"])
    return IssuedLink(participant, voting_url(participant))


@transaction.atomic
def free_link(*, participant: Participant, by: Viewer) -> Participant:
    """Let another device use the link (a new phone); the link itself stays the same."""
    _require_edit(by)
    participant = _link_participant(participant)
    if participant.device_hash:
        participant.device_hash = ""
        participant.save(update_fields=["device_hash"])
        _record(participant.exercise, by, "exercise.link_freed", f"participant {participant.number}", ["device"])
    return participant


@transaction.atomic
def revoke_link(*, participant: Participant, by: Viewer) -> Participant:
    """Stop a link from working (lost, shared, misused); the votes already cast stay. Reissue to give a new one."""
    _require_edit(by)
    participant = _link_participant(participant)
    if participant.link_revoked_at is None:
        participant.link_revoked_at = timezone.now()
        participant.save(update_fields=["link_revoked_at"])
        _record(participant.exercise, by, "exercise.link_revoked", f"participant {participant.number}", ["link"])
    return participant


# A room's votes ----------------------------------------------------------------------------------------------

@transaction.atomic
def add_room_participants(*, exercise: Exercise, count: int, by: Viewer) -> list[Participant]:
    """Seat `count` people of a workshop room, numbered; the facilitator records their votes (no link)."""
    _require_edit(by)
    count = _count(count)
    exercise = _locked(exercise)
    _not_closed(exercise)
    created = _new_participants(exercise, [Participant(channel=VoteChannel.ROOM) for _index in range(count)])
    _record(exercise, by, "exercise.participant_invited", f"{count} room participants from {created[0].number}",
            ["participants"])
    return created


@transaction.atomic
def record_room_votes(*, exercise: Exercise, statement: Statement, votes: Mapping[Participant, int], by: Viewer
                      ) -> int:
    """Record, for one statement, each room participant's agree (1), disagree (-1) or pass (0); the latest wins.

    Every vote goes through the voting rules of consensus.actions.votes (cast_vote): one way to cast a vote.
    """
    from .votes import cast_vote

    _require_edit(by)
    if statement.exercise_id != exercise.pk:
        raise ValidationError({"statement": _("Choose a statement of this exercise.")})
    errors = {}
    for participant, value in votes.items():
        if participant.exercise_id != exercise.pk or participant.channel != VoteChannel.ROOM:
            errors[f"vote_{participant.pk}"] = _("Only the room's participants of this exercise vote here.")
        elif value not in VoteValue.values:
            errors[f"vote_{participant.pk}"] = _("Choose agree, disagree or pass.")
    if errors:
        raise ValidationError(errors)
    if not votes:
        raise ValidationError(_("Record at least one vote."))
    for participant, value in votes.items():
        cast_vote(participant=participant, statement=statement, value=value, channel=VoteChannel.ROOM)
    _record(exercise, by, "exercise.room_votes_recorded", f"statement {statement.number}: {len(votes)} votes",
            ["votes"])
    return len(votes)
