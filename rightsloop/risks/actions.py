"""Every change to salient risks, escalation, mitigations, context events, strategic decisions and links."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.roles import Capability, Role
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit, countries, rights
from rightsloop.engagements.models import Engagement, Input

from . import decision_actions, escalation, gate, queries
from .decisions import LinkedRisk, board_sign_off_needed, missing_for_decision
from .models import (
    BoardReview,
    ContextEvent,
    DecisionMarket,
    DefaultRulesAnswer,
    DefaultRulesOffer,
    EscalationRule,
    Evidence,
    Indicator,
    LocalVoiceThresholds,
    Mitigation,
    MitigationAssessment,
    MitigationChange,
    ReassessmentFlag,
    Risk,
    RiskChange,
    RiskInput,
    RiskMarket,
    RiskRight,
    StrategicDecision,
)
from .vocabulary import (
    GATED_CATEGORIES,
    UNMITIGATED,
    Communication,
    DecisionCategory,
    DecisionOutcome,
    DecisionStatus,
    Effectiveness,
    EventKind,
    Involvement,
    MitigationStatus,
    OwnerLevel,
)

RATED = ("scale", "scope", "irremediability", "likelihood")
TRACKED = ("title", "description", "product", "use_context", "affected_groups", "involvement", *RATED,
           "owner_id", "review_on")


# Risks ---------------------------------------------------------------------

# How far back a board review may be dated: a meeting's minutes are recorded within weeks, not years.
BOARD_REVIEW_BACKDATE_DAYS = 366


@transaction.atomic
def record_board_review(*, risk: Risk, reviewed_on: datetime.date, note: str, by: Viewer) -> BoardReview:
    """Record that the board reviewed a risk at a meeting, with what it concluded (O1, question 3)."""
    if not by.can(Capability.RISKS_BOARD_REVIEW):
        raise PermissionDenied(_("Only a board member or the administrator records the board's reviews."))
    if risk.organisation_id != by.organisation.pk:
        raise PermissionDenied(_("Unknown risk."))
    today = timezone.localdate()
    errors = {}
    if reviewed_on > today:
        errors["reviewed_on"] = _("A review is recorded once it has happened: the date is in the future.")
    elif reviewed_on < today - datetime.timedelta(days=BOARD_REVIEW_BACKDATE_DAYS):
        errors["reviewed_on"] = _("That is more than a year ago: record the reviews of the last twelve months.")
    if not note.strip():
        errors["note"] = _("Say what the board concluded, even briefly: no change, review in six months.")
    if errors:
        raise ValidationError(errors)
    review = BoardReview.objects.create(organisation=risk.organisation, risk=risk, reviewed_on=reviewed_on,
                                        note=note.strip(), recorded_by=by.user)
    audit.record(organisation=risk.organisation, by=by, action="risk.board_reviewed", target=risk,
                 summary=f"reviewed on {reviewed_on.isoformat()}")
    return review

@dataclass
class RiskPlan:
    title: str
    product: str
    involvement: str
    scale: int
    scope: int
    irremediability: int
    likelihood: int
    review_on: datetime.date
    description: str = ""
    use_context: str = ""
    affected_groups: str = ""
    owner: User | None = None
    rights: list[str] = field(default_factory=list)
    markets: list[str] = field(default_factory=list)

    def validate(self) -> None:
        errors: dict[str, str] = {}
        if not self.title.strip():
            errors["title"] = _("A title is required.")
        if not self.product.strip():
            errors["product"] = _("Name the product or service.")
        if self.involvement not in Involvement.values:
            errors["involvement"] = _("Choose cause, contribute or directly linked.")
        for name in RATED:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
                errors[name] = _("Rate from 1 to 5.")
        unknown = [code for code in self.rights if not rights.is_known(code)]
        if unknown:
            errors["rights"] = _("Unknown right code: %(codes)s.") % {"codes": ", ".join(unknown)}
        if not self.rights:
            errors["rights"] = _("Name at least one right affected.")
        bad = [code for code in self.markets if countries.get(code) is None]
        if bad:
            errors["markets"] = _("Unknown country code: %(codes)s.") % {"codes": ", ".join(bad)}
        if errors:
            raise ValidationError(errors)


def _snapshot(risk: Risk) -> dict:
    values = {name: getattr(risk, name) for name in TRACKED}
    values["review_on"] = values["review_on"].isoformat() if values["review_on"] else None
    values["rights"] = risk.rights_codes if risk.pk else []
    values["markets"] = risk.market_codes if risk.pk else []
    values["severity"] = risk.severity if risk.pk else None
    values["owner_level"] = risk.owner_level
    return values


def _check_owner(owner: User, organisation) -> None:
    if not Membership.objects.active().filter(user=owner, organisation=organisation).exists():
        raise ValidationError({"owner": _("The owner must be a member of this organisation.")})


def _write_lists(risk: Risk, plan: RiskPlan) -> None:
    wanted = set(plan.rights)
    risk.rights.exclude(code__in=wanted).delete()
    existing = set(risk.rights.values_list("code", flat=True))
    RiskRight.objects.bulk_create([RiskRight(risk=risk, code=c) for c in sorted(wanted - existing)])
    markets = {code.upper() for code in plan.markets}
    risk.markets.exclude(country__in=markets).delete()
    existing = set(risk.markets.values_list("country", flat=True))
    RiskMarket.objects.bulk_create([RiskMarket(risk=risk, country=c) for c in sorted(markets - existing)])


@transaction.atomic
def create_risk(*, plan: RiskPlan, by: Viewer, reason: str = "") -> Risk:
    """Add a salient risk to the register, rank it and give it to the level its ratings require.

    `reason` is what its first history entry says (an import says "imported"); by default "registered".
    """
    if not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Your role cannot change the risk register."))
    plan.validate()
    owner = plan.owner or by.user
    _check_owner(owner, by.organisation)
    risk = Risk(organisation=by.organisation, created_by=by.user, owner=owner,
                **{name: getattr(plan, name) for name in TRACKED if name != "owner_id"})
    risk.full_clean(exclude=["organisation", "owner", "created_by", "severity", "priority"])
    risk.save()
    _write_lists(risk, plan)
    audit.record(organisation=by.organisation, by=by, action="risk.registered", target=risk,
                 summary=f"severity {risk.severity}, likelihood {risk.likelihood}")
    # Escalate first, so the history's first entry shows the level the risk starts at.
    _escalate(risk, by=by)
    RiskChange.objects.create(risk=risk, changed_by=by.user, reason=reason.strip()[:500] or _("registered"),
                              before={}, after=_snapshot(risk))
    return risk


@transaction.atomic
def update_risk(*, risk: Risk, plan: RiskPlan, reason: str, by: Viewer) -> Risk:
    """Change a risk; the history keeps who, when, why, and the ratings before and after."""
    if not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Your role cannot change the risk register."))
    plan.validate()
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the risk changes: the history keeps it.")})
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    before = _snapshot(risk)
    owner = plan.owner or risk.owner
    _check_owner(owner, risk.organisation)
    for name in TRACKED:
        if name != "owner_id":
            setattr(risk, name, getattr(plan, name))
    risk.owner = owner
    risk.full_clean(exclude=["organisation", "owner", "created_by", "severity", "priority"])
    risk.save()
    _write_lists(risk, plan)
    # Escalate before the snapshot, so the history shows a change of owning level with the ratings behind it.
    _escalate(risk, by=by)
    after = _snapshot(risk)
    if after != before:
        change = RiskChange.objects.create(risk=risk, changed_by=by.user, reason=reason.strip()[:500],
                                           before=before, after=after)
        audit.record(organisation=risk.organisation, by=by, action="risk.changed", target=risk,
                     summary=reason.strip()[:200], changed_fields=change.changed_fields)
    return risk


def _escalate(risk: Risk, *, by: Viewer | None) -> None:
    level = escalation.level_for(severity=risk.severity, likelihood=risk.likelihood,
                                 irremediability=risk.irremediability, rules=queries.own_rules(risk.organisation))
    if level == risk.owner_level:
        return
    previous = risk.owner_level
    risk.owner_level = level
    Risk.objects.filter(pk=risk.pk).update(owner_level=level)
    _record_move(risk, previous, level, by=by)


def _record_move(risk: Risk, previous: str, level: str, *, by: Viewer | None) -> None:
    risk_id = risk.pk
    audit.record(organisation=risk.organisation, by=by, action="risk.escalated" if escalation.is_escalation(
        previous, level) else "risk.deescalated", target=risk, summary=f"{previous} -> {level}")
    if escalation.is_escalation(previous, level):
        transaction.on_commit(lambda: _notify_new_owners(risk_id, level))


def owners_at(organisation, level: str) -> list[User]:
    """Who answers for risks at a level: the board's members, the administrators, or the human rights team."""
    role = {OwnerLevel.BOARD: Role.BOARD, OwnerLevel.EXECUTIVE: Role.ADMIN, OwnerLevel.TEAM: Role.HR_LEAD}[level]
    return list(User.objects.filter(memberships__organisation=organisation, memberships__role=role,
                                    memberships__is_active=True, is_active=True).exclude(email=""))


