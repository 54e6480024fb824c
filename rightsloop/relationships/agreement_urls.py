from django.urls import path

from . import agreement_views as views

urlpatterns: list = [
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/new/<int:stakeholder_id>/", views.agreement_create, name="agreement-create"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<int:agreement_id>/edit/", views.agreement_edit, name="agreement-edit"),
    path("agreements/<int:agreement_id>/propose/", views.agreement_propose, name="agreement-propose"),
    path("agreements/<int:agreement_id>/answer/", views.agreement_answer, name="agreement-answer"),
    path("agreements/<int:agreement_id>/revise/", views.agreement_revise, name="agreement-revise"),
    path("agreements/<int:agreement_id>/review/", views.agreement_review, name="agreement-review"),
    path("agreements/<int:agreement_id>/end/", views.agreement_end, name="agreement-end"),
    path("owners/<int:stakeholder_id>/", views.relationship_owner, name="relationship-owner"),
]
