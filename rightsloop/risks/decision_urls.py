"""Routes of decision_views.py, under the risks namespace."""

from django.urls import path

from . import decision_views

urlpatterns: list = [
    path("decisions/", decision_views.decision_list, name="decisions"),
    path("decisions/new/", decision_views.decision_create, name="decision-create"),
    path("decisions/<int:pk>/", decision_views.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/edit/", decision_views.decision_edit, name="decision-edit"),
    path("decisions/<int:pk>/decide/", decision_views.decision_decide, name="decision-decide"),
    path("decisions/<int:pk>/sign-off/", decision_views.decision_sign_off, name="decision-sign-off"),
    path("decisions/<int:pk>/decline/", decision_views.decision_decline, name="decision-decline"),
    path("decisions/<int:pk>/conditions/new/", decision_views.condition_add, name="condition-add"),
    path("decisions/conditions/<int:pk>/edit/", decision_views.condition_edit, name="condition-edit"),
    path("decisions/<int:pk>/local-voices/override/", decision_views.local_voices_override,
         name="decision-local-voices-override"),
    path("decisions/<int:pk>/local-voices/withdraw/", decision_views.local_voices_withdraw,
         name="decision-local-voices-withdraw"),
    path("decisions/local-voices/", decision_views.local_voice_thresholds, name="local-voice-thresholds"),
    path("events/", decision_views.event_list, name="events"),
    path("events/new/", decision_views.event_create, name="event-create"),
    path("events/<int:pk>/", decision_views.event_detail, name="event-detail"),
]
