"""Staff pages about portal links and erasure requests (filled below)."""

urlpatterns: list = []
