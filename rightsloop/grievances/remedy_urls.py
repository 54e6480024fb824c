"""Staff pages: remedy (see docs/grievances/)."""

urlpatterns: list = []
