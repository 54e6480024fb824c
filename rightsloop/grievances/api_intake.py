"""JSON API: intake (see docs/grievances/)."""

from ninja import Router

router = Router(tags=["grievances"])