def _notify_new_owners(risk_id: int, level: str) -> None:
    risk = Risk.objects.select_related("organisation").get(pk=risk_id)
    recipients = [user.email for user in owners_at(risk.organisation, level)]
    if not recipients:
        return
    with translation.override(risk.organisation.default_language):
        body = render_to_string("risks/email/escalated.txt", {
            "risk": risk, "level": OwnerLevel(level).label,
            "url": settings.RIGHTSLOOP_BASE_URL.rstrip("/") + reverse("risks:detail", args=[risk.pk]),
        })
        subject = _("A salient risk now needs the attention of: %(level)s") % {"level": OwnerLevel(level).label}
    EmailMessage(subject=subject, body=body, to=recipients, headers={"Auto-Submitted": "auto-generated"}).send()


def _relevel(organisation, rules: list[escalation.Threshold] | None, *, by: Viewer,
             reason: str) -> list[queries.LevelMove]:
    """Give every open risk the level these rules require, with a history entry and an audit entry per move."""
    moves = queries.level_moves(organisation, rules)
    for level in {move.after for move in moves}:
        Risk.objects.filter(pk__in=[m.risk_id for m in moves if m.after == level]).update(owner_level=level)
    RiskChange.objects.bulk_create([
        RiskChange(risk_id=move.risk_id, changed_by=by.user, reason=reason,
                   before={"owner_level": move.before}, after={"owner_level": move.after})
        for move in moves
    ])
    for move in moves:
        _record_move(Risk(pk=move.risk_id, organisation=organisation), move.before, move.after, by=by)
    return moves


