"""The open data under /open-data/<organisation slug>/: no sign-in, the same for everyone (public_views.py)."""

from django.urls import path

from . import public_views

app_name = "open-data"
urlpatterns = [
    path("<slug:slug>/", public_views.index, name="index"),
    path("<slug:slug>/datapackage.json", public_views.package, name="datapackage"),
    path("<slug:slug>/<slug:table>.csv", public_views.table_csv, name="csv"),
    path("<slug:slug>/<slug:table>.json", public_views.table_json, name="json"),
]
