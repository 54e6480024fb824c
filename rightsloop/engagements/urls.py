from django.urls import path

from . import load_views, mend_views, views

app_name = "engagements"
urlpatterns = [
    path("", views.engagement_list, name="list"),
    path("new/", views.engagement_create, name="create"),
    path("decisions/", views.decision_queue, name="queue"),
    path("<int:pk>/", views.engagement_detail, name="detail"),
    path("<int:pk>/edit/", views.engagement_edit, name="edit"),
    path("<int:pk>/participants/add/", views.participants_add, name="participants-add"),
    path("<int:pk>/participants/add/<int:stakeholder_pk>/", views.participant_add, name="participant-add"),
    path("<int:pk>/participants/<int:participation_pk>/remove/", views.participant_remove,
         name="participant-remove"),
    path("<int:pk>/briefings/", views.briefing_add, name="briefing-add"),
    path("<int:pk>/briefings/<int:briefing_pk>/file/", views.briefing_file, name="briefing-file"),
    path("<int:pk>/inputs/", views.engagement_inputs, name="inputs"),
    path("<int:pk>/feedback/", views.engagement_feedback, name="feedback"),
    path("<int:pk>/feedback/<int:participation_pk>/", views.feedback_participant, name="feedback-participant"),
    path("<int:pk>/feedback/<int:participation_pk>/letter.pdf", views.feedback_letter_pdf,
         name="feedback-letter-pdf"),
    path("<int:pk>/feedback/send-ready/", views.feedback_send_ready, name="feedback-send-ready"),
    path("inputs/<int:pk>/triage/", views.input_triage, name="input-triage"),
    path("inputs/<int:pk>/decide/", views.input_decide, name="input-decide"),
    # Mending mistakes: correct, withdraw or merge an input; cancel an engagement (each asks first)
    path("inputs/<int:pk>/edit/", mend_views.input_edit, name="input-edit"),
    path("inputs/<int:pk>/history/", mend_views.input_versions, name="input-versions"),
    path("inputs/<int:pk>/withdraw/", mend_views.input_withdraw, name="input-withdraw"),
    path("inputs/<int:pk>/merge/", mend_views.input_merge, name="input-merge"),
    path("<int:pk>/cancel/", mend_views.engagement_cancel, name="cancel"),
    # Engagement load (S3)
    path("load/settings/", load_views.load_settings, name="load-settings"),
    path("load/most-solicited/", load_views.most_solicited, name="load-most-solicited"),
    path("load/overlaps/", load_views.overlaps, name="load-overlaps"),
    path("load/stakeholders/<int:pk>/", load_views.stakeholder_load, name="load-stakeholder"),
]
