"""Routes of transfer_views.py, under the risks namespace."""

urlpatterns: list = []
