from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.board_page, name="board"),
    path("refresh/", views.refresh, name="refresh"),
    path("packs/", views.pack_list, name="packs"),
    path("packs/<int:pk>/download/", views.pack_download, name="pack-download"),
    path("briefings/", views.briefing_list, name="briefings"),
    path("briefings/new/", views.briefing_create, name="briefing-create"),
    path("briefings/<int:pk>/edit/", views.briefing_edit, name="briefing-edit"),
]
