"""Relationship agreements (P1)."""

__all__: list[str] = []
