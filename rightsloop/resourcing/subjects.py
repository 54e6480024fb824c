"""What the ledger holds about one stakeholder, for subject access exports and erasure (X5).

Erasure keeps the financial record: amounts, currencies, dates, states and payment references stay,
because the organisation must be able to account for money it paid (tax and audit duties). What could
say who the person was or what they did goes: the free-text description of each payment and the purpose
of each grant are cleared, and the row points only at the erased (anonymous) stakeholder.
"""

from .models import Grant, Payment


def export(stakeholder) -> dict:
    payments = Payment.objects.filter(stakeholder=stakeholder).select_related("engagement").order_by("offered_on", "id")
    grants = Grant.objects.filter(grantee=stakeholder).prefetch_related("tranches").order_by("offered_on", "id")
    return {
        "payments": [{
            "kind": p.kind, "amount": str(p.amount), "currency": p.currency, "basis": p.basis,
            "quantity": str(p.quantity) if p.quantity is not None else None, "description": p.description,
            "engagement": p.engagement.title if p.engagement_id else None,
            "under_agreement": p.agreement_id is not None, "offered_on": p.offered_on.isoformat(),
            "state": p.state, "paid_on": p.paid_on.isoformat() if p.paid_on else None,
            "payment_reference": p.payment_reference,
        } for p in payments],
        "grants": [{
            "funder": g.funder, "purpose": g.purpose, "currency": g.currency, "state": g.state,
            "offered_on": g.offered_on.isoformat(),
            "tranches": [{"due_on": t.due_on.isoformat(), "amount": str(t.amount), "state": t.state,
                          "paid_on": t.paid_on.isoformat() if t.paid_on else None,
                          "payment_reference": t.payment_reference} for t in g.tranches.all()],
        } for g in grants],
    }


def erase(stakeholder) -> int:
    """Clear the descriptions and purposes; the amounts, dates and references stay for the accounts."""
    cleared = Payment.objects.filter(stakeholder=stakeholder).update(description="")
    cleared += Grant.objects.filter(grantee=stakeholder).update(purpose="")
    return cleared
