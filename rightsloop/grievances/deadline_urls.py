"""Staff pages: deadline (see docs/grievances/)."""

urlpatterns: list = []
