"""Staff pages: selfcheck (see docs/grievances/)."""

urlpatterns: list = []
