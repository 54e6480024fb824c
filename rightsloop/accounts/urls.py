from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("organisation/", views.switch_organisation, name="switch-organisation"),
    path("members/", views.members, name="members"),
    path("members/new/", views.member_add, name="member-add"),
    path("members/<int:pk>/", views.member_edit, name="member-edit"),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
