"""Staff pages of remedy plans (see docs/grievances/remedy.md)."""

from django.urls import path

from . import remedy_views as views

urlpatterns: list = [
    path("<int:case_pk>/plan/new/", views.plan_create, name="plan-create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/cases/", views.plan_add_case, name="plan-add-case"),
    path("plans/<int:pk>/cases/<int:case_pk>/remove/", views.plan_remove_case, name="plan-remove-case"),
    path("plans/<int:pk>/proposals/", views.plan_proposal, name="plan-proposal"),
    path("plans/<int:pk>/proposals/<int:input_pk>/decision/", views.proposal_decision, name="proposal-decision"),
    path("plans/<int:pk>/actions/", views.action_add, name="action-add"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action-edit"),
    path("actions/<int:pk>/delivered/", views.action_delivered, name="action-delivered"),
    path("actions/<int:pk>/confirmation/", views.action_confirmation, name="action-confirmation"),
]
