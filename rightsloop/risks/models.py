"""Salient risks (R1), who must own them (R2), strategic decisions (R3) and mitigations (R4)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rightsloop.core.models import Organisation, OrganisationScopedQuerySet
from rightsloop.engagements.models import Engagement, Input
from rightsloop.stakeholders.models import Stakeholder

from . import scales
from .vocabulary import (
    EXPOSED_CATEGORIES,
    GOING_AHEAD,
    Communication,
    ConditionStatus,
    DecisionCategory,
    DecisionOutcome,
    DecisionStatus,
    Effectiveness,
    EventKind,
    Involvement,
    MitigationStatus,
    OwnerLevel,
    SignOffVerdict,
)

RATING = [MinValueValidator(1), MaxValueValidator(5)]


def rating_field(scale: scales.Scale) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(scale.name, validators=RATING, choices=scale.choices())


class RiskQuerySet(OrganisationScopedQuerySet):
    def by_priority(self):
        return self.order_by("-priority", "-irremediability", "id")

    def due_for_review(self, today):
        return self.filter(review_on__lt=today, closed_at__isnull=True)

    def open(self):
        return self.filter(closed_at__isnull=True)

    def severe(self):
        return self.filter(severity__gte=scales.SEVERE)


class Risk(models.Model):
    """A human rights risk linked to our products or services."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    product = models.CharField(_("product or service"), max_length=200)
    use_context = models.TextField(_("use context"), blank=True)
    affected_groups = models.TextField(_("affected groups"), blank=True)
    involvement = models.CharField(_("our involvement"), max_length=16, choices=Involvement.choices)
    scale = rating_field(scales.SCALE)
    scope = rating_field(scales.SCOPE)
    irremediability = rating_field(scales.IRREMEDIABILITY)
    likelihood = rating_field(scales.LIKELIHOOD)
    # Derived from the ratings by scales.severity() and scales.priority() on every save.
    severity = models.PositiveSmallIntegerField(editable=False)
    priority = models.PositiveSmallIntegerField(editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    # Set by the escalation rules (escalation.py), never by hand.
    owner_level = models.CharField(_("owned at"), max_length=16, choices=OwnerLevel.choices,
                                   default=OwnerLevel.TEAM, editable=False)
    review_on = models.DateField(_("next review"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    inputs = models.ManyToManyField(Input, blank=True, related_name="risks", verbose_name=_("linked inputs"),
                                    through="RiskInput")

    objects = RiskQuerySet.as_manager()

    class Meta:
        verbose_name = _("salient risk")
        verbose_name_plural = _("salient risks")
        ordering = ["-priority", "-irremediability", "id"]
        indexes = [
            models.Index(fields=["organisation", "-priority", "-irremediability", "id"], name="risk_priority"),
            models.Index(fields=["organisation", "review_on"], name="risk_review"),
            models.Index(fields=["organisation", "owner_level"], name="risk_level"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale__gte=1, scale__lte=5) & Q(scope__gte=1, scope__lte=5)
                & Q(irremediability__gte=1, irremediability__lte=5) & Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_ratings_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.severity = scales.severity(scale=self.scale, scope=self.scope, irremediability=self.irremediability)
        self.priority = scales.priority(severity=self.severity, likelihood=self.likelihood)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"severity", "priority"}
        super().save(*args, **kwargs)

    @property
    def is_severe(self) -> bool:
        return scales.is_severe(self.severity)

    @property
    def severity_band(self) -> int:
        return scales.severity_band(self.severity)

    @property
    def rights_codes(self) -> list[str]:
        return sorted(r.code for r in self.rights.all())

    @property
    def market_codes(self) -> list[str]:
        return sorted(m.country for m in self.markets.all())


class RiskInput(models.Model):
    """An input linked to a risk, with the stakeholder who said it.

    The speaker is copied onto the link when it is made (actions.link_inputs) so that who was heard on a
    risk joins its links straight to the stakeholders, without walking the inputs: a risk can be linked
    to thousands of inputs. The copy cannot go stale: an input's speaker (a participation) is never
    changed or deleted (PROTECT), nor is a participation's stakeholder.
    """

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE)
    input = models.ForeignKey(Input, on_delete=models.CASCADE)
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    db_index=False)
    # The affected group the input speaks for when a proxy relayed it (Input.group, copied likewise): who was
    # heard on the risk counts the group, not the proxy who carried its words.
    group = models.ForeignKey("stakeholders.AffectedGroup", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", db_index=False)

    class Meta:
        # The table Django made for the plain many-to-many field before the speaker was added.
        db_table = "risks_risk_inputs"
        unique_together = [("risk", "input")]
        indexes = [models.Index(fields=["risk", "stakeholder"], name="risk_input_speaker"),
                   models.Index(fields=["risk", "group"], name="risk_input_group")]

    def __str__(self) -> str:
        return f"input {self.input_id} on risk {self.risk_id}"


class RiskRight(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="rights")
    code = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["risk", "code"], name="one_right_per_risk")]
        indexes = [models.Index(fields=["code", "risk"], name="risk_right_lookup")]

    def __str__(self) -> str:
        return self.code


