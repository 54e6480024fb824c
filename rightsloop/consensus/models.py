"""Consensus building (E5): competing claims side by side, and statements-and-votes exercises.

A claim is what one side holds on a matter (a salient risk or a strategic decision) inside an engagement: who
holds it, the rights it invokes, its evidence and what its holder would accept. A decision on the matter says
how it weighed each claim (ClaimWeighing).

An exercise asks a question inside an engagement. Participants (engagement participants, portal users, people
with a signed link, or a room whose votes the facilitator records) vote agree, disagree or pass on statements,
seeded by the facilitator or written by participants and moderated. An analysis run (consensus.engine, the
method of Pol.is as published) finds opinion groups, the statements each group stands for, the common ground
and what divides; its results can become inputs, decided and fed back like any other.

AnalysisRun.results holds, as JSON (written by consensus.analysis, read by the pages and the API):

    {"k": 2, "silhouette": 0.61, "n_participants": 126, "n_clustered": 108, "n_statements": 316,
     "n_votes": 14283,
     "groups": [{"id": 0, "label": "A", "size": 100, "shown": true}, ...],   # shown: size >= min_group_size
     "statements": {"<number>": {"ns": 90, "na": 60, "nd": 20, "pa": 0.65, "pd": 0.22, "gic": 0.41,
                                  "groups": {"0": {"ns": .., "na": .., "nd": ..}, ...}}},   # groups shown only
     "consensus": {"agree": [{"statement": 12, "pa": .., "pat": ..}], "disagree": [...]},
     "representative": {"0": [{"statement": 3, "direction": "agree", "repness": .., "repness_test": ..,
                               "p": .., "p_test": ..}], ...},
     "divisive": [{"statement": 7, "spread": ..}],
     "group_consensus": [{"statement": 5, "gic": ..}]}   # highest group-informed consensus first

and AnalysisRun.placements, a compressed numpy archive (consensus.analysis.load_placements) of every projected
participant's number, x, y and group (-1 when not clustered), for the opinion map.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rightsloop.core.models import Organisation, OrganisationScopedQuerySet
from rightsloop.core.sealing import OrganisationKey, Sealed, SealedModel
from rightsloop.engagements.vocabulary import Attribution

from .vocabulary import ExerciseStatus, Moderation, ResultKind, RunState, VoteChannel, VoteValue


class ClaimQuerySet(OrganisationScopedQuerySet):
    def on_risk(self, risk):
        return self.filter(risk=risk)

    def on_decision(self, decision):
        """Claims on the decision itself, and on the risks it is linked to."""
        return self.filter(Q(decision=decision) | Q(risk__in=decision.risks.all()))


class Claim(SealedModel, models.Model):
    """One side's claim on a matter, recorded inside an engagement; its words are sealed under its holder's key."""

    sealed_fields = ("statement", "evidence", "would_accept")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="claims")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="claims",
                                   verbose_name=_("engagement"))
    # The matter: a salient risk or a strategic decision (exactly one).
    risk = models.ForeignKey("risks.Risk", on_delete=models.CASCADE, null=True, blank=True, related_name="claims",
                             verbose_name=_("salient risk"))
    decision = models.ForeignKey("risks.StrategicDecision", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="claims", verbose_name=_("strategic decision"))
    # The side it belongs to, in a few words ("Privacy", "Child safety"): claims of one side share a column.
    side = models.CharField(_("side"), max_length=80)
    # Who holds it: a participant of the engagement, or an affected group (heard through a proxy taking part).
    holder = models.ForeignKey("engagements.Participation", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="claims", verbose_name=_("held by"))
    holder_group = models.ForeignKey("stakeholders.AffectedGroup", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="claims", verbose_name=_("held by the group"))
    attribution = models.CharField(_("attribution"), max_length=16, choices=Attribution.choices,
                                   default=Attribution.ANONYMISED)
    # Codes of core.rights, sorted.
    rights = models.JSONField(_("rights invoked"), default=list, blank=True)
    statement = Sealed(_("the claim"))
    statement_sealed = models.BinaryField(default=b"", editable=False)
    evidence = Sealed(_("evidence"))
    evidence_sealed = models.BinaryField(default=b"", editable=False)
    would_accept = Sealed(_("what its holder would accept"))
    would_accept_sealed = models.BinaryField(default=b"", editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["side", "recorded_at", "id"]
        indexes = [models.Index(fields=["organisation", "risk"], name="claim_on_risk"),
                   models.Index(fields=["organisation", "decision"], name="claim_on_decision")]
        constraints = [
            models.CheckConstraint(condition=(Q(risk__isnull=False) & Q(decision__isnull=True))
                                   | (Q(risk__isnull=True) & Q(decision__isnull=False)),
                                   name="claim_on_one_matter"),
            models.CheckConstraint(condition=Q(holder__isnull=True) | Q(holder_group__isnull=True),
                                   name="claim_has_one_holder"),
        ]

    def __str__(self) -> str:
        return f"claim {self.pk} ({self.side})"

    def sealing_key(self):
        # A group's claim is not its proxy's: erasing the proxy must not erase what the group holds.
        if self.holder_id is None or self.holder_group_id is not None:
            return OrganisationKey(self.organisation_id)
        return self.holder.stakeholder.sealing_key()


class ClaimWeighing(models.Model):
    """How a strategic decision weighed one claim: the rationale, claim by claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="weighings")
    decision = models.ForeignKey("risks.StrategicDecision", on_delete=models.CASCADE, related_name="claim_weighings")
    how_weighed = models.TextField(_("how the claim was weighed"))
    weighed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    weighed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("weighing of a claim")
        verbose_name_plural = _("weighings of claims")
        ordering = ["claim__side", "claim_id"]
        constraints = [models.UniqueConstraint(fields=["claim", "decision"], name="one_weighing_per_claim")]

    def __str__(self) -> str:
        return f"claim {self.claim_id} weighed in decision {self.decision_id}"


