from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("account/", views.account, name="account"),
    path("account/authenticator/", views.replace_authenticator, name="replace-authenticator"),
    path("account/recovery-codes/", views.renew_recovery_codes, name="renew-recovery-codes"),
    path("account/password/", views.change_password, name="change-password"),
    path("organisation/", views.switch_organisation, name="switch-organisation"),
    path("members/", views.members, name="members"),
    path("members/new/", views.member_add, name="member-add"),
    path("members/<int:pk>/", views.member_edit, name="member-edit"),
    path("members/invite/", views.member_invite, name="member-invite"),
    path("members/invitations/<int:pk>/withdraw/", views.invitation_withdraw, name="invitation-withdraw"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/accept/", views.invitation_accept, name="invitation-accept"),
    path("invitations/<int:pk>/decline/", views.invitation_decline, name="invitation-decline"),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