class RiskMarket(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="markets")
    country = models.CharField(max_length=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["risk", "country"], name="one_market_per_risk")]
        indexes = [models.Index(fields=["country", "risk"], name="risk_market_lookup")]

    def __str__(self) -> str:
        return self.country


class ChangeRecord(models.Model):
    """One change of a record: who, when, why, and the fields it tracks before and after (history.py reads it)."""

    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(_("why"), max_length=500, blank=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-id"]

    @property
    def changed_fields(self) -> list[str]:
        return sorted(k for k in set(self.before) | set(self.after) if self.before.get(k) != self.after.get(k))


class RiskChange(ChangeRecord):
    """One change of a risk: who, when, why, and its ratings and fields before and after."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="changes")

    class Meta(ChangeRecord.Meta):
        pass

    def __str__(self) -> str:
        return f"risk {self.risk_id} changed {self.changed_at:%Y-%m-%d}"


SEVERITY_BOUNDS = [MinValueValidator(3), MaxValueValidator(15)]


class EscalationRule(models.Model):
    """A risk meeting any of the rule's conditions must be owned at this level (the highest matching rule wins).

    See escalation.Threshold: severity and likelihood together, or severity first whatever the likelihood.
    An organisation without rules follows escalation.DEFAULT_RULES.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="escalation_rules")
    level = models.CharField(_("level"), max_length=16, choices=OwnerLevel.choices)
    min_severity = models.PositiveSmallIntegerField(_("severity at least"), validators=SEVERITY_BOUNDS)
    min_likelihood = models.PositiveSmallIntegerField(_("likelihood at least"), validators=RATING)
    min_severity_any_likelihood = models.PositiveSmallIntegerField(
        _("severity at least, whatever the likelihood"), null=True, blank=True, validators=SEVERITY_BOUNDS)
    min_irremediability = models.PositiveSmallIntegerField(
        _("irremediability at least"), null=True, blank=True, validators=RATING)
    min_severity_if_irremediable = models.PositiveSmallIntegerField(
        _("with severity at least"), null=True, blank=True, validators=SEVERITY_BOUNDS)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "level"], name="one_rule_per_level"),
            models.CheckConstraint(condition=~Q(level=OwnerLevel.TEAM), name="team_needs_no_rule"),
            models.CheckConstraint(
                condition=Q(min_irremediability__isnull=True, min_severity_if_irremediable__isnull=True)
                | Q(min_irremediability__isnull=False, min_severity_if_irremediable__isnull=False),
                name="irremediable_condition_whole"),
        ]

    def __str__(self) -> str:
        return f"{self.level}: severity ≥ {self.min_severity}, likelihood ≥ {self.min_likelihood}"


class DefaultRulesAnswer(models.TextChoices):
    ADOPTED = "adopted", _("Adopted the new defaults")
    KEPT = "kept", _("Kept its own rules")


class DefaultRulesOfferQuerySet(OrganisationScopedQuerySet):
    def pending(self):
        return self.filter(answer="")


