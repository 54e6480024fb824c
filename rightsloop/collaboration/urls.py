from django.urls import path

from . import views

app_name = "collaboration"
urlpatterns = [
    path("", views.index, name="index"),
    path("share/", views.share, name="share"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/leave/", views.leave, name="leave"),
    path("<int:pk>/heard/", views.heard, name="heard"),
    path("<int:pk>/engagements/", views.engagements, name="engagements"),
    path("<int:pk>/engagements/add/", views.engagement_add, name="engagement-add"),
    path("<int:pk>/engagements/<int:engagement_pk>/", views.engagement, name="engagement"),
    path("<int:pk>/partners/", views.partners, name="partners"),
    path("<int:pk>/partners/add/", views.partner_add, name="partner-add"),
    path("<int:pk>/partners/<int:partner_pk>/", views.partner, name="partner"),
    path("partners/<int:partner_pk>/withdraw/", views.partner_withdraw, name="partner-withdraw"),
    path("invitations/<int:invitation_pk>/accept/", views.invitation_accept, name="invitation-accept"),
    path("invitations/<int:invitation_pk>/decline/", views.invitation_decline, name="invitation-decline"),
]