class ExerciseQuerySet(OrganisationScopedQuerySet):
    def open(self):
        return self.filter(status=ExerciseStatus.OPEN)


class Exercise(models.Model):
    """A statements-and-votes exercise on one question, inside an engagement."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="consensus_exercises")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="exercises",
                                   verbose_name=_("engagement"))
    question = models.CharField(_("question"), max_length=300)
    description = models.TextField(_("what participants should know"), blank=True)
    # Optional: the matter it informs.
    risk = models.ForeignKey("risks.Risk", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="exercises", verbose_name=_("salient risk"))
    decision = models.ForeignKey("risks.StrategicDecision", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="exercises", verbose_name=_("strategic decision"))
    status = models.CharField(_("status"), max_length=8, choices=ExerciseStatus.choices,
                              default=ExerciseStatus.DRAFT)
    participants_may_write = models.BooleanField(_("participants may add their own statements"), default=True)
    # Figures of a group smaller than this are never shown: a small group's votes can point at its members.
    min_group_size = models.PositiveSmallIntegerField(_("smallest group whose figures are shown"), default=5)
    # The analysis is seeded, so the same votes give the same groups.
    seed = models.PositiveIntegerField(_("analysis seed"), default=0)
    language = models.CharField(_("language"), max_length=3, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When votes or moderation last changed, and when an analysis was last asked for: the debounce of
    # consensus.analysis compares the two.
    votes_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    analysis_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Numbering of statements and participants, as Pol.is numbers comments and participants from 0.
    next_statement_number = models.PositiveIntegerField(default=0, editable=False)
    next_participant_number = models.PositiveIntegerField(default=0, editable=False)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        verbose_name = _("consensus exercise")
        verbose_name_plural = _("consensus exercises")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="exercise_status")]

    def __str__(self) -> str:
        return self.question

    @property
    def is_open(self) -> bool:
        return self.status == ExerciseStatus.OPEN


class Participant(models.Model):
    """Someone voting in an exercise: a participant of the engagement, or a person known only by their link.

    Never named in the analysis: the number is what Pol.is exports and what the opinion map shows. A room
    whose votes the facilitator records is one participant per person in the room, numbered too.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="participants")
    number = models.PositiveIntegerField()
    participation = models.ForeignKey("engagements.Participation", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="exercise_participants", verbose_name=_("engagement participant"))
    channel = models.CharField(max_length=8, choices=VoteChannel.choices, default=VoteChannel.LINK)
    # The device that first used the link (a hash of a cookie it was given): the link is the participant's own,
    # and another device opening it cannot vote in their name until the facilitator frees it.
    device_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Part of the signed link (consensus.links): a new nonce makes every earlier link of this participant dead.
    link_nonce = models.CharField(max_length=32, blank=True, editable=False)
    link_revoked_at = models.DateTimeField(null=True, blank=True)
    votes_count = models.PositiveIntegerField(default=0, editable=False)
    # When the outcome email last went to them: a sending task run twice (a worker that died after sending) finds
    # them already written to for that request and sends nothing more.
    outcome_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "number"], name="one_participant_number"),
            models.UniqueConstraint(fields=["exercise", "participation"], condition=Q(participation__isnull=False),
                                    name="one_participant_per_participation"),
        ]

    def __str__(self) -> str:
        return f"participant {self.number} of exercise {self.exercise_id}"