def _check_rules(rules: list[escalation.Threshold]) -> None:
    found = escalation.problems(rules)
    if found:
        raise ValidationError({name: [message] for name, message in found.items()})


def _rules_summary(rules: list[escalation.Threshold]) -> str:
    return "; ".join(
        f"{rule.level} >= {rule.min_severity}/{rule.min_likelihood}, any likelihood >= "
        f"{rule.min_severity_any_likelihood}, irremediability >= {rule.min_irremediability} with severity >= "
        f"{rule.min_severity_if_irremediable}"
        for rule in sorted(rules, key=lambda r: r.level))


def _answer_offer(organisation, answer: str, *, by: Viewer) -> DefaultRulesOffer | None:
    offer = (DefaultRulesOffer.objects.select_for_update().for_organisation(organisation).pending()
             .filter(version=escalation.DEFAULTS_VERSION).first())
    if offer is not None:
        offer.answer, offer.answered_by, offer.answered_at = answer, by.user, timezone.now()
        offer.save(update_fields=["answer", "answered_by", "answered_at"])
    return offer


@transaction.atomic
def set_escalation_rules(*, organisation, rules: Iterable[escalation.Threshold],
                         by: Viewer) -> list[queries.LevelMove]:
    """Replace the organisation's escalation rules and re-level every open risk; returns the risks moved."""
    if not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Only the human rights team and administrators change the escalation rules."))
    rules = list(rules)
    _check_rules(rules)
    EscalationRule.objects.filter(organisation=organisation).delete()
    EscalationRule.objects.bulk_create([
        EscalationRule(organisation=organisation, level=rule.level, min_severity=rule.min_severity,
                       min_likelihood=rule.min_likelihood,
                       min_severity_any_likelihood=rule.min_severity_any_likelihood,
                       min_irremediability=rule.min_irremediability,
                       min_severity_if_irremediable=rule.min_severity_if_irremediable)
        for rule in rules
    ])
    audit.record(organisation=organisation, by=by, action="escalation.rules_changed", summary=_rules_summary(rules))
    return _relevel(organisation, rules, by=by, reason=_("escalation rules changed"))


@transaction.atomic
def adopt_default_rules(*, organisation, by: Viewer) -> list[queries.LevelMove]:
    """Follow the default escalation rules from now on (answering any offer of newer ones); re-level every risk."""
    if not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Only the human rights team and administrators change the escalation rules."))
    EscalationRule.objects.filter(organisation=organisation).delete()
    offer = _answer_offer(organisation, DefaultRulesAnswer.ADOPTED, by=by)
    audit.record(organisation=organisation, by=by, action="escalation.defaults_adopted",
                 summary=f"defaults v{escalation.DEFAULTS_VERSION}" + (" (offered)" if offer else ""))
    return _relevel(organisation, None, by=by, reason=_("default escalation rules adopted"))


@transaction.atomic
def keep_own_rules(*, organisation, by: Viewer) -> DefaultRulesOffer:
    """Answer the offer of newer default rules by keeping the organisation's own; no risk moves."""
    if not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Only the human rights team and administrators change the escalation rules."))
    offer = _answer_offer(organisation, DefaultRulesAnswer.KEPT, by=by)
    if offer is None:
        raise ValidationError({"offer": _("No newer default rules await an answer.")})
    audit.record(organisation=organisation, by=by, action="escalation.defaults_declined", target=offer,
                 summary=f"kept own rules over defaults v{offer.version}")
    return offer


# Mitigations ---------------------------------------------------------------

def may_change_mitigation(viewer: Viewer, mitigation: Mitigation) -> bool:
    return viewer.can(Capability.RISKS_EDIT) or mitigation.owner_id == viewer.user.pk


def _check_mitigation(*, status: str, reason: str, remedy_plan: str, action: str) -> None:
    errors = {}
    if status not in MitigationStatus.values:
        errors["status"] = _("Unknown status.")
    if not action.strip():
        errors["action"] = _("Describe the action, or what stands in its way.")
    if status in UNMITIGATED:
        if not reason.strip():
            errors["reason"] = _("Say why the risk is not, or cannot be, mitigated.")
        if not remedy_plan.strip():
            errors["remedy_plan"] = _("A risk left unmitigated needs a remedy plan: how harm would be put right.")
    if errors:
        raise ValidationError(errors)


# What a mitigation's history keeps of it, before and after each change (MitigationChange).
MITIGATION_TRACKED = ("action", "status", "owner_id", "due_on", "reason", "remedy_plan", "effectiveness",
                      "needs_reassessment", "flagged_by_id")


def mitigation_snapshot(mitigation: Mitigation) -> dict:
    values = {name: getattr(mitigation, name) for name in MITIGATION_TRACKED}
    values["due_on"] = mitigation.due_on.isoformat() if mitigation.due_on else None
    return values


def _keep_change(mitigation: Mitigation, *, before: dict, reason: str, by: Viewer) -> MitigationChange | None:
    """Write the mitigation's history entry if anything it tracks moved; None when nothing did."""
    after = mitigation_snapshot(mitigation)
    if after == before:
        return None
    return MitigationChange.objects.create(mitigation=mitigation, changed_by=by.user, reason=reason.strip()[:500],
                                           before=before, after=after)


