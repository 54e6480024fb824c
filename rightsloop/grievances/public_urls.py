"""The public grievance pages: /g/<organisation-slug>/ (no sign-in, no JavaScript)."""

from django.urls import include, path  # noqa: F401

app_name = "grievances-public"

urlpatterns: list = []
