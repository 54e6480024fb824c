"""Build payments and grants through the ledger's actions."""

import datetime
from decimal import Decimal

from rightsloop.resourcing import actions


def make_payment(by, stakeholder, **fields):
    values = {"kind": "compensation", "amount": Decimal("150.00"), "currency": "EUR", "basis": "flat"}
    engagement = fields.pop("engagement", None)
    agreement = fields.pop("agreement", None)
    values.update(fields)
    return actions.offer_payment(stakeholder=stakeholder, terms=actions.PaymentTerms(**values), engagement=engagement,
                                 agreement=agreement, by=by)


def make_grant(by, grantee, *, tranches=((datetime.date(2027, 1, 15), "5000"), (datetime.date(2027, 7, 15), "5000")),
               **fields):
    values = {"funder": "Kestrel Foundation", "purpose": "Digital security training for defenders",
              "currency": "KES"}
    values.update(fields)
    return actions.offer_grant(grantee=grantee, by=by, tranches=[
        actions.TrancheTerms(due_on=due, amount=Decimal(amount)) for due, amount in tranches], **values)
