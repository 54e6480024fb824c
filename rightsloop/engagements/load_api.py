"""JSON front door of engagement load (S3): /api/v1/stakeholders/{id}/load."""

from ninja import Router

router = Router(tags=["engagement load"])
