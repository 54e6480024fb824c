"""The portal section "ratings": /portal/ratings/ (namespace portal:ratings)."""

from django.urls import path

from . import rating_portal_views

urlpatterns = [
    path("", rating_portal_views.index, name="index"),
    path("<int:pk>/", rating_portal_views.answer, name="answer"),
    path("<int:pk>/thanks/", rating_portal_views.thanks, name="thanks"),
]
