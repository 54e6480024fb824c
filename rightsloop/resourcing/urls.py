"""The resourcing ledger (P3): compensation, honoraria, expenses and grants."""

from django.urls import path

from . import views

app_name = "resourcing"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("totals/", views.totals, name="totals"),
    path("export/", views.ledger_export, name="export"),
    path("stakeholders/<int:stakeholder_pk>/payments/new/", views.payment_create, name="payment-create"),
    path("stakeholders/<int:stakeholder_pk>/grants/new/", views.grant_create, name="grant-create"),
    path("payments/<int:pk>/", views.payment_detail, name="payment"),
    path("payments/<int:pk>/edit/", views.payment_edit, name="payment-edit"),
    path("payments/<int:pk>/move/", views.payment_move, name="payment-move"),
    path("grants/<int:pk>/", views.grant_detail, name="grant"),
    path("grants/<int:pk>/move/", views.grant_move, name="grant-move"),
    path("grants/<int:pk>/tranches/", views.tranche_add, name="tranche-add"),
    path("grants/<int:pk>/tranches/<int:tranche_pk>/move/", views.tranche_move, name="tranche-move"),
]
