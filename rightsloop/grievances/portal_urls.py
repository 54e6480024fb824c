"""Portal section "grievances" (/portal/grievances/): raise a grievance and follow one's own cases."""

from django.urls import path

from . import portal_section as views

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.raise_grievance, name="raise"),
    path("receipt/", views.receipt, name="receipt"),
    path("<int:pk>/", views.case, name="case"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/satisfaction/", views.satisfaction, name="satisfaction"),
    path("<int:pk>/appeal/", views.appeal, name="appeal"),
    path("<int:pk>/remedy/agreement/", views.remedy_agree, name="remedy-agree"),
    path("<int:pk>/remedy/proposals/", views.remedy_propose, name="remedy-propose"),
    path("<int:pk>/remedy/actions/<int:action_pk>/answer/", views.remedy_answer, name="remedy-answer"),
]
