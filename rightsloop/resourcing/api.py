"""JSON front door of the resourcing ledger: /api/v1/payments, /api/v1/grants.

The same actions and queries as the pages: a broken rule (an amount of zero or less, a missing or unknown
currency, a move the state does not allow, a reference that reads as bank details) answers 400 with field
messages; a payment, grant or stakeholder of another organisation, or of a high-safety person the token's
member holds no grant on, 404 like a missing one. Stakeholders are named as the ledger names them
(a pseudonym at elevated or high safety); amounts travel as decimal strings, never floats.
"""

import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability
from rightsloop.core.access import MAX_ID, plausible_id
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages
from rightsloop.engagements.models import Engagement
from rightsloop.relationships.models import Agreement
from rightsloop.stakeholders.queries import access_stakeholder

from . import actions, queries
from .models import Basis, PaymentKind, PaymentState, TrancheState

router = Router(tags=["payments"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2, description="A decimal string, e.g. \"150.00\"")]
Currency = Annotated[str, Field(min_length=1, max_length=3, description="ISO 4217, e.g. EUR, KES")]


def _require(viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _agreement(viewer, agreement_id: int | None):
    if agreement_id is None:
        return None
    if not plausible_id(agreement_id):
        raise Http404
    found = Agreement.objects.for_organisation(viewer.organisation).filter(pk=agreement_id).first()
    if found is None:
        raise Http404
    return found


def _engagement(viewer, engagement_id: int | None):
    if engagement_id is None:
        return None
    if not plausible_id(engagement_id):
        raise Http404
    found = Engagement.objects.for_organisation(viewer.organisation).filter(pk=engagement_id).first()
    if found is None:
        raise Http404
    return found


# Payments --------------------------------------------------------------------

class PaymentIn(Schema):
    stakeholder_id: Id
    kind: PaymentKind
    amount: Money
    currency: Currency
    basis: Basis = Basis.FLAT
    quantity: Annotated[Decimal, Field(max_digits=8, decimal_places=2)] | None = None
    description: str = Field("", max_length=2000)
    offered_on: datetime.date | None = None
    engagement_id: Id | None = None
    agreement_id: Id | None = Field(None, description="Compensation under this agreement with the stakeholder")


class PaymentPatch(Schema):
    kind: PaymentKind | None = None
    amount: Money | None = None
    currency: Currency | None = None
    basis: Basis | None = None
    quantity: Annotated[Decimal, Field(max_digits=8, decimal_places=2)] | None = None
    description: str | None = Field(None, max_length=2000)
    offered_on: datetime.date | None = None
    engagement_id: Id | None = None
    agreement_id: Id | None = None


class MoveIn(Schema):
    to: PaymentState
    payment_reference: str = Field("", max_length=80, description="Required to record a payment as paid; never an "
                                   "IBAN or card number (refused): Rightsloop stores no bank details")
    paid_on: datetime.date | None = None


class PaymentOut(Schema):
    id: int
    stakeholder_id: int
    stakeholder: str
    kind: str
    engagement_id: int | None
    agreement_id: int | None
    amount: str
    currency: str
    basis: str
    quantity: str | None
    description: str
    offered_on: datetime.date
    state: str
    answered_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    paid_on: datetime.date | None
    payment_reference: str
    cancelled_at: datetime.datetime | None

    @staticmethod
    def resolve_stakeholder(obj) -> str:
        return queries.ledger_name(obj.stakeholder)

    @staticmethod
    def resolve_amount(obj) -> str:
        return str(obj.amount)

    @staticmethod
    def resolve_quantity(obj) -> str | None:
        return None if obj.quantity is None else str(obj.quantity)


class LedgerQuery(Schema):
    stakeholder_id: Id | None = None
    state: PaymentState | None = None
    year: int | None = Field(None, ge=1900, le=9999)
    currency: Currency | None = None
    kind: PaymentKind | None = None


def _filters(query: LedgerQuery, *, kind: str | None = None) -> queries.LedgerFilters:
    return queries.LedgerFilters(
        stakeholder=query.stakeholder_id, state=query.state.value if query.state else "", year=query.year,
        currency=(query.currency or "").upper(), kind=kind if kind is not None else (
            query.kind.value if query.kind else ""))


@router.get("/payments", response=documented({200: list[PaymentOut]}), summary="The ledger's payments, newest first")
@paginate(ApiPages)
def list_payments(request, filters: Query[LedgerQuery]):
    _require(request.auth, Capability.PAYMENTS_VIEW)
    return queries.payment_list(request.auth, _filters(filters))


@router.post("/payments", response=documented({201: PaymentOut}), summary="Offer a payment to a stakeholder")
def create_payment(request, payload: PaymentIn):
    viewer = request.auth
    _require(viewer, Capability.PAYMENTS_EDIT)
    stakeholder = access_stakeholder(viewer, payload.stakeholder_id)
    terms = actions.PaymentTerms(kind=payload.kind.value, amount=payload.amount, currency=payload.currency,
                                 basis=payload.basis.value, quantity=payload.quantity,
                                 description=payload.description, offered_on=payload.offered_on)
    payment = actions.offer_payment(stakeholder=stakeholder, terms=terms,
                                    engagement=_engagement(viewer, payload.engagement_id),
                                    agreement=_agreement(viewer, payload.agreement_id), by=viewer)
    return Status(201, queries.access_payment(viewer, payment.pk))


class TotalOut(Schema):
    stakeholder_id: int
    stakeholder: str
    year: int
    currency: str
    offered: str
    committed: str
    paid: str


class CurrencyTotalOut(Schema):
    year: int
    currency: str
    offered: str
    committed: str
    paid: str


class TotalsOut(Schema):
    per_stakeholder: list[TotalOut]
    per_currency: list[CurrencyTotalOut]


def _total(row, *, named: bool) -> dict:
    values = {"year": row.year, "currency": row.currency, "offered": str(row.offered),
              "committed": str(row.committed), "paid": str(row.paid)}
    if named:
        values.update(stakeholder_id=row.stakeholder_id, stakeholder=queries.ledger_name(row.stakeholder))
    return values


@router.get("/payments/totals", response=documented({200: TotalsOut}),
            summary="Totals per stakeholder, year and currency (payments and grant tranches; never converted)")
def payment_totals(request, filters: Query[LedgerQuery]):
    _require(request.auth, Capability.PAYMENTS_VIEW)
    rows = queries.totals(request.auth, _filters(filters))
    return {"per_stakeholder": [_total(row, named=True) for row in rows],
            "per_currency": [_total(row, named=False) for row in queries.totals_by_currency(rows)]}


@router.get("/payments/{int:payment_id}", response=documented({200: PaymentOut}), summary="One payment")
def get_payment(request, payment_id: int):
    _require(request.auth, Capability.PAYMENTS_VIEW)
    return queries.access_payment(request.auth, payment_id)


@router.patch("/payments/{int:payment_id}", response=documented({200: PaymentOut}),
              summary="Change an open offer (only while it is offered)")
def update_payment(request, payment_id: int, payload: PaymentPatch):
    viewer = request.auth
    _require(viewer, Capability.PAYMENTS_VIEW)
    payment = queries.access_payment(viewer, payment_id)
    _require(viewer, Capability.PAYMENTS_EDIT)
    given = payload.dict(exclude_unset=True)
    values = {field: getattr(payment, field) for field in
              ("kind", "amount", "currency", "basis", "quantity", "description", "offered_on")}
    for field in values:
        if field in given:
            value = given[field]
            values[field] = getattr(value, "value", value)
    if any(values[field] is None for field in ("kind", "amount", "currency", "basis")):
        raise DjangoValidationError({"__all__": [_("Kind, amount, currency and basis cannot be emptied.")]})
    engagement = (_engagement(viewer, given["engagement_id"]) if "engagement_id" in given else payment.engagement)
    agreement = (_agreement(viewer, given["agreement_id"]) if "agreement_id" in given else payment.agreement)
    actions.change_payment(payment=payment, terms=actions.PaymentTerms(**values), engagement=engagement,
                           agreement=agreement, by=viewer)
    return queries.access_payment(viewer, payment.pk)


@router.post("/payments/{int:payment_id}/transition", response=documented({200: PaymentOut}),
             summary="Move a payment on: accepted, declined, approved (approvers), paid (approvers, with a "
                     "reference), cancelled")
def move_payment(request, payment_id: int, payload: MoveIn):
    viewer = request.auth
    _require(viewer, Capability.PAYMENTS_VIEW)
    payment = queries.access_payment(viewer, payment_id)
    _require(viewer, Capability.PAYMENTS_EDIT)
    actions.move_payment(payment=payment, to=payload.to.value, by=viewer, payment_reference=payload.payment_reference,
                         paid_on=payload.paid_on)
    return queries.access_payment(viewer, payment.pk)


# Grants ----------------------------------------------------------------------

class TrancheIn(Schema):
    due_on: datetime.date
    amount: Money


class GrantIn(Schema):
    grantee_id: Id
    funder: str = Field(..., min_length=1, max_length=200)
    purpose: str = Field(..., min_length=1, max_length=5000)
    currency: Currency
    offered_on: datetime.date | None = None
    tranches: list[TrancheIn] = Field(..., min_length=1, max_length=60)


class TrancheOut(Schema):
    id: int
    due_on: datetime.date
    amount: str
    state: str
    approved_at: datetime.datetime | None
    paid_on: datetime.date | None
    payment_reference: str

    @staticmethod
    def resolve_amount(obj) -> str:
        return str(obj.amount)


class GrantOut(Schema):
    id: int
    grantee_id: int
    grantee: str
    funder: str
    purpose: str
    currency: str
    state: str
    offered_on: datetime.date
    answered_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    tranches: list[TrancheOut]

    @staticmethod
    def resolve_grantee(obj) -> str:
        return queries.ledger_name(obj.grantee)

    @staticmethod
    def resolve_tranches(obj) -> list:
        return list(obj.tranches.all())


class GrantMoveIn(Schema):
    to: PaymentState


class TrancheMoveIn(Schema):
    to: TrancheState
    payment_reference: str = Field("", max_length=80, description="Required to record a tranche as paid; never an "
                                   "IBAN or card number")
    paid_on: datetime.date | None = None


def _grant_out(viewer, pk: int):
    return queries.access_grant(viewer, pk)


@router.get("/grants", response=documented({200: list[GrantOut]}), summary="Grants, newest first")
@paginate(ApiPages)
def list_grants(request, filters: Query[LedgerQuery]):
    _require(request.auth, Capability.PAYMENTS_VIEW)
    return queries.grant_list(request.auth, _filters(filters, kind="grant")).prefetch_related("tranches")


@router.post("/grants", response=documented({201: GrantOut}), summary="Offer a grant with its schedule of tranches")
def create_grant(request, payload: GrantIn):
    viewer = request.auth
    _require(viewer, Capability.PAYMENTS_EDIT)
    grantee = access_stakeholder(viewer, payload.grantee_id)
    grant = actions.offer_grant(
        grantee=grantee, funder=payload.funder, purpose=payload.purpose, currency=payload.currency,
        offered_on=payload.offered_on, by=viewer,
        tranches=[actions.TrancheTerms(due_on=t.due_on, amount=t.amount) for t in payload.tranches])
    return Status(201, _grant_out(viewer, grant.pk))


@router.get("/grants/{int:grant_id}", response=documented({200: GrantOut}), summary="One grant with its tranches")
def get_grant(request, grant_id: int):
    _require(request.auth, Capability.PAYMENTS_VIEW)
    return _grant_out(request.auth, grant_id)


@router.post("/grants/{int:grant_id}/transition", response=documented({200: GrantOut}),
             summary="Move a grant on: accepted, declined, approved (approvers), cancelled")
def move_grant(request, grant_id: int, payload: GrantMoveIn):
    viewer = request.auth
    _require(viewer, Capability.PAYMENTS_VIEW)
    grant = queries.access_grant(viewer, grant_id)
    _require(viewer, Capability.PAYMENTS_EDIT)
    actions.move_grant(grant=grant, to=payload.to.value, by=viewer)
    return _grant_out(viewer, grant.pk)


@router.post("/grants/{int:grant_id}/tranches", response=documented({201: TrancheOut}), summary="Add a tranche")
def add_tranche(request, grant_id: int, payload: TrancheIn):
    viewer = request.auth
    _require(viewer, Capability.PAYMENTS_VIEW)
    grant = queries.access_grant(viewer, grant_id)
    _require(viewer, Capability.PAYMENTS_EDIT)
    return Status(201, actions.add_tranche(grant=grant, terms=actions.TrancheTerms(
        due_on=payload.due_on, amount=payload.amount), by=viewer))


@router.post("/grants/{int:grant_id}/tranches/{int:tranche_id}/transition", response=documented({200: TrancheOut}),
             summary="Move a tranche on: approved, paid (with a reference), cancelled; approvers only, except cancel")
def move_tranche(request, grant_id: int, tranche_id: int, payload: TrancheMoveIn):
    viewer = request.auth
    _require(viewer, Capability.PAYMENTS_VIEW)
    grant = queries.access_grant(viewer, grant_id)
    tranche = queries.access_tranche(grant, tranche_id)
    _require(viewer, Capability.PAYMENTS_EDIT)
    return actions.move_tranche(tranche=tranche, to=payload.to.value, by=viewer,
                                payment_reference=payload.payment_reference, paid_on=payload.paid_on)
