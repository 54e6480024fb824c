"""JSON front door of portal links: /api/v1/portal-links."""

from ninja import Router

router = Router(tags=["portal links"])
