"""Every change to the resourcing ledger: offer, answer, approve, pay, cancel; each audited and atomic.

A declined payment is a final, respected answer: nothing reminds anyone of it and no list shows it as
pending. Approving and paying need PAYMENTS_APPROVE; the stakeholder answers an offer in the portal
(by=None) or staff record the answer they were given.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit

from . import currencies
from .models import Basis, Grant, Payment, PaymentState, Tranche, TrancheState
from .references import check_reference

MAX_AMOUNT = Decimal("999999999999.99")
CENTS = Decimal("0.01")


def check_amount(amount, field: str = "amount") -> Decimal:
    if not isinstance(amount, Decimal):
        try:
            amount = Decimal(str(amount))
        except Exception:
            raise ValidationError({field: [_("Give the amount as a number.")]}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: [_("An amount must be more than zero.")]})
    if amount > MAX_AMOUNT or amount.as_tuple().exponent < -2:
        raise ValidationError({field: [_("Give an amount below a trillion, with at most two decimals.")]})
    return amount.quantize(CENTS)


def check_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if not code:
        raise ValidationError({"currency": [_("Give the currency (an ISO 4217 code such as EUR or KES).")]})
    if not currencies.is_currency(code):
        raise ValidationError({"currency": [_("%(code)s is not an ISO 4217 currency code.") % {"code": code[:8]}]})
    return code


def _check_basis(basis: str, quantity: Decimal | None) -> Decimal | None:
    if basis not in Basis.values:
        raise ValidationError({"basis": [_("Choose hours, days or a flat amount.")]})
    if basis == Basis.FLAT:
        return None
    if quantity is None or quantity <= 0:
        raise ValidationError({"quantity": [_("Say how many hours or days the amount pays for.")]})
    if quantity >= Decimal("1000000"):
        raise ValidationError({"quantity": [_("That is more hours or days than a ledger row can hold.")]})
    return quantity


def _require_approver(by: Viewer) -> None:
    if not by.can(Capability.PAYMENTS_APPROVE):
        raise PermissionDenied(_("Only someone who may approve payments may approve or pay them."))


def _refuse_move(current: str, wanted: str, labels) -> ValidationError:
    return ValidationError({"state": [_("A payment that is %(current)s cannot become %(wanted)s.") % {
        "current": labels(current).label.lower(), "wanted": labels(wanted).label.lower()}]})


@dataclass(frozen=True)
class PaymentTerms:
    """What is offered: checked by check_terms before any row is written."""

    kind: str
    amount: Decimal
    currency: str
    basis: str = Basis.FLAT
    quantity: Decimal | None = None
    description: str = ""
    offered_on: datetime.date | None = None


def check_terms(terms: PaymentTerms) -> PaymentTerms:
    from .models import PaymentKind

    errors: dict[str, list[str]] = {}
    values = {}
    if terms.kind not in PaymentKind.values:
        errors["kind"] = [_("Choose compensation, an honorarium or expenses.")]
    for field, check, value in (("amount", check_amount, terms.amount), ("currency", check_currency, terms.currency)):
        try:
            values[field] = check(value)
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        values["quantity"] = _check_basis(terms.basis, terms.quantity)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return PaymentTerms(kind=terms.kind, amount=values["amount"], currency=values["currency"], basis=terms.basis,
                        quantity=values["quantity"], description=(terms.description or "").strip(),
                        offered_on=terms.offered_on or timezone.localdate())


# Payments --------------------------------------------------------------------

def _check_links(stakeholder, engagement, agreement) -> None:
    if engagement is not None and engagement.organisation_id != stakeholder.organisation_id:
        raise ValidationError({"engagement": [_("The engagement belongs to another organisation.")]})
    if agreement is not None and agreement.stakeholder_id != stakeholder.pk:
        raise ValidationError({"agreement": [_("That agreement is with another stakeholder.")]})


@transaction.atomic
def offer_payment(*, stakeholder, terms: PaymentTerms, engagement=None, agreement=None, by: Viewer) -> Payment:
    """Record an offer of payment to a stakeholder, for an engagement or under their agreement."""
    terms = check_terms(terms)
    _check_links(stakeholder, engagement, agreement)
    payment = Payment.objects.create(
        organisation=stakeholder.organisation, stakeholder=stakeholder, engagement=engagement, agreement=agreement,
        kind=terms.kind,
        amount=terms.amount, currency=terms.currency, basis=terms.basis, quantity=terms.quantity,
        description=terms.description, offered_on=terms.offered_on, created_by=by.user)
    audit.record(organisation=payment.organisation, by=by, action="payment.offered", target=payment,
                 summary=f"{terms.kind} offered to stakeholder {stakeholder.pk}",
                 changed_fields=["kind", "amount", "currency", "basis", "quantity", "description", "offered_on"])
    return payment


@transaction.atomic
def change_payment(*, payment: Payment, terms: PaymentTerms, engagement=None, agreement=None,
                   by: Viewer) -> Payment:
    """Change what is offered; only while the offer is still open, since an answer was given to these terms."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.state != PaymentState.OFFERED:
        raise ValidationError({"state": [_("Only an open offer can be changed; cancel it and offer anew.")]})
    terms = check_terms(terms)
    _check_links(payment.stakeholder, engagement, agreement)
    changed = []
    for field in ("kind", "amount", "currency", "basis", "quantity", "description", "offered_on"):
        value = getattr(terms, field)
        if getattr(payment, field) != value:
            setattr(payment, field, value)
            changed.append(field)
    if payment.engagement_id != (engagement.pk if engagement else None):
        payment.engagement = engagement
        changed.append("engagement")
    if payment.agreement_id != (agreement.pk if agreement else None):
        payment.agreement = agreement
        changed.append("agreement")
    if changed:
        payment.save(update_fields=[*changed, "updated_at"])
        audit.record(organisation=payment.organisation, by=by, action="payment.changed", target=payment,
                     summary="offer changed", changed_fields=changed)
    return payment


