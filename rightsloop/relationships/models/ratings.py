"""Rating rounds and ratings (P2)."""

__all__: list[str] = []