class DefaultRulesOffer(models.Model):
    """Newer default escalation rules offered to an organisation that had relied on older ones.

    Changing the defaults must not move anyone's risks behind their back: the organisation keeps the rules
    it had (written out as its own) until someone answers, adopting the new defaults or keeping its rules.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveSmallIntegerField(_("defaults version"))
    offered_at = models.DateTimeField(auto_now_add=True)
    answer = models.CharField(_("answer"), max_length=8, choices=DefaultRulesAnswer.choices, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = DefaultRulesOfferQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "version"], name="one_offer_per_defaults_version"),
        ]

    def __str__(self) -> str:
        return f"defaults v{self.version} offered to {self.organisation_id}: {self.answer or 'pending'}"


class MitigationQuerySet(models.QuerySet):
    def flagged(self):
        return self.filter(needs_reassessment=True)

    def awaiting_reassessment(self):
        """Flagged by a context event and not yet reassessed, on a risk still open."""
        return self.filter(needs_reassessment=True, risk__closed_at__isnull=True)

    def unmitigated(self):
        return self.filter(status__in=[MitigationStatus.NOT_MITIGATED, MitigationStatus.CANNOT_MITIGATE])


class Mitigation(models.Model):
    """An action against a risk, or the explicit statement that there is none, with a remedy plan."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="mitigations")
    action = models.TextField(_("action"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=16, choices=MitigationStatus.choices,
                              default=MitigationStatus.PLANNED)
    due_on = models.DateField(_("due"), null=True, blank=True)
    reason = models.TextField(_("why it is not or cannot be mitigated"), blank=True)
    remedy_plan = models.TextField(_("remedy plan"), blank=True,
                                   help_text=_("How remedy would be delivered if the harm occurs."))
    needs_reassessment = models.BooleanField(_("needs reassessment"), default=False)
    flagged_by = models.ForeignKey("ContextEvent", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="flagged_mitigations")
    # The latest assessment's judgement (by assessed_on), copied here by actions.assess_mitigation so that
    # lists can show and filter it without reading the assessments.
    effectiveness = models.CharField(_("effectiveness"), max_length=16, choices=Effectiveness.choices,
                                     default=Effectiveness.NOT_YET_KNOWN, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    inputs = models.ManyToManyField(Input, blank=True, related_name="mitigations",
                                    verbose_name=_("linked inputs"))

    objects = MitigationQuerySet.as_manager()

    class Meta:
        verbose_name = _("mitigation")
        verbose_name_plural = _("mitigations")
        ordering = ["risk", "id"]
        indexes = [
            models.Index(fields=["risk", "status"], name="mitigation_risk"),
            models.Index(fields=["organisation", "needs_reassessment"], name="mitigation_flagged"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["not_mitigated", "cannot_mitigate"]) | (~Q(reason="") & ~Q(remedy_plan="")),
                name="unmitigated_needs_reason_and_remedy",
            ),
        ]

    def __str__(self) -> str:
        return f"mitigation {self.pk} of risk {self.risk_id}"


class Indicator(models.Model):
    """How the effectiveness of a mitigation is judged."""

    mitigation = models.ForeignKey(Mitigation, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=200)
    target = models.CharField(_("target"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Evidence(models.Model):
    """One observation of an indicator over time; may be a stakeholder's view from the ground."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="evidence")
    observed_on = models.DateField(_("observed on"))
    value = models.CharField(_("value"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    input = models.ForeignKey(Input, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("view from the ground"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "observed_on", "id"]

    def __str__(self) -> str:
        return f"{self.indicator_id} on {self.observed_on}"


class ContextEvent(models.Model):
    """Something in the world that may have made mitigations ineffective (a new law, a threat to staff)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="context_events")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    description = models.TextField(_("description"), blank=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    products = models.JSONField(_("products"), default=list, blank=True)
    occurred_on = models.DateField(_("occurred on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("context event")
        verbose_name_plural = _("context events")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return self.title


class AppendOnly(models.Model):
    """A record of the trail: written once, never changed or deleted (a correction is a new record)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} is kept as written; record a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} is kept as written; it is never deleted on its own.")


class MitigationAssessment(AppendOnly):
    """A dated judgement of how well a mitigation works, with the evidence and the voices it rests on."""

    mitigation = models.ForeignKey(Mitigation, on_delete=models.CASCADE, related_name="assessments")
    judgement = models.CharField(_("judgement"), max_length=16, choices=Effectiveness.choices)
    assessed_on = models.DateField(_("assessed on"))
    reasoning = models.TextField(_("reasoning"))
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="+",
                                        verbose_name=_("indicators cited"))
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="+", verbose_name=_("evidence cited"))
    inputs = models.ManyToManyField(Input, blank=True, related_name="+", verbose_name=_("views from the ground"))
    # The context event this assessment answers, when it is a reassessment.
    answers = models.ForeignKey(ContextEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("answers the context event"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("effectiveness assessment")
        verbose_name_plural = _("effectiveness assessments")
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["mitigation", "-assessed_on", "-id"], name="assessment_latest")]

    def __str__(self) -> str:
        return f"{self.judgement} on {self.assessed_on}"


class ReassessmentFlag(AppendOnly):
    """A context event's call to reassess a mitigation, and the reassessment that answered it.

    Kept one per event and mitigation, so a mitigation flagged twice keeps both calls; answering closes every
    open one at once. `answered_by` is the only field ever set after creation (through a queryset update).
    """

    mitigation = models.ForeignKey(Mitigation, on_delete=models.CASCADE, related_name="reassessment_flags")
    # Context events are never deleted by any action; only an organisation's removal takes both away.
    event = models.ForeignKey(ContextEvent, on_delete=models.CASCADE, related_name="reassessment_flags")
    raised_at = models.DateTimeField(auto_now_add=True)
    answered_by = models.ForeignKey(MitigationAssessment, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="answered_flags")

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["mitigation", "answered_by"], name="reassessment_open")]

    def __str__(self) -> str:
        return f"mitigation {self.mitigation_id} flagged by event {self.event_id}"


class MitigationChange(AppendOnly, ChangeRecord):
    """One change of a mitigation: who, when, why, and its fields before and after (as RiskChange for risks)."""

    mitigation = models.ForeignKey(Mitigation, on_delete=models.CASCADE, related_name="changes")

    class Meta(ChangeRecord.Meta):
        pass

    def __str__(self) -> str:
        return f"mitigation {self.mitigation_id} changed {self.changed_at:%Y-%m-%d}"


def unmitigable_severe_mitigations(decision_ref) -> models.QuerySet:
    """Mitigations saying a severe risk linked to the decision is not or cannot be mitigated (R3, issue "decisions").

    The one statement of "a severe risk that cannot be mitigated": the decision lists annotate with it and the
    decision page reads the same rows, so the marker and the remedy plans it shows never disagree.
    """
    return Mitigation.objects.filter(
        risk__strategic_decisions=decision_ref, risk__severity__gte=scales.SEVERE,
        status__in=[MitigationStatus.NOT_MITIGATED, MitigationStatus.CANNOT_MITIGATE])


class StrategicDecisionQuerySet(OrganisationScopedQuerySet):
    def with_against_severe_risk(self):
        """Annotate `against_severe_risk`: a market entry or high-risk sale going ahead against such a risk."""
        return self.annotate(against_severe_risk=models.ExpressionWrapper(
            Q(category__in=EXPOSED_CATEGORIES, outcome__in=GOING_AHEAD)
            & Q(models.Exists(unmitigable_severe_mitigations(models.OuterRef("pk")))),
            output_field=models.BooleanField()))

    def awaiting_board(self):
        return self.filter(status=DecisionStatus.AWAITING_BOARD)

    def deferral_passed(self, today):
        """Decisions deferred to a date that has come: they are due to be taken up again."""
        return self.filter(status=DecisionStatus.DECIDED, outcome=DecisionOutcome.DEFERRED, deferred_to__lte=today)


class StrategicDecision(models.Model):
    """A business decision with human rights stakes, reasoned through the four steps before it is taken."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="strategic_decisions")
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("kind of decision"), max_length=24, choices=DecisionCategory.choices)
    description = models.TextField(_("what is being decided"), blank=True)
    risks = models.ManyToManyField(Risk, blank=True, related_name="strategic_decisions",
                                   verbose_name=_("linked risks"))
    # The four steps.
    risk_picture = models.TextField(_("1. The current picture of the risks"), blank=True)
    mitigation_plan = models.TextField(_("2. Mitigations, and the risks not or not yet mitigated"), blank=True)
    remedy_plan = models.TextField(_("3. How remedy would be delivered"), blank=True)
    communication = models.CharField(_("4. How it will be communicated"), max_length=24,
                                     choices=Communication.choices, blank=True)
    communication_plan = models.TextField(_("Communication plan"), blank=True)
    communication_is_safe = models.BooleanField(
        _("The communication endangers no one (stakeholders, defenders, staff, partners)"), default=False)
    engagements = models.ManyToManyField(Engagement, blank=True, related_name="strategic_decisions",
                                         verbose_name=_("engagements consulted"))
    no_engagement_reason = models.TextField(_("why no stakeholders were engaged"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=DecisionStatus.choices,
                              default=DecisionStatus.DRAFT)
    outcome = models.CharField(_("outcome"), max_length=24, choices=DecisionOutcome.choices, blank=True)
    deferred_to = models.DateField(_("deferred to"), null=True, blank=True)
    # Who took it (or put it to the board); decided_at is when it came to count as taken.
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    inputs = models.ManyToManyField(Input, blank=True, related_name="strategic_decisions",
                                    verbose_name=_("linked inputs"))
    # G2: a market entry, expansion or high-risk sale waits for local voices from its markets (DecisionMarket,
    # risks/gate.py) unless someone authorised lets it go ahead without them, with a reason the board sees.
    local_voices_override_reason = models.TextField(_("why it may be taken before local voices were heard"),
                                                    blank=True)
    local_voices_overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                                   blank=True, related_name="+")
    local_voices_overridden_at = models.DateTimeField(null=True, blank=True)

    objects = StrategicDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("strategic decision")
        verbose_name_plural = _("strategic decisions")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(deferred_to__isnull=True) | Q(outcome="deferred"),
                                   name="only_deferred_has_date"),
        ]

    def __str__(self) -> str:
        return self.title


class DecisionMarket(models.Model):
    """A country a market entry, expansion or high-risk sale concerns: where local voices must be heard (G2)."""

    decision = models.ForeignKey(StrategicDecision, on_delete=models.CASCADE, related_name="markets")
    country = models.CharField(max_length=2)

    class Meta:
        ordering = ["country"]
        constraints = [models.UniqueConstraint(fields=["decision", "country"], name="one_market_per_decision")]

    def __str__(self) -> str:
        return self.country


class LocalVoiceThresholds(models.Model):
    """How many local voices each market of a gated decision needs before it may be taken (G2), per organisation.

    Without a row the defaults hold: one local expert and one affected stakeholder or credible proxy per market.
    """

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="local_voice_thresholds")
    experts = models.PositiveSmallIntegerField(_("local experts needed per market"), default=1,
                                               validators=[MinValueValidator(1), MaxValueValidator(50)])
    affected = models.PositiveSmallIntegerField(
        _("affected stakeholders or credible proxies needed per market"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("local-voice thresholds")
        verbose_name_plural = _("local-voice thresholds")

    def __str__(self) -> str:
        return f"local voices for {self.organisation_id}: {self.experts}/{self.affected}"


class DecisionConditionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ConditionStatus.OPEN)

    def live(self):
        """The conditions the decision still stands on: every one not dropped."""
        return self.exclude(status=ConditionStatus.DROPPED)

    def overdue(self, today):
        return self.open().filter(due_on__lt=today)


class DecisionCondition(models.Model):
    """A condition a "go" was given on: owned and due like a mitigation, closed as met, not met or dropped."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    decision = models.ForeignKey(StrategicDecision, on_delete=models.CASCADE, related_name="conditions")
    text = models.TextField(_("condition"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=16, choices=ConditionStatus.choices,
                              default=ConditionStatus.OPEN)
    note = models.TextField(_("note"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DecisionConditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("condition of a decision")
        verbose_name_plural = _("conditions of decisions")
        ordering = ["decision", "due_on", "id"]
        indexes = [models.Index(fields=["organisation", "status", "due_on"], name="condition_due")]
        constraints = [
            models.CheckConstraint(condition=~Q(status__in=["not_met", "dropped"]) | ~Q(note=""),
                                   name="condition_closed_needs_note"),
        ]

    def __str__(self) -> str:
        return f"condition {self.pk} of decision {self.decision_id}"


class DecisionSignOff(models.Model):
    """A board member's signature on (or refusal of) a decision's outcome and conditions, with their comment.

    The outcome and conditions signed are copied, so the record says what was agreed even after the
    conditions are closed; a later change of either voids the signature (voided_at) and asks again.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    decision = models.ForeignKey(StrategicDecision, on_delete=models.CASCADE, related_name="sign_offs")
    verdict = models.CharField(_("verdict"), max_length=16, choices=SignOffVerdict.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("board member"))
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(_("comment"))
    outcome = models.CharField(_("outcome signed"), max_length=24, choices=DecisionOutcome.choices)
    deferred_to = models.DateField(_("deferred to"), null=True, blank=True)
    conditions = models.JSONField(_("conditions signed"), default=list, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_because = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(comment=""), name="sign_off_needs_comment")]

    def __str__(self) -> str:
        return f"{self.verdict} decision {self.decision_id}"


class BoardReview(AppendOnly):
    """The board's review of a risk at one of its meetings (O1: "when did the board last review each").

    Kept as written: a review is a fact of a meeting; a later one is a new record.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="board_reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    note = models.TextField(_("what the board concluded"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("board review")
        verbose_name_plural = _("board reviews")
        ordering = ["-reviewed_on", "-id"]
        indexes = [models.Index(fields=["organisation", "risk", "-reviewed_on"], name="board_review_latest")]
        constraints = [models.CheckConstraint(condition=~Q(note=""), name="board_review_needs_note")]

    def __str__(self) -> str:
        return f"board review of risk {self.risk_id} on {self.reviewed_on}"
