from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/export.csv", views.audit_log_export, name="audit-export"),
    path("organisation/", views.organisation_settings, name="organisation"),
]
