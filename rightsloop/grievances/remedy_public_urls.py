"""Public pages of a remedy plan: the affected propose, confirm or dispute through the follow-up page."""

urlpatterns: list = []
