"""The organisation's standing relationship with a stakeholder: its owner, agreements (P1) and ratings (P2)."""

from .agreements import *  # noqa: F403
from .ratings import *  # noqa: F403
from .relationship import Relationship  # noqa: F401
