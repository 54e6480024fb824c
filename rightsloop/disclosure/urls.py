"""Staff pages of public disclosure: the open data's settings and releases (views.py)."""

from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("open-data/", views.open_data_settings, name="open-data"),
    path("open-data/rebuild/", views.open_data_rebuild, name="open-data-rebuild"),
]
