"""JSON API: cases (see docs/grievances/)."""

from ninja import Router

router = Router(tags=["grievances"])
