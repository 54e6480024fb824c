"""JSON API: deadlines (see docs/grievances/)."""

from ninja import Router

router = Router(tags=["grievances"])
