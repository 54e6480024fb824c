"""Routes of decision_views.py, under the risks namespace."""

urlpatterns: list = []
