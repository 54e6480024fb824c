"""Competing claims side by side: the columns the pages and the strategic decision's page show.

A column is one side; each claim in it carries its holder as the viewer may see them, the rights it invokes,
its texts and how decisions weighed it. Reading a page of claims takes a fixed number of queries, however
many claims there are.

Who a claim's holder is, as a viewer sees it:

- roles that do not see the register (decision makers, the board) see no identity at all: "A stakeholder",
  "An affected group";
- an anonymised claim is "Anonymised" to everyone outside the human rights team (who may change engagements);
- a person at elevated or high safety is a pseudonym unless the viewer holds a grant on them; a high-safety
  person on whom the viewer holds no grant is not even a pseudonym ("Holder not shown"), since to that viewer
  they do not exist (stakeholders.queries.hidden_from), and a high-safety person is a pseudonym even to a
  grant holder, as everywhere but their own page;
- an erased person is their pseudonym.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import rights as taxonomy
from rightsloop.engagements.vocabulary import Attribution, EngagementType
from rightsloop.risks.models import Risk, StrategicDecision
from rightsloop.risks.vocabulary import DecisionStatus
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.queries import granted
from rightsloop.stakeholders.vocabulary import SafetyLevel

from .actions.claims import may_weigh
from .models import Claim, ClaimWeighing
from .queries import visible_claims

PROTECTED_LEVELS = (SafetyLevel.ELEVATED, SafetyLevel.HIGH)


@dataclass
class ClaimRow:
    claim: Claim
    holder: str
    rights: list[tuple[str, str]]  # (code, name)
    weighings: list[ClaimWeighing]
    # On a decision's page: how that decision weighed it (None: not yet).
    weighed_here: ClaimWeighing | None = None


@dataclass
class Column:
    side: str
    rows: list[ClaimRow] = field(default_factory=list)


def claims_for_decisions(viewer: Viewer) -> QuerySet[Claim]:
    """Claims a viewer of strategic decisions may read on a decision's page, identities aside.

    Those who read engagements see what visible_claims gives; decision makers and the board, who see decisions
    but not engagements, see the claims too (without who holds them), except those of a remedy dialogue, which
    are case content for grievance handlers only.
    """
    if viewer.can(Capability.ENGAGEMENTS_VIEW):
        return visible_claims(viewer)
    if not viewer.can(Capability.RISKS_VIEW):
        return Claim.objects.none()
    claims = Claim.objects.for_organisation(viewer.organisation)
    if not viewer.can(Capability.GRIEVANCES_HANDLE):
        claims = claims.exclude(engagement__type=EngagementType.REMEDY_DIALOGUE)
    return claims


def with_columns_data(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    weighings = Prefetch("weighings", queryset=ClaimWeighing.objects.select_related("decision", "weighed_by").order_by(
        "decision__title", "decision_id"))
    return claims.select_related("holder__stakeholder", "holder_group", "engagement", "risk", "decision") \
        .prefetch_related(weighings).order_by("side", "recorded_at", "id")


@dataclass(frozen=True)
class Holder:
    label: str
    named: bool  # the label is the holder's own name (a person's or a group's), not a pseudonym or a stand-in


def holders(claims: Iterable[Claim], viewer: Viewer) -> dict[int, Holder]:
    """Who holds each claim, as this viewer may see them (one query, only when a protected person holds one)."""
    claims = list(claims)
    sees_people = viewer.can(Capability.STAKEHOLDERS_VIEW)
    protected = {claim.holder.stakeholder_id for claim in claims
                 if claim.holder_id and claim.holder.stakeholder.safety_level in PROTECTED_LEVELS}
    grants = set()
    if sees_people and protected:
        grants = set(granted(viewer).filter(stakeholder_id__in=protected).values_list("stakeholder_id", flat=True))
    return {claim.pk: _holder(claim, viewer, sees_people=sees_people, grants=grants) for claim in claims}


def holder_labels(claims: Iterable[Claim], viewer: Viewer) -> dict[int, str]:
    return {pk: holder.label for pk, holder in holders(claims, viewer).items()}


def _holder(claim: Claim, viewer: Viewer, *, sees_people: bool, grants: set[int]) -> Holder:
    if claim.holder_id is None and claim.holder_group_id is None:
        return Holder(_("Unattributed"), False)
    if not sees_people:
        return Holder(_("An affected group") if claim.holder_group_id else _("A stakeholder"), False)
    if claim.attribution == Attribution.ANONYMISED and not viewer.can(Capability.ENGAGEMENTS_EDIT):
        return Holder(_("Anonymised"), False)
    if claim.holder_group_id:
        return Holder(claim.holder_group.name, True)
    person = claim.holder.stakeholder
    if person.is_erased:
        return Holder(pseudonym(person.pk), False)
    if person.safety_level == SafetyLevel.HIGH and person.pk not in grants:
        return Holder(_("Holder not shown"), False)
    if person.safety_level in PROTECTED_LEVELS and (person.safety_level == SafetyLevel.HIGH
                                                    or person.pk not in grants):
        return Holder(pseudonym(person.pk), False)
    return Holder(person.name, True)


def columns(claims: QuerySet[Claim], viewer: Viewer) -> list[Column]:
    """The claims as columns, one per side (sides that differ only in case share one), in the sides' order."""
    found = list(with_columns_data(claims))
    labels = holder_labels(found, viewer)
    by_side: dict[str, Column] = {}
    for claim in found:
        column = by_side.setdefault(claim.side.casefold(), Column(side=claim.side))
        column.rows.append(ClaimRow(
            claim=claim, holder=labels[claim.pk],
            rights=[(code, taxonomy.name(code)) for code in claim.rights],
            weighings=list(claim.weighings.all())))
    return list(by_side.values())


def on_risk(viewer: Viewer, risk: Risk) -> list[Column]:
    return columns(visible_claims(viewer).on_risk(risk), viewer)


def on_decision(viewer: Viewer, decision: StrategicDecision) -> list[Column]:
    """The claims on the decision and on its linked risks, for its page: what its rationale weighs."""
    return columns(claims_for_decisions(viewer).on_decision(decision), viewer)


@dataclass
class DecisionSection:
    """The "Competing claims" section of a strategic decision's page."""

    columns: list[Column]
    can_weigh: bool        # whoever may change strategic decisions, while the decision is not taken
    can_open: bool         # readers of engagements may open the claims' own pages
    count: int


def decision_section(viewer: Viewer, decision: StrategicDecision) -> DecisionSection:
    found = on_decision(viewer, decision)
    for column in found:
        for row in column.rows:
            row.weighed_here = next((w for w in row.weighings if w.decision_id == decision.pk), None)
    return DecisionSection(columns=found, can_weigh=may_weigh(viewer) and decision.status != DecisionStatus.DECIDED,
                           can_open=viewer.can(Capability.ENGAGEMENTS_VIEW),
                           count=sum(len(column.rows) for column in found))


def claim_count_on_risk(viewer: Viewer, risk: Risk) -> int:
    return visible_claims(viewer).on_risk(risk).count()
