from django.urls import path

from . import group_views, views

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
    path("<int:pk>/groups/", group_views.membership_add, name="membership-add"),
    path("<int:pk>/represents/", group_views.representation_add, name="representation-add"),
    # Affected groups and the proxies that speak for them
    path("groups/", group_views.group_list, name="group-list"),
    path("groups/new/", group_views.group_create, name="group-create"),
    path("groups/<int:pk>/", group_views.group_detail, name="group-detail"),
    path("groups/<int:pk>/edit/", group_views.group_edit, name="group-edit"),
    path("groups/<int:pk>/delete/", group_views.group_delete, name="group-delete"),
    path("groups/<int:pk>/members/<int:stakeholder_pk>/remove/", group_views.group_member_remove,
         name="group-member-remove"),
    path("groups/representations/<int:pk>/edit/", group_views.representation_edit, name="representation-edit"),
    path("groups/representations/<int:pk>/end/", group_views.representation_end, name="representation-end"),
]
