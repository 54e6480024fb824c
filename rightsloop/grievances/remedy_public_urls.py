"""Public pages of a remedy plan: the affected propose, confirm or dispute through the follow-up page."""

from django.urls import path

from . import remedy_public_views as views

urlpatterns: list = [
    path("<slug:slug>/case/remedy/", views.remedy_page, name="remedy"),
    path("<slug:slug>/case/remedy/proposals/", views.propose, name="remedy-propose"),
    path("<slug:slug>/case/remedy/agreement/", views.agree, name="remedy-agree"),
    path("<slug:slug>/case/remedy/actions/<int:action_pk>/answer/", views.answer, name="remedy-answer"),
]
