"""Routes of link_views.py (inputs linked to risks, mitigations and decisions), under the risks namespace."""

from django.urls import path

from . import link_views

urlpatterns: list = [
    path("<int:pk>/inputs/", link_views.risk_link_inputs, name="link-inputs"),
    path("mitigations/<int:pk>/inputs/", link_views.mitigation_link_inputs, name="mitigation-link-inputs"),
    path("decisions/<int:pk>/inputs/", link_views.decision_link_inputs, name="decision-link-inputs"),
    path("inputs/<int:input_id>/links/", link_views.input_links, name="input-links"),
]
