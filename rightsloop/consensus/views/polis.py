"""Placeholder module, filled by its area."""

urlpatterns: list = []
