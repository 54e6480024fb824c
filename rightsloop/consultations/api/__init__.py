"""JSON front door of public consultations: each area adds its endpoints to this router from its own module."""

from ninja import Router

router = Router(tags=["consultations"])

# Imported for their side effect of adding endpoints to the router; each module imports `router` from here.
from . import consultations, imports, themes, outcomes  # noqa: E402, F401, I001