@transaction.atomic
def add_mitigation(*, risk: Risk, action: str, owner: User, status: str = MitigationStatus.PLANNED,
                   due_on: datetime.date | None = None, reason: str = "", remedy_plan: str = "",
                   why: str = "", by: Viewer) -> Mitigation:
    """Add an action against a risk, or the explicit record that there is none, with its remedy plan."""
    if not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Your role cannot add mitigations."))
    _check_mitigation(status=status, reason=reason, remedy_plan=remedy_plan, action=action)
    _check_owner(owner, risk.organisation)
    mitigation = Mitigation.objects.create(
        organisation=risk.organisation, risk=risk, action=action.strip(), owner=owner, status=status,
        due_on=due_on, reason=reason.strip(), remedy_plan=remedy_plan.strip(),
    )
    _keep_change(mitigation, before={}, reason=why.strip() or _("added"), by=by)
    audit.record(organisation=risk.organisation, by=by, action="mitigation.added", target=mitigation,
                 summary=f"risk #{risk.pk}: {status}")
    return mitigation


@transaction.atomic
def update_mitigation(*, mitigation: Mitigation, action: str, status: str, due_on: datetime.date | None,
                      reason: str, remedy_plan: str, owner: User | None = None, why: str = "",
                      by: Viewer) -> Mitigation:
    """Change a mitigation; its history keeps who, when, why, and each field before and after.

    The reassessment flag is not cleared here: only reassess_mitigation does, with a note and a judgement.
    """
    if not may_change_mitigation(by, mitigation):
        raise PermissionDenied(_("Only the owner or the human rights team can change this mitigation."))
    _check_mitigation(status=status, reason=reason, remedy_plan=remedy_plan, action=action)
    mitigation = Mitigation.objects.select_for_update().get(pk=mitigation.pk)
    before = mitigation_snapshot(mitigation)
    fields = {"action": action.strip(), "status": status, "due_on": due_on, "reason": reason.strip(),
              "remedy_plan": remedy_plan.strip()}
    if owner is not None:
        _check_owner(owner, mitigation.organisation)
        fields["owner_id"] = owner.pk
    changed = [name for name, value in fields.items() if getattr(mitigation, name) != value]
    if not changed:
        return mitigation
    if not why.strip():
        raise ValidationError({"why": _("Say why the mitigation changes: its history keeps it.")})
    for name, value in fields.items():
        setattr(mitigation, name, value)
    mitigation.save()
    _keep_change(mitigation, before=before, reason=why, by=by)
    audit.record(organisation=mitigation.organisation, by=by, action="mitigation.changed",
                 target=mitigation, summary=f"risk #{mitigation.risk_id}: {status}", changed_fields=changed)
    return mitigation


@transaction.atomic
def add_indicator(*, mitigation: Mitigation, name: str, target: str = "", by: Viewer) -> Indicator:
    if not may_change_mitigation(by, mitigation):
        raise PermissionDenied(_("Only the owner or the human rights team can change this mitigation."))
    if not name.strip():
        raise ValidationError({"name": _("Name the indicator.")})
    indicator = Indicator.objects.create(mitigation=mitigation, name=name.strip(), target=target.strip())
    audit.record(organisation=mitigation.organisation, by=by, action="indicator.added", target=indicator,
                 summary=f"mitigation #{mitigation.pk}")
    return indicator


@transaction.atomic
def record_evidence(*, indicator: Indicator, observed_on: datetime.date, value: str, note: str = "",
                    input: Input | None = None, by: Viewer) -> Evidence:
    """Record how an indicator stood on a day; a stakeholder's input can be the evidence (a view from the ground)."""
    mitigation = indicator.mitigation
    if not may_change_mitigation(by, mitigation):
        raise PermissionDenied(_("Only the owner or the human rights team can change this mitigation."))
    if not value.strip():
        raise ValidationError({"value": _("Give the value observed.")})
    if input is not None and input.organisation_id != mitigation.organisation_id:
        raise ValidationError({"input": _("Unknown input.")})
    evidence = Evidence.objects.create(indicator=indicator, observed_on=observed_on, value=value.strip(),
                                       note=note.strip(), input=input, recorded_by=by.user)
    audit.record(organisation=mitigation.organisation, by=by, action="evidence.recorded", target=evidence,
                 summary=f"indicator #{indicator.pk}" + (f", input #{input.pk}" if input else ""))
    return evidence


# Context events ------------------------------------------------------------

