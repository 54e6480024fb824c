"""Routes of link_views.py (inputs linked to risks, mitigations and decisions), under the risks namespace."""

urlpatterns: list = []
