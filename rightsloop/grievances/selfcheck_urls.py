"""Staff pages: the UNGP 31 self-check (docs/grievances/self-check.md)."""

from django.urls import path

from . import selfcheck_views

urlpatterns = [
    path("self-check/", selfcheck_views.self_check, name="self-check"),
    path("self-check/assess/", selfcheck_views.assess, name="assess"),
]
