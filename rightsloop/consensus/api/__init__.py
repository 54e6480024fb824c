"""JSON front door of consensus building: each area adds its endpoints to this router from its own module."""

from ninja import Router

router = Router(tags=["consensus"])

# Imported for their side effect of adding endpoints to the router; each module imports `router` from here.
from . import claims, exercises, polis, runs, votes  # noqa: E402, F401
