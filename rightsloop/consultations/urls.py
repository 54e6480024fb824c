from django.urls import path

from .views import consultations, imports, outcomes, themes

app_name = "consultations"
# Each area routes its own pages from its views module: imports (C1), themes and analysis (C2),
# decisions and loop-closure messages (C3).
urlpatterns = [
    path("", consultations.consultation_list, name="list"),
    path("new/", consultations.consultation_create, name="create"),
    path("<int:pk>/", consultations.consultation_detail, name="detail"),
    path("<int:pk>/settings/", consultations.consultation_settings, name="settings"),
    path("for-engagement/<int:engagement_pk>/", consultations.for_engagement, name="for-engagement"),
    *imports.urlpatterns,
    *themes.urlpatterns,
    *outcomes.urlpatterns,
]
