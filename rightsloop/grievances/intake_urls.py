"""Public pages of the grievance mechanism: intake, receipt, follow-up (under /g/<organisation-slug>/)."""

from django.urls import path

from . import public_views

urlpatterns: list = [
    path("<slug:slug>/", public_views.intake, name="intake"),
    path("<slug:slug>/receipt/", public_views.receipt, name="receipt"),
    path("<slug:slug>/follow-up/", public_views.sign_in, name="follow-up-sign-in"),
    path("<slug:slug>/case/", public_views.case, name="follow-up"),
    path("<slug:slug>/case/reply/", public_views.case_reply, name="follow-up-reply"),
    path("<slug:slug>/case/files/", public_views.case_attachment, name="follow-up-files"),
    path("<slug:slug>/case/satisfaction/", public_views.case_satisfaction, name="follow-up-satisfaction"),
    path("<slug:slug>/case/appeal/", public_views.case_appeal, name="follow-up-appeal"),
    path("<slug:slug>/case/leave/", public_views.leave, name="follow-up-leave"),
]
