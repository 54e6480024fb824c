from django.urls import path

from . import rating_views

urlpatterns = [
    path("ratings/", rating_views.ratings_index, name="ratings"),
    path("ratings/rounds/new/", rating_views.round_create, name="rating-round-create"),
    path("ratings/rounds/<int:pk>/", rating_views.round_detail, name="rating-round"),
    path("ratings/rounds/<int:pk>/close/", rating_views.round_close, name="rating-round-close"),
    path("ratings/rounds/<int:pk>/record/<int:stakeholder_pk>/", rating_views.rating_record, name="rating-record"),
    path("ratings/stakeholders/<int:pk>/", rating_views.stakeholder_ratings, name="stakeholder-ratings"),
    path("ratings/flags/<int:pk>/seen/", rating_views.flag_seen, name="rating-flag-seen"),
    path("ratings/settings/", rating_views.rating_settings, name="rating-settings"),
]
