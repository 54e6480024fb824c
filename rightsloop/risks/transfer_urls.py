"""Routes of transfer_views.py, under the risks namespace."""

from django.urls import path

from . import transfer_views

urlpatterns: list = [
    path("export/", transfer_views.risk_export, name="export"),
    path("import/", transfer_views.risk_import, name="import"),
]
