"""Portal section "said"."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from ..access import portal_view


@portal_view
@require_GET
def index(request):
    return render(request, "portal/said/index.html", {})


urlpatterns = [path("", index, name="index")]
