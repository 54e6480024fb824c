"""Staff pages of the mechanism's oversight: settings, a case's links to the risk register, recurring themes."""

from django.urls import path

from . import deadline_views

urlpatterns: list = [
    path("settings/", deadline_views.settings_page, name="settings"),
    path("themes/", deadline_views.themes_page, name="themes"),
    path("themes/risk/", deadline_views.theme_risk, name="theme-risk"),
    path("<int:pk>/links/", deadline_views.links_page, name="links"),
    path("<int:pk>/make-risk/", deadline_views.make_risk, name="make-risk"),
]
