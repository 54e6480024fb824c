from django.urls import path

from . import views
from .decision_urls import urlpatterns as decision_urlpatterns
from .transfer_urls import urlpatterns as transfer_urlpatterns

app_name = "risks"
urlpatterns = [
    path("", views.risk_register, name="register"),
    path("<int:pk>/", views.risk_detail, name="detail"),
    # Strategic decisions and context events (decision_views.py), and the register's export and import
    # (transfer_views.py), are routed from their own modules.
    *decision_urlpatterns,
    *transfer_urlpatterns,
]
