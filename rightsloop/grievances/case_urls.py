"""Staff pages: the handler's case list, a case and its actions, attachments, recording a grievance received
by another channel (see docs/grievances/handling.md)."""

from django.urls import path

from . import case_views

urlpatterns: list = [
    path("", case_views.case_list, name="list"),
    path("record/", case_views.record, name="record"),
    path("record/receipt/", case_views.recorded, name="recorded"),
    path("<int:pk>/", case_views.case_detail, name="case"),
    path("<int:pk>/acknowledge/", case_views.acknowledge, name="acknowledge"),
    path("<int:pk>/stage/", case_views.move, name="move"),
    path("<int:pk>/handler/", case_views.assign, name="assign"),
    path("<int:pk>/exclusions/", case_views.exclude, name="exclude"),
    path("<int:pk>/messages/", case_views.message, name="message"),
    path("<int:pk>/outcome/", case_views.outcome, name="outcome"),
    path("<int:pk>/rights-review/", case_views.rights_review, name="rights-review"),
    path("<int:pk>/classification/", case_views.classify, name="classify"),
    path("<int:pk>/attachments/<int:attachment_pk>/", case_views.attachment, name="attachment"),
]
