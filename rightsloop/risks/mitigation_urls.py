"""Routes of mitigation_views.py, under the risks namespace."""

from django.urls import path

from . import mitigation_views

urlpatterns: list = [
    path("<int:pk>/mitigations/add/", mitigation_views.mitigation_add, name="mitigation-add"),
    path("mitigations/mine/", mitigation_views.my_mitigations, name="my-mitigations"),
    path("mitigations/<int:pk>/edit/", mitigation_views.mitigation_edit, name="mitigation-edit"),
    path("mitigations/<int:pk>/", mitigation_views.mitigation_detail, name="mitigation-detail"),
    path("mitigations/<int:pk>/assess/", mitigation_views.mitigation_assess, name="mitigation-assess"),
    path("mitigations/<int:pk>/reassess/", mitigation_views.mitigation_reassess, name="mitigation-reassess"),
    path("mitigations/<int:pk>/indicators/add/", mitigation_views.indicator_add, name="indicator-add"),
    path("indicators/<int:pk>/evidence/add/", mitigation_views.evidence_add, name="evidence-add"),
]
