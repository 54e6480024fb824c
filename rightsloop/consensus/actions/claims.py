"""Record competing claims on a matter, and say how a strategic decision weighed each (E5).

Each action is keyword-only, atomic and audited. The audit entries name records by id and the fields that
changed, never what a claim says or who holds it.

Who may hold a claim follows the rule of inputs (engagements.actions.inputs): a participant of the engagement,
or an affected group heard through a credible proxy taking part in its own name who represents it. A person at
risk who takes part through a proxy never holds a claim on their own record: the group their proxy speaks for
does. The claim keeps the group, not the proxy (a group's claim is the group's, sealed under the organisation's
key, and outlives the proxy's erasure).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit, rights
from rightsloop.engagements.models import Engagement, Participation
from rightsloop.engagements.vocabulary import Attribution
from rightsloop.risks.models import Risk, StrategicDecision
from rightsloop.risks.vocabulary import DecisionStatus
from rightsloop.stakeholders.models import AffectedGroup, Representation
from rightsloop.stakeholders.queries import may_attribute_inputs
from rightsloop.stakeholders.vocabulary import Kind, SafetyLevel

from ..models import Claim, ClaimWeighing

MAX_TEXT = 20_000
MAX_SIDE = 80
CLAIM_FIELDS = ("side", "risk_id", "decision_id", "holder_id", "holder_group_id", "attribution", "rights",
                "statement", "evidence", "would_accept")


def _require_edit(by: Viewer) -> None:
    if not by.can(Capability.ENGAGEMENTS_EDIT):
        raise PermissionDenied(_("Your role cannot record competing claims."))


def right_codes(codes: Sequence[str]) -> list[str]:
    """Codes of core.rights, sorted and unique; an unknown code is a field error, and one right is needed."""
    cleaned = sorted({str(code).strip() for code in codes if str(code).strip()})
    unknown = [code for code in cleaned if not rights.is_known(code)]
    if unknown:
        raise ValidationError({"rights": _("Unknown right: %(codes)s.") % {"codes": ", ".join(unknown)}})
    if not cleaned:
        raise ValidationError({"rights": _("Name the right or rights the claim invokes.")})
    return cleaned


@dataclass
class ClaimPlan:
    """What a claim says, as a form or the API hands it to an action: one matter, at most one holder."""

    side: str
    statement: str
    rights: Sequence[str]
    risk: Risk | None = None
    decision: StrategicDecision | None = None
    holder: Participation | None = None
    holder_group: AffectedGroup | None = None
    # None: attributed only where the holder consented to it (a person) — otherwise anonymised.
    attribution: str | None = None
    evidence: str = ""
    would_accept: str = ""


def _text_errors(plan: ClaimPlan) -> dict[str, str]:
    errors = {}
    if not " ".join((plan.side or "").split()):
        errors["side"] = _("Name the side in a few words, such as “Privacy” or “Child safety”.")
    elif len(" ".join(plan.side.split())) > MAX_SIDE:
        errors["side"] = _("Name the side in at most %(max)s characters.") % {"max": MAX_SIDE}
    if not (plan.statement or "").strip():
        errors["statement"] = _("Write down the claim.")
    for name in ("statement", "evidence", "would_accept"):
        if len((getattr(plan, name) or "").strip()) > MAX_TEXT:
            errors[name] = _("At most %(max)s characters.") % {"max": MAX_TEXT}
    return errors


def _matter_errors(engagement: Engagement, plan: ClaimPlan) -> dict[str, str]:
    if (plan.risk is None) == (plan.decision is None):
        return {"risk": _("Choose one matter: a salient risk or a strategic decision, not both.")}
    matter = plan.risk or plan.decision
    if matter.organisation_id != engagement.organisation_id:
        return {"risk" if plan.risk else "decision": _("Unknown matter.")}
    return {}


def _group_is_heard(engagement: Engagement, group: AffectedGroup) -> bool:
    """A credible proxy who represents the group takes part in this engagement in its own name."""
    proxies = Representation.objects.current().filter(group=group).values("proxy_id")
    return engagement.participations.filter(stakeholder__in=proxies, stakeholder__kind=Kind.PROXY,
                                            via_proxy__isnull=True).exists()


def _holder_errors(engagement: Engagement, plan: ClaimPlan) -> dict[str, str]:
    holder, group = plan.holder, plan.holder_group
    if holder is not None and group is not None:
        return {"holder": _("A claim is held by a participant or by an affected group, not both.")}
    if group is not None:
        if group.organisation_id != engagement.organisation_id:
            return {"holder_group": _("Unknown affected group.")}
        if not _group_is_heard(engagement, group):
            return {"holder_group": _("No credible proxy of this group takes part in the engagement: add the proxy "
                                      "who represents it first.")}
        return {}
    if holder is None:
        return {}
    if holder.engagement_id != engagement.pk:
        return {"holder": _("This person does not take part in this engagement.")}
    person = holder.stakeholder
    if person.is_erased:
        return {"holder": _("This stakeholder was erased.")}
    if holder.via_proxy_id and person.safety_level in (SafetyLevel.ELEVATED, SafetyLevel.HIGH):
        return {"holder": _("This person is at risk and takes part through a proxy: record the claim for the "
                            "affected group the proxy speaks for.")}
    return {}


def _attribution(plan: ClaimPlan) -> str:
    if plan.attribution not in (None, *Attribution.values):
        raise ValidationError({"attribution": _("Choose attributed or anonymised.")})
    if plan.holder is None and plan.holder_group is None:
        return Attribution.ANONYMISED  # nobody to attribute it to
    if plan.holder_group is not None:
        return plan.attribution or Attribution.ANONYMISED
    may_attribute = may_attribute_inputs(plan.holder.stakeholder)
    if plan.attribution is None:
        return Attribution.ATTRIBUTED if may_attribute else Attribution.ANONYMISED
    if plan.attribution == Attribution.ATTRIBUTED and not may_attribute:
        raise ValidationError({"attribution": _(
            "This person has not consented to attribution, or is at high risk: record the claim anonymised.")})
    return plan.attribution


def _cleaned(engagement: Engagement, plan: ClaimPlan) -> dict:
    errors = {**_text_errors(plan), **_matter_errors(engagement, plan), **_holder_errors(engagement, plan)}
    try:
        codes = right_codes(plan.rights)
    except ValidationError as error:
        errors.update({name: messages[0] for name, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return {"side": " ".join(plan.side.split()), "risk": plan.risk, "decision": plan.decision,
            "holder": plan.holder, "holder_group": plan.holder_group, "attribution": _attribution(plan),
            "rights": codes, "statement": plan.statement.strip(), "evidence": (plan.evidence or "").strip(),
            "would_accept": (plan.would_accept or "").strip()}


def _summary(claim: Claim) -> str:
    matter = f"risk #{claim.risk_id}" if claim.risk_id else f"decision #{claim.decision_id}"
    return f"claim #{claim.pk} on {matter} in engagement #{claim.engagement_id}"


@transaction.atomic
def record_claim(*, engagement: Engagement, plan: ClaimPlan, by: Viewer) -> Claim:
    """Record one side's claim on a salient risk or a strategic decision of the engagement's organisation."""
    _require_edit(by)
    values = _cleaned(engagement, plan)
    claim = Claim(organisation=engagement.organisation, engagement=engagement, recorded_by=by.user)
    for name, value in values.items():
        setattr(claim, name, value)
    claim.save()
    audit.record(organisation=engagement.organisation, by=by, action="claim.recorded", target=claim,
                 summary=_summary(claim), changed_fields=[name for name in values if values[name]])
    return claim


def _weighed_in_taken_decision(claim: Claim) -> bool:
    return claim.weighings.filter(decision__status=DecisionStatus.DECIDED).exists()


@transaction.atomic
def change_claim(*, claim: Claim, plan: ClaimPlan, by: Viewer) -> Claim:
    """Change a claim. Once a decision weighed it, its matter stays: the weighing speaks of that matter."""
    _require_edit(by)
    claim = (Claim.objects.select_for_update(of=("self",)).select_related("holder__stakeholder", "engagement")
             .get(pk=claim.pk))
    values = _cleaned(claim.engagement, plan)
    if claim.weighings.exists() and (values["risk"], values["decision"]) != (claim.risk, claim.decision):
        raise ValidationError({"risk": _("A decision has weighed this claim: its matter cannot change. Record a "
                                         "new claim instead.")})
    # Read every text under the current holder's key before the holder (and so the key) may change.
    texts = {name: getattr(claim, name) for name in Claim.sealed_fields}
    before = {name: getattr(claim, name) for name in CLAIM_FIELDS}
    for name, value in values.items():
        setattr(claim, name, value)
    changed = [name for name in CLAIM_FIELDS if before[name] != getattr(claim, name)]
    if not changed:
        return claim
    if {"holder_id", "holder_group_id"} & set(changed):
        for name, text in texts.items():
            if name not in changed:
                setattr(claim, name, text)  # sealed again, under the new holder's key
    claim.save()
    audit.record(organisation=claim.organisation, by=by, action="claim.changed", target=claim,
                 summary=_summary(claim), changed_fields=changed)
    return claim


@transaction.atomic
def remove_claim(*, claim: Claim, by: Viewer) -> None:
    """Delete a claim recorded by mistake; refused once a decision taken has weighed it (its rationale cites it).

    The weighings of decisions still being prepared go with it.
    """
    _require_edit(by)
    if _weighed_in_taken_decision(claim):
        raise ValidationError(_("A decision already taken weighed this claim: it stays, as part of that decision's "
                                "rationale."))
    audit.record(organisation=claim.organisation, by=by, action="claim.removed", target=claim.engagement,
                 summary=_summary(claim), changed_fields=["claims"])
    claim.delete()


def may_weigh(viewer: Viewer) -> bool:
    """Whoever may change strategic decisions says how one weighed a claim."""
    return viewer.can(Capability.RISKS_EDIT)


@transaction.atomic
def weigh_claim(*, decision: StrategicDecision, claim: Claim, how_weighed: str, by: Viewer) -> ClaimWeighing:
    """Say how the decision weighed a claim on it or on one of its risks; saying it again replaces it."""
    if not may_weigh(by):
        raise PermissionDenied(_("Your role cannot change strategic decisions."))
    how_weighed = (how_weighed or "").strip()
    if not how_weighed:
        raise ValidationError({"how_weighed": _("Say how the decision weighed this claim.")})
    if len(how_weighed) > MAX_TEXT:
        raise ValidationError({"how_weighed": _("At most %(max)s characters.") % {"max": MAX_TEXT}})
    if claim.organisation_id != decision.organisation_id or not (
            claim.decision_id == decision.pk or decision.risks.filter(pk=claim.risk_id).exists()):
        raise ValidationError({"claim": _("This claim is not on this decision or on one of its risks.")})
    if decision.status == DecisionStatus.DECIDED:
        raise ValidationError({"how_weighed": _("This decision was taken: how it weighed the claims can no longer "
                                                "change.")})
    weighing = ClaimWeighing.objects.select_for_update().filter(claim=claim, decision=decision).first()
    creating = weighing is None
    if creating:
        weighing = ClaimWeighing(claim=claim, decision=decision)
    elif weighing.how_weighed == how_weighed:
        return weighing
    weighing.how_weighed, weighing.weighed_by = how_weighed, by.user
    try:
        with transaction.atomic():
            weighing.save()
    except IntegrityError:  # weighed at the same moment by someone else: theirs stands
        raise ValidationError({"how_weighed": _("Someone else has just weighed this claim: look again.")}) from None
    audit.record(organisation=decision.organisation, by=by, action="claim.weighed", target=claim,
                 summary=f"claim #{claim.pk} in decision #{decision.pk}", changed_fields=["how_weighed"])
    return weighing
