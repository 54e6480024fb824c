"""JSON front door of relationship agreements: /api/v1/agreements."""

from ninja import Router

router = Router(tags=["agreements"])
