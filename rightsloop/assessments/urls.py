"""Regional and country assessments (G1)."""

from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/", views.assessment_create, name="create"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/edit/", views.assessment_edit, name="edit"),
    path("<int:pk>/heard/", views.heard, name="heard"),
    path("<int:pk>/phases/new/", views.phase_add, name="phase-add"),
    path("<int:pk>/phases/<int:phase_pk>/", views.phase_edit, name="phase-edit"),
    path("<int:pk>/phases/<int:phase_pk>/remove/", views.phase_remove, name="phase-remove"),
    path("<int:pk>/partners/new/", views.partner_add, name="partner-add"),
    path("<int:pk>/partners/<int:partner_pk>/", views.partner_edit, name="partner-edit"),
    path("<int:pk>/partners/<int:partner_pk>/remove/", views.partner_remove, name="partner-remove"),
    path("<int:pk>/training/new/", views.session_add, name="session-add"),
    path("<int:pk>/training/<int:session_pk>/", views.session_detail, name="session"),
    path("<int:pk>/training/<int:session_pk>/attendance/", views.session_attendance, name="session-attendance"),
    path("<int:pk>/training/<int:session_pk>/material/", views.session_material, name="session-material"),
    path("<int:pk>/training/<int:session_pk>/questions/", views.question_add, name="question-add"),
    path("<int:pk>/training/<int:session_pk>/questions/<int:question_pk>/answer/", views.question_answer,
         name="question-answer"),
    path("<int:pk>/engagements/", views.engagements_link, name="engagements"),
    path("<int:pk>/engagements/<int:engagement_pk>/remove/", views.engagement_unlink, name="engagement-remove"),
    path("<int:pk>/findings/new/", views.finding_add, name="finding-add"),
    path("<int:pk>/findings/<int:finding_pk>/", views.finding_detail, name="finding"),
    path("<int:pk>/findings/<int:finding_pk>/new-risk/", views.finding_new_risk, name="finding-new-risk"),
    path("<int:pk>/findings/<int:finding_pk>/update-risk/", views.finding_update_risk, name="finding-update-risk"),
]
