"""The demo organisation's resourcing ledger (P3): payments in every state, a declined one, grants in tranches.

Written through rightsloop.resourcing.actions, as the human rights lead (who may also approve) would enter
it. Amounts stay in their own currencies (Kenyan shillings, euros, Mexican pesos, Indian rupees): the
ledger converts nothing. Dates are offsets in days from the day the demo is loaded.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from rightsloop.accounts.viewer import Viewer
from rightsloop.engagements.models import Engagement
from rightsloop.resourcing import actions
from rightsloop.resourcing.actions import PaymentTerms, TrancheTerms
from rightsloop.stakeholders.models import Stakeholder

# (stakeholder key, engagement key or None, kind, amount, currency, basis, quantity, days ago, description,
#  the states it moves through, payment reference once paid)
PAYMENTS = (
    ("mtandao", "fraud_workshop", "compensation", "30000", "KES", "days", "2", 40,
     "Two days of preparation and facilitation of the mobile money fraud workshop.",
     ("accepted", "approved", "paid"), "KN-AP-2026-0193"),
    ("wanjiku", "fraud_workshop", "expenses", "1500", "KES", "flat", None, 38,
     "Matatu fares to and from the workshop.", ("accepted", "approved", "paid"), "KN-AP-2026-0194"),
    ("otieno", "fraud_workshop", "compensation", "3000", "KES", "hours", "3", 38,
     "Three hours of accessibility testing of the fraud-warning screens.", ("accepted",), ""),
    ("selam", "moderation_workshop", "honorarium", "600", "EUR", "flat", None, 12,
     "Honorarium for the expert briefing on content moderation in Amharic and Tigrinya.",
     ("accepted", "approved"), ""),
    # Some refuse payment to stay independent: recorded, never chased.
    ("katrin", "location_interviews", "honorarium", "800", "EUR", "flat", None, 60,
     "Honorarium for the expert interview on location data retention.", ("declined",), ""),
    ("red_segura", "latam_credit", "compensation", "4000", "MXN", "days", "1", 30,
     "A day of advice on the safety of women riders using KestrelPay Crédito.",
     ("accepted", "approved", "paid"), "KN-MX-2026-0031"),
    ("alejandra", "latam_credit", "expenses", "350", "MXN", "flat", None, 30,
     "Mobile data for the online session.", ("cancelled",), ""),
    ("jhon", "latam_credit", "compensation", "120000", "COP", "hours", "4", 5,
     "Four hours of interviews in Buenaventura.", (), ""),
)


def _engagement(engagements: dict[str, Engagement], key: str | None, stakeholder: Stakeholder):
    engagement = engagements.get(key) if key else None
    # Only link an engagement the person took part in; otherwise the payment stands alone.
    if engagement is not None and engagement.participations.filter(stakeholder=stakeholder).exists():
        return engagement
    return None


def load_resourcing(*, viewer: Viewer, stakeholders: dict[str, Stakeholder], engagements: dict[str, Engagement],
                    today: datetime.date) -> dict[str, int]:
    """Payments in each state (one declined to stay independent, one to an elevated-safety collective) and
    two grants with tranches: one approved and part paid, one still offered."""
    payments = 0
    for (key, engagement_key, kind, amount, currency, basis, quantity, days_ago, description, moves,
         reference) in PAYMENTS:
        stakeholder = stakeholders.get(key)
        if stakeholder is None:
            continue
        payment = actions.offer_payment(
            stakeholder=stakeholder, by=viewer, engagement=_engagement(engagements, engagement_key, stakeholder),
            terms=PaymentTerms(kind=kind, amount=Decimal(amount), currency=currency, basis=basis,
                               quantity=Decimal(quantity) if quantity else None, description=description,
                               offered_on=today - datetime.timedelta(days=days_ago)))
        for state in moves:
            payment = actions.move_payment(
                payment=payment, to=state, by=None if state in ("accepted", "declined") else viewer,
                payment_reference=reference, paid_on=today - datetime.timedelta(days=max(days_ago - 14, 0)))
        payments += 1
    grants = 0
    drishti = stakeholders.get("drishti")
    if drishti is not None:
        grant = actions.offer_grant(
            grantee=drishti, funder="Kestrel Networks Foundation", currency="INR", by=viewer,
            offered_on=today - datetime.timedelta(days=120),
            purpose="Core support for accessibility audits of Kestrel Chat and KestrelPay with blind and "
                    "low-vision users in Hindi and Kannada, and for the collective's own advocacy.",
            tranches=[TrancheTerms(due_on=today - datetime.timedelta(days=90), amount=Decimal("400000")),
                      TrancheTerms(due_on=today + datetime.timedelta(days=90), amount=Decimal("300000")),
                      TrancheTerms(due_on=today + datetime.timedelta(days=270), amount=Decimal("300000"))])
        actions.move_grant(grant=grant, to="accepted", by=None)
        actions.move_grant(grant=grant, to="approved", by=viewer)
        first, second, _third = grant.tranches.order_by("due_on")
        actions.move_tranche(tranche=first, to="approved", by=viewer)
        actions.move_tranche(tranche=first, to="paid", by=viewer, payment_reference="KN-IN-GR-2026-004",
                             paid_on=today - datetime.timedelta(days=85))
        actions.move_tranche(tranche=second, to="approved", by=viewer)
        grants += 1
    gikomba = stakeholders.get("gikomba")
    if gikomba is not None:
        actions.offer_grant(
            grantee=gikomba, funder="Kestrel Networks Foundation", currency="KES", by=viewer,
            offered_on=today - datetime.timedelta(days=3),
            purpose="Fraud-awareness sessions for market traders, run by the association in Swahili.",
            tranches=[TrancheTerms(due_on=today + datetime.timedelta(days=30), amount=Decimal("250000")),
                      TrancheTerms(due_on=today + datetime.timedelta(days=180), amount=Decimal("250000"))])
        grants += 1
    return {"payments": payments, "grants": grants}
