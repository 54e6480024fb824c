"""Helpers every app's access_* functions share."""

from typing import Any

# Largest primary key a 64-bit integer column holds; larger ids cannot exist.
MAX_ID = 2**63 - 1


def plausible_id(value: Any) -> bool:
    """Say whether a value could be a primary key, so lookups never overflow the database."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return False
    return 0 < number <= MAX_ID
