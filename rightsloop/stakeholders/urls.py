from django.urls import path

from . import views

app_name = "stakeholders"
urlpatterns = [
    path("", views.stakeholder_list, name="list"),
    path("new/", views.stakeholder_create, name="create"),
    path("<int:pk>/", views.stakeholder_detail, name="detail"),
    path("<int:pk>/edit/", views.stakeholder_edit, name="edit"),
    path("<int:pk>/reveal/", views.stakeholder_reveal, name="reveal"),
    path("<int:pk>/export.json", views.stakeholder_export, name="export"),
    path("<int:pk>/erase/", views.stakeholder_erase, name="erase"),
    path("<int:pk>/hide/", views.stakeholder_hide, name="hide"),
    path("<int:pk>/grants/", views.grant_add, name="grant-add"),
    path("<int:pk>/grants/<int:grant_pk>/revoke/", views.grant_revoke, name="grant-revoke"),
    path("<int:pk>/consents/", views.consent_add, name="consent-add"),
    path("<int:pk>/consents/<int:consent_pk>/withdraw/", views.consent_withdraw, name="consent-withdraw"),
    path("<int:pk>/duplicates/<int:flag_pk>/dismiss/", views.duplicate_dismiss, name="duplicate-dismiss"),
]
