"""The participants' door of consensus building (/vote/): their signed link, no sign-in, no JavaScript.

Each view opts out of the sign-in visibly (consensus.views.voting.voting_link wraps it in @login_not_required).
"""

from django.urls import path

from .views import voting

app_name = "consensus-public"

urlpatterns = [
    path("<str:token>/", voting.vote, name="vote"),
    path("<str:token>/write/", voting.write, name="write"),
]