@transaction.atomic
def record_context_event(*, title: str, kind: str, occurred_on: datetime.date, by: Viewer, description: str = "",
                         countries_touched: Iterable[str] = (), products: Iterable[str] = ()) -> ContextEvent:
    """Record a change in the world and flag for reassessment every mitigation of a risk it touches."""
    if not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Your role cannot record context events."))
    codes = sorted({code.strip().upper() for code in countries_touched if code.strip()})
    names = sorted({name.strip() for name in products if name.strip()})
    errors = {}
    if not title.strip():
        errors["title"] = _("A title is required.")
    if kind not in EventKind.values:
        errors["kind"] = _("Unknown kind of event.")
    if not codes and not names:
        errors["countries"] = _("Name the countries or the products the event touches.")
    bad = [code for code in codes if countries.get(code) is None]
    if bad:
        errors["countries"] = _("Unknown country code: %(codes)s.") % {"codes": ", ".join(bad)}
    if errors:
        raise ValidationError(errors)
    event = ContextEvent.objects.create(organisation=by.organisation, title=title.strip(), kind=kind,
                                        description=description.strip(), countries=codes, products=names,
                                        occurred_on=occurred_on, recorded_by=by.user)
    touched = touched_mitigations(event)
    ids = [m.pk for m in touched]
    _flag_for_reassessment(event, touched, by=by)
    audit.record(organisation=by.organisation, by=by, action="context_event.recorded", target=event,
                 summary=f"{kind}: {len(ids)} mitigation(s) flagged for reassessment")
    owners = defaultdict(list)
    for mitigation in touched:
        owners[mitigation.owner_id].append(mitigation)
    by_owner = {owner_id: [m.pk for m in mine] for owner_id, mine in owners.items()}
    transaction.on_commit(lambda: _notify_mitigation_owners(event.pk, by_owner))
    return event


def _flag_for_reassessment(event: ContextEvent, touched: list[Mitigation], *, by: Viewer) -> None:
    """Flag each mitigation, keep the event's call (one ReassessmentFlag each) and a line in its history."""
    before = {m.pk: mitigation_snapshot(m) for m in touched}
    Mitigation.objects.filter(pk__in=list(before)).update(needs_reassessment=True, flagged_by=event)
    ReassessmentFlag.objects.bulk_create([ReassessmentFlag(mitigation=m, event=event) for m in touched])
    why = _("Flagged for reassessment by the context event “%(title)s”.") % {"title": event.title}
    MitigationChange.objects.bulk_create([
        MitigationChange(mitigation=m, changed_by=by.user, reason=why[:500], before=before[m.pk],
                         after={**before[m.pk], "needs_reassessment": True, "flagged_by_id": event.pk})
        for m in touched
    ])


def touched_mitigations(event: ContextEvent) -> list[Mitigation]:
    """Mitigations of open risks in the event's countries, or on its products (names compared case-insensitively)."""
    risks = Risk.objects.for_organisation(event.organisation).open()
    by_country = risks.filter(markets__country__in=event.countries) if event.countries else risks.none()
    wanted = {name.casefold() for name in event.products}
    by_product = [r.pk for r in risks.only("id", "product") if r.product.casefold() in wanted] if wanted else []
    risk_ids = set(by_country.values_list("pk", flat=True)) | set(by_product)
    return list(Mitigation.objects.filter(risk_id__in=risk_ids).select_related("owner", "risk"))


def _notify_mitigation_owners(event_id: int, by_owner: dict[int, list[int]]) -> None:
    event = ContextEvent.objects.select_related("organisation").get(pk=event_id)
    base = settings.RIGHTSLOOP_BASE_URL.rstrip("/")
    for owner_id, mitigation_ids in by_owner.items():
        owner = User.objects.filter(pk=owner_id, is_active=True).exclude(email="").first()
        if owner is None:
            continue
        mitigations = Mitigation.objects.filter(pk__in=mitigation_ids).select_related("risk")
        with translation.override(event.organisation.default_language):
            body = render_to_string("risks/email/reassess.txt", {
                "event": event, "owner": owner,
                "items": [{"mitigation": m, "url": base + reverse("risks:mitigation-reassess", args=[m.pk])}
                          for m in mitigations],
            })
            subject = _("Reassess your mitigations: %(title)s") % {"title": event.title}
        EmailMessage(subject=subject, body=body, to=[owner.email], headers={"Auto-Submitted": "auto-generated"}).send()


# Strategic decisions -------------------------------------------------------

@dataclass
class DecisionPlan:
    title: str
    category: str
    description: str = ""
    risk_picture: str = ""
    mitigation_plan: str = ""
    remedy_plan: str = ""
    communication: str = ""
    communication_plan: str = ""
    communication_is_safe: bool = False
    no_engagement_reason: str = ""
    risks: list[Risk] = field(default_factory=list)
    engagements: list[Engagement] = field(default_factory=list)
    outcome: str = ""
    deferred_to: datetime.date | None = None
    markets: list[str] = field(default_factory=list)


PLAN_TEXT = ("title", "category", "description", "risk_picture", "mitigation_plan", "remedy_plan",
             "communication", "communication_plan", "communication_is_safe", "no_engagement_reason", "outcome",
             "deferred_to")


