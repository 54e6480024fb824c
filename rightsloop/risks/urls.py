from django.urls import path

from . import views

app_name = "risks"
urlpatterns = [
    path("", views.risk_register, name="register"),
    path("<int:pk>/", views.risk_detail, name="detail"),
]