@transaction.atomic
def move_payment(*, payment: Payment, to: str, by: Viewer | None, payment_reference: str = "",
                 paid_on: datetime.date | None = None) -> Payment:
    """Move a payment to its next state; by=None is the stakeholder answering in the portal."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if to not in PaymentState.values or to not in payment.moves:
        if to not in PaymentState.values:
            raise ValidationError({"state": [_("Unknown state.")]})
        raise _refuse_move(payment.state, to, PaymentState)
    now = timezone.now()
    fields = ["state"]
    if to in (PaymentState.APPROVED, PaymentState.PAID):
        if by is None:
            raise PermissionDenied
        _require_approver(by)
    if to in (PaymentState.ACCEPTED, PaymentState.DECLINED):
        payment.answered_at = now
        fields.append("answered_at")
    elif to == PaymentState.APPROVED:
        payment.approved_by, payment.approved_at = by.user, now
        fields += ["approved_by", "approved_at"]
    elif to == PaymentState.PAID:
        payment.payment_reference = check_reference(payment_reference)
        payment.paid_on = paid_on or timezone.localdate()
        if payment.paid_on > timezone.localdate():
            raise ValidationError({"paid_on": [_("A payment cannot have been made in the future.")]})
        fields += ["payment_reference", "paid_on"]
    elif to == PaymentState.CANCELLED:
        payment.cancelled_at = now
        fields.append("cancelled_at")
    was = payment.state
    payment.state = to
    payment.save(update_fields=[*fields, "updated_at"])
    audit.record(organisation=payment.organisation, by=by, action=f"payment.{to}", target=payment,
                 summary=f"{was} → {to}" + (" (in the portal)" if by is None else ""), changed_fields=fields)
    return payment


# Grants ----------------------------------------------------------------------

@dataclass(frozen=True)
class TrancheTerms:
    due_on: datetime.date
    amount: Decimal


def _check_tranches(tranches: list[TrancheTerms]) -> list[TrancheTerms]:
    if not tranches:
        raise ValidationError({"tranches": [_("A grant needs at least one tranche.")]})
    if len(tranches) > 60:
        raise ValidationError({"tranches": [_("A grant has at most 60 tranches.")]})
    checked = []
    for index, tranche in enumerate(tranches, start=1):
        try:
            amount = check_amount(tranche.amount)
        except ValidationError:
            raise ValidationError({"tranches": [_("Tranche %(n)s: an amount must be more than zero, with at most "
                                                  "two decimals.") % {"n": index}]}) from None
        if not isinstance(tranche.due_on, datetime.date):
            raise ValidationError({"tranches": [_("Tranche %(n)s: give the date it is due.") % {"n": index}]})
        checked.append(TrancheTerms(due_on=tranche.due_on, amount=amount))
    return sorted(checked, key=lambda t: t.due_on)


@transaction.atomic
def offer_grant(*, grantee, funder: str, purpose: str, currency: str, tranches: list[TrancheTerms],
                offered_on: datetime.date | None = None, by: Viewer) -> Grant:
    """Offer a grant to a civil society organisation, with its schedule of tranches."""
    errors: dict[str, list[str]] = {}
    funder, purpose = (funder or "").strip(), (purpose or "").strip()
    if not funder:
        errors["funder"] = [_("Say who funds the grant.")]
    if not purpose:
        errors["purpose"] = [_("Say what the grant is for.")]
    checked_currency = checked_tranches = None
    try:
        checked_currency = check_currency(currency)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        checked_tranches = _check_tranches(tranches)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    grant = Grant.objects.create(
        organisation=grantee.organisation, grantee=grantee, funder=funder[:200], purpose=purpose,
        currency=checked_currency, offered_on=offered_on or timezone.localdate(), created_by=by.user)
    Tranche.objects.bulk_create([Tranche(grant=grant, due_on=t.due_on, amount=t.amount) for t in checked_tranches])
    audit.record(organisation=grant.organisation, by=by, action="grant.offered", target=grant,
                 summary=f"grant offered to stakeholder {grantee.pk}, {len(checked_tranches)} tranches",
                 changed_fields=["funder", "purpose", "currency", "tranches"])
    return grant


@transaction.atomic
def add_tranche(*, grant: Grant, terms: TrancheTerms, by: Viewer) -> Tranche:
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if grant.state in (PaymentState.DECLINED, PaymentState.CANCELLED):
        raise ValidationError({"state": [_("A declined or cancelled grant takes no new tranches.")]})
    (checked,) = _check_tranches([terms])
    tranche = Tranche.objects.create(grant=grant, due_on=checked.due_on, amount=checked.amount)
    audit.record(organisation=grant.organisation, by=by, action="grant.tranche_added", target=grant,
                 summary=f"tranche {tranche.pk} added", changed_fields=["tranches"])
    return tranche


@transaction.atomic
def move_grant(*, grant: Grant, to: str, by: Viewer | None) -> Grant:
    """Answer, approve or cancel a grant as a whole; cancelling it cancels its unpaid tranches."""
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if to not in PaymentState.values:
        raise ValidationError({"state": [_("Unknown state.")]})
    if to not in grant.moves:
        raise _refuse_move(grant.state, to, PaymentState)
    now = timezone.now()
    fields = ["state"]
    if to == PaymentState.APPROVED:
        if by is None:
            raise PermissionDenied
        _require_approver(by)
        grant.approved_by, grant.approved_at = by.user, now
        fields += ["approved_by", "approved_at"]
    elif to in (PaymentState.ACCEPTED, PaymentState.DECLINED):
        grant.answered_at = now
        fields.append("answered_at")
    elif to == PaymentState.CANCELLED:
        grant.cancelled_at = now
        fields.append("cancelled_at")
    if to in (PaymentState.CANCELLED, PaymentState.DECLINED):
        grant.tranches.filter(state__in=[TrancheState.PLANNED, TrancheState.APPROVED]).update(
            state=TrancheState.CANCELLED, cancelled_at=now)
    was = grant.state
    grant.state = to
    grant.save(update_fields=[*fields, "updated_at"])
    audit.record(organisation=grant.organisation, by=by, action=f"grant.{to}", target=grant,
                 summary=f"{was} → {to}" + (" (in the portal)" if by is None else ""), changed_fields=fields)
    return grant


@transaction.atomic
def move_tranche(*, tranche: Tranche, to: str, by: Viewer, payment_reference: str = "",
                 paid_on: datetime.date | None = None) -> Tranche:
    """Approve, pay or cancel one tranche; only tranches of an approved grant are approved or paid."""
    tranche = Tranche.objects.select_for_update().select_related("grant").get(pk=tranche.pk)
    if to not in TrancheState.values:
        raise ValidationError({"state": [_("Unknown state.")]})
    if to not in tranche.moves:
        raise _refuse_move(tranche.state, to, TrancheState)
    now = timezone.now()
    fields = ["state"]
    if to in (TrancheState.APPROVED, TrancheState.PAID):
        _require_approver(by)
        if tranche.grant.state != PaymentState.APPROVED:
            raise ValidationError({"state": [_("Approve the grant before approving or paying its tranches.")]})
    if to == TrancheState.APPROVED:
        tranche.approved_by, tranche.approved_at = by.user, now
        fields += ["approved_by", "approved_at"]
    elif to == TrancheState.PAID:
        tranche.payment_reference = check_reference(payment_reference)
        tranche.paid_on = paid_on or timezone.localdate()
        if tranche.paid_on > timezone.localdate():
            raise ValidationError({"paid_on": [_("A payment cannot have been made in the future.")]})
        fields += ["payment_reference", "paid_on"]
    elif to == TrancheState.CANCELLED:
        tranche.cancelled_at = now
        fields.append("cancelled_at")
    was = tranche.state
    tranche.state = to
    tranche.save(update_fields=fields)
    audit.record(organisation=tranche.grant.organisation, by=by, action=f"grant.tranche_{to}", target=tranche.grant,
                 summary=f"tranche {tranche.pk}: {was} → {to}", changed_fields=fields)
    return tranche
