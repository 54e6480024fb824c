from django.urls import path

from . import views
from .decision_urls import urlpatterns as decision_urlpatterns
from .link_urls import urlpatterns as link_urlpatterns
from .mitigation_urls import urlpatterns as mitigation_urlpatterns
from .transfer_urls import urlpatterns as transfer_urlpatterns

app_name = "risks"
urlpatterns = [
    path("", views.risk_register, name="register"),
    path("new/", views.risk_create, name="create"),
    path("<int:pk>/", views.risk_detail, name="detail"),
    path("<int:pk>/edit/", views.risk_edit, name="edit"),
    path("<int:pk>/board-review/", views.risk_board_review, name="board-review"),
    path("escalation/", views.escalation_settings, name="escalation"),
    path("escalation/defaults/", views.escalation_adopt_defaults, name="escalation-defaults"),
    path("escalation/keep/", views.escalation_keep_rules, name="escalation-keep"),
    # Strategic decisions and context events (decision_views.py), and the register's export and import
    # (transfer_views.py), mitigations (mitigation_views.py) and links to inputs (link_views.py) are routed
    # from their own modules.
    *decision_urlpatterns,
    *mitigation_urlpatterns,
    *link_urlpatterns,
    *transfer_urlpatterns,
]
