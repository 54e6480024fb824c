"""JSON front door of the resourcing ledger: /api/v1/payments, /api/v1/grants."""

from ninja import Router

router = Router(tags=["payments"])