def _apply_plan(decision: StrategicDecision, plan: DecisionPlan, organisation) -> None:
    errors = {}
    if not plan.title.strip():
        errors["title"] = _("A title is required.")
    if plan.category not in DecisionCategory.values:
        errors["category"] = _("Unknown kind of decision.")
    if plan.communication and plan.communication not in Communication.values:
        errors["communication"] = _("Unknown way of communicating.")
    if plan.outcome and plan.outcome not in DecisionOutcome.values:
        errors["outcome"] = _("Unknown outcome.")
    if plan.deferred_to is not None and plan.outcome != DecisionOutcome.DEFERRED:
        errors["deferred_to"] = _("Only a deferred decision has a date it is deferred to.")
    if any(r.organisation_id != organisation.pk for r in plan.risks):
        errors["risks"] = _("Unknown risk.")
    if any(e.organisation_id != organisation.pk for e in plan.engagements):
        errors["engagements"] = _("Unknown engagement.")
    unknown = sorted({code for code in plan.markets if countries.get(code.strip().upper()) is None})
    if unknown:
        errors["markets"] = _("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)
    for name in PLAN_TEXT:
        setattr(decision, name, getattr(plan, name))


def _set_markets(decision: StrategicDecision, markets: Iterable[str]) -> bool:
    """Name the decision's markets; whether they changed."""
    wanted = {code.strip().upper() for code in markets}
    existing = set(decision.markets.values_list("country", flat=True))
    if wanted == existing:
        return False
    decision.markets.exclude(country__in=wanted).delete()
    DecisionMarket.objects.bulk_create([DecisionMarket(decision=decision, country=code)
                                        for code in sorted(wanted - existing)])
    return True


@transaction.atomic
def create_strategic_decision(*, plan: DecisionPlan, by: Viewer) -> StrategicDecision:
    if not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Your role cannot prepare strategic decisions."))
    decision = StrategicDecision(organisation=by.organisation, created_by=by.user)
    _apply_plan(decision, plan, by.organisation)
    decision.save()
    decision.risks.set(plan.risks)
    decision.engagements.set(plan.engagements)
    _set_markets(decision, plan.markets)
    audit.record(organisation=by.organisation, by=by, action="strategic_decision.created", target=decision,
                 summary=decision.category)
    return decision


@transaction.atomic
def update_strategic_decision(*, decision: StrategicDecision, plan: DecisionPlan, by: Viewer) -> StrategicDecision:
    if not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Your role cannot prepare strategic decisions."))
    decision = StrategicDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.status == DecisionStatus.DECIDED:
        raise ValidationError(_("This decision was taken; record a new decision instead of changing it."))
    before = {name: getattr(decision, name) for name in PLAN_TEXT}
    _apply_plan(decision, plan, decision.organisation)
    changed = [name for name in PLAN_TEXT if before[name] != getattr(decision, name)]
    if decision.status == DecisionStatus.AWAITING_BOARD:
        # The board would sign off on something else than what was put to it: it goes back to the team,
        # which takes it again once the four steps and the outcome hold.
        decision.status, decision.decided_by, decision.decided_at = DecisionStatus.DRAFT, None, None
        changed.append("status")
    decision.save()
    decision.risks.set(plan.risks)
    decision.engagements.set(plan.engagements)
    if _set_markets(decision, plan.markets):
        changed.append("markets")
        if decision.local_voices_overridden_at is not None:
            # The override was given for other markets: those now named wait for their own voices again.
            decision.local_voices_override_reason, decision.local_voices_overridden_by = "", None
            decision.local_voices_overridden_at = None
            decision.save(update_fields=["local_voices_override_reason", "local_voices_overridden_by",
                                         "local_voices_overridden_at"])
            changed.append("local_voices_override")
    audit.record(organisation=decision.organisation, by=by, action="strategic_decision.changed",
                 target=decision, summary=decision.category, changed_fields=[*changed, "risks", "engagements"])
    return decision


def blockers(decision: StrategicDecision, *, voices: gate.LocalVoices | None = None) -> dict[str, str]:
    """What still stops this decision from being taken, read from the database (`voices`: the gate, if read)."""
    linked = [
        LinkedRisk(
            title=risk.title, severity=risk.severity,
            mitigation_statuses=tuple(m.status for m in risk.mitigations.all()),
            has_remedy_plan=any(m.status in UNMITIGATED and m.remedy_plan.strip() for m in risk.mitigations.all()),
        )
        for risk in decision.risks.prefetch_related("mitigations")
    ]
    missing = missing_for_decision(
        risk_picture=decision.risk_picture, mitigation_plan=decision.mitigation_plan,
        remedy_plan=decision.remedy_plan, communication=decision.communication,
        communication_plan=decision.communication_plan, communication_is_safe=decision.communication_is_safe,
        engaged=decision.engagements.exists(), no_engagement_reason=decision.no_engagement_reason, risks=linked,
        outcome=decision.outcome, deferred_to=decision.deferred_to, conditions=decision.conditions.live().count(),
        today=timezone.localdate(),
    )
    voices = voices if voices is not None else gate.local_voices(decision)
    if voices.blocks:
        missing["markets" if voices.needs_markets else "local_voices"] = voices.missing_text()
    return missing


def needs_board_sign_off(decision: StrategicDecision) -> bool:
    """Whether a linked risk is owned at board level (the level the register shows), read from the database."""
    return board_sign_off_needed(decision.risks.values_list("owner_level", flat=True))


@transaction.atomic
def take_strategic_decision(*, decision: StrategicDecision, by: Viewer) -> StrategicDecision:
    """Mark the decision taken once the four steps and the outcome hold and no severe risk is left without remedy.

    When a linked risk is owned at board level the team cannot take it alone: it is put to the board, and
    counts as taken only when a board member signs it off (decision_actions.sign_off_decision).
    """
    if not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Your role cannot take strategic decisions."))
    decision = StrategicDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.status != DecisionStatus.DRAFT:
        return decision
    missing = blockers(decision)
    if missing:
        raise ValidationError(missing)
    decision.decided_by = by.user
    if needs_board_sign_off(decision):
        decision.status, decision.decided_at = DecisionStatus.AWAITING_BOARD, None
        action = "strategic_decision.put_to_board"
    else:
        decision.status, decision.decided_at = DecisionStatus.DECIDED, timezone.now()
        action = "strategic_decision.decided"
    decision.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    audit.record(organisation=decision.organisation, by=by, action=action, target=decision,
                 summary=f"{decision.category}: {decision.outcome}")
    if decision.status == DecisionStatus.AWAITING_BOARD:
        decision_id = decision.pk
        transaction.on_commit(lambda: decision_actions.notify_board(decision_id))
    return decision


# The local-voices gate (G2) -----------------------------------------------

@transaction.atomic
def override_local_voices(*, decision: StrategicDecision, reason: str, by: Viewer) -> StrategicDecision:
    """Let a gated decision be taken before local voices from its markets were heard, saying why.

    Only someone authorised (the board, the administrator) may, never the team preparing the decision; the
    reason is kept on the decision, audited, and shown on the decision page and the board's view.
    """
    if not by.can(Capability.LOCAL_VOICES_OVERRIDE):
        raise PermissionDenied(_("Only the board or the administrator may let a decision go ahead before local "
                                 "voices were heard."))
    decision = StrategicDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.category not in GATED_CATEGORIES:
        raise ValidationError({"reason": _("Only a market entry, geographic expansion or sale to a high-risk customer "
                                           "waits for local voices.")})
    if decision.status != DecisionStatus.DRAFT:
        raise ValidationError({"reason": _("The decision is no longer being prepared: there is no gate to "
                                           "override.")})
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say why the decision may be taken before local voices were heard: the "
                                           "reason is shown to the board.")})
    decision.local_voices_override_reason = reason
    decision.local_voices_overridden_by = by.user
    decision.local_voices_overridden_at = timezone.now()
    decision.save(update_fields=["local_voices_override_reason", "local_voices_overridden_by",
                                 "local_voices_overridden_at", "updated_at"])
    audit.record(organisation=decision.organisation, by=by, action="strategic_decision.local_voices_overridden",
                 target=decision, summary=reason[:200])
    return decision


