"""Staff pages of the grievance mechanism (sign-in required). Each area adds its own module's patterns."""

from django.urls import include, path  # noqa: F401

app_name = "grievances"

urlpatterns: list = []