class StatementQuerySet(models.QuerySet):
    def votable(self):
        return self.filter(moderation=Moderation.ACCEPTED)


class Statement(models.Model):
    """A statement to vote on: seeded by the facilitator or written by a participant and moderated."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="statements")
    number = models.PositiveIntegerField()
    text = models.TextField(_("statement"), max_length=1000)
    author = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="statements_written")
    is_seed = models.BooleanField(default=False)
    moderation = models.CharField(_("moderation"), max_length=8, choices=Moderation.choices,
                                  default=Moderation.PENDING)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(_("language"), max_length=3, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Tallies of current votes, kept by the voting actions, and the routing priority the latest analysis gave
    # (consensus.routing): the next statement shown is read from these, never by counting votes.
    votes_count = models.PositiveIntegerField(default=0, editable=False)
    agrees = models.PositiveIntegerField(default=0, editable=False)
    disagrees = models.PositiveIntegerField(default=0, editable=False)
    passes = models.PositiveIntegerField(default=0, editable=False)
    priority = models.FloatField(default=1.0, editable=False)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["exercise", "number"], name="one_statement_number")]
        indexes = [models.Index(fields=["exercise", "moderation", "priority"], name="statement_routing")]

    def __str__(self) -> str:
        return f"statement {self.number} of exercise {self.exercise_id}"


class Vote(models.Model):
    """A participant's current vote on a statement: a later vote replaces it (the latest wins)."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=VoteValue.choices)
    channel = models.CharField(max_length=8, choices=VoteChannel.choices, default=VoteChannel.LINK)
    cast_at = models.DateTimeField()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["participant", "statement"], name="one_vote_per_statement"),
            models.CheckConstraint(condition=Q(value__in=[-1, 0, 1]), name="vote_is_agree_disagree_pass"),
        ]
        indexes = [models.Index(fields=["exercise", "statement"], name="vote_by_statement")]

    def __str__(self) -> str:
        return f"vote {self.value} of participant {self.participant_id} on statement {self.statement_id}"


class AnalysisRun(models.Model):
    """One analysis of an exercise's votes, stored with the parameters and engine version that repeat it."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="runs")
    state = models.CharField(max_length=12, choices=RunState.choices, default=RunState.QUEUED)
    parameters = models.JSONField(default=dict)
    engine_version = models.CharField(max_length=20, blank=True)
    # What the run read: votes up to this moment.
    votes_as_of = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(default=dict, blank=True)
    placements = models.BinaryField(default=b"", editable=False)
    message = models.TextField(blank=True)
    seconds = models.FloatField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["exercise", "state", "created_at"], name="consensus_run_latest")]

    def __str__(self) -> str:
        return f"analysis run {self.pk} of exercise {self.exercise_id}"


class ExerciseResult(models.Model):
    """A finding of a run (common ground, a divide, what a group stands for) turned into an input.

    The input is routed and decided like any other; participants hear back what became of it.
    """

    run = models.ForeignKey(AnalysisRun, on_delete=models.PROTECT, related_name="turned_into_inputs")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="results")
    kind = models.CharField(max_length=20, choices=ResultKind.choices)
    # The opinion group a representative statement stands for; -1 for findings about everyone.
    group = models.SmallIntegerField(default=-1)
    input = models.OneToOneField("engagements.Input", on_delete=models.CASCADE, related_name="exercise_result")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exercise result")
        verbose_name_plural = _("exercise results")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["statement", "kind", "group"], name="one_input_per_result")]

    def __str__(self) -> str:
        return f"{self.kind} result on statement {self.statement_id}"
