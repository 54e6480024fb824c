"""The stakeholder's side of rating rounds, in the portal: the form for open rounds, thanks, past answers.

Every read is filtered by request.portal.stakeholder: another person's round or answer is a 404.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from rightsloop.core.forms import copy_errors
from rightsloop.portal.access import portal_view

from . import rating_queries, ratings
from .models import Rating
from .rating_charts import dimension_labels
from .rating_forms import RatingForm


@portal_view
@require_GET
def index(request):
    stakeholder = request.portal.stakeholder
    today = timezone.localdate()
    open_now = rating_queries.open_rounds_for(stakeholder, today)
    open_ids = {round.pk for round, _answer in open_now}
    past = [rating for rating in rating_queries.ratings_of(stakeholder) if rating.round_id not in open_ids]
    past.reverse()
    return render(request, "relationships/ratings/portal/index.html", {
        "open_now": open_now, "past": past, "labels": dimension_labels(),
    })


@portal_view
@require_http_methods(["GET", "POST"])
def answer(request, pk: int):
    stakeholder = request.portal.stakeholder
    round = rating_queries.access_portal_round(stakeholder, pk, timezone.localdate())
    earlier = Rating.objects.filter(round=round, stakeholder=stakeholder).select_related("stakeholder").first()
    initial = {**earlier.scores(), "comment": earlier.comment} if earlier else None
    form = RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ratings.record_rating(round=round, stakeholder=stakeholder, scores=form.scores(),
                                  comment=form.cleaned_data["comment"], language=request.portal.language)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            return redirect("portal:ratings:thanks", pk=round.pk)
    return render(request, "relationships/ratings/portal/answer.html",
                  {"form": form, "round": round, "changing": earlier is not None},
                  status=400 if form.errors else 200)


@portal_view
@require_GET
def thanks(request, pk: int):
    round = rating_queries.access_portal_round(request.portal.stakeholder, pk, timezone.localdate())
    return render(request, "relationships/ratings/portal/thanks.html", {"round": round})
