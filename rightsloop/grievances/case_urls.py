"""Staff pages: case (see docs/grievances/)."""

urlpatterns: list = []