@transaction.atomic
def withdraw_local_voices_override(*, decision: StrategicDecision, by: Viewer) -> StrategicDecision:
    """Close the gate again while the decision is still being prepared."""
    if not by.can(Capability.LOCAL_VOICES_OVERRIDE):
        raise PermissionDenied(_("Only the board or the administrator may change the local-voices gate."))
    decision = StrategicDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.status != DecisionStatus.DRAFT:
        raise ValidationError(_("The decision is no longer being prepared: its override stays on record."))
    if decision.local_voices_overridden_at is None:
        return decision
    decision.local_voices_override_reason = ""
    decision.local_voices_overridden_by = None
    decision.local_voices_overridden_at = None
    decision.save(update_fields=["local_voices_override_reason", "local_voices_overridden_by",
                                 "local_voices_overridden_at", "updated_at"])
    audit.record(organisation=decision.organisation, by=by, action="strategic_decision.local_voices_override_withdrawn",
                 target=decision)
    return decision


@transaction.atomic
def set_local_voice_thresholds(*, organisation, experts: int, affected: int, by: Viewer) -> LocalVoiceThresholds:
    """How many local experts and affected voices each market of a gated decision needs."""
    if not by.can(Capability.ORGANISATION_MANAGE) and not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Your role cannot change the local-voice thresholds."))
    errors = {}
    for name, value in (("experts", experts), ("affected", affected)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 50:
            errors[name] = _("A whole number from 1 to 50.")
    if errors:
        raise ValidationError(errors)
    row, _created = LocalVoiceThresholds.objects.select_for_update().get_or_create(organisation=organisation)
    row.experts, row.affected, row.updated_by = experts, affected, by.user
    row.save()
    audit.record(organisation=organisation, by=by, action="local_voice_thresholds.changed", target=row,
                 summary=f"{experts} expert(s), {affected} affected per market")
    return row


# Links between inputs and risks, mitigations and decisions (S2) ------------

LINKABLE = {"risk": Risk, "mitigation": Mitigation, "decision": StrategicDecision}


@transaction.atomic
def link_inputs(*, target: Risk | Mitigation | StrategicDecision, inputs: Iterable[Input], by: Viewer,
                unlink: bool = False) -> int:
    """Tie what stakeholders said to a risk, mitigation or strategic decision (or undo it); returns links changed."""
    if not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Your role cannot link inputs."))
    chosen = [item for item in inputs if item.organisation_id == target.organisation_id]
    if not chosen:
        return 0
    manager = target.inputs
    existing = set(manager.filter(pk__in=[i.pk for i in chosen]).values_list("pk", flat=True))
    if unlink:
        changed = [i for i in chosen if i.pk in existing]
        manager.remove(*changed)
    else:
        changed = [i for i in chosen if i.pk not in existing]
        if isinstance(target, Risk):
            # Each risk link carries its speaker (see RiskInput), read here rather than trusted from the caller.
            speakers = {pk: (stakeholder_id, group_id) for pk, stakeholder_id, group_id in Input.objects.filter(
                pk__in=[i.pk for i in changed]).values_list("pk", "speaker__stakeholder_id", "group_id")}
            RiskInput.objects.bulk_create([RiskInput(risk=target, input_id=i.pk, stakeholder_id=speakers[i.pk][0],
                                                     group_id=speakers[i.pk][1]) for i in changed])
        else:
            manager.add(*changed)
    if changed:
        audit.record(organisation=target.organisation, by=by, action="inputs.unlinked" if unlink else "inputs.linked",
                     target=target, summary=f"{len(changed)} input(s)")
    return len(changed)


# Effectiveness of mitigations and their reassessment after a context event (R4) ---------------

def _check_assessment(mitigation: Mitigation, *, judgement: str, assessed_on: datetime.date, reasoning: str,
                      indicators: list[Indicator], evidence: list[Evidence], inputs: list[Input],
                      reasoning_field: str) -> None:
    errors = {}
    if judgement not in Effectiveness.values:
        errors["judgement"] = _("Choose effective, partly effective, not effective or not yet known.")
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = _("An assessment cannot be dated in the future.")
    if not reasoning.strip():
        errors[reasoning_field] = (_("Say what was reassessed and what it showed.") if reasoning_field == "note"
                                   else _("Give the reasoning behind the judgement."))
    if any(indicator.mitigation_id != mitigation.pk for indicator in indicators):
        errors["indicators"] = _("Cite only this mitigation's indicators.")
    own_indicators = set(mitigation.indicators.values_list("pk", flat=True)) if evidence else set()
    if any(item.indicator_id not in own_indicators for item in evidence):
        errors["evidence"] = _("Cite only evidence recorded for this mitigation's indicators.")
    if any(item.organisation_id != mitigation.organisation_id for item in inputs):
        errors["inputs"] = _("Unknown input.")
    if errors:
        raise ValidationError(errors)


def _assess(mitigation: Mitigation, *, judgement: str, assessed_on: datetime.date, reasoning: str,
            indicators: Iterable[Indicator], evidence: Iterable[Evidence], inputs: Iterable[Input], by: Viewer,
            reassessing: bool) -> MitigationAssessment:
    if not may_change_mitigation(by, mitigation):
        raise PermissionDenied(_("Only the owner or the human rights team can assess this mitigation."))
    indicators, evidence, inputs = list(indicators), list(evidence), list(inputs)
    _check_assessment(mitigation, judgement=judgement, assessed_on=assessed_on, reasoning=reasoning,
                      indicators=indicators, evidence=evidence, inputs=inputs,
                      reasoning_field="note" if reassessing else "reasoning")
    mitigation = Mitigation.objects.select_for_update().get(pk=mitigation.pk)
    if reassessing and not mitigation.needs_reassessment:
        raise ValidationError({"__all__": [_("This mitigation is not awaiting reassessment: record an "
                                             "assessment instead.")]})
    before = mitigation_snapshot(mitigation)
    assessment = MitigationAssessment.objects.create(
        mitigation=mitigation, judgement=judgement, assessed_on=assessed_on, reasoning=reasoning.strip(),
        answers=mitigation.flagged_by if reassessing else None, assessed_by=by.user)
    assessment.indicators.set(indicators)
    assessment.evidence.set(evidence)
    assessment.inputs.set(inputs)
    # The latest by date wins, so an assessment recorded late for an earlier day does not overrule a newer one.
    mitigation.effectiveness = (mitigation.assessments.order_by("-assessed_on", "-id")
                                .values_list("judgement", flat=True).first())
    fields = ["effectiveness", "updated_at"]
    if reassessing:
        mitigation.reassessment_flags.filter(answered_by__isnull=True).update(answered_by=assessment)
        mitigation.needs_reassessment = False
        fields.append("needs_reassessment")
    mitigation.save(update_fields=fields)
    label = Effectiveness(judgement).label
    why = (_("Reassessed, judged %(judgement)s: %(note)s") if reassessing
           else _("Assessed, judged %(judgement)s: %(note)s")) % {"judgement": label, "note": reasoning.strip()}
    _keep_change(mitigation, before=before, reason=why, by=by)
    audit.record(organisation=mitigation.organisation, by=by,
                 action="mitigation.reassessed" if reassessing else "mitigation.assessed", target=mitigation,
                 summary=f"risk #{mitigation.risk_id}: {judgement}"
                 + (f", context event #{assessment.answers_id}" if assessment.answers_id else ""))
    return assessment


@transaction.atomic
def assess_mitigation(*, mitigation: Mitigation, judgement: str, assessed_on: datetime.date, reasoning: str,
                      indicators: Iterable[Indicator] = (), evidence: Iterable[Evidence] = (),
                      inputs: Iterable[Input] = (), by: Viewer) -> MitigationAssessment:
    """Record a dated judgement of the mitigation's effectiveness; the latest by date becomes its effectiveness."""
    return _assess(mitigation, judgement=judgement, assessed_on=assessed_on, reasoning=reasoning,
                   indicators=indicators, evidence=evidence, inputs=inputs, by=by, reassessing=False)


@transaction.atomic
def reassess_mitigation(*, mitigation: Mitigation, judgement: str, note: str,
                        assessed_on: datetime.date | None = None, indicators: Iterable[Indicator] = (),
                        evidence: Iterable[Evidence] = (), inputs: Iterable[Input] = (),
                        by: Viewer) -> MitigationAssessment:
    """Clear the reassessment flag: the note says what was reassessed, the judgement what it showed.

    The assessment answers every open flag (each context event that raised one) and names the latest event.
    """
    return _assess(mitigation, judgement=judgement, assessed_on=assessed_on or timezone.localdate(),
                   reasoning=note, indicators=indicators, evidence=evidence, inputs=inputs, by=by,
                   reassessing=True)
