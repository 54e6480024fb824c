"""Routes of mitigation_views.py, under the risks namespace."""

urlpatterns: list = []
