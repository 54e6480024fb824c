from django.urls import path

from . import report_views as views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/issues/", views.issue_save, name="issue-add"),
    path("<int:pk>/issues/<int:issue_pk>/", views.issue_save, name="issue-edit"),
    path("<int:pk>/issues/<int:issue_pk>/remove/", views.issue_remove, name="issue-remove"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/new-version/", views.new_version, name="new-version"),
]
