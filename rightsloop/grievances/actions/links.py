"""Links from cases to the risk register (M2): salient risks, mitigations and strategic decisions, and a new
salient risk made from one case or a group of them (a staff concern, a recurring theme).

A risk made from a case carries what the figures already show (product, country, rights at stake, groups at
risk) and whatever the handler types; never the person's own words unless the handler writes them in: the
register is read by decision makers and the board, who never see case content.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.risks.actions import RiskPlan, create_risk
from rightsloop.risks.models import Mitigation, Risk, StrategicDecision

from ..models import Grievance

RISK = "risk"
MITIGATION = "mitigation"
DECISION = "decision"
KINDS = {RISK: Risk, MITIGATION: Mitigation, DECISION: StrategicDecision}
RELATION = {RISK: "risks", MITIGATION: "mitigations", DECISION: "decisions"}


def kind_of(target) -> str:
    for kind, model in KINDS.items():
        if isinstance(target, model):
            return kind
    raise ValidationError({"kind": _("Link a salient risk, a mitigation or a strategic decision.")})


def _check(grievance: Grievance, target, by: Viewer) -> str:
    if not by.can(Capability.GRIEVANCES_HANDLE) or by.organisation.pk != grievance.organisation_id:
        raise PermissionDenied(_("Only the people handling grievances can link cases."))
    if grievance.exclusions.filter(user=by.user).exists():
        raise PermissionDenied(_("You are kept out of this case."))
    kind = kind_of(target)
    if target.organisation_id != grievance.organisation_id:
        raise ValidationError({"id": _("Unknown %(kind)s.") % {"kind": kind}})
    return kind


@transaction.atomic
def link(*, grievance: Grievance, target: Risk | Mitigation | StrategicDecision, by: Viewer) -> bool:
    """Link the case to a risk, mitigation or decision of its organisation; False when it already was."""
    kind = _check(grievance, target, by)
    relation = getattr(grievance, RELATION[kind])
    if relation.filter(pk=target.pk).exists():
        return False
    relation.add(target)
    audit.record(organisation=grievance.organisation, by=by, action="grievance.linked", target=grievance,
                 summary=f"{grievance.label} linked to {kind} {target.pk}", changed_fields=[RELATION[kind]])
    return True


@transaction.atomic
def unlink(*, grievance: Grievance, target: Risk | Mitigation | StrategicDecision, by: Viewer) -> bool:
    """Remove a link; False when there was none."""
    kind = _check(grievance, target, by)
    relation = getattr(grievance, RELATION[kind])
    if not relation.filter(pk=target.pk).exists():
        return False
    relation.remove(target)
    audit.record(organisation=grievance.organisation, by=by, action="grievance.unlinked", target=grievance,
                 summary=f"{grievance.label} unlinked from {kind} {target.pk}", changed_fields=[RELATION[kind]])
    return True


@transaction.atomic
def make_risk(*, grievances: Iterable[Grievance], plan: RiskPlan, by: Viewer) -> Risk:
    """Register a salient risk from one case or a group of cases, and link every one of them to it."""
    cases = list(grievances)
    if not cases:
        raise ValidationError({"__all__": _("Name at least one case.")})
    for grievance in cases:
        if not by.can(Capability.GRIEVANCES_HANDLE) or grievance.organisation_id != by.organisation.pk:
            raise PermissionDenied(_("Only the people handling grievances can link cases."))
    if Grievance.objects.filter(pk__in=[case.pk for case in cases], exclusions__user=by.user).exists():
        raise PermissionDenied(_("You are kept out of one of these cases."))
    labels = ", ".join(case.label for case in cases[:10]) + (" …" if len(cases) > 10 else "")
    risk = create_risk(plan=plan, by=by, reason=_("registered from grievance(s) %(cases)s") % {"cases": labels})
    Grievance.risks.through.objects.bulk_create(
        [Grievance.risks.through(grievance_id=case.pk, risk_id=risk.pk) for case in cases])
    for case in cases:
        audit.record(organisation=case.organisation, by=by, action="grievance.risk_made", target=case,
                     summary=f"{case.label} turned into risk {risk.pk}", changed_fields=["risks"])
    return risk
